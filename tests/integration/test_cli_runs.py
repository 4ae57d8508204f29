"""`obm run …`, `obm tick`, `obm agenda` and `obm draft` over real vaults: output, files, exit status."""

from __future__ import annotations

import json
from datetime import date, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from tests.conftest import git_out

RUN = "2026-11-20-client-onboarding-maya-patel"


def obm(*args: str, vault: Path | None = None) -> tuple[int, str, str]:
    prefix = ["--vault", str(vault)] if vault else []
    result = CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def maya(empty_vault: Path) -> Path:
    obm("new", "client", "Maya Patel", "email=maya@example.com", "company=Patel Studio", "rate=900", vault=empty_vault)
    code, out, err = obm("run", "start", "client-onboarding", "--for", "maya-patel", "--today", "2026-11-20",
                         vault=empty_vault)
    assert code == 0, err
    assert out.splitlines() == [f"run {RUN}: started (Client onboarding for Maya Patel)", f"runs/{RUN}.md"]
    return empty_vault


@pytest.mark.parametrize("command", [
    pytest.param(["run", "start"], id="run-start"), pytest.param(["run", "tick"], id="run-tick"),
    pytest.param(["run", "show"], id="run-show"), pytest.param(["run", "list"], id="run-list"),
    pytest.param(["tick"], id="tick"), pytest.param(["agenda"], id="agenda"), pytest.param(["draft"], id="draft"),
])
def test_commands_have_help(command: list[str]) -> None:
    code, out, _ = obm(*command, "--help")
    assert code == 0 and "Usage:" in out


def test_tick_on_the_demo_starts_what_the_rules_call_for_then_nothing(sample_vault: Path) -> None:
    code, out, err = obm("tick", "--today", "2026-11-23", vault=sample_vault)
    assert code == 0, err
    assert out.splitlines() == [
        ("run 2026-11-23-restock-product-nb-set3: started (Restock product for Notebook set (3 pack))"
        ' — rule "Restock before we run out": restock NB-SET3 after 2026-08-11'),
        ("run 2026-11-23-follow-up-declined-payment-2026-09-02-mark-jensen-m1f: started"
        ' (Follow up declined payment for Mark Jensen) — rule "Follow up every declined payment":'
        " decline 2026-09-02-mark-jensen-m1f: status = new"),
        ("Payment reminder drafted for Daniel Okafor — INV-261101-R1X 2,000.00 USD, 8 days overdue"
         " (outbox/reminder-daniel-okafor-2026-11-23.eml)"),
        ("Payment reminder drafted for Grace Nakamura — INV-261101-W3H 900.00 USD, 8 days overdue"
         " (outbox/reminder-grace-nakamura-2026-11-23.eml)"),
        ("Payment reminder drafted for Lucía Fernández — INV-260801-Q2P 600.00 USD, 107 days overdue"
         " (outbox/reminder-lucia-fernandez-2026-11-23.eml)"),
        ("Payment reminder drafted for Priya Raman — INV-261103-H9Q 350.00 USD, due in 1 day"
         " (outbox/reminder-priya-raman-2026-11-23.eml)"),
    ]
    code, out, err = obm("tick", "--today", "2026-11-23", vault=sample_vault)
    assert (code, out, err.strip()) == (0, "", "nothing to do")
    assert obm("check", vault=sample_vault)[0] == 0


def test_tick_untick_and_show(maya: Path) -> None:
    code, out, _ = obm("run", "tick", "maya", "send", "--today", "2026-11-20", vault=maya)
    assert code == 0 and out.startswith(f'run {RUN}: ticked "Send the invoice and the contract')
    assert git_out(maya, "log", "-1", "--format=%s").strip() == out.splitlines()[0]
    code, out, _ = obm("run", "show", "maya", "--json", "--today", "2026-11-24", vault=maya)
    shown = json.loads(out)
    assert shown["status"] == "waiting" and shown["progress"] == "1/6"
    assert [(s["id"], s["state"]) for s in shown["steps"][:3]] == [("send", "done"), ("welcome", "waiting"),
                                                                    ("tag", "blocked")]
    assert shown["steps"][1]["waiting_on"] == ["invoice.status = paid", "contract = signed"]
    code, out, _ = obm("run", "show", "maya", "--today", "2026-11-24", vault=maya)
    assert "for invoice.status = paid; contract = signed" in out and "until welcome is done" in out
    code, out, _ = obm("run", "tick", RUN, "1", "--undo", "--today", "2026-11-21", vault=maya)
    assert code == 0
    assert "the invoice created from onboarding-invoice stays" in out
    assert "client maya-patel keeps the contract it was given" in out


