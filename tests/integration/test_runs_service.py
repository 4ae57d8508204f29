"""Runs through the services on real vaults: start, tick (one commit with every touched file),
ticks from another editor processed exactly once, crash safety, recurring runs across clones."""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from obm_tui.model.checklist import ProcessProblems
from obm_tui.services import records as record_service
from obm_tui.services.rules import apply_rules, automate
from obm_tui.services.run_views import check_runs, run_view, steps_agenda
from obm_tui.services.runs import (
    draft_for_step,
    find_step,
    process_pending_runs,
    start_run,
    tick,
    tick_recurring,
)
from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.store import Vault
from tests.conftest import git_out

RUN = "2026-11-20-client-onboarding-maya-patel"
RUN_PATH = f"runs/{RUN}.md"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0)


def subjects(root: Path) -> list[str]:
    return git_out(root, "log", "--format=%s").splitlines()


def touched(root: Path, rev: str = "HEAD") -> set[str]:
    return set(git_out(root, "show", "--name-only", "--format=", rev).split())


def fields(root: Path, rel: str) -> dict:
    return read_document((root / rel).read_bytes()).data


def invoices_of(root: Path, client: str) -> list[dict]:
    found = [fields(root, f"invoices/{p.name}") for p in sorted((root / "invoices").glob("*.md"))]
    return [d for d in found if d.get("client") == f"[[{client}]]"]


def step_line(root: Path, step: str) -> str:
    text = (root / RUN_PATH).read_text(encoding="utf-8")
    return next(line for line in text.splitlines() if f"[id:: {step}]" in line)


@pytest.fixture
def maya(empty_vault: Path) -> tuple[Path, Vault]:
    """Maya Patel says yes on Friday 20 November 2026: her status becomes onboarding."""
    vault = Vault.open(empty_vault)
    record_service.new_record(vault, "client", "Maya Patel",
                              {"email": "maya@example.com", "company": "Patel Studio", "rate": "900"},
                              when=at(date(2026, 11, 20), 9))
    record_service.set_fields(vault, "maya-patel", {"status": "onboarding"})
    return empty_vault, vault


def test_the_onboarding_example_end_to_end(maya: tuple[Path, Vault]) -> None:
    root, vault = maya
    friday, tuesday = date(2026, 11, 20), date(2026, 11, 24)
    wednesday, next_friday = date(2026, 11, 25), date(2026, 11, 27)
    # 1. the rule starts the run; `send` is due Monday (+1 workday from a Friday)
    started = apply_rules(vault, at(friday))
    assert [s.started.record.path for s in started if s.started] == [RUN_PATH]
    assert subjects(root)[0] == (f"run {RUN}: started (Client onboarding for Maya Patel)"
                                 ' — rule "Onboard every new client": client maya-patel: status = onboarding')
    assert fields(root, RUN_PATH)["status"] == "active"
    assert "[due:: 2026-11-23]" in step_line(root, "send")
    # 2. ticking `send` creates the invoice and sets the contract: one commit with the three files
    before = len(subjects(root))
    outcome = tick(vault, RUN, "send", now=at(friday))
    assert len(subjects(root)) == before + 1
    (invoice,) = invoices_of(root, "maya-patel")
    invoice_path = f"invoices/{invoice['id']}.md"
    assert touched(root) == {RUN_PATH, "clients/maya-patel.md", invoice_path}
    assert subjects(root)[0].startswith(f'run {RUN}: ticked "Send the invoice and the contract')
    assert "invoice created from template onboarding-invoice for client maya-patel" in subjects(root)[0]
    assert invoice["title"] == "Maya Patel — first month" and invoice["amount"] == "900.00"
    assert fields(root, "clients/maya-patel.md")["contract"] == "sent"
    assert "[done:: 2026-11-20]" in step_line(root, "send")
    assert outcome.status == "waiting" and fields(root, RUN_PATH)["status"] == "waiting"
    # 3. the invoice is paid and the contract signed: `welcome` is ready, the run active again
    record_service.set_fields(vault, invoice["id"], {"status": "paid"})
    record_service.set_fields(vault, "maya-patel", {"contract": "signed"})
    view = run_view(vault, vault.find(RUN), tuesday)
    assert [v.state for v in view.views][:2] == ["done", "ready"]
    (refreshed,) = process_pending_runs(vault, at(tuesday))
    assert refreshed.message == f"run {RUN}: status waiting -> active"
    # 4. welcome on Tuesday: the next steps are due Wednesday, the follow-up Friday
    tick(vault, RUN, "welcome", now=at(tuesday))
    assert "[due:: 2026-11-25]" in step_line(root, "tag") and "[due:: 2026-11-27]" in step_line(root, "follow-up")
    assert "follow-up due 2026-11-27" in subjects(root)[0]
    # 5. the tag, the status, the recurring invoice
    tick(vault, RUN, "tag", now=at(wednesday))
    client = fields(root, "clients/maya-patel.md")
    assert client["tags"] == ["current-client"] and client["status"] == "current" and client["since"] == "2026-11-25"
    assert touched(root) == {RUN_PATH, "clients/maya-patel.md"}
    tick(vault, RUN, "mailing-list", now=at(wednesday))
    tick(vault, RUN, "recurring", now=at(wednesday))
    client = fields(root, "clients/maya-patel.md")  # the retainer bills from the month after the first invoice's
    assert (client["billing"], client["billing_start"]) == ("FREQ=MONTHLY;BYMONTHDAY=1", "2026-12-01")
    assert len(invoices_of(root, "maya-patel")) == 1  # nothing billed now: November is the first invoice's
    # 6. the follow-up on Friday: done
    final = tick(vault, RUN, "6", now=at(next_friday))
    run = fields(root, RUN_PATH)
    assert final.status == "done" and run["status"] == "done" and run["finished"] == "2026-11-27"
    ticks = [s for s in subjects(root) if s.startswith(f"run {RUN}: ticked")]
    assert len(ticks) == 6  # each step one commit
    assert check_runs(vault, vault.records(archived=True)) == []
    # 7. `obm tick` in the next months: exactly one invoice a month
    for day in (date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2), date(2027, 1, 1), date(2027, 1, 1)):
        automate(vault, at(day))
    months = sorted(str(i.get("period") or i["issued"][:7]) for i in invoices_of(root, "maya-patel"))
    assert months == ["2026-11", "2026-12", "2027-01"]


