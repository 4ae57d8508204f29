"""Processes that run themselves, from the app: the processes and runs lists, starting a run (from
a process with the fuzzy picker, from a client's record), the run view worked from the keyboard
(space ticks and unticks, blocked and waiting steps say why, m drafts the email), ticks made in
another editor processed exactly once, and Today's checklist lines opening their run.
"""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from obm_tui.services.process_stats import process_stats
from obm_tui.tui.dialogs.choice import ChoiceDialog
from obm_tui.tui.dialogs.draft import DraftDialog
from obm_tui.tui.dialogs.pick_record import PickRecordDialog
from obm_tui.tui.dialogs.prompt import PromptDialog
from obm_tui.tui.screens.processes import ProcessesScreen
from obm_tui.tui.screens.run import RunScreen
from obm_tui.tui.widgets.safe_input import SafeInput
from obm_tui.tui.widgets.virtual_table import VirtualTable
from obm_tui.vault.store import Vault
from tests.tui.helpers import (
    commit_count,
    git,
    make_app,
    notifications,
    screen_text,
    settle,
    wait_for,
)
from tests.tui.work_helpers import demo_copy, press_until

MARCO = "runs/2026-11-16-client-onboarding-marco-bianchi.md"


@pytest.fixture
def sample(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Vault]:
    """This test's copy of the sample vault (see work_helpers.demo_copy)."""
    vault = Vault.open(demo_copy(tmp_path_factory, tmp_path))
    yield vault
    vault.close()



async def goto_row(pilot, key_matches) -> None:  # type: ignore[no-untyped-def]
    table = pilot.app.screen.query_one(VirtualTable)
    table.cursor = press_until(table, key_matches)
    await settle(pilot)


async def test_processes_list_how_often_each_ran_and_how_long_it_takes(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProcessesScreen) and screen.kind.name == "process"
        stats = process_stats(sample)["client-onboarding"]
        assert stats.runs >= 4 and stats.average_text
        row = next(line for line in screen_text(app).splitlines() if line.startswith(" client-onboarding "))
        assert f"  {stats.runs}  " in row and stats.average_text in row
        assert "AVG TIME" in screen_text(app) and "LAST RUN" in screen_text(app)


async def test_runs_list_shows_progress_and_overdue_first_and_opens_the_checklist(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3", "t")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        first = table.source.cells(0)
        assert "overdue" in " ".join(first) and table.source.style(0) == "overdue"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunScreen) and app.screen.path == table.cursor_key
        assert "overdue" in screen_text(app)


