"""Purchase orders: draft one, send it (ordered), cancel it, receive it — in full or in part.

A receipt changes the order (its lines' `received`, its status) and every product that got units
(a `receive` ledger row and `on_hand`): all of it is one commit (`vault/batch.py`).
Rules: docs/stock.md, "Purchase orders"; arithmetic: `model/purchase.py`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from obm_tui.model import ids, purchase
from obm_tui.model.errors import UsageError, ValidationError
from obm_tui.model.fields import FieldValueError, to_int
from obm_tui.model.kinds import KINDS
from obm_tui.model.ledger import Movement
from obm_tui.model.purchase import PurchaseError, Receipt
from obm_tui.model.records import Record
from obm_tui.services.bills import bill_for_order
from obm_tui.services.records import make_id, require_readable, update
from obm_tui.services.stock import (
    find_product,
    forecast_all,
    plan_movement,
    read_product,
)
from obm_tui.vault.batch import BatchResult, Edit, NewFile, write_many
from obm_tui.vault.store import SaveResult, Vault


@dataclass(frozen=True)
class ReceiptResult:
    """What a receipt did: the order's new lines and status, each product's movement, the commit."""

    receipt: Receipt
    movements: dict[str, Movement]
    message: str
    written: BatchResult


def parse_line_args(args: Sequence[str]) -> dict[str, int | None]:
    """`["MUG-01=48", "TOTE-02"]` -> {"MUG-01": 48, "TOTE-02": None} (no quantity: suggested)."""
    lines: dict[str, int | None] = {}
    for arg in args:
        sku, sep, qty = arg.partition("=")
        sku = sku.strip()
        if not sku:
            raise UsageError(f"expected SKU=QTY, got {arg!r}")
        if ids.sku_key(sku) in {ids.sku_key(s) for s in lines}:
            raise UsageError(f"{sku} is given twice")
        if not sep:
            lines[sku] = None
            continue
        try:
            value = to_int(qty)
        except FieldValueError:
            raise ValidationError(f"{sku}: the quantity must be a whole number, got {qty!r}") from None
        if value <= 0:
            raise ValidationError(f"{sku}: the quantity must be above 0, got {value}")
        lines[sku] = value
    return lines


def find_order(vault: Vault, ref: str) -> Record:
    """A purchase order by id (or unique prefix); refuses one whose file does not parse."""
    return require_readable(vault.find(ref, "purchase-order"))


def new_order(vault: Vault, supplier: str, lines: Mapping[str, int | None], *, today: date,
              title: str | None = None) -> SaveResult:
    """A draft purchase order. A line without a quantity gets the forecast's suggestion (at
    least the product's `reorder_qty`); the unit cost comes from the product."""
    if not supplier.strip():
        raise ValidationError("a purchase order needs a supplier")
    if not lines:
        raise UsageError("a purchase order needs at least one line: SKU=QTY")
    suggested = {f.record.id: f.forecast for f in forecast_all(vault, today)}
    raw_lines: list[dict[str, Any]] = []
    for sku, qty in lines.items():
        product = find_product(vault, sku)
        units = qty if qty is not None else _suggestion(product, suggested.get(product.id))
        line: dict[str, Any] = {"sku": product.id, "qty": units, "received": 0}
        if product.data.get("unit_cost") not in (None, ""):
            line["unit_cost"] = str(product.data["unit_cost"])
        raw_lines.append(line)
    kind = KINDS["purchase-order"]
    shown = ", ".join(f"{ids.sku_text(line['sku'])} {line['qty']}" for line in raw_lines)
    title = (title or "").strip() or f"Restock {shown}"
    record_id, stem = make_id(vault, kind, title, {}, datetime.combine(today, time()))
    data = {"type": "purchase-order", "id": record_id, "title": title, "supplier": supplier.strip(),
            "status": "draft", "lines": raw_lines, "created": today.isoformat()}
    message = f"purchase-order {record_id}: drafted for {supplier.strip()} ({shown})"
    return vault.create(f"{kind.folder}/{stem}.md", data, "", message)


def _suggestion(product: Record, forecast: Any) -> int:
    units = max(forecast.suggested_qty if forecast is not None else 0, product.value("reorder_qty", 0) or 0)
    if units <= 0:
        raise ValidationError(f"{product.id}: no quantity given and no suggestion (no reorder_qty): "
                              f"write {product.id}=QTY")
    return int(units)


