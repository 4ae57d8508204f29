"""Reading a Shopify orders export (CSV) into orders with shippable lines, with a report per row.

One row per line item; later rows of an order repeat only `Name`. An order with any rejected
row is not imported at all, so a corrected file can import it in full later; imports are
idempotent on the order number (`imported`). Columns and rules: docs/stock.md.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from obm_tui.importers.csvrows import CsvRefused, RowReport, cell, column_index, missing_columns, odd_cell, read_rows
from obm_tui.model.fields import INT_RE, MAX_WHOLE, FieldValueError, to_money, whole_number
from obm_tui.model.ids import sku_key, sku_text

REQUIRED = {"name": "Name", "created at": "Created at", "lineitem quantity": "Lineitem quantity",
            "lineitem sku": "Lineitem sku"}
ALIASES = {"canceled at": "cancelled at"}
SKIPPED_FINANCIAL = frozenset({"refunded", "voided"})
# The cells that end up in a ledger row (the order number as its Ref, `order N`): one line each.
WRITTEN = {"name": "Name", "lineitem sku": "Lineitem sku"}


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A shippable line item: units of a known SKU."""

    sku: str
    qty: int
    name: str = ""
    price: Decimal | None = None
    row: int = 0


@dataclass(frozen=True, slots=True)
class Order:
    """An order to record as shipments. `number` is `Name` without `#`."""

    number: str
    created: datetime
    lines: tuple[OrderLine, ...]
    email: str = ""
    financial_status: str = ""
    fulfillment_status: str = ""
    currency: str = ""

    @property
    def ref(self) -> str:
        """The ledger reference: `order 1042`."""
        return f"order {self.number}"

    def quantities(self) -> dict[str, int]:
        """Units per SKU (lines of the same SKU added up)."""
        totals: dict[str, int] = {}
        for line in self.lines:
            totals[line.sku] = totals.get(line.sku, 0) + line.qty
        return totals


@dataclass(frozen=True, slots=True)
class ShopifyImport:
    """The orders to record, a report line per row, or why the whole file was refused."""

    orders: tuple[Order, ...] = ()
    rows: tuple[RowReport, ...] = ()
    refused: str = ""

    @property
    def rejected(self) -> tuple[RowReport, ...]:
        """The rows that were rejected."""
        return tuple(r for r in self.rows if r.status == "rejected")


def order_number(name: str) -> str:
    """`#1042` -> `1042`."""
    return name.strip().lstrip("#").strip()


def parse_created(text: str) -> datetime | None:
    """`2026-11-20 10:14:05 -0500` (Shopify) or ISO 8601 -> datetime; None if unreadable."""
    for pattern in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _money(text: str) -> Decimal | None:
    try:
        return to_money(text) if text else None
    except FieldValueError:
        return None


def _quantity(text: str) -> int | None:
    """A line's quantity: a whole number of ASCII digits from 1 to MAX_WHOLE, else None."""
    try:
        qty = whole_number(text)
    except FieldValueError:
        return None
    return qty if qty > 0 else None


@dataclass
class _Block:
    name: str
    rows: list[tuple[int, list[str]]]
    duplicate_of: int = 0


def _blocks(rows: list[tuple[int, list[str]]], index: dict[str, int]) -> tuple[list[_Block], list[RowReport]]:
    blocks: list[_Block] = []
    nameless: list[RowReport] = []
    first_row: dict[str, int] = {}
    for number, cells in rows:
        name = cell(cells, index, "name")
        if not name:
            nameless.append(RowReport(number, "", "rejected", "no Name (order number)"))
        elif blocks and blocks[-1].name == name:
            blocks[-1].rows.append((number, cells))
        else:
            blocks.append(_Block(name, [(number, cells)], first_row.get(name, 0)))
            first_row.setdefault(name, number)
    repeated = {b.name for b in blocks if b.duplicate_of}
    for block in blocks:
        if block.name in repeated and not block.duplicate_of:
            block.duplicate_of = -1
    return blocks, nameless


