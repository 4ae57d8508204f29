"""Issue 11 items 7–10: the record screen after a rule fires, conflict copies, enum pickers, keys."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import OptionList

from obm_tui.model.kinds import KINDS
from obm_tui.model.tickets import allowed_moves
from obm_tui.services.check import check_vault
from obm_tui.tui.dialogs.choice import ChoiceDialog
from obm_tui.tui.dialogs.conflict import ConflictDialog
from obm_tui.tui.dialogs.draft import DraftDialog
from obm_tui.tui.dialogs.prompt import PromptDialog
from obm_tui.tui.dialogs.reply import ReplyDialog
from obm_tui.tui.run_flows import open_run
from obm_tui.tui.screens.problems import ProblemsScreen
from obm_tui.tui.screens.record import RecordScreen
from obm_tui.tui.screens.records import RecordsScreen
from obm_tui.tui.screens.ticket import TicketScreen
from obm_tui.tui.widgets.field_form import FieldInput, FieldRow
from obm_tui.tui.widgets.safe_input import SafeInput
from obm_tui.tui.widgets.safe_text_area import SafeTextArea
from obm_tui.tui.widgets.virtual_table import VirtualTable
from obm_tui.vault.paths import CONFLICT_DIR, conflict_copy
from obm_tui.vault.store import Vault
from tests.tui.helpers import choose_value, commit_count, git, make_app, screen_text, settle, wait_for, write_vault
from tests.tui.test_runs_screens import MARCO
from tests.tui.test_tickets_screens import URGENT, last_subject, open_ticket


@pytest.mark.parametrize("before", ["invoices/INV-260601-2HW.md",
                                    pytest.param("clients/aisha-khan.md", marks=pytest.mark.slow),
                                    pytest.param("", marks=pytest.mark.slow)])
async def test_a_record_made_with_n_stays_usable_after_its_rule_fires(sample: Vault, before: str) -> None:
    """2 → n → Zed Test, status=onboarding: the rule starts a run, and the record screen (the one
    kept for reuse, after another record was open) still answers j and Enter, spinner gone."""
    app = make_app(sample)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        if before:
            app.open_record(before)
            await settle(pilot)
            assert isinstance(app.screen, RecordScreen)
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Zed Test", "tab", *"status=onboarding rate=100 email=zed@example.com", "enter")
        await settle(pilot)
        assert app.automation is not None
        await wait_for(pilot, lambda: app.automation.idle)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen) and screen.path == "clients/zed-test.md"
        assert any(p.startswith("runs/") and "zed-test" in p for p in (r.path for r in sample.index.all()))
        await wait_for(pilot, lambda: not app._busy)  # no "Reading the record…" left spinning
        assert isinstance(screen.focused, FieldRow), screen.focused
        first = screen.focused.view.name
        await pilot.press("j")
        assert isinstance(screen.focused, FieldRow) and screen.focused.view.name == "status" != first
        await pilot.press("enter")  # status is an enum: its picker
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("escape", "j", "enter")  # email: typed in place
        await settle(pilot)
        assert screen.query(FieldInput)


# ----- item 8: a version kept by a conflict is resolved from the app ---------------------------------
FRED = "clients/fred-smith.md"


def kept_copies(root: Path) -> list[str]:
    return sorted(p.name for p in (root / CONFLICT_DIR).glob("*.md"))


async def collide(pilot, vault: Vault) -> RecordScreen:  # type: ignore[no-untyped-def]
    """Fred's status edited here (paused) while another program saved `past`: the conflict dialog."""
    await settle(pilot)
    pilot.app.open_record(FRED)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RecordScreen)
    while not (isinstance(screen.focused, FieldRow) and screen.focused.view.name == "status"):
        await pilot.press("j")
    await pilot.press("enter")
    await settle(pilot)
    path = vault.root / FRED
    path.write_text(path.read_text().replace("status: current", "status: past"))
    await choose_value(pilot, "paused")
    assert isinstance(pilot.app.screen, ConflictDialog)
    assert len(kept_copies(vault.root)) == 1
    return screen


async def test_keep_mine_removes_the_kept_copy_in_the_same_commit(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 40)) as pilot:
        await collide(pilot, vault)
        kept = kept_copies(vault.root)[0]
        await pilot.press("m")
        await settle(pilot)
        assert "status: paused" in (vault.root / FRED).read_text()
        assert kept_copies(vault.root) == []
        changed = git(vault.root, "show", "--name-status", "--format=%s", "HEAD").split()
        assert changed[:4] == ["client", "fred-smith:", "status", "past"]
        assert f"{CONFLICT_DIR}/{kept}" in changed and FRED in changed
        assert not [p for p in check_vault(vault).problems if "another version is kept" in p.reason]


async def test_take_theirs_keeps_the_file_and_removes_the_kept_copy(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 40)) as pilot:
        await collide(pilot, vault)
        theirs = (vault.root / FRED).read_bytes()
        await pilot.press("t")
        await settle(pilot)
        assert (vault.root / FRED).read_bytes() == theirs
        assert kept_copies(vault.root) == []
        assert git(vault.root, "status", "--porcelain", "--", CONFLICT_DIR) == ""


def keep_a_version(root: Path, status: str) -> str:
    """What a merge between clones leaves: their whole version of Fred in conflicts/, committed."""
    name = "clients__fred-smith.20261123-090000.4242.theirs.md"
    text = (root / FRED).read_text().replace("status: current", f"status: {status}")
    (root / CONFLICT_DIR).mkdir(exist_ok=True)
    (root / CONFLICT_DIR / name).write_text(text)
    git(root, "add", "--", f"{CONFLICT_DIR}/{name}")
    git(root, "-c", "user.name=Mia", "-c", "user.email=mia@example.com", "commit", "-q", "-m", "merge kept theirs")
    return f"{CONFLICT_DIR}/{name}"


