"""The app's saves go the same road: a change to a closed month's money warns and says so in its commit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from obm_tui.tui.screens.record import RecordScreen
from obm_tui.tui.widgets.field_form import FieldInput, FieldRow
from obm_tui.vault.store import Vault
from tests.tui.helpers import git, make_app, notifications, settle, write_vault

INVOICE = "invoices/INV-261101-AAA.md"
CLOSE = """---
type: close
id: "2026-11"
month: "2026-11"
closed: 2026-12-01
closed_by: Max Manager
---
"""


@pytest.fixture
def closed(tmp_path: Path) -> Iterator[Vault]:
    root = write_vault(tmp_path / "vault")
    (root / "closes").mkdir()
    (root / "closes" / "2026-11.md").write_text(CLOSE)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "close 2026-11")
    vault = Vault.open(root)
    yield vault
    vault.close()


async def test_editing_a_closed_months_invoice_in_the_app_warns(closed: Vault) -> None:
    app = make_app(closed)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_record(INVOICE)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        for _ in range(30):
            if isinstance(screen.focused, FieldRow) and screen.focused.view.name == "amount":
                break
            await pilot.press("j")
        await pilot.press("enter")
        screen.query_one(FieldInput).value = "2100.00"
        await pilot.press("enter")
        await settle(pilot)
        assert "2100.00" in (closed.root / INVOICE).read_text()
        assert git(closed.root, "log", "-1", "--format=%s").strip() == (
            'invoice INV-261101-AAA: amount 2000.00 -> 2100.00 (changes closed month 2026-11)')
        assert any(n.startswith("Closed month: this change alters the books of closed month 2026-11")
                   for n in notifications(app))
