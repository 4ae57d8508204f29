"""`obm ticket …` and `obm import mail` over real vaults: output, exit status, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from tests.conftest import CORPUS, git_out


def obm(*args: str, vault: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--vault", str(vault), *args], catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def last_commit(root: Path) -> str:
    return git_out(root, "log", "-1", "--format=%s").strip()


@pytest.fixture
def ticket(empty_vault: Path) -> str:
    code, out, _ = obm("ticket", "new", "Mug arrived cracked", "customer=Jane Doe", "email=jane@example.com",
                       "priority=high", "--message", "My mug has a crack.", vault=empty_vault)
    assert code == 0 and out.startswith("created ticket T-")
    return out.split()[2]


def test_every_care_command_has_help(empty_vault: Path) -> None:
    for command in ("new", "reply", "note", "customer", "status", "queue", "stats", "replies"):
        code, out, _ = obm("ticket", command, "--help", vault=empty_vault)
        assert code == 0 and "Usage:" in out, command
    code, out, _ = obm("import", "mail", "--help", vault=empty_vault)
    assert code == 0 and "--dry-run" in out


def test_reply_note_customer_status_each_one_commit(empty_vault: Path, ticket: str) -> None:
    steps = [
        (("reply", ticket, "--text", "So sorry! Could you send a photo?", "--as", "Sam"),
         f"ticket {ticket}: replied; status new -> pending"),
        (("customer", ticket, "Here it is."), f"ticket {ticket}: customer wrote; status pending -> open"),
        (("note", ticket, "Third cracked mug this month."), f"ticket {ticket}: note added"),
        (("status", ticket, "resolved"), f"ticket {ticket}: status open -> resolved"),
    ]
    for args, message in steps:
        code, out, err = obm("ticket", *args, vault=empty_vault)
        assert (code, out.strip(), err) == (0, message, "")
        assert last_commit(empty_vault) == message
    body = next((empty_vault / "tickets").glob(f"{ticket}-*.md")).read_text()
    assert "— Sam (agent) → pending\nSo sorry!" in body and "(agent) → resolved\n" in body
    assert "resolved: " in body and "first_response: " in body


def test_canned_reply_with_unknown_variables(empty_vault: Path, ticket: str) -> None:
    replies = empty_vault / "templates" / "replies"
    replies.mkdir(parents=True)
    (replies / "order-status.md").write_text("---\ntitle: Order status\n---\nHi ${customer.first_name}, "
                                             "order ${order_number} ships ${ship_day}.\n")
    code, out, _ = obm("ticket", "replies", vault=empty_vault)
    assert code == 0 and "order-status" in out and "ask-for-photo" in out
    before = last_commit(empty_vault)
    code, out, err = obm("ticket", "reply", ticket, "--template", "order-status", vault=empty_vault)
    assert code == 2 and out == ""
    assert err == ("obm: the reply 'order-status' has names with no value: ${order_number} (not a variable of "
                   "canned replies (docs/customer-care.md)), ${ship_day} (not a variable of canned replies "
                   "(docs/customer-care.md)); fill them in, or send it anyway with --force\n")
    assert last_commit(empty_vault) == before
    code, out, err = obm("ticket", "reply", ticket, "--template", "order-status", "--force", vault=empty_vault)
    assert code == 0 and out.strip() == f"ticket {ticket}: replied (order-status); status new -> pending"
    assert "order_number, ship_day" in err


@pytest.mark.parametrize(("args", "code", "error"), [
    pytest.param(("reply", "T-000000-XXX", "--text", "hi"), 2, "no record 'T-000000-XXX' among tickets",
                 id="no-ticket"),
    pytest.param(("reply", "{ticket}"), 2, "one of the two", id="no-text"),
    pytest.param(("status", "{ticket}", "new"), 2, "already", id="same-status"),
    pytest.param(("status", "{ticket}", "done"), 2, "unknown ticket status 'done'", id="unknown-status"),
    pytest.param(("new", "Broken", "priority=asap"), 2, "ticket priority: expected one of", id="bad-field"),
    pytest.param(("new", "Broken", "priority"), 2, "expected field=value", id="bad-pair"),
    pytest.param(("stats", "--since", "2026-12-01", "--until", "2026-11-01"), 2, "is after", id="bad-period"),
])
def test_bad_input_is_one_line_and_changes_nothing(empty_vault: Path, ticket: str, args: tuple[str, ...], code: int,
                                                   error: str) -> None:
    before = last_commit(empty_vault)
    got, _, err = obm("ticket", *(a.format(ticket=ticket) for a in args), vault=empty_vault)
    assert got == code and error in err and err.startswith("obm: ") and err.count("\n") == 1
    assert last_commit(empty_vault) == before


def test_queue_and_stats(empty_vault: Path, ticket: str) -> None:
    code, out, err = obm("ticket", "queue", vault=empty_vault)
    assert code == 0 and out.splitlines()[0].split()[:3] == ["ID", "STATUS", "PRIORITY"]
    assert ticket in out and "1 open tickets" in err
    code, out, _ = obm("ticket", "queue", "--json", vault=empty_vault)
    (entry,) = json.loads(out)
    assert (entry["id"], entry["status"], entry["priority"], entry["customer"]) == (ticket, "new", "high", "Jane Doe")
    assert entry["first_response"]["stopped"] is False and "state" in entry["resolution"]
    code, out, _ = obm("ticket", "stats", "--json", vault=empty_vault)
    numbers = json.loads(out)
    assert numbers["open"]["new"]["high"] == 1 and numbers["created"] == 1
    assert numbers["per_customer"] == [{"customer": "Jane Doe", "tickets": 1}]
    code, out, _ = obm("ticket", "stats", vault=empty_vault)
    assert code == 0 and "Open tickets now" in out and "Jane Doe" in out


def test_import_mail(empty_vault: Path, tmp_path: Path) -> None:
    code, out, err = obm("import", "mail", str(CORPUS / "email"), "--dry-run", vault=empty_vault)
    assert code == 0 and out.splitlines()[-1] == (
        "dry run, nothing written: import mail: 9 new tickets, 0 replies added, 0 duplicates skipped")
    assert "email/mimekit_issue1189.mbox: message 2: new ticket T-250926-" in out
    code, out, _ = obm("import", "mail", str(CORPUS / "email"), vault=empty_vault)
    assert code == 0 and last_commit(empty_vault) == "import mail: 9 new tickets, 0 replies added, 0 duplicates skipped"
    code, out, _ = obm("import", "mail", str(CORPUS / "email"), "--quiet", vault=empty_vault)
    assert (code, out) == (0, "nothing to import: import mail: 0 new tickets, 0 replies added, 9 duplicates skipped\n")
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"\n")
    code, out, err = obm("import", "mail", str(empty), vault=empty_vault)
    assert code == 1 and err == "empty.eml: not imported: empty message\n"