async def open_kept_problem(pilot, kept: str) -> ProblemsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("9")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ProblemsScreen)
    table = screen.query_one(VirtualTable)
    table.cursor = next(i for i, p in enumerate(screen.problems) if kept in p.reason)
    await settle(pilot)
    return screen


@pytest.mark.parametrize("key", ["t", "x"])
async def test_problems_takes_or_discards_a_kept_version(key: str) -> None:
    root = write_vault(Path.home() / "vault")
    kept = keep_a_version(root, "paused")
    copy = (root / kept).read_bytes()
    vault = Vault.open(root)
    app = make_app(vault)
    before = commit_count(root)
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await open_kept_problem(pilot, kept)
            await pilot.press(key)
            await settle(pilot)
            await pilot.press("y")
            await settle(pilot)
            assert not (root / kept).exists()
            assert commit_count(root) == before + 1
            assert ("status: paused" in (root / FRED).read_text()) == (key == "t")
            if key == "t":
                assert (root / FRED).read_bytes() == copy
            assert git(root, "status", "--porcelain") == ""
            assert not [p for p in check_vault(vault).problems if "another version is kept" in p.reason]
    finally:
        vault.close()


def test_a_kept_copy_is_named_in_the_vaults_time_zone() -> None:
    tz = ZoneInfo("Pacific/Kiritimati")  # UTC+14: far from any machine's clock but one
    stamp = conflict_copy(FRED, "theirs", tz).split(".")[1]
    made = datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=tz)
    assert abs(made - datetime.now(tz)) < timedelta(hours=1)


async def test_a_save_conflict_names_its_copy_in_the_vaults_time_zone(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 40)) as pilot:
        await collide(pilot, vault)
        stamp = kept_copies(vault.root)[0].split(".")[1]
        made = datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=vault.config.tz)
        assert abs(made - datetime.now(vault.config.tz)) < timedelta(minutes=30)


# ----- item 10: enum pickers, number keys, /name, Save .eml ------------------------------------------
async def test_an_enum_field_is_chosen_from_its_allowed_values(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_record(FRED)
        await settle(pilot)
        screen = app.screen
        while not (isinstance(screen.focused, FieldRow) and screen.focused.view.name == "status"):
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog) and not screen.query(FieldInput)
        keys = [key for key, _label in dialog.options]
        assert keys[:-1] == list(KINDS["client"].field("status").choices)  # and "(empty)": status is optional
        assert dialog.query_one(OptionList).highlighted == keys.index("current")  # the value it has
        await pilot.press("down", "enter")
        await settle(pilot)
        following = keys[keys.index("current") + 1]
        assert f"status: {following}" in (vault.root / FRED).read_text()
        message = git(vault.root, "log", "-1", "--format=%s").strip()
        assert message == f"client fred-smith: status current -> {following}"


async def test_a_tickets_status_picker_offers_only_its_allowed_moves(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_record("tickets/T-261120-K7Q-refund.md")
        await settle(pilot)
        screen = app.screen
        while not (isinstance(screen.focused, FieldRow) and screen.focused.view.name == "status"):
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert [key for key, _label in dialog.options] == ["open", *allowed_moves("open")]


async def test_a_number_key_pressed_again_goes_back_to_the_tabs_list(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        clients = app.screen
        assert isinstance(clients, RecordsScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        await pilot.press("1")
        await settle(pilot)
        assert app.current_mode == "today"
        await pilot.press("2")  # the tab as it was left: its record
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        await pilot.press("2")  # again: its list
        await settle(pilot)
        assert app.screen is clients and app.current_mode == "clients"


async def test_slash_name_in_the_conversation_view_starts_from_that_canned_reply(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 44)) as pilot:
        await settle(pilot)
        open_ticket(app, URGENT)
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        await pilot.press("r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReplyDialog)
        await pilot.press(*"/nope", "enter")
        await settle(pilot)
        assert "No canned reply is named /nope" in screen_text(app) and "/holiday-shipping" in screen_text(app)
        dialog.query_one(SafeTextArea).load("")
        await pilot.press(*"/holiday-shipping", "enter")
        await settle(pilot)
        assert dialog.query_one(SafeTextArea).text.startswith("Hi Ethan,")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert last_subject(sample) == "ticket T-261123-H2V: replied (holiday-shipping); status new -> pending"


async def test_save_eml_asks_where_starting_from_the_vaults_outbox(sample: Vault) -> None:
    (sample.root / "outbox").mkdir()
    app = make_app(sample)
    async with app.run_test(size=(160, 44), notifications=True) as pilot:
        await settle(pilot)
        open_run(app, MARCO)
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DraftDialog)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        assert app.screen.query_one(SafeInput).value == f"{sample.root / 'outbox'}/"
        await pilot.press("enter")
        await settle(pilot)
        assert dialog.saved is not None and dialog.saved.parent == sample.root / "outbox"
        assert not list(Path.home().glob("*.eml"))
        await pilot.press("s")  # a file name of one's own
        await settle(pilot)
        app.screen.query_one(SafeInput).value = str(sample.root / "outbox" / "for-marco.eml")
        await pilot.press("enter")
        await settle(pilot)
        assert dialog.saved == sample.root / "outbox" / "for-marco.eml" and dialog.saved.is_file()
