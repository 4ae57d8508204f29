"""Issue 12 item 3: the Payments list (unmatched payment records) and `l`, which links the one
under the cursor to the invoice chosen in the pick-record dialog: one commit, the list updated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from obm_tui.model.finance import record_payments
from obm_tui.services.stripe_import import import_stripe
from obm_tui.tui.dialogs.pick_record import PickRecordDialog
from obm_tui.tui.screens.payments import PaymentsScreen
from obm_tui.tui.widgets.virtual_table import VirtualTable
from obm_tui.vault.store import Vault
from tests.tui.helpers import NOW, commit_count, git, make_app, notifications, screen_text, settle
from tests.tui.work_helpers import demo_copy

BALANCE = ("id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description\n"
           "txn_1,charge,ch_t1,900.00,26.40,873.60,usd,2026-11-20 15:00:00,,Bank transfer G. Nakamura\n"
           "txn_2,payout,po_t2,500.00,0.00,500.00,usd,2026-11-21 15:00:00,,STRIPE PAYOUT\n")


@pytest.fixture
def sample(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Vault]:
    vault = Vault.open(demo_copy(tmp_path_factory, tmp_path))
    import_stripe(vault, BALANCE.encode(), now=NOW, source="balance.csv")
    yield vault
    vault.close()


async def test_l_links_the_payment_under_the_cursor_to_the_invoice_chosen(sample: Vault) -> None:
    charge = next(r for r in sample.records("payment") if r.data["reference"] == "ch_t1")
    linked = sample.records("payment")
    for other in [r for r in linked if r.path != charge.path and r.data.get("status") != "ignored"]:
        sample.update(other, {"status": "ignored"}, "payment: ignored for the test")  # the sample's, a payout
    app = make_app(sample)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("0", "u")  # Finance, then its unmatched payments
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PaymentsScreen)
        table = screen.query_one(VirtualTable)
        assert [table.source.key(i) for i in range(len(table.source))] == [charge.path]  # the ignored one is not
        table.move_to_key(charge.path)
        await pilot.press("l")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PickRecordDialog)
        assert "INV-261101-W3H" in screen_text(app) and f"Put {charge.id} (900.00 USD)" in screen_text(app)
        before = commit_count(sample.root)
        await pilot.press(*"W3H", "enter")
        await settle(pilot)
        assert commit_count(sample.root) >= before + 1
        subject = f"payment {charge.id}: linked to invoice INV-261101-W3H (900.00 USD); " \
                  "invoice INV-261101-W3H: status sent -> paid"
        assert subject in git(sample.root, "log", "-3", "--format=%s").splitlines()
        assert any(subject in n for n in notifications(app))
        assert isinstance(app.screen, PaymentsScreen) and len(table.source) == 0
        invoice = sample.index.get("invoice", "INV-261101-W3H")
        assert invoice is not None and invoice.data["status"] == "paid"
        assert [p.reference for p in record_payments(invoice)] == ["ch_t1"]
        record = sample.index.by_path(charge.path)
        assert record is not None and record.data["status"] == "linked"
