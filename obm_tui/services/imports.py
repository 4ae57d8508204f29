"""CSV imports: Shopify orders (-> `ship` rows in the products' ledgers) and Stripe payments
(-> decline records for failed payments). Each import is one commit; each row gets a report line.

Both are idempotent: an order number already in a ledger's `Ref` (`order 1042`) and a charge id
already in a decline record are skipped. A file that is not what it should be is refused whole
(UsageError); rows that cannot be imported are rejected and the rest go in. The parsers are
`importers/shopify.py` and `importers/stripe.py`; the rules are docs/stock.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from obm_tui.importers.csvrows import RowReport
from obm_tui.importers.shopify import Order, parse_orders
from obm_tui.importers.stripe import DeclineCandidate, parse_payments
from obm_tui.model import ids, ledger
from obm_tui.model.errors import ObmError, UsageError
from obm_tui.model.fields import email_address
from obm_tui.model.kinds import KINDS
from obm_tui.model.ledger import StockError
from obm_tui.model.records import Record, validate
from obm_tui.services.stock import on_hand_of, read_product
from obm_tui.services.templates import record_template_body
from obm_tui.vault.batch import Edit, NewFile, write_many
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


# ----- Stripe --------------------------------------------------------------------------------

def known_charges(vault: Vault) -> set[str]:
    """Charge ids already in a decline record."""
    return {str(r.data["charge_id"]).strip() for r in vault.records("decline", archived=True)
            if r.data.get("charge_id")}


def import_stripe(vault: Vault, data: bytes, *, now: datetime, source: str = "payments.csv",
                  dry_run: bool = False) -> CsvImport:
    """A decline record for every Failed or Blocked payment not recorded before; one commit."""
    parsed = parse_payments(data, known_charges(vault), vault.config.tz)
    if parsed.refused:
        raise UsageError(f"{source}: {parsed.refused}")
    taken = vault.index.ids("decline")
    body = record_template_body("decline")
    local = now.astimezone(vault.config.tz).replace(tzinfo=None) if now.tzinfo else now
    created = local.replace(second=0, microsecond=0).isoformat(timespec="minutes")
    files: list[NewFile] = []
    rows = list(parsed.rows)
    for candidate in parsed.candidates:
        rel, fields = _decline(candidate, taken, created)
        problems = validate(KINDS["decline"], fields, fields["id"])
        if problems:  # a value the importer let through but the record's own checks refuse
            rows = [_refused_row(row, candidate, problems[0][1]) for row in rows]
        else:
            files.append(NewFile(rel, fields, body))
    rejected = sum(1 for r in rows if r.status == "rejected")
    skipped = sum(1 for r in rows if r.status == "skipped")
    message = (f"import stripe {source}: {_plural(len(files), 'decline')} recorded; "
               f"{rejected} rows rejected, {skipped} skipped")
    result = CsvImport(tuple(rows), len(files), message, dry_run=dry_run, paths=tuple(f.rel for f in files))
    if dry_run or not files:
        return result
    written = write_many(vault, files, message)
    return replace(result, commit=written.commit, pending=written.pending)


def _refused_row(row: RowReport, candidate: DeclineCandidate, reason: str) -> RowReport:
    if row.row != candidate.row:
        return row
    return RowReport(row.row, row.key, "rejected", reason)


def _decline(candidate: DeclineCandidate, taken: set[str], created: str) -> tuple[str, dict[str, Any]]:
    customer = candidate.customer or candidate.email or "unknown customer"
    for _ in range(100):
        record_id = ids.event_id(candidate.declined, customer, ids.random_suffix())
        if record_id.casefold() not in taken:
            taken.add(record_id.casefold())
            break
    else:  # pragma: no cover - 32,768 suffixes a day
        raise ObmError("could not find a free decline id for that day")
    data: dict[str, Any] = {"type": "decline", "id": record_id, "customer": customer}
    if email_address(candidate.email):
        data["email"] = candidate.email
    data.update({"amount": str(candidate.amount), "currency": candidate.currency})
    if candidate.product:
        data["product"] = candidate.product
    data.update({"declined": candidate.declined.isoformat(), "status": "new", "charge_id": candidate.charge_id})
    if candidate.reason:
        data["reason"] = candidate.reason
    data["created"] = created
    return f"declines/{record_id}.md", data