def test_a_tick_from_another_editor_is_processed_exactly_once(maya: tuple[Path, Vault]) -> None:
    root, vault = maya
    start_run(vault, "client-onboarding", "maya-patel", date(2026, 11, 20))
    path = root / RUN_PATH
    path.write_text(path.read_text(encoding="utf-8").replace("- [ ] Send the invoice", "- [x] Send the invoice"),
                    encoding="utf-8")
    commits = len(subjects(root))
    first = process_pending_runs(vault, at(date(2026, 11, 20)))
    second = process_pending_runs(vault, at(date(2026, 11, 21)))
    again = process_pending_runs(Vault.open(root), at(date(2026, 11, 22)))
    assert [o.changed for o in first] == [True] and second == [] and again == []
    assert len(subjects(root)) == commits + 1
    assert len(invoices_of(root, "maya-patel")) == 1
    assert git_out(root, "status", "--porcelain", "--", "runs", "invoices", "clients") == ""


def test_a_crash_before_the_run_file_was_written_applies_nothing_twice(maya: tuple[Path, Vault]) -> None:
    """The effects were written but `done::` was lost: the tick is processed again, harmlessly."""
    root, vault = maya
    start_run(vault, "client-onboarding", "maya-patel", date(2026, 11, 20))
    tick(vault, RUN, "send", now=at(date(2026, 11, 20)))
    path = root / RUN_PATH
    path.write_text(re.sub(r" \[done:: [0-9-]+\]", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    (outcome,) = process_pending_runs(Vault.open(root), at(date(2026, 11, 20)))
    assert len(invoices_of(root, "maya-patel")) == 1
    assert "was created by this step before; not created again" in outcome.message
    assert "[done:: 2026-11-20]" in step_line(root, "send")


def test_untick_keeps_what_was_done_and_says_so(maya: tuple[Path, Vault]) -> None:
    root, vault = maya
    start_run(vault, "client-onboarding", "maya-patel", date(2026, 11, 20))
    for step in ("send", "welcome", "tag"):
        tick(vault, RUN, step, now=at(date(2026, 11, 24)))
    undone = tick(vault, RUN, "tag", ticked=False, now=at(date(2026, 11, 24)))
    assert "tag current-client stays on client maya-patel" in undone.message
    assert "[applied:: 2026-11-24]" in step_line(root, "tag") and "[done::" not in step_line(root, "tag")
    record_service.set_fields(vault, "maya-patel", {"status": "paused"})
    again = tick(vault, RUN, "tag", now=at(date(2026, 11, 25)))
    assert "not applied again" in again.message
    assert fields(root, "clients/maya-patel.md")["status"] == "paused"


def test_start_refuses_a_process_with_mistakes(empty_vault: Path) -> None:
    root = empty_vault
    (root / "processes" / "broken.md").write_text(
        "---\ntype: process\nid: broken\ntitle: Broken\n---\n\n- [ ] One [id:: one]\n- [ ] Two [after:: sned]\n",
        encoding="utf-8")
    vault = Vault.open(root)
    commits = len(subjects(root))
    with pytest.raises(ProcessProblems) as caught:
        start_run(vault, "broken", None, date(2026, 11, 20))
    assert 'processes/broken.md:8: after:: "sned" is not a step of this process' in caught.value.message
    assert len(subjects(root)) == commits and not list((root / "runs").glob("*.md"))


def test_starting_the_same_run_twice_is_one_run(maya: tuple[Path, Vault]) -> None:
    root, vault = maya
    first = start_run(vault, "client-onboarding", "maya", date(2026, 11, 20))
    commits = len(subjects(root))
    second = start_run(vault, "client-onboarding", "maya-patel", date(2026, 11, 20))
    assert first.created and not second.created and second.message == f"run {RUN}: already started"
    assert len(subjects(root)) == commits


@pytest.mark.parametrize(("ref", "expected"), [
    pytest.param("welcome", "welcome", id="id"),
    pytest.param("mail", "mailing-list", id="unique-prefix"),
    pytest.param("2", "welcome", id="number"),
])
def test_steps_are_found_by_id_prefix_or_number(maya: tuple[Path, Vault], ref: str, expected: str) -> None:
    _root, vault = maya
    start_run(vault, "client-onboarding", "maya-patel", date(2026, 11, 20))
    assert find_step(run_view(vault, vault.find(RUN), date(2026, 11, 20)).checklist, ref).id == expected


def test_agenda_lists_due_waiting_and_ready_steps(maya: tuple[Path, Vault]) -> None:
    _root, vault = maya
    start_run(vault, "client-onboarding", "maya-patel", date(2026, 11, 20))
    tick(vault, RUN, "send", now=at(date(2026, 11, 20)))
    items = steps_agenda(vault, at(date(2026, 11, 24)))
    welcome = next(i for i in items if i.title.startswith("Once the invoice is paid"))
    assert welcome.state == "waiting" and welcome.path == RUN_PATH
    assert welcome.detail == "waiting on invoice.status = paid, contract = signed"


def test_a_draft_is_filled_from_the_subject(maya: tuple[Path, Vault]) -> None:
    _root, vault = maya
    start_run(vault, "client-onboarding", "maya-patel", date(2026, 11, 20))
    draft = draft_for_step(vault, "maya-patel", "send", date(2026, 11, 20))
    assert draft.to == "maya@example.com" and "Welcome aboard, Maya" in draft.subject
    assert draft.unknown == () and "Hi Maya," in draft.body


def test_recurring_runs_start_once_for_the_latest_occurrence(empty_vault: Path) -> None:
    _root, vault = empty_vault, Vault.open(empty_vault)
    made = tick_recurring(vault, date(2026, 11, 25))  # a Wednesday: the weekly review of Monday 23
    paths = sorted(s.record.path for s in made if s.created)
    assert "runs/2026-11-23-weekly-review.md" in paths
    assert all(not p.startswith("runs/2026-11-16") for p in paths)
    assert tick_recurring(vault, date(2026, 11, 26)) == []


def test_two_clones_running_obm_tick_start_the_same_recurring_run(empty_vault: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from obm_tui.cli import main

    clones = [tmp_path / "a", tmp_path / "b"]
    for clone in clones:
        subprocess.run(["git", "clone", "-q", str(empty_vault), str(clone)], check=True)
        result = CliRunner().invoke(main, ["--vault", str(clone), "tick", "--today", "2026-11-25"])
        assert result.exit_code == 0
        assert "run 2026-11-23-weekly-review: started (Weekly review) — recurring" in result.stdout
    a, b = clones
    run_file = "runs/2026-11-23-weekly-review.md"
    assert (a / run_file).read_bytes() == (b / run_file).read_bytes()
    subprocess.run(["git", "-C", str(a), "pull", "-q", "--no-rebase", "--no-edit", str(b), "main"], check=True)
    assert git_out(a, "status", "--porcelain") == ""
    assert len(list((a / "runs").glob("*-weekly-review.md"))) == 1


def test_an_invoice_paid_with_its_paid_date_unlocks_welcome(maya: tuple[Path, Vault]) -> None:
    _, vault = maya
    start_run(vault, "client-onboarding", "maya-patel", date(2026, 11, 20))
    tick(vault, RUN, "send", now=at(date(2026, 11, 20)))
    (invoice,) = [r for r in vault.records("invoice")]
    record_service.set_fields(vault, invoice.id, {"status": "paid", "paid": "2026-11-23"})
    record_service.set_fields(vault, "maya-patel", {"contract": "signed"})
    view = run_view(vault, vault.find(RUN), date(2026, 11, 24))
    assert view.views[1].state == "ready"


def test_a_step_that_would_create_a_broken_record_is_refused_and_nothing_changes(maya: tuple[Path, Vault]) -> None:
    """The onboarding invoice takes its amount from the client's rate: without one, say so."""
    from obm_tui.model.errors import ValidationError
    from obm_tui.model.merge import DELETED

    root, vault = maya
    start_run(vault, "client-onboarding", "maya-patel", date(2026, 11, 20))
    record_service.update(vault, vault.find("maya-patel"), {"rate": DELETED})  # after the start's check
    before = (root / RUN_PATH).read_bytes(), git_out(root, "rev-parse", "HEAD")
    refused = (r"template onboarding-invoice \(to create an invoice\) has names with no value: "
               r"\$\{rate\} \(obm set maya-patel rate=…\); the tick was not processed")
    with pytest.raises(ValidationError, match=refused):
        tick(vault, RUN, "send", now=at(date(2026, 11, 20)))
    assert ((root / RUN_PATH).read_bytes(), git_out(root, "rev-parse", "HEAD")) == before
    assert invoices_of(root, "maya-patel") == []