async def test_blocked_and_waiting_steps_say_what_they_wait_on(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        from obm_tui.tui.run_flows import open_run

        open_run(app, MARCO)
        await settle(pilot)
        text = screen_text(app)
        assert "waiting on invoice.status = paid" in text
        assert 'after "Once the invoice is paid' in text
        # the cursor starts on the step to do next (here the waiting one); the detail names its email
        assert "email: welcome-email" in screen_text(app) and "m drafts it" in screen_text(app)


async def test_start_from_a_process_with_the_fuzzy_picker_then_tick_and_untick(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(200, 44), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await goto_row(pilot, lambda key: key == "processes/client-onboarding.md")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, PickRecordDialog)
        await pilot.press(*"hanah le", "enter")  # typos forgiven
        await settle(pilot)
        assert isinstance(app.screen, RunScreen)
        run_path = app.screen.path
        assert "hannah-lee" in run_path and git(sample.root, "log", "-1", "--format=%s").startswith(
            f"run {Path(run_path).stem}: started (Client onboarding for Hannah Lee)")
        before = commit_count(sample.root)
        await pilot.press("space")  # the first step: create the invoice, contract = sent
        await settle(pilot)
        assert commit_count(sample.root) == before + 1
        subject = git(sample.root, "log", "-1", "--format=%s")
        assert subject.startswith(f"run {Path(run_path).stem}: ticked")
        text = (sample.root / run_path).read_text()
        assert "- [x] Send the invoice" in text and "[done:: 2026-11-23]" in text
        assert sample.index.get("client", "hannah-lee").text("contract") == "sent"
        assert any("ticked" in n for n in notifications(app))
        assert "[x]" in screen_text(app)
        await pilot.press("space")  # untick: what was done stays, and the message says so
        await settle(pilot)
        assert "- [ ] Send the invoice" in (sample.root / run_path).read_text()
        message = git(sample.root, "log", "-1", "--format=%B")
        assert "unticked" in message and message.count("\n- ") >= 1
        assert any("unticked" in n and "- " in n for n in notifications(app))


async def test_start_process_from_a_clients_record_view(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        app.open_record("clients/hannah-lee.md")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        assert [key for key, _ in app.screen.options] == ["client-onboarding"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunScreen) and "hannah-lee" in app.screen.path
        assert (sample.root / app.screen.path).is_file()


async def test_starting_a_process_that_is_still_open_for_the_record_opens_that_run(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        before = commit_count(sample.root)
        app.open_record("clients/marco-bianchi.md")
        await settle(pilot)
        await pilot.press("p", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RunScreen) and app.screen.path == MARCO
        assert commit_count(sample.root) == before and any("Already running" in n for n in notifications(app))


async def test_m_drafts_the_steps_email_copy_and_save(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 44), notifications=True) as pilot:
        await settle(pilot)
        from obm_tui.tui.run_flows import open_run

        open_run(app, MARCO)
        await settle(pilot)
        await pilot.press("m")  # the step to do next has email:: welcome-email
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DraftDialog)
        assert "marco" in dialog.draft.to.casefold() and "Subject:" in screen_text(app)
        await pilot.press("c")
        assert app.clipboard == dialog.draft.as_text()
        await pilot.press("s")  # asks where: the vault's outbox/, else the current folder
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        # the payment reminders drafted when the app opened (the demo's overdue invoices) made outbox/
        assert app.screen.query_one(SafeInput).value == f"{sample.root / 'outbox'}/"
        app.screen.query_one(SafeInput).value = str(sample.root / "outbox")
        await pilot.press("enter")
        await settle(pilot)
        saved = dialog.saved
        assert saved is not None and saved.parent == sample.root / "outbox"
        parsed = email.message_from_bytes(saved.read_bytes(), policy=email.policy.default)
        assert parsed["X-Unsent"] == "1" and parsed["Subject"] == dialog.draft.subject
        await pilot.press("escape")
        assert isinstance(app.screen, RunScreen)


def tick_in_another_process(path: Path, line_start: str) -> None:
    code = ("import os, sys, pathlib\np = pathlib.Path(sys.argv[1])\nt = p.with_name('.' + p.name + '.swp')\n"
            "t.write_text(p.read_text().replace(sys.argv[2], sys.argv[2].replace('- [ ]', '- [x]'), 1))\n"
            "os.replace(t, p)\n")
    subprocess.run([sys.executable, "-c", code, str(path), line_start], check=True)


async def test_a_tick_made_in_an_editor_is_processed_exactly_once(sample: Vault) -> None:
    run = "runs/2026-11-19-follow-up-declined-payment-2026-11-19-sam-oduya-3vd.md"
    app = make_app(sample, watch=True)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        from obm_tui.tui.run_flows import open_run

        open_run(app, run)
        await settle(pilot)
        tick_in_another_process(sample.root / run, "- [ ] Day 0")
        stem = Path(run).stem
        await wait_for(pilot, lambda: "[done:: " in (sample.root / run).read_text().split("Day 0")[1].split("\n")[0])
        await wait_for(pilot, lambda: app.automation.idle)
        await settle(pilot)
        await pilot.pause(0.5)  # the watcher sees the app's own write and ignores it
        await wait_for(pilot, lambda: app.automation.idle)
        await settle(pilot)
        ticks = git(sample.root, "log", "--format=%s", f"--grep=run {stem}: ticked").splitlines()
        assert len(ticks) == 1, ticks
        decline = sample.index.get("decline", "2026-11-19-sam-oduya-3vd")
        assert decline.text("attempts") == "1"
        assert "done 2026-11-23" in screen_text(app)
        assert sum("Tick processed" in n for n in notifications(app)) == 1


async def test_todays_checklist_line_opens_the_run_view(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        await goto_row(pilot, lambda key: key.startswith("runs/") and "#Checklist steps#" in key)
        expected = table.cursor_key.split("#")[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunScreen) and app.screen.path == expected