def test_a_run_with_mistakes_is_refused_with_its_lines(maya: Path) -> None:
    path = maya / "runs" / f"{RUN}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("[after:: send]", "[after:: sned]", 1), encoding="utf-8")
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "sned" in text)
    code, out, err = obm("run", "tick", RUN, "welcome", vault=maya)
    assert code == 1 and f'runs/{RUN}.md:{line}: after:: "sned" is not a step of this process' in err
    assert "[x]" not in path.read_text(encoding="utf-8")
    code, out, _ = obm("check", vault=maya)
    assert code == 1 and f'runs/{RUN}.md:{line}: after:: "sned"' in out


def test_agenda_lists_the_steps_with_what_they_wait_on(maya: Path) -> None:
    obm("run", "tick", "maya", "send", "--today", "2026-11-20", vault=maya)
    _, out, _ = obm("agenda", "--json", "--today", "2026-11-24", vault=maya)
    steps = [i for i in json.loads(out) if i["section"] == "Checklist steps"]
    assert {i["state"] for i in steps} == {"waiting"} and all(i["path"] == f"runs/{RUN}.md" for i in steps)
    welcome = next(i for i in steps if i["title"].startswith("Once the invoice is paid"))
    assert welcome["detail"] == "waiting on invoice.status = paid, contract = signed"
    assert sum(1 for i in steps if i["detail"] == "waiting on welcome") == 4
    _code, out, _ = obm("agenda", "--today", "2026-11-24", vault=maya)
    assert out.startswith("Checklist steps\n  waiting  ") and "  waiting  Once the invoice is paid" in out


def test_draft_prints_saves_an_eml_and_a_mailto_link(maya: Path, tmp_path: Path) -> None:
    eml = tmp_path / "welcome.eml"
    code, out, err = obm("draft", "maya", "welcome", "--eml", str(eml), vault=maya)
    assert code == 0 and out.startswith("To: maya@example.com\nSubject: You're in! Book your first strategy call")
    assert "Hi Maya," in out and "with Fred Smith" not in out  # the empty vault has no owner set
    message = message_from_bytes(eml.read_bytes())
    assert message["To"] == "maya@example.com" and "Hi Maya," in message.get_payload(decode=True).decode()
    code, out, _ = obm("draft", "maya", "send", "--mailto", vault=maya)
    assert out.startswith("mailto:maya@example.com?subject=Welcome%20aboard%2C%20Maya")
    code, _, err = obm("draft", "maya", "tag", vault=maya)
    assert code == 2 and "has no email:: template" in err


def test_run_start_refuses_a_subject_missing_the_fields_the_process_needs(empty_vault: Path) -> None:
    """Issue 11 item 6: `amount: … got '${rate}'` at the first tick; now refused up front, saying what to set."""
    obm("new", "client", "Maya Patel", "email=maya@example.com", vault=empty_vault)
    head = git_out(empty_vault, "rev-parse", "HEAD")
    code, out, err = obm("run", "start", "client-onboarding", "--for", "maya-patel", "--today", "2026-11-20",
                         vault=empty_vault)
    assert (code, out) == (2, "")
    assert err == ("obm: process client-onboarding needs fields client maya-patel does not have: rate (obm set "
                   "maya-patel rate=…; used by onboarding-invoice, start billing); nothing was started\n")
    assert git_out(empty_vault, "rev-parse", "HEAD") == head and not (empty_vault / "runs" / f"{RUN}.md").exists()
    code, out, err = obm("tick", "--today", "2026-11-20", vault=empty_vault)
    assert code == 0 and "client-onboarding" not in out  # not onboarding: no rule for her yet
    code, out, err = obm("set", "maya-patel", "status=onboarding", vault=empty_vault)
    assert code == 0 and "client-onboarding" not in out
    assert ('rule "Onboard every new client" for client maya-patel: process client-onboarding needs fields '
            "client maya-patel does not have: rate (obm set maya-patel rate=…") in err
    code, out, err = obm("tick", "--today", "2026-11-20", vault=empty_vault)
    assert code == 1 and "client-onboarding" not in out  # the rule tries again, and says why again
    assert ('obm: rule "Onboard every new client" for client maya-patel: process client-onboarding needs fields '
            "client maya-patel does not have: rate (obm set maya-patel rate=…") in err
    code, out, err = obm("set", "maya-patel", "rate=1500", vault=empty_vault)  # the change it waited for
    assert code == 0, err
    assert "client-onboarding-maya-patel: started" in out
    assert len(list((empty_vault / "runs").glob("*-client-onboarding-maya-patel.md"))) == 1


def test_a_decline_without_an_email_or_product_is_named(empty_vault: Path) -> None:
    obm("new", "decline", "Sam Oduya", "amount=46", "declined=2026-11-19", "status=contacted", vault=empty_vault)
    decline = next((empty_vault / "declines").glob("*.md")).stem
    code, _, err = obm("run", "start", "follow-up-declined-payment", "--for", decline, vault=empty_vault)
    assert code == 2
    assert f"does not have: email (obm set {decline} email=…; used by payment-failed-1" in err
    assert f"; product (obm set {decline} product=…; used by payment-failed-1" in err


