"""`obm import stripe FILE`: Stripe's payments or balance export into the vault, in one commit.

- a failed or blocked payment becomes a decline record (to follow up);
- a charge, a refund and a payout become `payment` records (`payments/PAY-…`, status
  `unmatched`), with an id made from Stripe's id so two clones importing the same export write
  the same file.

Idempotent on Stripe's ids: a charge id already in a decline, a reference already in a payment
record or on an invoice's or bill's payments row is skipped. The parser is importers/stripe.py;
the rules are docs/finances.md, "Payments in: the Stripe import".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from obm_tui.importers.csvrows import RowReport
from obm_tui.importers.stripe import CHARGE, PAYOUT, REFUND, DeclineCandidate, Movement, parse_payments
from obm_tui.model import ids
from obm_tui.model.errors import ObmError, UsageError
from obm_tui.model.fields import FieldValueError, email_address, to_date, to_money
from obm_tui.model.finance import record_payments, settlement
from obm_tui.model.ids import CROCKFORD
from obm_tui.model.kinds import KINDS
from obm_tui.model.matching import Match, Payer, match
from obm_tui.model.records import Record, validate
from obm_tui.services.dunning import SETTLED
from obm_tui.services.payments_in import InvoiceState, charge_row, invoice_states, link_id, open_infos
from obm_tui.services.templates import record_template_body
from obm_tui.vault.batch import Edit, NewFile, write_many
from obm_tui.vault.store import Vault

PAYMENT_TYPE = {CHARGE: "charge", REFUND: "refund", PAYOUT: "payout"}


@dataclass(frozen=True)
class StripeResult:
    """What a Stripe import did (or would do, with dry_run): a report line per row and the commit."""

    rows: tuple[RowReport, ...]
    recorded: int
    message: str
    commit: str | None = None
    pending: bool = False
    dry_run: bool = False
    paths: tuple[str, ...] = ()
    payments: int = 0  # payment records made
    on_invoices: int = 0  # rows put on invoices
    ambiguous: tuple[str, ...] = field(default_factory=tuple)  # lines: a charge and its candidates

    @property
    def rejected(self) -> int:
        return sum(1 for r in self.rows if r.status == "rejected")

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.rows if r.status == "skipped")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def known_references(vault: Vault) -> set[str]:
    """Stripe ids already in the vault: declines' charge ids, payment records' references, and the
    references of every invoice's and bill's payments rows (as the loader keeps them)."""
    found = {str(r.data["charge_id"]).strip() for r in vault.records("decline", archived=True)
             if r.data.get("charge_id")}
    found |= {str(r.data["reference"]).strip() for r in vault.records("payment", archived=True)
              if r.data.get("reference")}
    for kind in ("invoice", "bill"):
        for record in vault.records(kind, archived=True):
            found |= {p.reference.strip() for p in record_payments(record) if p.reference}
    return found


def payment_id(movement: Movement, taken: set[str]) -> str:
    """`PAY-<yymmdd>-<3 chars of a hash of Stripe's id>`: the same in every clone; a longer hash
    only when another record already has those 3."""
    digest = int.from_bytes(hashlib.sha256(movement.reference.encode("utf-8")).digest()[:8], "big")
    chars = "".join(CROCKFORD[(digest >> (5 * i)) & 31] for i in range(12))
    for length in range(3, 13):
        record_id = ids.serial_id("PAY", movement.day, chars[:length])
        if record_id.casefold() not in taken:
            taken.add(record_id.casefold())
            return record_id
    raise ObmError("could not find a free payment id")  # pragma: no cover - 12 hash characters


def _created(now: datetime, vault: Vault) -> str:
    local = now.astimezone(vault.config.tz).replace(tzinfo=None) if now.tzinfo else now
    return local.replace(second=0, microsecond=0).isoformat(timespec="minutes")


def payment_fields(movement: Movement, record_id: str, created: str) -> dict[str, Any]:
    """The front matter of the payment record of a movement nothing matched."""
    data: dict[str, Any] = {"type": "payment", "id": record_id}
    payer = movement.customer or movement.email
    if payer:
        data["payer"] = payer
    data.update({"date": movement.day.isoformat(), "amount": str(movement.amount), "currency": movement.currency,
                 "payment_type": PAYMENT_TYPE[movement.kind], "status": "unmatched"})
    if email_address(movement.email):
        data["email"] = movement.email
    data["reference"] = movement.reference
    if movement.description:
        data["description"] = movement.description
    if movement.fee:
        data["fee"] = str(movement.fee)
    data.update({"source": "stripe", "created": created})
    return data


class _Plan:
    """What the import will write: new files, and edits of loaded records (one per record)."""

    def __init__(self) -> None:
        self.files: list[NewFile] = []
        self.edits: dict[str, Edit] = {}

    def items(self) -> list[NewFile | Edit]:
        return [*self.files, *self.edits.values()]

    def paths(self) -> tuple[str, ...]:
        return tuple(f.rel for f in self.files) + tuple(self.edits)


def import_stripe(vault: Vault, data: bytes, *, now: datetime, source: str = "payments.csv",
                  dry_run: bool = False) -> StripeResult:
    """Declines for failed payments, payment records for charges, refunds and payouts; one commit."""
    parsed = parse_payments(data, known_references(vault), vault.config.tz)
    if parsed.refused:
        raise UsageError(f"{source}: {parsed.refused}")
    created = _created(now, vault)
    plan = _Plan()
    rows = list(parsed.rows)
    states = invoice_states(vault)
    declines = _plan_declines(vault, parsed.candidates, plan, rows, created, states)
    owed = _open_declines(vault, plan)
    on_invoice = {ref: state for state in states.values() for ref in state.references()}
    taken = vault.index.ids("payment")
    payments = on_invoices = 0
    ambiguous: list[str] = []
    for movement in sorted(parsed.movements, key=lambda m: (m.at, m.kind != CHARGE)):
        state, found = _where(vault, movement, states, on_invoice)
        if movement.kind == CHARGE:
            _recover_by_payer(owed, movement)
        if state is not None:
            on_invoice[movement.reference] = state
            on_invoices += 1
            rows = [_noted(row, movement.row, f"{movement.kind} {movement.amount} {movement.currency} -> "
                                              f"{state.record.id}") for row in rows]
            continue
        if found.ambiguous:
            line = (f"{movement.reference}: {movement.amount} {movement.currency} fits "
                    f"{' and '.join(found.candidates)}; left unmatched for a person to link")
            ambiguous.append(line)
            rows = [_noted(row, movement.row, f"charge {movement.amount} {movement.currency}: fits "
                                              f"{' and '.join(found.candidates)}, left unmatched") for row in rows]
        fields = payment_fields(movement, payment_id(movement, taken), created)
        problems = validate(KINDS["payment"], fields, fields["id"])
        if problems:
            rows = [_refused(row, movement.row, problems[0][1]) for row in rows]
            continue
        plan.files.append(NewFile(f"payments/{fields['id']}.md", fields, ""))
        payments += 1
    for state in states.values():
        if state.added:
            plan.edits[state.record.path] = state.edit()
            _recover_by_invoice(owed, state)
    recovered = _apply_recoveries(owed, plan)
    rejected = sum(1 for r in rows if r.status == "rejected")
    skipped = sum(1 for r in rows if r.status == "skipped")
    done = [f"{_plural(count, word)} {where}" for count, word, where in (
        (declines, "decline", "recorded"), (on_invoices, "payment", "on invoices"), (payments, "payment", "recorded"),
        (recovered, "decline", "recovered")) if count]
    message = (f"import stripe {source}: {', '.join(done) or 'nothing recorded'}; "
               f"{rejected} rows rejected, {skipped} skipped")
    result = StripeResult(tuple(rows), declines + payments + on_invoices, message, dry_run=dry_run,
                          paths=plan.paths(), payments=payments, on_invoices=on_invoices,
                          ambiguous=tuple(ambiguous))
    items = plan.items()
    if dry_run or not items:
        return result
    written = write_many(vault, items, message)
    return replace(result, commit=written.commit, pending=written.pending)


def _where(vault: Vault, movement: Movement, states: dict[str, InvoiceState],
           on_invoice: dict[str, InvoiceState]) -> tuple[InvoiceState | None, Match]:
    """Put a charge on the invoice it matches, a refund on its charge's invoice; else None (and,
    for a charge, the match that failed)."""
    if movement.kind == CHARGE:
        found = match(Payer(movement.amount, movement.currency, movement.email, movement.invoice), open_infos(states))
        if not found.invoice:
            return None, found
        state = states[found.invoice.casefold()]
        state.add(vault, charge_row(movement.day, movement.amount, movement.reference))
        return state, found
    if movement.kind == REFUND and movement.charge in on_invoice:
        state = on_invoice[movement.charge]
        if state.currency == movement.currency:
            state.add(vault, charge_row(movement.day, -movement.amount, movement.reference, "refund",
                                        f"refund of {movement.charge}"))
            return state, Match(state.record.id)
    return None, Match()


def _noted(row: RowReport, number: int, reason: str) -> RowReport:
    """The row's report line says where its money went (a row of the payments export may carry a
    charge and its refund: the notes are joined)."""
    if row.row != number or row.status != "ok":
        return row
    parts = row.reason.split("; ")
    head = reason.split(" -> ")[0].split(":")[0]
    parts = [reason if part == head else part for part in parts]
    return RowReport(row.row, row.key, row.status, "; ".join(parts))


def _refused(row: RowReport, number: int, reason: str) -> RowReport:
    return RowReport(row.row, row.key, "rejected", reason) if row.row == number and row.status == "ok" else row


def _plan_declines(vault: Vault, candidates: tuple[DeclineCandidate, ...], plan: _Plan, rows: list[RowReport],
                   created: str, states: dict[str, InvoiceState]) -> int:
    taken = vault.index.ids("decline")
    body = record_template_body("decline")
    clients: dict[str, str] = {}
    for client in vault.records("client", archived=True):
        email = str(client.data.get("email") or "").strip().casefold()
        if email:
            clients.setdefault(email, client.id)
    count = 0
    for candidate in candidates:
        rel, fields = _decline(candidate, taken, created)
        _link_decline(fields, candidate, clients, states)
        problems = validate(KINDS["decline"], fields, fields["id"])
        if problems:  # a value the importer let through but the record's own checks refuse
            rows[:] = [_refused(row, candidate.row, problems[0][1]) for row in rows]
        else:
            plan.files.append(NewFile(rel, fields, body))
            count += 1
    return count


def _link_decline(fields: dict[str, Any], candidate: DeclineCandidate, clients: dict[str, str],
                  states: dict[str, InvoiceState]) -> None:
    """The decline's `client` (by email), `invoice` (its number, else the client's email and the
    amount on an open invoice) and `code`."""
    client = clients.get(candidate.email.strip().casefold()) if candidate.email else None
    if client:
        fields["client"] = f"[[{client}]]"
    invoice = states.get(candidate.invoice.casefold()) if candidate.invoice else None
    if invoice is None:
        found = match(Payer(candidate.amount, candidate.currency, candidate.email), open_infos(states))
        invoice = states.get(found.invoice.casefold()) if found.invoice else None
    if invoice is not None:
        fields["invoice"] = f"[[{invoice.record.id}]]"
    if candidate.code:
        fields["code"] = candidate.code


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


# ----- declines recovered by a later payment -----------------------------------------------------

@dataclass
class _Owed:
    """A decline still being worked (or made by this import): what a later payment must be to
    recover it, and the day it was recovered (None: not yet)."""

    path: str
    email: str
    amount: Decimal | None
    currency: str
    declined: date | None
    invoice: str
    record: Record | None = None  # None: a decline this import makes (in plan.files)
    recovered: date | None = None


def _open_declines(vault: Vault, plan: _Plan) -> list[_Owed]:
    found = []
    new = [(None, f.rel, dict(f.data)) for f in plan.files if f.data.get("type") == "decline"]
    old = [(r, r.path, dict(r.data)) for r in vault.records("decline") if r.readable
           and str(r.data.get("status") or "new") not in SETTLED]
    for record, path, data in [*old, *new]:
        currency = str(data.get("currency") or vault.config.currency).strip().upper()
        try:
            amount: Decimal | None = to_money(data.get("amount"))
        except FieldValueError:
            amount = None
        try:
            declined = to_date(data.get("declined"))
        except FieldValueError:
            declined = None
        found.append(_Owed(path, str(data.get("email") or "").strip().casefold(), amount, currency, declined,
                           link_id(data.get("invoice")).casefold(), record))
    return found


def _recover_by_payer(owed: list[_Owed], movement: Movement) -> None:
    """A successful charge of the same customer (email) and amount recovers the declines before it."""
    email = movement.email.strip().casefold()
    for item in owed:
        if (item.recovered is None and email and item.email == email and item.amount == movement.amount
                and item.currency == movement.currency and (item.declined is None or item.declined <= movement.day)):
            item.recovered = movement.day


def _recover_by_invoice(owed: list[_Owed], state: InvoiceState) -> None:
    """An invoice this import settled recovers the declines of it, on the day it was paid."""
    settled = settlement("invoice", state.status, state.amount, state.rows)
    if settled.status != "paid" or settled.paid is None:
        return
    for item in owed:
        if item.recovered is None and item.invoice and item.invoice == state.record.id.casefold():
            item.recovered = settled.paid


def _apply_recoveries(owed: list[_Owed], plan: _Plan) -> int:
    """`status: recovered` and `resolved:` on every recovered decline, in the import's commit."""
    count = 0
    for item in owed:
        if item.recovered is None:
            continue
        changes = {"status": "recovered", "resolved": item.recovered.isoformat()}
        if item.record is None:
            plan.files = [replace(f, data={**f.data, **changes}) if f.rel == item.path else f for f in plan.files]
        else:
            plan.edits[item.path] = Edit(item.record, changes)
        count += 1
    return count


__all__ = ["Record", "StripeResult", "import_stripe", "known_references", "payment_id"]
