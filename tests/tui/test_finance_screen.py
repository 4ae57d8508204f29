"""The Finance screen (`0`), through Pilot on the fixed vault: the charts, the numbers as tables,
and the figures following a change to the vault."""

from __future__ import annotations

from obm_tui.tui.screens.finance import FinanceScreen
from obm_tui.vault.store import Vault
from tests.tui.helpers import make_app, screen_text, settle, wait_for


def _words(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [" ".join(line.split()) for line in screen_text(app).splitlines()]


async def test_zero_opens_the_finance_screen_with_its_charts(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("0")
        await settle(pilot)
        assert isinstance(app.screen, FinanceScreen) and app.current_mode == "finance"
        text = screen_text(app)
        assert "Finance  2025-12 to 2026-11" in text and "0 Finance" in text
        assert "2026-11" in text and "0.00 USD  invoiced 2,450.00 USD" in text
        assert "2,450.00 USD owed" in text and "1-30 2,000.00 USD" in text  # AAA due 11-15; BBB not due


async def test_t_shows_the_numbers_and_f_the_next_figure(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("0")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert "2026-11 USD 2450.00 0.00" in _words(app)
        await pilot.press("f", "f")  # revenue -> MRR -> aging
        await settle(pilot)
        words = _words(app)
        assert any(w.startswith("CLIENT CURRENCY CURRENT 1-30") for w in words)
        assert "fred-smith USD 0.00 2000.00 0.00 0.00 0.00 0.00 2000.00 INV-261101-AAA" in words
        await pilot.press("t")  # back to the charts
        await settle(pilot)
        assert "Revenue received by month" in screen_text(app)


async def test_the_figures_follow_a_payment_saved_meanwhile(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("0")
        await settle(pilot)
        invoice = vault.find("INV-261120-BBB")
        vault.update(invoice, {"status": "paid", "paid": "2026-11-22"}, "invoice INV-261120-BBB: status sent -> paid")
        await wait_for(pilot, lambda: "450.00 USD  invoiced 2,450.00 USD" in screen_text(app))
        assert "2,000.00 USD owed" in screen_text(app)


async def test_the_figures_are_worked_out_after_start_up_so_zero_shows_them_at_once(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)  # Today's agenda and the files compared: then the finance figures, in a worker
        kept = app.finance_kept
        assert kept is not None and [str(r.invoiced) for r in kept[1].revenue] == ["2450.00"]
        await pilot.press("0")
        screen = app.screen
        assert isinstance(screen, FinanceScreen) and screen.report is kept[1]  # nothing changed: not again
