"""Issue 11 items 7–10: the record screen after a rule fires, conflict copies, enum pickers, keys."""

from __future__ import annotations

import pytest

from obm_tui.tui.screens.record import RecordScreen
from obm_tui.tui.widgets.field_form import FieldInput, FieldRow
from obm_tui.vault.store import Vault
from tests.tui.helpers import make_app, settle, wait_for


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
        await pilot.press(*"Zed Test", "tab", *"status=onboarding rate=100", "enter")
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
        assert isinstance(screen.focused, FieldRow) and screen.focused.view.name != first
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query(FieldInput)
