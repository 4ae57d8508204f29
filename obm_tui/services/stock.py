"""Stock use cases: record a movement (ledger row + on_hand, one write, one commit), forecast
every product, and the shortages the low-stock rule acts on. (The Today screen's "Stock"
section, built on the forecast, is in `agenda_sources.py`.)

Rules and formats: docs/stock.md. The arithmetic is `model/ledger.py` and `model/forecast.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from obm_tui.model import ledger
from obm_tui.model.errors import ObmError, Problem, UsageError
from obm_tui.model.fields import INT_RE, MAX_WHOLE, FieldValueError, to_int, whole_number
from obm_tui.model.forecast import (
    Forecast,
    Levels,
    StockConfig,
    as_decimal,
    forecast,
    load_stock_config,
    shortage_key,
)
from obm_tui.model.ids import sku_key
from obm_tui.model.ledger import Movement, StockError
from obm_tui.model.purchase import PurchaseOrder, incoming, parse_lines
from obm_tui.model.records import Record
from obm_tui.services.records import require_readable
from obm_tui.vault.frontmatter import Document, read_body
from obm_tui.vault.store import SaveResult, Vault

MOVEMENTS = ledger.MOVEMENTS
OPEN_PO_STATUSES = frozenset({"draft", "ordered", "partial"})


@dataclass(frozen=True)
class MovementResult:
    """A recorded movement: the save, the row, and old problems of the ledger (not blocking)."""

    save: SaveResult
    movement: Movement
    message: str
    problems: tuple[str, ...] = ()


def parse_quantity(kind: str, text: str) -> int:
    """What a person typed as a quantity -> int, checked for the movement (StockError)."""
    clean = text.strip().replace("\u2212", "-")
    try:
        qty = whole_number(clean)
    except FieldValueError:
        bound = f" up to {MAX_WHOLE:,}" if INT_RE.match(clean) else ""
        raise StockError(f"the quantity must be a whole number{bound}, got {text!r}") from None
    if kind in ("receive", "ship") and qty <= 0:
        raise StockError(f"the quantity to {kind} must be a whole number above 0, got {text!r}")
    if kind == "count" and qty < 0:
        raise StockError(f"a count cannot be negative, got {text!r}")
    if kind == "adjust" and qty == 0:
        raise StockError("an adjustment of 0 changes nothing")
    return qty


def find_product(vault: Vault, sku: str) -> Record:
    """A product by its exact SKU (case does not matter); never a guess from a prefix."""
    wanted = sku.strip().casefold()
    for record in vault.records("product", archived=True):
        if record.id.casefold() == wanted:
            return require_readable(record)
    near = sorted(r.id for r in vault.records("product", archived=True) if r.id.casefold().startswith(wanted[:3]))
    hint = f" (did you mean {', '.join(near[:3])}?)" if near and wanted else ""
    raise UsageError(f"no product with SKU {sku!r}{hint}")


def read_product(vault: Vault, record: Record) -> Document:
    """The product's file as it is now (ConflictError if it no longer parses)."""
    return vault.read_for_edit(record)


def on_hand_of(record: Record, data: dict[str, Any]) -> int:
    """The product's `on_hand` (0 when absent); StockError when it is not a whole number. It may
    be below 0 after a merge (oversold): units coming in and a count are then taken, nothing going out."""
    raw = data.get("on_hand")
    try:
        return 0 if raw in (None, "") else to_int(raw)
    except FieldValueError as exc:
        raise StockError(f"{record.id} on_hand: {exc}; fix it by hand first") from None


def plan_movement(record: Record, doc: Document, kind: str, qty: int, when: date | datetime,
                  ref: str = "", note: str = "", body: str | None = None,
                  on_hand: int | None = None) -> ledger.Recorded:
    """The product's new body and row for one movement (StockError when it cannot be recorded).

    `body`/`on_hand` override the file's (to chain several movements before one write)."""
    if kind not in MOVEMENTS:
        raise UsageError(f"unknown movement {kind!r}: expected receive, ship, adjust or count")
    current = on_hand if on_hand is not None else on_hand_of(record, doc.data)
    return ledger.record(doc.body if body is None else body, record.id, current, kind, qty, when, ref, note)


def record_movement(vault: Vault, sku: str, kind: str, qty: int, *, when: date | datetime,
                    ref: str = "", note: str = "") -> MovementResult:
    """Append a ledger row and set `on_hand`, in one write and one commit with the ledger's
    words (`stock MUG-01: shipped 3 (order 1042), 14 -> 11`)."""
    record = find_product(vault, sku)
    doc = read_product(vault, record)
    planned = plan_movement(record, doc, kind, qty, when, ref, note)
    changes = {} if str(doc.data.get("on_hand")) == str(planned.movement.on_hand) else {
        "on_hand": str(planned.movement.on_hand)}
    save = vault.update(record, changes, planned.message, body=planned.body, base_body=doc.body)
    problems = tuple(f"{record.path}:{p.line}: {p.reason}" for p in planned.problems)
    return MovementResult(save, planned.movement, planned.message, problems)


