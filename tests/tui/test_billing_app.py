"""The app's opening pass makes the due recurring invoices and says so in a notification."""

from __future__ import annotations

from pathlib import Path

from obm_tui.vault.store import Vault
from tests.tui.helpers import make_app, notifications, settle, wait_for

ZOE = """---
type: client
id: zoe-quinn
name: Zoe Quinn
status: current
email: zoe@example.com
rate: "950.00"
billing: FREQ=MONTHLY;BYMONTHDAY=1
billing_start: 2026-11-01
---
"""


async def test_the_app_makes_the_due_invoice_when_it_opens(empty_vault: Path) -> None:
    (empty_vault / "clients/zoe-quinn.md").write_text(ZOE)
    vault = Vault.open(empty_vault)
    app = make_app(vault)  # its clock says 2026-11-23
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: app.automation.passes > 0 and app.automation.idle)
        await settle(pilot)
        made = sorted(p.name for p in (empty_vault / "invoices").glob("*.md"))
        assert len(made) == 1 and made[0].startswith("INV-261101-")
        assert any(n.startswith("Invoice made: invoice INV-261101-") and "zoe-quinn" in n for n in notifications(app))
        assert app.vault.index.get("invoice", made[0][:-3]) is not None
    vault.close()
