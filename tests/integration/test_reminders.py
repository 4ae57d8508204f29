"""Payment reminders (`[finance] reminders`): drafted by `obm tick` on the rungs of the ladder, one
draft a day per client naming each of its invoices, `reminded` set in one commit per client, shown
on the agenda; a ladder that cannot be used is named by `obm check`. Real files and git."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from tests.conftest import git_out
from tests.integration.finance_vault import add_config


def obm(*args: str, vault: Path | None = None) -> tuple[int, str, str]:
    prefix = ["--vault", str(vault)] if vault else []
    result = CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write_invoice(root: Path, invoice_id: str, client: str, due: str, *, amount: str = "1500.00",
                  status: str = "sent", body: str = "") -> None:
    path = root / "invoices" / f"{invoice_id}.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"---\ntype: invoice\nid: {invoice_id}\ntitle: Coaching\nclient: \"[[{client}]]\"\n"
                    f'amount: "{amount}"\nstatus: {status}\nissued: 2026-11-20\ndue: {due}\n---\n\n{body}',
                    encoding="utf-8")


def tick(root: Path, today: str) -> list[str]:
    code, out, err = obm("tick", "--today", today, vault=root)
    assert code == 0, err
    return [line for line in out.splitlines() if "reminder" in line.lower()]


def eml(path: Path) -> EmailMessage:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


PAID_400 = """## Payments

