"""Templates that fit any business (issue 11, item 5): `[business]` settings from `obm init`,
a template with a name left unfilled refuses to draft or save, `obm check` finds `${…}` in records."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from obm_tui.model.errors import ValidationError
from obm_tui.model.template_text import leftovers
from obm_tui.services import tickets
from obm_tui.vault.store import Vault
from tests.conftest import git_out

RUN = "2026-11-20-client-onboarding-maya-patel"


def obm(*args: str, vault: Path | None = None) -> tuple[int, str, str]:
    prefix = ["--vault", str(vault)] if vault else []
    result = CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def onboard_maya(root: Path) -> None:
    code, _, err = obm("new", "client", "Maya Patel", "email=maya@example.com", "rate=1500", vault=root)
    assert code == 0, err
    code, _, err = obm("run", "start", "client-onboarding", "--for", "maya-patel", "--today", "2026-11-20", vault=root)
    assert code == 0, err


def test_init_flags_fill_every_template_with_the_business_given(tmp_path: Path) -> None:
    root = tmp_path / "empty-co"
    code, out, err = obm("init", str(root), "--name", "Empty Co", "--owner", "Erin Owner", "--manager", "Max Manager",
                         "--email", "hello@empty.example", "--calendar-link", "https://cal.empty.example/erin",
                         "--payment-link", "https://pay.empty.example/card", "--address", "9 Empty Lane, Leeds")
    assert code == 0, err
    business = tomllib.loads((root / ".obm" / "config.toml").read_text())["business"]
    assert business["owner"] == "Erin Owner" and business["calendar_link"] == "https://cal.empty.example/erin"
    onboard_maya(root)
    code, out, err = obm("draft", "maya", "welcome", vault=root)
    assert code == 0, err
    assert "welcome to Empty Co!" in out and "strategy call with Erin Owner." in out
    assert "https://cal.empty.example/erin" in out and out.rstrip().endswith("Warmly,\nMax Manager")
    assert "calendly" not in out.lower() and "Fred" not in out and "${" not in out
    code, out, err = obm("draft", "maya", "send", vault=root)
    assert code == 0 and "Max Manager\non behalf of Erin Owner, Empty Co" in out


def test_shipped_templates_name_no_business_of_their_own() -> None:
    from obm_tui.services.templates import data_dir

    for path in sorted(data_dir("templates").rglob("*.md")):
        text = path.read_text(encoding="utf-8").lower()
        for word in ("fred", "mia", "fredsmithcoaching", "calendly", "harbor street", "example-supplier"):
            assert word not in text, f"{path.name} names {word!r}"


def test_init_without_flags_off_a_terminal_asks_nothing_and_says_what_is_unset(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    code, out, err = obm("init", str(root), "--name", "Empty Co")
    assert code == 0 and "vault ready at" in out
    assert "note: not set yet: owner, manager, email, signature, calendar_link" in err
    assert "set in .obm/config.toml [business]" in err
    config = (root / ".obm" / "config.toml").read_text()
    assert '# calendar_link = ""' in config and tomllib.loads(config)["business"]["name"] == "Empty Co"
    assert git_out(root, "status", "--porcelain") == ""
    onboard_maya(root)
    code, out, err = obm("draft", "maya", "welcome", vault=root)
    assert (code, out) == (2, "")
    assert "template welcome-email has names with no value: " in err
    assert "${owner} (set owner in .obm/config.toml [business])" in err
    assert "${calendar_link} (set calendar_link in .obm/config.toml [business])" in err
    assert "${signature} (set signature (or manager) in .obm/config.toml [business])" in err
    assert err.rstrip().endswith("; no draft made")


@pytest.mark.parametrize(("flag", "value", "said"), [
    pytest.param("--calendar-link", "calendly me", "--calendar-link: expected a web address", id="link"),
    pytest.param("--email", "not-an-address", "--email: expected an email address", id="email"),
    pytest.param("--owner", "Ann\nLee", "--owner: one line only", id="two-lines"),
])
def test_init_refuses_a_bad_setting_and_makes_nothing(tmp_path: Path, flag: str, value: str, said: str) -> None:
    code, _, err = obm("init", str(tmp_path / "v"), flag, value)
    assert code == 2 and said in err and "Traceback" not in err
    assert not (tmp_path / "v").exists()


def test_a_name_with_quotes_and_backslashes_is_written_as_valid_toml(tmp_path: Path) -> None:
    root = tmp_path / "v"
    assert obm("init", str(root), "--name", 'The "Best" \\ Co', "--signature", "Max\nThe Best Co")[0] == 0
    business = tomllib.loads((root / ".obm" / "config.toml").read_text())["business"]
    assert (business["name"], business["signature"]) == ('The "Best" \\ Co', "Max\nThe Best Co")


@pytest.mark.slow
def test_init_on_a_terminal_asks_for_what_is_missing(tmp_path: Path) -> None:
    """Through a real pseudo-terminal: each missing setting is asked; Enter leaves it unset."""
    root = tmp_path / "asked"
    answers = {"Business name": "Asked Co", "Owner": "Ann Asked", "Manager": "", "Email": "nope",
               "Calendar link": "https://cal.asked.example/ann"}
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "obm_tui.cli", "init", str(root)], stdin=follower,
                               stdout=follower, stderr=follower, close_fds=True, env={**os.environ, "TERM": "dumb"})
    os.close(follower)
    seen, asked = b"", []
    while process.poll() is None or select.select([leader], [], [], 0)[0]:
        if not select.select([leader], [], [], 30)[0]:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        seen += chunk
        tail = seen.decode(errors="replace").rsplit("\n", 1)[-1]
        if tail.rstrip().endswith(":"):
            question = next((q for q in answers if tail.lstrip().startswith(q)), "")
            asked.append(question or tail.strip())
            answer = answers.get(question, "")
            if question == "Email" and asked.count("Email") > 1:
                answer = "hello@asked.example"  # the bad address is asked again
            os.write(leader, answer.encode() + b"\r")
            seen = b""
    process.wait(timeout=30)
    os.close(leader)
    assert process.returncode == 0
    assert asked[:5] == ["Business name", "Owner", "Manager", "Email", "Email"]
    business = tomllib.loads((root / ".obm" / "config.toml").read_text())["business"]
    assert business["name"] == "Asked Co" and business["owner"] == "Ann Asked"
    assert business["email"] == "hello@asked.example" and "manager" not in business
    assert business["calendar_link"] == "https://cal.asked.example/ann"


def test_an_email_with_a_subject_field_unset_is_refused_naming_where_to_set_it(empty_vault: Path) -> None:
    onboard_maya(empty_vault)
    own = empty_vault / "templates" / "emails" / "welcome-email.md"
    own.parent.mkdir(parents=True)
    own.write_text("---\nto: ${email}\nsubject: Hi ${first_name}\n---\nYour plan: ${plan}. ${calendar_link}\n")
    code, out, err = obm("draft", "maya", "welcome", vault=empty_vault)
    assert (code, out) == (2, "")
    assert "${plan} (obm set maya-patel plan=…); no draft made" in err and "calendar_link" not in err


def test_a_record_template_with_an_unfilled_name_saves_nothing(empty_vault: Path) -> None:
    """The issue's invoice titled `${company} — first month`: refused, the run stays unticked."""
    onboard_maya(empty_vault)
    own = empty_vault / "templates" / "records" / "onboarding-invoice.md"
    own.parent.mkdir(parents=True)
    own.write_text('---\ntype: invoice\ntitle: ${company} — first month\namount: "${rate}"\nstatus: draft\n---\n')
    head = git_out(empty_vault, "rev-parse", "HEAD")
    code, out, err = obm("run", "tick", RUN, "send", "--today", "2026-11-20", vault=empty_vault)
    assert code == 2 and "Traceback" not in err
    assert ("template onboarding-invoice (to create an invoice) has names with no value: ${company} "
            "(obm set maya-patel company=…); the tick was not processed") in err
    assert git_out(empty_vault, "rev-parse", "HEAD") == head
    assert not list((empty_vault / "invoices").glob("*.md"))


