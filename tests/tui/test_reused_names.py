"""A new record whose name is an archived record's id: the app offers to bring that one back, or
makes a second one knowingly and says which id it got (issue 18)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from obm_tui.tui.dialogs.choice import ChoiceDialog
from obm_tui.tui.dialogs.new_record import NewRecordDialog
from obm_tui.tui.screens.record import RecordScreen
from obm_tui.vault.store import Vault
from tests.tui.helpers import make_app, settle


def _capture_notes(app, notes: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Keep each notification's text in `notes` (and show it as usual)."""
    original_notify = app.notify
    app.notify = lambda message, **kw: (notes.append(str(message)), original_notify(message, **kw))[1]


async def _ask_for(app, pilot, title: str) -> None:  # type: ignore[no-untyped-def]
    app.new_record("client")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, NewRecordDialog)
    dialog.query_one("#title", Input).value = title
    dialog.query_one("#title", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("choice", ["restore", "new"])
async def test_an_archived_name_offers_the_archived_record_back(sample: Vault, choice: str) -> None:
    app = make_app(sample)
    notes: list[str] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        _capture_notes(app, notes)
        await _ask_for(app, pilot, "Olivia Grant")
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog) and "archived client" in dialog.title_text
        if choice == "new":
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
    olivia = sample.index.by_path("clients/olivia-grant.md")
    assert olivia is not None
    if choice == "restore":
        assert olivia.data.get("archived") is not True
        assert sample.index.by_path("clients/olivia-grant-2.md") is None
        assert any("olivia-grant restored" in n for n in notes)
    else:
        assert olivia.data.get("archived") is True
        assert sample.index.by_path("clients/olivia-grant-2.md") is not None
        assert any("olivia-grant is the id of an archived client, Olivia Grant: the new one is olivia-grant-2" in n
                   for n in notes)


async def test_a_name_in_use_makes_another_id_and_says_so(sample: Vault) -> None:
    app = make_app(sample)
    notes: list[str] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        _capture_notes(app, notes)
        await _ask_for(app, pilot, "Aisha Khan")
        assert isinstance(app.screen, RecordScreen) and app.screen.path == "clients/aisha-khan-2.md"
    assert any("aisha-khan is the id of another client, Aisha Khan: the new one is aisha-khan-2" in n for n in notes)
