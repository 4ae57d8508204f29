"""The app's automation pass drafts the payment reminders due today, like `obm tick`, and Today shows them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from obm_tui.cli import main
from obm_tui.vault.store import Vault
from tests.tui.helpers import make_app, notifications, screen_text, settle, wait_for

INVOICE = """---
type: invoice
id: INV-261102-AK1
title: Mastermind — November
client: "[[aisha-khan]]"
amount: "1500.00"
status: sent
issued: 2026-11-02
due: 2026-11-16
---
"""


async def test_the_app_drafts_a_due_reminder_when_it_opens_and_today_shows_it(empty_vault: Path) -> None:
    made = CliRunner().invoke(main, ["--vault", str(empty_vault), "new", "client", "Aisha Khan",
                                     "email=aisha@example.com", "rate=1500"])
    assert made.exit_code == 0, made.stderr
    (empty_vault / "invoices").mkdir(exist_ok=True)
    (empty_vault / "invoices" / "INV-261102-AK1.md").write_text(INVOICE)
    vault = Vault.open(empty_vault)  # NOW is 2026-11-23: the 7-day rung of the 16th's due day
    app = make_app(vault)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.automation.passes > 0 and app.automation.idle)
        await settle(pilot)
        said = "Payment reminder drafted for Aisha Khan — INV-261102-AK1 1,500.00 USD, 7 days overdue"
        await wait_for(pilot, lambda: said in screen_text(app))
        assert any(n.startswith(f"Payment reminders: {said}") for n in notifications(app))
        assert (empty_vault / "outbox" / "reminder-aisha-khan-2026-11-23.eml").is_file()
        assert "reminded: 2026-11-23" in (empty_vault / "invoices" / "INV-261102-AK1.md").read_text()
    vault.close()