def test_a_canned_reply_with_an_empty_value_is_refused(empty_vault: Path) -> None:
    """A ticket with no customer: `Hi ${customer.first_name},` would go out as `Hi ,`."""
    vault = Vault.open(empty_vault)
    try:
        made = tickets.new_ticket(vault, "Where is my order?", {}, now=datetime(2026, 11, 20, 10, 0))
        ticket_id = made.record.id
        before = (empty_vault / made.record.path).read_bytes()
        with pytest.raises(ValidationError) as refused:
            tickets.reply(vault, ticket_id, now=datetime(2026, 11, 20, 11, 0), template="order-delayed", agent="Max")
        assert f"${{customer.first_name}} (obm set {ticket_id} customer=…)" in refused.value.message
        assert (empty_vault / made.record.path).read_bytes() == before
        filled = tickets.reply(vault, ticket_id, now=datetime(2026, 11, 20, 11, 0), template="course-access",
                               agent="Max", force=True)
        assert "https://learn.test-business.example/login" in (empty_vault / filled.record.path).read_text()
    finally:
        vault.close()


@pytest.mark.parametrize(("text", "found"), [
    pytest.param("title: ${company} — first month", [(1, "company")], id="field"),
    pytest.param("a\nHi ${customer.first_name},", [(2, "customer.first_name")], id="dotted"),
    pytest.param("costs $${rate} and $5", [], id="escaped-dollar"),
    pytest.param("write `${name}` in a template", [], id="code-span"),
    pytest.param("```\n${name}\n```\nthen ${rate}", [(4, "rate")], id="fenced"),
    pytest.param("${ not one } ${1x}", [], id="not-names"),
])
def test_leftovers(text: str, found: list[tuple[int, str]]) -> None:
    assert leftovers(text) == found


def test_check_reports_unfilled_names_in_records_not_in_templates(empty_vault: Path) -> None:
    onboard_maya(empty_vault)
    invoice = empty_vault / "invoices" / "INV-261120-AAA.md"
    invoice.write_text('---\ntype: invoice\nid: INV-261120-AAA\ntitle: ${company} — first month\nclient: '
                       '"[[maya-patel]]"\namount: "100.00"\nstatus: draft\n---\n| Coaching | ${rate} |\n')
    subprocess.run(["git", "-C", str(empty_vault), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(empty_vault), "commit", "-qm", "by hand"], check=True)
    own = empty_vault / "templates" / "emails" / "mine.md"
    own.parent.mkdir(parents=True)
    own.write_text("Hi ${first_name}\n")
    code, out, _ = obm("check", vault=empty_vault)
    assert code == 1
    assert "invoices/INV-261120-AAA.md:4: title: ${company} was never filled in" in out
    assert "invoices/INV-261120-AAA.md:9: ${rate} was never filled in" in out
    assert "templates/" not in out