class _Reader:
    def __init__(self, index: dict[str, int], known_skus: Collection[str], imported: Collection[str]) -> None:
        self.index = index
        self.known = {sku_key(sku): sku for sku in known_skus}
        self.imported = {order_number(n) for n in imported}

    def get(self, cells: list[str], key: str) -> str:
        return cell(cells, self.index, key)

    def skip_reason(self, number: str, cells: list[str]) -> str:
        if number in self.imported:
            return "already imported"
        if self.get(cells, "cancelled at"):
            return f"cancelled ({self.get(cells, 'cancelled at')})"
        status = self.get(cells, "financial status").lower()
        return status if status in SKIPPED_FINANCIAL else ""

    def line(self, row: int, cells: list[str]) -> OrderLine | RowReport:
        sku, qty_text = self.get(cells, "lineitem sku"), self.get(cells, "lineitem quantity")
        if self.get(cells, "lineitem requires shipping").lower() == "false":
            return RowReport(row, "", "skipped", "no shipping needed (a digital item)")
        if not sku:
            return RowReport(row, "", "skipped", "no SKU (not a stock product)")
        odd = odd_cell({key: self.get(cells, key) for key in WRITTEN}, WRITTEN)
        if odd:
            return RowReport(row, "", "rejected", odd)
        qty = _quantity(qty_text)
        if qty is None:
            positive = INT_RE.match(qty_text) and not qty_text.startswith("-") and qty_text.strip("+0")
            bound = f" and up to {MAX_WHOLE:,}" if positive else ""
            return RowReport(row, "", "rejected",
                             f"quantity must be a whole number above 0{bound}, got {qty_text[:60]!r}")
        price = self.get(cells, "lineitem price")
        if price and _money(price) is None:
            return RowReport(row, "", "rejected", f"Lineitem price: expected an amount like 12.50, got {price[:60]!r}")
        known = self.known.get(sku_key(sku))
        if known is None:
            return RowReport(row, "", "rejected", f"unknown SKU {sku_text(sku)}")
        return OrderLine(known, qty, self.get(cells, "lineitem name"), _money(price), row)

    def order(self, block: _Block) -> tuple[Order | None, list[RowReport]]:
        number, (first, first_cells) = order_number(block.name), block.rows[0]
        key = f"order {number}"
        if block.duplicate_of:
            where = f"row {block.duplicate_of}" if block.duplicate_of > 0 else "a later row"
            reason = f"the order appears again apart from its other rows ({where}): its rows must be together"
            return None, [RowReport(n, key, "rejected", reason) for n, _ in block.rows]
        skip = self.skip_reason(number, first_cells)
        if skip:
            return None, [RowReport(n, key, "skipped", skip) for n, _ in block.rows]
        created = parse_created(self.get(first_cells, "created at"))
        results = [self.line(n, c) for n, c in block.rows]
        reports = [RowReport(r.row, key, r.status, r.reason) for r in results if isinstance(r, RowReport)]
        if created is None:
            reports.append(RowReport(first, key, "rejected",
                                     f"Created at is not a date: {self.get(first_cells, 'created at')!r}"))
        bad = [r for r in reports if r.status == "rejected"]
        lines = tuple(r for r in results if isinstance(r, OrderLine))
        if bad:
            cause = "; ".join(f"row {r.row}: {r.reason}" for r in bad)
            others = [RowReport(n, key, "rejected", f"order not imported ({cause})")
                      for n, _ in block.rows if n not in {r.row for r in bad}]
            return None, sorted([*bad, *others], key=lambda r: r.row)
        ok = [RowReport(line.row, key, "ok", f"{sku_text(line.sku)} x {line.qty}") for line in lines]
        reports = sorted([*reports, *ok], key=lambda r: r.row)
        if not lines or created is None:
            return None, reports
        order = Order(number, created, lines, self.get(first_cells, "email"),
                      self.get(first_cells, "financial status"), self.get(first_cells, "fulfillment status"),
                      self.get(first_cells, "currency"))
        return order, reports


def parse_orders(data: bytes, known_skus: Collection[str], imported: Collection[str] = ()) -> ShopifyImport:
    """Read a Shopify orders export. `known_skus`: the vault's products (a row's SKU matches one
    whatever its case, and the line carries the vault's spelling); `imported`: order
    numbers already recorded. Never raises: a bad file comes back with `refused` set."""
    try:
        header, rows = read_rows(data)
    except CsvRefused as exc:
        return ShopifyImport(refused=str(exc))
    index = column_index(header, ALIASES)
    missing = missing_columns(index, REQUIRED)
    if missing:
        return ShopifyImport(refused=f"not a Shopify orders export: missing column(s) {', '.join(missing)}")
    blocks, reports = _blocks(rows, index)
    reader = _Reader(index, known_skus, imported)
    orders: list[Order] = []
    for block in blocks:
        order, block_reports = reader.order(block)
        reports.extend(block_reports)
        if order is not None:
            orders.append(order)
    return ShopifyImport(tuple(orders), tuple(sorted(reports, key=lambda r: r.row)))