def _needs_table(doc: str) -> dict[str, str]:
    section = doc.split("## Fields a process needs", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| `")]
    return {process.strip().strip("`"): fields.strip() for process, fields in rows}


def test_docs_list_the_fields_each_shipped_process_needs(empty_vault: Path) -> None:
    """The table in docs/processes.md is what obm derives from the templates: it cannot drift."""
    from obm_tui.services.process_needs import process_needs
    from obm_tui.services.run_files import load_process
    from obm_tui.vault.store import Vault

    documented = _needs_table((Path(__file__).parents[2] / "docs" / "processes.md").read_text(encoding="utf-8"))
    vault = Vault.open(empty_vault)
    try:
        derived = {}
        for path in sorted((empty_vault / "processes").glob("*.md")):
            _, process = load_process(vault, path.stem)
            derived[path.stem] = ", ".join(f"`{need.name}`" for need in process_needs(vault, process)) or "—"
    finally:
        vault.close()
    assert documented == derived


def test_the_readme_example_onboards_maya_as_written(tmp_path: Path) -> None:
    """README.md's own lines, run as written: `obm init …`, then `obm new client "Maya Patel" …`;
    her rule starts the onboarding run and its first tick makes the invoice from her rate."""
    import shlex

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    first = next(n for n, line in enumerate(lines) if line.startswith(".venv/bin/obm init "))
    last = next(n for n in range(first, len(lines)) if not lines[n].rstrip().endswith("\\"))
    args = shlex.split(" ".join(lines[first:last + 1]).split("#")[0].replace("\\", ""))[1:]
    root = tmp_path / "business"
    args[1] = str(root)
    code, _, err = obm(*args)
    assert code == 0, err
    new = next(line for line in readme.splitlines() if line.startswith('obm new client "Maya Patel"'))
    assert obm(*shlex.split(new)[1:], vault=root)[0] == 0
    assert len(list((root / "runs").glob("*-client-onboarding-maya-patel.md"))) == 1  # started by its rule
    code, out, err = obm("run", "tick", "maya", "send", "--today", "2026-11-20", vault=root)
    assert code == 0, err
    invoice = next((root / "invoices").glob("INV-*.md")).read_text(encoding="utf-8")
    assert "\namount: 1500.00\n" in invoice and "${" not in invoice
    code, out, err = obm("draft", "maya", "welcome", vault=root)
    assert code == 0 and "${" not in out and "Fred Smith" in out, err


def _run_of(vault: Path, process: str) -> Path:
    found = sorted((vault / "runs").glob(f"*-{process}-*.md"))
    assert len(found) == 1, found
    return found[0]


def _started(run: Path) -> date:
    line = next(x for x in run.read_text(encoding="utf-8").splitlines() if x.startswith("started:"))
    return date.fromisoformat(line.split(":", 1)[1].strip())


def test_a_recovered_decline_ends_its_follow_up_run_and_leaves_today(empty_vault: Path) -> None:
    """Issue 11 item 2: `stop_when` in the process ends the run once the decline is settled — in
    the `obm set` that settles it, and it leaves Today."""
    code, out, err = obm("new", "decline", "Sam Oduya", "amount=46.00", "declined=2026-11-19", "email=pay@example.com",
                         "product=Course", vault=empty_vault)
    assert code == 0, err
    decline = out.split()[2]
    run = _run_of(empty_vault, "follow-up-declined-payment")  # started by its rule, in `obm new`
    assert "status: active" in run.read_text(encoding="utf-8")
    later = (_started(run) + timedelta(days=11)).isoformat()
    code, out, _ = obm("agenda", "--today", later, vault=empty_vault)
    assert "overdue" in out and run.stem in out
    code, out, err = obm("set", decline, "status=recovered", vault=empty_vault)
    assert code == 0, err
    assert (f"run {run.stem}: stopped (decline {decline}: status = recovered); status active -> done"
            in out.splitlines())
    text = run.read_text(encoding="utf-8")
    assert "status: done" in text and "finished: " in text and "stopped: status = recovered" in text
    assert any(line.startswith(f"run {run.stem}: stopped")
               for line in git_out(empty_vault, "log", "-3", "--format=%s").splitlines())
    code, out, _ = obm("agenda", "--today", later, vault=empty_vault)
    assert run.stem not in out
    code, out, err = obm("tick", "--today", later, vault=empty_vault)
    assert "follow-up-declined-payment" not in out and "stopped" not in out
    code, out, _ = obm("run", "show", run.stem, "--today", later, vault=empty_vault)
    assert "done" in out and "active" not in out


def test_a_client_who_leaves_cancels_the_onboarding(maya: Path) -> None:
    """`stop_as: cancelled`: the client-onboarding run ends cancelled when the client is `past`."""
    code, out, err = obm("set", "maya-patel", "status=past", vault=maya)
    assert code == 0, err
    assert f"run {RUN}: stopped (client maya-patel: status = past); status active -> cancelled" in out.splitlines()


def test_a_stop_when_with_a_mistake_is_reported_by_check(empty_vault: Path) -> None:
    path = empty_vault / "processes" / "follow-up-declined-payment.md"
    text = path.read_text(encoding="utf-8").replace("- status = lost", "- status lost")
    path.write_text(text, encoding="utf-8")
    code, out, err = obm("check", vault=empty_vault)
    assert code == 1
    assert "processes/follow-up-declined-payment.md" in out + err and "stop_when:" in out + err


def _config(vault: Path, old: str, new: str) -> None:
    path = vault / ".obm" / "config.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    git_out(vault, "commit", "-qam", "config")


def test_tick_gives_up_a_decline_after_give_up_after_days_and_ends_its_run(empty_vault: Path) -> None:
    """Issue 11 item 3: `[dunning] give_up_after` is real: one commit marks the decline lost, and
    the process's stop_when then ends its run."""
    _config(empty_vault, "give_up_after = 30", "give_up_after = 10")
    code, out, err = obm("new", "decline", "Julia Brooks", "amount=450.00", "declined=2026-11-21",
                         "email=pay@example.com", "product=Course", vault=empty_vault)
    decline = out.split()[2]
    run = _run_of(empty_vault, "follow-up-declined-payment")  # started by its rule, in `obm new`
    started = _started(run)
    day9, day10 = ((started + timedelta(days=n)).isoformat() for n in (9, 10))
    code, out, err = obm("tick", "--today", day9, vault=empty_vault)  # day 9: not yet
    assert "lost" not in out and "status: active" in run.read_text(encoding="utf-8")
    code, out, err = obm("tick", "--today", day10, vault=empty_vault)
    assert code == 0, err
    given_up = (f"decline {decline}: status new -> lost; not recovered 10 days after its follow-up started on "
                f"{started.isoformat()} ([dunning] give_up_after)")
    assert given_up in out.splitlines()
    assert f"run {run.stem}: stopped (decline {decline}: status = lost); status active -> done" in out.splitlines()
    log = git_out(empty_vault, "log", "-4", "--format=%s").splitlines()
    assert given_up in log
    assert git_out(empty_vault, "show", "--name-only", "--format=", f"HEAD~{log.index(given_up)}").split() == [
        f"declines/{decline}.md"]
    assert "status: lost" in (empty_vault / "declines" / f"{decline}.md").read_text(encoding="utf-8")
    assert f"resolved: {day10}" in (empty_vault / "declines" / f"{decline}.md").read_text(encoding="utf-8")
    code, out, err = obm("tick", "--today", day10, vault=empty_vault)
    assert (code, out, err.strip()) == (0, "", "nothing to do")


def test_tick_starts_the_dunning_process_for_a_new_decline_without_a_rule(empty_vault: Path) -> None:
    """`[dunning] process` is the process started for each new decline, even with no [[rules]] for it."""
    source = (empty_vault / "processes" / "follow-up-declined-payment.md").read_text(encoding="utf-8")
    (empty_vault / "processes" / "card-chase.md").write_text(
        source.replace("id: follow-up-declined-payment", "id: card-chase"), encoding="utf-8")
    git_out(empty_vault, "add", "processes/card-chase.md")
    _config(empty_vault, 'process = "follow-up-declined-payment"', 'process = "card-chase"')
    _config(empty_vault, 'when = "status = new"', 'when = "status = never"')  # the starter rule starts nothing
    code, out, err = obm("new", "decline", "Sam Oduya", "amount=46.00", "declined=2026-11-19",
                         "email=pay@example.com", "product=Course", vault=empty_vault)
    decline = out.split()[2]
    code, out, err = obm("tick", "--today", "2026-11-19", vault=empty_vault)
    assert code == 0, err
    assert f"run 2026-11-19-card-chase-{decline}: started (Follow up declined payment for Sam Oduya) — [dunning]" \
        in out.splitlines()
    assert not list((empty_vault / "runs").glob("*follow-up-declined-payment*"))


def test_check_says_follow_ups_is_not_used(empty_vault: Path) -> None:
    _config(empty_vault, "give_up_after = 30", "follow_ups = [0, 3, 7, 14]\ngive_up_after = 30")
    code, out, err = obm("check", vault=empty_vault)
    assert code == 1
    assert "[dunning] follow_ups is not used" in out + err and "processes/follow-up-declined-payment.md" in out + err
