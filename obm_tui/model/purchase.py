"""Purchase orders: their lines, status moves, receiving (partial or full) and incoming stock.

Front matter arrives as strings (`qty: 48` is "48"); `parse_lines` types and checks it.
Quantities are integers, costs Decimals. See docs/stock.md, "Purchase orders".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from obm_tui.model.errors import ValidationError
from obm_tui.model.fields import FieldValueError, to_int, to_money
from obm_tui.model.ids import sku_key

TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    "draft": ("ordered", "cancelled"),
    "ordered": ("partial", "received", "cancelled"),
    "partial": ("received", "cancelled"),
    "received": (),
    "cancelled": (),
}
RECEIVING = frozenset({"ordered", "partial"})


class PurchaseError(ValidationError):
    """A purchase-order change that cannot be made."""

    title = "Purchase order"


@dataclass(frozen=True, slots=True)
class POLine:
    """One line: `qty` ordered, `received` so far."""

    sku: str
    qty: int
    received: int = 0
    unit_cost: Decimal | None = None

    @property
    def outstanding(self) -> int:
        """Units still to come."""
        return self.qty - self.received


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    """What the forecast needs of a purchase order."""

    id: str
    status: str
    lines: tuple[POLine, ...] = ()
    supplier: str = ""


@dataclass(frozen=True, slots=True)
class Receipt:
    """The result of receiving: new lines and status, units per SKU for the ledgers."""

    lines: tuple[POLine, ...]
    status: str
    deltas: dict[str, int]
    received: date | None
    message: str


def _line(index: int, raw: Any) -> POLine | str:
    where = f"lines[{index + 1}]"
    if not isinstance(raw, Mapping):
        return f"{where}: expected sku, qty, received and unit_cost, got {type(raw).__name__}"
    sku = raw.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        return f"{where}.sku: missing"
    if raw.get("qty") in (None, ""):
        return f"{where} ({sku}): qty missing"
    try:
        qty = to_int(raw.get("qty"))
        received = to_int(raw.get("received")) if raw.get("received") not in (None, "") else 0
        cost = to_money(raw.get("unit_cost")) if raw.get("unit_cost") not in (None, "") else None
    except FieldValueError as exc:
        return f"{where} ({sku}): {exc}"
    if qty <= 0:
        return f"{where} ({sku}): qty must be more than 0, got {qty}"
    if not 0 <= received <= qty:
        return f"{where} ({sku}): received must be between 0 and qty ({qty}), got {received}"
    return POLine(sku.strip(), qty, received, cost)


def parse_lines(raw: Any) -> tuple[tuple[POLine, ...], tuple[str, ...]]:
    """The front matter `lines` value -> (lines that could be read, problems)."""
    if raw in (None, ""):
        return (), ()
    if not isinstance(raw, list):
        return (), ("lines: expected a list of {sku, qty, received, unit_cost}",)
    lines: list[POLine] = []
    problems: list[str] = []
    for index, item in enumerate(raw):
        line = _line(index, item)
        if isinstance(line, str):
            problems.append(line)
        else:
            lines.append(line)
    return tuple(lines), tuple(problems)


def lines_to_raw(lines: Iterable[POLine]) -> list[dict[str, str]]:
    """Lines as front-matter values (strings, in the documented key order)."""
    raw = []
    for line in lines:
        item = {"sku": line.sku, "qty": str(line.qty), "received": str(line.received)}
        if line.unit_cost is not None:
            item["unit_cost"] = str(line.unit_cost)
        raw.append(item)
    return raw


def move(status: str, to: str) -> str:
    """The new status, or PurchaseError naming the allowed moves."""
    if status not in TRANSITIONS or to not in TRANSITIONS:
        raise PurchaseError(f"unknown purchase-order status {status if status not in TRANSITIONS else to!r}")
    if to == status or to in TRANSITIONS[status]:
        return to
    allowed = ", ".join(TRANSITIONS[status]) or "nothing (it is final)"
    raise PurchaseError(f"a {status} purchase order cannot move to {to}; it can move to {allowed}")


def status_of(lines: Sequence[POLine]) -> str:
    """`received` when every line is complete, `partial` when some units came, else `ordered`."""
    if lines and all(line.outstanding == 0 for line in lines):
        return "received"
    return "partial" if any(line.received for line in lines) else "ordered"


def _allocate(lines: list[POLine], sku: str, qty: int, po_id: str) -> None:
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise PurchaseError(f"{po_id} {sku}: the units received must be a whole number above 0, got {qty!r}")
    matching = [i for i, line in enumerate(lines) if sku_key(line.sku) == sku_key(sku)]
    if not matching:
        raise PurchaseError(f"{po_id} has no line for {sku}")
    outstanding = sum(lines[i].outstanding for i in matching)
    if qty > outstanding:
        raise PurchaseError(f"{po_id} {sku}: {qty} arrived but only {outstanding} are still to come "
                            "(record the extra units as an adjustment)")
    for i in matching:
        take = min(qty, lines[i].outstanding)
        lines[i] = replace(lines[i], received=lines[i].received + take)
        qty -= take


def receive(
    po_id: str, status: str, lines: Sequence[POLine], arrivals: Mapping[str, int], today: date
) -> Receipt:
    """Receive `arrivals` ({sku: units}; zeros are ignored).

    Raises PurchaseError, and changes nothing, when any arrival is wrong (unknown SKU, more than
    is still to come, not a whole number above 0) or the order is not ordered/partial.
    """
    if status not in RECEIVING:
        raise PurchaseError(f"{po_id} is {status}: only ordered or partial purchase orders can be received")
    arrivals = {sku: qty for sku, qty in arrivals.items() if not (qty == 0 and not isinstance(qty, bool))}
    if not arrivals:
        raise PurchaseError(f"{po_id}: nothing to receive")
    new_lines = list(lines)
    for sku, qty in arrivals.items():
        _allocate(new_lines, sku, qty, po_id)
    new_status = status_of(new_lines)
    deltas = {sku: qty for sku, qty in arrivals.items()}
    parts = ", ".join(f"{sku} {qty}" for sku, qty in deltas.items())
    message = f"purchase-order {po_id}: received {parts}, {status} -> {new_status}"
    return Receipt(tuple(new_lines), new_status, deltas, today if new_status == "received" else None, message)


def incoming(orders: Iterable[PurchaseOrder]) -> dict[str, int]:
    """Units still to come per SKU, from ordered and partial purchase orders."""
    totals: dict[str, int] = {}
    for order in orders:
        if order.status in RECEIVING:
            for line in order.lines:
                totals[line.sku] = totals.get(line.sku, 0) + line.outstanding
    return totals


def total(lines: Iterable[POLine]) -> Decimal:
    """The sum of qty * unit_cost (lines without a cost count 0)."""
    return sum((line.qty * line.unit_cost for line in lines if line.unit_cost is not None), Decimal("0"))
