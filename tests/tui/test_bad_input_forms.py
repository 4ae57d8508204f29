"""Bad input stays out of the app's forms: the new-record dialog and a field edited in place."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from obm_tui.tui.dialogs.new_record import NewRecordDialog
from obm_tui.tui.screens.record import RecordScreen
from obm_tui.tui.widgets.field_form import FieldInput, FieldRow
from obm_tui.vault.store import Vault
from tests.tui.helpers import commit_count, make_app, settle

FRED = "clients/fred-smith.md"


@pytest.mark.parametrize(("title", "pairs", "reason"), [
    pytest.param("Acme\u2028Ltd", "", "client name: must be one line, got a line separator (U+2028)", id="title-u2028"),
    pytest.param("Acme\r\nBcc: x", "", "client name: must be one line, got a carriage return", id="title-crlf"),
    pytest.param("Acme", "rate=١٢٠", "client rate: expected an amount", id="arabic-indic-amount"),
])
async def test_the_new_record_dialog_refuses_a_bad_value_and_stays_open(vault: Vault, title: str, pairs: str,
                                                                         reason: str) -> None:
    app = make_app(vault)
    before = commit_count(vault.root)
    clients = sorted((vault.root / "clients").glob("*.md"))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.new_record("client")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewRecordDialog)
        dialog.query_one("#title", Input).value = title
        dialog.query_one("#pairs", Input).value = pairs
        dialog.query_one("#pairs", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog and reason in str(dialog.query_one("#error", Static).render())
    assert commit_count(vault.root) == before
    assert sorted((vault.root / "clients").glob("*.md")) == clients


async def test_a_field_edited_in_place_refuses_a_line_break(vault: Vault) -> None:
    app = make_app(vault)
    original = (vault.root / FRED).read_bytes()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_record(FRED)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        for _ in range(30):
            if isinstance(screen.focused, FieldRow) and screen.focused.view.name == "company":
                break
            await pilot.press("j")
        await pilot.press("enter")
        screen.query_one(FieldInput).value = "Smith\x85Coaching"
        await pilot.press("enter")
        await settle(pilot)
        assert "must be one line" in str(screen.query_one(FieldInput).border_subtitle)
        await pilot.press("escape")
    assert (vault.root / FRED).read_bytes() == original
