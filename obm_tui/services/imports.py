"""CSV imports: Shopify orders (-> `ship` rows in the products' ledgers) and Stripe payments
(services/stripe_import.py: declines, charges, refunds, payouts). Each import is one commit;
each row gets a report line.

Both are idempotent: an order number already in a ledger's `Ref` (`order 1042`) and a charge id
already in a decline record are skipped. A file that is not what it should be is refused whole
(UsageError); rows that cannot be imported are rejected and the rest go in. The parsers are
`importers/shopify.py` and `importers/stripe.py`; the rules are docs/stock.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from obm_tui.importers.csvrows import RowReport
from obm_tui.importers.shopify import Order, parse_orders
from obm_tui.model import ledger
from obm_tui.model.errors import ObmError, UsageError
from obm_tui.model.ledger import StockError
from obm_tui.model.records import Record
from obm_tui.services.stock import on_hand_of, read_product
from obm_tui.services.stripe_import import import_stripe, known_references
from obm_tui.vault.batch import Edit, write_many
from obm_tui.vault.store import Vault


@dataclass(frozen=True)
class CsvImport:
    """What a CSV import did (or would do, with dry_run): a report line per row and the commit."""

    rows: tuple[RowReport, ...]
    recorded: int
    message: str
    commit: str | None = None
    pending: bool = False
    dry_run: bool = False
    paths: tuple[str, ...] = ()

    @property
    def rejected(self) -> int:
        return sum(1 for r in self.rows if r.status == "rejected")

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.rows if r.status == "skipped")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# ----- Shopify -------------------------------------------------------------------------------

@dataclass
class _Product:
    record: Record
    base_body: str
    body: str
    on_hand: int
    problem: str = ""


def imported_orders(vault: Vault) -> set[str]:
    """Order numbers already recorded: every `order N` Ref in any product's ledger."""
    found: set[str] = set()
    for record in vault.records("product", archived=True):
        try:
            body = vault.read_body(record)
        except ObmError:
            continue
        for movement in ledger.parse(body).movements:
            ref = movement.ref.strip()
            if ref.lower().startswith("order "):
                found.add(ref[6:].strip().lstrip("#"))
    return found


def import_shopify(vault: Vault, data: bytes, *, source: str = "orders.csv", dry_run: bool = False) -> CsvImport:
    """Record a `ship` movement per SKU for every order not imported before; one commit."""
    products = {r.id: r for r in vault.records("product", archived=True)}
    parsed = parse_orders(data, products.keys(), imported_orders(vault))
    if parsed.refused:
        raise UsageError(f"{source}: {parsed.refused}")
    states: dict[str, _Product] = {}
    rows = list(parsed.rows)
    recorded: list[Order] = []
    for order in sorted(parsed.orders, key=lambda o: o.created):
        failure = _ship_order(vault, order, products, states)
        if failure:
            rows = [_reject(row, order, failure) for row in rows]
        else:
            recorded.append(order)
    changed = [s for s in states.values() if s.body != s.base_body]
    units = sum(sum(o.quantities().values()) for o in recorded)
    rejected = sum(1 for r in rows if r.status == "rejected")
    skipped = sum(1 for r in rows if r.status == "skipped")
    message = (f"import shopify {source}: {_plural(len(recorded), 'order')} recorded, "
               f"{_plural(units, 'unit')} shipped; {rejected} rows rejected, {skipped} skipped")
    result = CsvImport(tuple(rows), len(recorded), message, dry_run=dry_run,
                       paths=tuple(s.record.path for s in changed))
    if dry_run or not changed:
        return result
    edits = [Edit(s.record, {"on_hand": str(s.on_hand)}, s.body, s.base_body) for s in changed]
    written = write_many(vault, edits, message)
    return replace(result, commit=written.commit, pending=written.pending)


def _state(vault: Vault, record: Record, states: dict[str, _Product]) -> _Product:
    if record.id not in states:
        try:
            doc = read_product(vault, record)
            states[record.id] = _Product(record, doc.body, doc.body, on_hand_of(record, doc.data))
        except ObmError as exc:
            states[record.id] = _Product(record, "", "", 0, exc.message)
    return states[record.id]


def _ship_order(vault: Vault, order: Order, products: dict[str, Record], states: dict[str, _Product]) -> str:
    """Plan every line of an order; apply them only when all can be recorded. '' or the reason."""
    created = order.created if order.created.tzinfo is None else order.created.astimezone(vault.config.tz)
    when = created.replace(tzinfo=None, second=0, microsecond=0)  # no offset in the file: the vault's time
    planned: list[tuple[_Product, ledger.Recorded]] = []
    for sku, qty in order.quantities().items():
        state = _state(vault, products[sku], states)
        if state.problem:
            return f"{sku}: {state.problem}"
        try:  # quantities() has each SKU once, so each product is planned once per order
            planned.append((state, ledger.record(state.body, sku, state.on_hand, "ship", qty, when, order.ref)))
        except StockError as exc:
            return exc.message
    for state, recorded in planned:
        state.body, state.on_hand = recorded.body, recorded.movement.on_hand
    return ""


def _reject(row: RowReport, order: Order, reason: str) -> RowReport:
    if row.key != order.ref or row.status != "ok":
        return row
    return RowReport(row.row, row.key, "rejected", f"order not imported ({reason})")

__all__ = ["CsvImport", "import_shopify", "import_stripe", "known_references"]