# ----- forecast ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProductForecast:
    """One product's forecast, or why there is none; and its ledger's problems."""

    record: Record
    forecast: Forecast | None
    movements: tuple[Movement, ...] = ()
    problems: tuple[str, ...] = ()
    open_orders: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """Plain data for `--json` (rates and covers as decimal strings)."""
        out: dict[str, Any] = {"sku": self.record.id, "name": self.record.title, "path": self.record.path,
                               "open_orders": list(self.open_orders), "problems": list(self.problems)}
        f = self.forecast
        if f is not None:
            out.update({"on_hand": f.on_hand, "incoming": f.incoming, "position": f.position,
                        "shipped_in_window": f.shipped, "rate_per_day": str(as_decimal(f.rate, 2)),
                        "days_of_cover": None if f.days_of_cover is None else str(as_decimal(f.days_of_cover)),
                        "reorder_now": f.reorder_now, "reasons": list(f.reasons), "suggested_qty": f.suggested_qty})
        return out


def stock_config(vault: Vault) -> StockConfig:
    """`[stock]` from the vault's config (bad values fall back to their defaults)."""
    return load_stock_config(vault.config.raw)[0]


def purchase_orders(vault: Vault) -> list[tuple[Record, PurchaseOrder]]:
    """Every purchase order with the lines that could be read."""
    found = []
    for record in vault.records("purchase-order", archived=True):
        lines, _ = parse_lines(record.data.get("lines"))
        found.append((record, PurchaseOrder(record.id, str(record.data.get("status") or "draft"), lines,
                                            str(record.data.get("supplier") or ""))))
    return found


def _ledger(vault: Vault, record: Record) -> tuple[tuple[Movement, ...], tuple[str, ...]]:
    try:  # parsed once per version of the file (vault.derived)
        parsed = vault.derived.get(record, "ledger", lambda raw: ledger.parse(read_body(raw)))
    except ObmError as exc:
        return (), (str(exc),)
    raw = record.data.get("on_hand")
    try:
        on_hand = None if raw in (None, "") else to_int(raw)
    except FieldValueError:
        on_hand = None
    problems = ledger.check(parsed, on_hand)
    return parsed.movements, tuple(f"{record.path}:{p.line}: {p.reason}" for p in problems)


def ledger_problems(vault: Vault, records: list[Record]) -> list[Problem]:
    """Every readable product's ledger problems, with the file's line numbers (for `obm check`)."""
    found: list[Problem] = []
    for record in records:
        if record.kind != "product" or not record.readable:
            continue
        try:
            doc = vault.read_document(record)
        except ObmError:
            continue  # the file-level problem is listed already
        try:
            on_hand = None if record.data.get("on_hand") in (None, "") else to_int(record.data.get("on_hand"))
        except FieldValueError:
            on_hand = None
        parsed = ledger.parse(doc.body)
        for problem in ledger.check(parsed, on_hand):
            found.append(Problem(record.path, _file_line(doc, problem), f"ledger: {problem.reason}"))
        oversold = ledger.oversold(parsed.movements)
        if oversold is not None:
            found.append(Problem(record.path, _file_line(doc, oversold), f"{record.id}: {oversold.reason}"))
    return found


def _file_line(doc: Document, problem: Problem) -> int:
    return doc.body_line + problem.line - 1 if problem.line else 0


def _open_orders_by_sku(orders: Iterable[PurchaseOrder]) -> dict[str, tuple[str, ...]]:
    """SKU key (`sku_key`) -> the open purchase orders (draft, ordered, partial) with a line for it, in order."""
    found: dict[str, list[str]] = {}
    for order in orders:
        if order.status in OPEN_PO_STATUSES:
            for sku in dict.fromkeys(sku_key(line.sku) for line in order.lines):
                found.setdefault(sku, []).append(order.id)
    return {sku: tuple(ids) for sku, ids in found.items()}


def forecast_all(vault: Vault, today: date) -> list[ProductForecast]:
    """Every product's forecast on `today`, by SKU."""
    config = stock_config(vault)
    orders = purchase_orders(vault)
    coming: dict[str, int] = {}
    for sku, units in incoming(order for _, order in orders).items():  # `mug-01` and `MUG-01` add up
        coming[sku_key(sku)] = coming.get(sku_key(sku), 0) + units
    open_orders = _open_orders_by_sku(order for _, order in orders)
    results = []
    for record in sorted(vault.records("product"), key=lambda r: r.id):
        movements, problems = _ledger(vault, record)
        open_ids = open_orders.get(sku_key(record.id), ())
        try:
            levels = Levels.from_fields(record.data)
        except FieldValueError as exc:
            results.append(ProductForecast(record, None, movements, (f"{record.path}: {exc}", *problems), open_ids))
            continue
        levels = Levels(record.id, levels.on_hand, levels.reorder_point, levels.reorder_qty, levels.lead_time_days)
        result = forecast(levels, movements, coming.get(sku_key(record.id), 0), today, config)
        results.append(ProductForecast(record, result, movements, problems, open_ids))
    return results


def low_stock_shortages(vault: Vault, today: date) -> list[tuple[Record, str]]:
    """The products to restock now, each with the key of its shortage (`restock MUG-01 after
    2026-10-02`), for the low-stock rule: it starts the restock process once per key. Products
    with an open purchase order (draft, ordered or partial) are left out: a restock is under way."""
    return [(item.record, shortage_key(item.record.id, item.movements))
            for item in forecast_all(vault, today)
            if item.forecast is not None and item.forecast.reorder_now and not item.open_orders]
