"""Stock: every product with where it stands by the forecast (on hand, days of cover, incoming,
reorder now), and the purchase orders with what has arrived. `m` records a movement of the
product under the cursor (receive, ship, adjust, count); a purchase order is received from its
record view (`r`).
"""

from __future__ import annotations

from obm_tui.model.forecast import as_decimal
from obm_tui.model.kinds import KINDS
from obm_tui.model.purchase import parse_lines
from obm_tui.tui import care_flows
from obm_tui.tui.actions import bindings
from obm_tui.tui.screens.worklist import ExtraColumn, Extras, WorkListScreen
from obm_tui.vault.paths import kind_of_path

PRODUCT_COLUMNS = (ExtraColumn("cover", "COVER", right=True), ExtraColumn("incoming", "INCOMING", right=True),
                   ExtraColumn("reorder", "REORDER"))
ORDER_COLUMNS = (ExtraColumn("arrived", "ARRIVED", right=True),)


def product_extras(screen: StockScreen) -> Extras:
    """The forecast of every product (each product's ledger is read)."""
    from obm_tui.services.stock import forecast_all

    cells, styles, keys = {}, {}, {}
    for item in forecast_all(screen.vault, screen.obm.now().date()):
        path, f = item.record.path, item.forecast
        if f is None:
            cells[path] = ("?", "", item.problems[0] if item.problems else "no forecast")
            styles[path] = "problem"
            continue
        cover = "nothing shipped" if f.days_of_cover is None else f"{as_decimal(f.days_of_cover)} d"
        if f.reorder_now and item.open_orders:
            reorder = f"on order ({', '.join(item.open_orders)})"
        else:
            reorder = f"now: {f.suggested_qty}" if f.reorder_now else ""
        cells[path] = (cover, str(f.incoming) if f.incoming else "", reorder)
        styles[path] = "overdue" if f.on_hand == 0 else "due" if f.reorder_now and not item.open_orders else ""
        keys[path] = (f.days_of_cover, f.incoming, (not f.reorder_now, f.suggested_qty))
    return Extras(PRODUCT_COLUMNS, "on_hand", cells=cells, styles=styles, keys=keys)


def order_extras(screen: StockScreen) -> Extras:
    """Units received of units ordered, per purchase order (from the index)."""
    cells, keys = {}, {}
    for order in screen.vault.records("purchase-order", archived=True):
        lines, _ = parse_lines(order.data.get("lines"))
        received, ordered = sum(line.received for line in lines), sum(line.qty for line in lines)
        cells[order.path] = (f"{received}/{ordered}",)
        keys[order.path] = (received / ordered if ordered else 0.0,)
    return Extras(ORDER_COLUMNS, "status", cells=cells, keys=keys)


class StockScreen(WorkListScreen):
    """Products and purchase orders; `t` switches."""

    BINDINGS = bindings("stock")

    def extras_layout(self, kind: str) -> Extras:
        return Extras(PRODUCT_COLUMNS, "on_hand") if kind == "product" else Extras(ORDER_COLUMNS, "status")

    def compute_extras(self, kind: str) -> Extras:
        return product_extras(self) if kind == "product" else order_extras(self)

    def refresh_data(self, paths: set[str] | None) -> None:
        super().refresh_data(paths)
        if paths is not None and self.kind.name == "product" and any(kind_of_path(p) == KINDS["purchase-order"]
                                                                     for p in paths):
            self.recompute()  # incoming units changed

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "movement":
            return self.kind.name == "product"
        return super().check_action(action, parameters)

    def action_movement(self) -> None:
        record = self.current
        if record is not None and record.kind == "product" and record.readable:
            care_flows.stock_movement(self.obm, record)