| Date | Amount | Method | Reference | Note | Id |
|------------|--------:|--------|-----------|------|--------|
| 2026-12-01 | 400.00 | card | ch_1 | | 6782SQ |
"""


@pytest.fixture
def clients(empty_vault: Path) -> Path:
    for name, email in (("Aisha Khan", "aisha@example.com"), ("Ben Ode", "ben@example.com")):
        code, _, err = obm("new", "client", name, f"email={email}", "rate=1500", vault=empty_vault)
        assert code == 0, err
    write_invoice(empty_vault, "INV-261120-AAA", "aisha-khan", "2026-12-15")
    write_invoice(empty_vault, "INV-261120-BBB", "aisha-khan", "2026-12-10", status="partly-paid", body=PAID_400)
    write_invoice(empty_vault, "INV-261120-CCC", "ben-ode", "2026-12-15", status="paid")
    return empty_vault


def test_one_draft_a_day_per_client_naming_each_invoice_and_one_commit(clients: Path) -> None:
    assert tick(clients, "2026-12-22") == [
        "Payment reminder drafted for Aisha Khan — INV-261120-AAA 1,500.00 USD, 7 days overdue; "
        "INV-261120-BBB 1,100.00 USD, 12 days overdue (outbox/reminder-aisha-khan-2026-12-22.eml)"]
    assert git_out(clients, "log", "-1", "--format=%s") == (
        "invoice INV-261120-AAA, INV-261120-BBB: reminded 2026-12-22 (drafted for Aisha Khan — INV-261120-AAA "
        "1,500.00 USD, 7 days overdue; INV-261120-BBB 1,100.00 USD, 12 days overdue; "
        "outbox/reminder-aisha-khan-2026-12-22.eml)\n")
    assert git_out(clients, "show", "--name-only", "--format=", "HEAD").split() == [
        "invoices/INV-261120-AAA.md", "invoices/INV-261120-BBB.md"]
    assert "reminded: 2026-12-22" in (clients / "invoices/INV-261120-AAA.md").read_text()
    message = eml(clients / "outbox/reminder-aisha-khan-2026-12-22.eml")
    assert message["To"].addresses[0].addr_spec == "aisha@example.com"
    assert message["Subject"] == "Test Business: invoice INV-261120-AAA and INV-261120-BBB is overdue (2,600.00 USD)"
    text = message.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert body.startswith("Hi Aisha,")
    assert "- INV-261120-AAA: 1,500.00 USD, due 2026-12-15 (7 days overdue)" in body
    assert "- INV-261120-BBB: 1,100.00 USD, due 2026-12-10 (12 days overdue)" in body
    assert "https://pay.test-business.example/card" in body and "Max Manager" in body
    assert list((clients / "outbox").iterdir()) == [clients / "outbox/reminder-aisha-khan-2026-12-22.eml"]
    head = git_out(clients, "rev-parse", "HEAD")
    assert tick(clients, "2026-12-22") == []  # once a day
    assert tick(clients, "2026-12-23") == []  # no rung of either falls on the 23rd
    assert git_out(clients, "log", "--format=%s", f"{head.strip()}..HEAD", "--", "invoices") == ""
    assert tick(clients, "2026-12-24") == [  # BBB's 14-day rung; AAA's next is on the 29th
        "Payment reminder drafted for Aisha Khan — INV-261120-BBB 1,100.00 USD, 14 days overdue "
        "(outbox/reminder-aisha-khan-2026-12-24.eml)"]


def test_a_missed_rung_is_caught_up_once_and_the_agenda_shows_the_draft(clients: Path) -> None:
    (clients / "invoices/INV-261120-BBB.md").unlink()
    assert tick(clients, "2026-12-12") == [  # the -3 rung (12th) is today; nothing was missed
        "Payment reminder drafted for Aisha Khan — INV-261120-AAA 1,500.00 USD, due in 3 days "
        "(outbox/reminder-aisha-khan-2026-12-12.eml)"]
    subject = eml(clients / "outbox/reminder-aisha-khan-2026-12-12.eml")["Subject"]
    assert subject == "A friendly reminder from Test Business: invoice INV-261120-AAA is due on 2026-12-15"
    # obm not run from the 13th to the 30th: the 0, 7 and 14 rungs were missed; one draft, of the latest
    assert tick(clients, "2026-12-31") == [
        "Payment reminder drafted for Aisha Khan — INV-261120-AAA 1,500.00 USD, 16 days overdue "
        "(outbox/reminder-aisha-khan-2026-12-31.eml)"]
    code, out, err = obm("agenda", "--today", "2026-12-31", vault=clients)
    assert code == 0, err
    assert ("  due      Payment reminder drafted for Aisha Khan — INV-261120-AAA 1,500.00 USD, 16 days overdue"
            "  [send it from outbox/]") in out.splitlines()
    assert tick(clients, "2027-01-13") == []  # the 30-day rung is on the 14th
    assert len(tick(clients, "2027-01-14")) == 1
    assert tick(clients, "2027-03-01") == []  # the ladder has ended


def test_a_reminder_that_cannot_be_drafted_is_said_and_nothing_is_written(empty_vault: Path) -> None:
    code, _, err = obm("new", "client", "Cy Nomail", "rate=900", vault=empty_vault)
    assert code == 0, err
    write_invoice(empty_vault, "INV-261120-DDD", "cy-nomail", "2026-12-15")
    code, out, err = obm("tick", "--today", "2026-12-15", vault=empty_vault)
    assert code == 1
    assert "obm: payment reminder for Cy Nomail not drafted: template payment-reminder-due" in err
    assert "${email}" in err and "Traceback" not in err
    assert "reminded" not in git_out(empty_vault, "log", "--format=%s")
    assert "reminded" not in (empty_vault / "invoices/INV-261120-DDD.md").read_text()
    assert not (empty_vault / "outbox").exists()


def test_a_ladder_that_cannot_be_used_is_named_by_check_and_the_default_is_used(clients: Path) -> None:
    config = clients / ".obm/config.toml"
    add_config(clients, '[finance]\nreminders = "weekly"\n')
    code, out, _ = obm("check", vault=clients)
    assert code == 1
    line = next(n for n, text in enumerate(config.read_text().splitlines(), 1) if text.startswith("reminders ="))
    assert (f".obm/config.toml:{line}: [finance] reminders must be a list of days from the due day, like "
            "[-3, 0, 7], got 'weekly'; [-3, 0, 7, 14, 30] is used") in out
    assert len(tick(clients, "2026-12-22")) == 1  # the default ladder's 7-day rung
