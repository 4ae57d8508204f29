"""Stock from the app: the forecast's columns (on hand, days of cover, incoming, reorder now), a
movement recorded from a small form (one ledger row, one commit, its message shown), and a
purchase order received from its record view — on the screen and in the files and commits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Select

from obm_tui.model.forecast import as_decimal
from obm_tui.services.stock import forecast_all
from obm_tui.tui.dialogs.movement import MovementDialog
from obm_tui.tui.dialogs.receive import ReceiveDialog
from obm_tui.tui.screens.stock import StockScreen
from obm_tui.tui.widgets.virtual_table import VirtualTable
from obm_tui.vault.store import Vault
from tests.tui.helpers import (
    NOW,
    commit_count,
    git,
    make_app,
    notifications,
    screen_text,
    settle,
)
from tests.tui.work_helpers import demo_copy

MUG = "stock/MUG-CLASSIC.md"


@pytest.fixture
def sample(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Vault]:
    """This test's copy of the sample vault (see work_helpers.demo_copy)."""
    vault = Vault.open(demo_copy(tmp_path_factory, tmp_path))
    yield vault
    vault.close()



async def open_stock(pilot) -> VirtualTable:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)
    assert isinstance(pilot.app.screen, StockScreen)
    return pilot.app.screen.query_one(VirtualTable)


async def test_the_stock_list_has_the_forecasts_columns(sample: Vault) -> None:
    app = make_app(sample)
    forecasts = {f.record.path: f for f in forecast_all(sample, NOW.date())}
    async with app.run_test(size=(180, 40)) as pilot:
        table = await open_stock(pilot)
        assert "COVER" in screen_text(app) and "INCOMING" in screen_text(app) and "REORDER" in screen_text(app)
        source = table.source
        fields = source.fields  # type: ignore[attr-defined]
        for index in range(len(source)):
            item = forecasts[source.key(index)]
            cells = dict(zip(fields, source.cells(index), strict=True))
            f = item.forecast
            assert cells["on_hand"] == str(f.on_hand)
            if f.days_of_cover is not None:
                assert cells["cover"] == f"{as_decimal(f.days_of_cover)} d"
            assert cells["incoming"] == (str(f.incoming) if f.incoming else "")
            assert cells["reorder"].startswith("now: " if f.reorder_now and not item.open_orders else
                                               "on order" if f.reorder_now else "")
        assert any(f.forecast.reorder_now for f in forecasts.values())


async def test_m_records_a_movement_from_the_form(sample: Vault) -> None:
    app = make_app(sample)
    on_hand = sample.index.by_path(MUG).value("on_hand")
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        table = await open_stock(pilot)
        table.move_to_key(MUG)
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, MovementDialog)
        dialog.query_one("#kind", Select).value = "ship"
        before = commit_count(sample.root)
        await pilot.press(*"0", "enter")  # refused in the form: nothing written
        await settle(pilot)
        assert isinstance(app.screen, MovementDialog) and "above 0" in screen_text(app)
        await pilot.press("backspace", "3", "tab", *"order 1042", "tab", *"gift box", "enter")
        await settle(pilot)
        assert commit_count(sample.root) == before + 1
        subject = git(sample.root, "log", "-1", "--format=%s").strip()
        assert subject == f"stock MUG-CLASSIC: shipped 3 (order 1042), {on_hand} -> {on_hand - 3}"
        assert subject in notifications(app)[-1]
        assert sample.index.by_path(MUG).value("on_hand") == on_hand - 3
        assert "| ship | -3 |" in (sample.root / MUG).read_text().replace("  ", " ")


async def test_a_purchase_order_is_received_from_its_record_view(sample: Vault) -> None:
    order = "purchase-orders/PO-261109-J2R.md"
    product = "stock/CAL-2027.md"
    on_hand = sample.index.by_path(product).value("on_hand")
    app = make_app(sample)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        app.open_record(order)
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReceiveDialog)
        assert dialog.query_one("#line-0").value == "150"  # all that is still to come
        await pilot.press("end", *["backspace"] * 3, *"100", "ctrl+s")
        await settle(pilot)
        sha, message = git(sample.root, "log", "-1", "--format=%H %s", "--grep=^purchase-order PO-261109-J2R: received"
                           ).strip().split(" ", 1)
        changed = git(sample.root, "show", "--name-only", "--format=", sha).split()  # one commit for all
        assert sorted(changed) == sorted([order, product])
        assert f"CAL-2027 {on_hand} -> {on_hand + 100}" in message and any(message in n for n in notifications(app))
        assert any("restock-product-cal-2027: status waiting -> active" in n for n in notifications(app))  # it woke up
        assert sample.index.by_path(order).text("status") == "partial"
        assert sample.index.by_path(product).value("on_hand") == on_hand + 100