def mark_ordered(vault: Vault, ref: str, *, today: date) -> SaveResult:
    """Send a draft: status ordered, `ordered` today, `expected` by the longest lead time."""
    record = find_order(vault, ref)
    status = str(record.data.get("status") or "draft")
    if status != "draft":
        raise PurchaseError(f"{record.id} is {status}: only a draft purchase order can be ordered")
    purchase.move(status, "ordered")
    changes: dict[str, Any] = {"status": "ordered", "ordered": today.isoformat()}
    if not record.data.get("expected"):
        lead = _longest_lead_time(vault, record)
        if lead is not None:
            changes["expected"] = (today + timedelta(days=lead)).isoformat()
    return update(vault, record, changes)


def _longest_lead_time(vault: Vault, record: Record) -> int | None:
    lines, _ = purchase.parse_lines(record.data.get("lines"))
    days = []
    for line in lines:
        product = next((r for r in vault.records("product", archived=True)
                        if ids.sku_key(r.id) == ids.sku_key(line.sku)), None)
        if product is not None and product.value("lead_time_days"):
            days.append(int(product.value("lead_time_days")))
    return max(days) if days else None


def cancel(vault: Vault, ref: str) -> SaveResult:
    """Cancel a draft, ordered or partial purchase order (units already received stay received)."""
    record = find_order(vault, ref)
    purchase.move(str(record.data.get("status") or "draft"), "cancelled")
    return update(vault, record, {"status": "cancelled"})


def receive(vault: Vault, ref: str, arrivals: Mapping[str, int | None] | None = None, *,
            today: date) -> ReceiptResult:
    """Receive units of an ordered or partial order (`arrivals` {SKU: units}; None: everything
    still to come, of every line or of one SKU). The order and each product's ledger and `on_hand` change in ONE commit;
    nothing changes when any line is refused."""
    record = find_order(vault, ref)
    lines, problems = purchase.parse_lines(record.data.get("lines"))
    if problems:
        raise ValidationError(f"{record.id}: fix its lines first ({'; '.join(problems)})")
    wanted = _arrivals(record, lines, arrivals)
    receipt = purchase.receive(record.id, str(record.data.get("status") or "draft"), lines, wanted, today)
    edits: list[Edit | NewFile] = [Edit(record, _order_changes(record, receipt))]
    movements: dict[str, Movement] = {}
    for sku, units in receipt.deltas.items():
        product = find_product(vault, sku)
        doc = read_product(vault, product)
        planned = plan_movement(product, doc, "receive", units, today, record.id)
        movements[product.id] = planned.movement
        edits.append(Edit(product, {"on_hand": str(planned.movement.on_hand)}, planned.body, doc.body))
    stock = ", ".join(f"{sku} {m.before} -> {m.on_hand}" for sku, m in movements.items())
    message = f"{receipt.message}; stock {stock}"
    if receipt.status == "received":  # received in full: its bill, in the same commit (services/bills.py)
        bill = bill_for_order(vault, record, receipt.lines, today)
        edits += [bill.file] if bill.file is not None else []
        message += f"; {bill.note}"
    return ReceiptResult(receipt, movements, message, write_many(vault, edits, message))


def _arrivals(record: Record, lines: Sequence[purchase.POLine],
              arrivals: Mapping[str, int | None] | None) -> dict[str, int]:
    outstanding: dict[str, int] = {}
    for line in lines:
        outstanding[line.sku] = outstanding.get(line.sku, 0) + line.outstanding
    if arrivals is None:
        return {sku: units for sku, units in outstanding.items() if units}
    by_fold = {sku.casefold(): sku for sku in outstanding}
    unknown = [sku for sku in arrivals if sku.casefold() not in by_fold]
    if unknown:
        raise PurchaseError(f"{record.id} has no line for {', '.join(unknown)}")
    wanted = {by_fold[sku.casefold()]: qty for sku, qty in arrivals.items()}
    return {sku: outstanding[sku] if qty is None else qty for sku, qty in wanted.items()}


def _order_changes(record: Record, receipt: Receipt) -> dict[str, Any]:
    raw = copy.deepcopy(record.data["lines"])  # the receipt was made from these lines
    for item, line in zip(raw, receipt.lines, strict=True):
        item["qty"], item["received"] = line.qty, line.received  # ints are written plain (`qty: 48`)
    changes: dict[str, Any] = {"lines": raw, "status": receipt.status}
    if receipt.received is not None:
        changes["received"] = receipt.received.isoformat()
    return changes
