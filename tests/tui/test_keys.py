"""Keys: every action has a key, a description and a line in docs/keys.md; keymap, help, palette, themes."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding

from obm_tui.tui.actions import ACTIONS, BY_ID, key_label, keys_markdown
from obm_tui.tui.app import ObmApp
from obm_tui.tui.dialogs.choice import ChoiceDialog
from obm_tui.tui.dialogs.confirm import ConfirmDialog
from obm_tui.tui.dialogs.conflict import ConflictDialog
from obm_tui.tui.dialogs.delete import DeleteDialog
from obm_tui.tui.dialogs.new_record import NewRecordDialog
from obm_tui.tui.dialogs.prompt import PromptDialog
from obm_tui.tui.screens.finance import FinanceScreen
from obm_tui.tui.screens.help import HelpScreen
from obm_tui.tui.screens.history import HistoryScreen
from obm_tui.tui.screens.problems import ProblemsScreen
from obm_tui.tui.screens.record import RecordScreen
from obm_tui.tui.screens.records import RecordsScreen
from obm_tui.tui.screens.today import TodayScreen
from obm_tui.tui.settings import Settings, load_settings
from obm_tui.tui.widgets.field_form import FieldInput, FieldRow
from obm_tui.tui.widgets.virtual_table import VirtualTable
from obm_tui.vault.store import Vault
from tests.tui.helpers import make_app, screen_text, settle

DOCS = Path(__file__).resolve().parents[2] / "docs" / "keys.md"
CLASSES = (ObmApp, TodayScreen, RecordsScreen, RecordScreen, HistoryScreen, ProblemsScreen, HelpScreen, PromptDialog,
           ChoiceDialog, ConfirmDialog, ConflictDialog, DeleteDialog, NewRecordDialog, VirtualTable, FieldRow,
           FieldInput)

from tests.tui.work_helpers import WORK_CLASSES  # noqa: E402 - runs, tickets and stock views

CLASSES += WORK_CLASSES
CLASSES += (FinanceScreen,)


def declared() -> list[Binding]:
    return [b for cls in CLASSES for b in cls.BINDINGS if isinstance(b, Binding)]


@pytest.mark.parametrize("action", ACTIONS, ids=[a.id for a in ACTIONS])
def test_every_action_has_a_key_a_description_and_a_line_in_the_docs(action) -> None:  # type: ignore[no-untyped-def]
    assert action.keys.strip() and action.description.strip() and (action.help or action.description)
    line = next((line for line in DOCS.read_text().splitlines() if f"`{action.id}`" in line), "")
    assert f"`{key_label(action.keys)}`" in line


def test_the_keys_doc_is_generated_from_the_catalogue() -> None:
    assert DOCS.read_text() == keys_markdown(), "regenerate: python -m obm_tui.tui.actions > docs/keys.md"


def test_every_binding_in_the_app_comes_from_the_catalogue_and_every_action_is_bound() -> None:
    ids = [b.id for b in declared()]
    assert None not in ids
    assert set(ids) <= set(BY_ID)
    assert set(BY_ID) <= set(ids), f"actions nobody binds: {set(BY_ID) - set(ids)}"
    assert len(BY_ID) == len(ACTIONS)


def test_no_single_letter_priority_bindings_and_no_tmux_prefixes() -> None:
    for action in ACTIONS:
        keys = action.keys.split(",")
        assert not (action.priority and any(len(k) == 1 for k in keys)), action.id
        assert not {"ctrl+a", "ctrl+b"} & set(keys), action.id


def test_user_settings_are_read_from_the_config_folder(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\neditor = "nano"\n[keymap]\n"app.quit" = "ctrl+q"\n"list.new" = 3\n')
    settings = load_settings(path)
    assert settings.theme == "nord" and settings.editor == "nano" and settings.keymap == {"app.quit": "ctrl+q"}
    assert settings.problems and "list.new" in settings.problems[0]
    path.write_text("theme = \n")
    assert load_settings(path).problems


async def test_a_keymap_in_the_settings_remaps_by_binding_id(vault: Vault) -> None:
    app = make_app(vault, settings=Settings(keymap={"app.clients": "c", "list.filter": "f"}))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert app.current_mode == "clients"
        await pilot.press("f", *"lead")
        await settle(pilot)
        assert app.screen.state()["shown"] == 1
        assert "f Filter" in screen_text(app)  # the footer shows the new key


async def test_question_mark_shows_every_key(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        lines = [str(s.render().plain) for s in app.screen.query(".help-line")]  # type: ignore[attr-defined]
        assert len(lines) == len(ACTIONS)
        assert any("app.clients" in line for line in lines)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_the_footer_shows_the_keys_that_apply_here(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        assert "r Refresh" in screen_text(app) and "/ Filter" not in screen_text(app)
        await pilot.press("2")
        await settle(pilot)
        assert "/ Filter" in screen_text(app) and "n New" in screen_text(app)


async def test_the_palette_finds_a_record_by_name(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"lovelace")
        await settle(pilot)
        await pilot.pause(0.3)
        assert "Ada Lovelace" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.screen.path == "clients/ada-lovelace.md"


async def test_the_palette_runs_actions_of_the_screen(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("ctrl+p", *"sort")
        await settle(pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.sort_field == "name"  # type: ignore[attr-defined]


@pytest.mark.parametrize("theme", ["textual-light", "nord", "gruvbox"])
async def test_the_textual_themes_work(vault: Vault, theme: str) -> None:
    app = make_app(vault, settings=Settings(theme=theme))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.theme == theme
        await pilot.press("2", "enter")
        await settle(pilot)
        assert "Ada Lovelace" in screen_text(app)


@pytest.mark.parametrize(("typed", "screen_name", "path"), [
    ("onboarding aisha", "RunScreen", "runs/2026-06-10-client-onboarding-aisha-khan.md"),
    ("mug arrived chipped", "TicketScreen", "tickets/T-260603-9KD-mug-arrived-chipped.md"),
    ("aisha khan", "RecordScreen", "clients/aisha-khan.md"),
])
async def test_the_palette_opens_each_record_in_the_screen_made_for_its_kind(
        sample: Vault, typed: str, screen_name: str, path: str) -> None:
    """A run opens as its checklist and a ticket as its conversation — as from Today or their
    lists — never as raw front matter; other records open as their fields."""
    app = make_app(sample)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *typed)
        await settle(pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == screen_name and app.screen.path == path  # type: ignore[attr-defined]

