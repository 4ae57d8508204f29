"""Putting money that came in on invoices: the open invoices as matching sees them, and an
invoice's payments table and status changed by a payment (the Stripe import, `obm finance link`).

An invoice's new rows are appended to its `## Payments` table (model/payments.py, keeping every
other byte) with the row id made from the reference, and its `status`/`paid` are what
`model.finance.settlement` says of all its rows. Nothing here writes: the callers put the edits
in their one commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from obm_tui.importers.stripe import invoice_number
from obm_tui.model import payments
from obm_tui.model.errors import ObmError, ValidationError
from obm_tui.model.fields import FieldValueError, to_date
from obm_tui.model.finance import record_amount, record_currency, record_payments, settlement, waits_for_a_link
from obm_tui.model.matching import OPEN, OpenInvoice, Payer, candidates
from obm_tui.model.merge import DELETED
from obm_tui.model.money import MoneyError
from obm_tui.model.payments import Payment
from obm_tui.model.records import Record
from obm_tui.vault.batch import Edit
from obm_tui.vault.store import Vault


def link_id(raw: Any) -> str:
    """`[[fred-smith]]` or `fred-smith` -> `fred-smith`."""
    text = str(raw or "").strip()
    return text[2:-2].split("|")[0].strip() if text.startswith("[[") and text.endswith("]]") else text


@dataclass
class InvoiceState:
    """An invoice as a payment changes it: its rows so far and, once a row is added, its body."""

    record: Record
    currency: str
    amount: Decimal
    email: str
    rows: list[Payment]
    base_body: str | None = None
    body: str | None = None
    added: list[Payment] = field(default_factory=list)

    @property
    def status(self) -> str:
        return str(self.record.data.get("status") or "draft")

    def info(self) -> OpenInvoice:
        paid = sum((p.amount for p in self.rows), Decimal(0))
        return OpenInvoice(self.record.id, self.currency, self.amount, self.amount - paid, self.email,
                           link_id(self.record.data.get("client")))

    def references(self) -> set[str]:
        return {p.reference for p in self.rows if p.reference}

    def add(self, vault: Vault, payment: Payment) -> None:
        """Append the row to the body (read from disk the first time)."""
        if self.body is None:
            self.base_body = self.body = vault.read_body(self.record)
        self.body = payments.append(self.body, payment)
        self.rows.append(payment)
        self.added.append(payment)

    def changes(self) -> dict[str, Any]:
        """The status and `paid` day its rows make."""
        settled = settlement("invoice", self.status, self.amount, self.rows)
        found: dict[str, Any] = {}
        if settled.status != self.status:
            found["status"] = settled.status
        paid = settled.paid.isoformat() if settled.paid else None
        if paid and str(self.record.data.get("paid") or "") != paid:
            found["paid"] = paid
        elif paid is None and self.record.data.get("paid") and settled.status != "paid":
            found["paid"] = DELETED
        return found

    def edit(self) -> Edit:
        return Edit(self.record, self.changes(), self.body, self.base_body)


def invoice_states(vault: Vault) -> dict[str, InvoiceState]:
    """Every invoice whose money can be read, by id (casefolded): open or not, so a refund finds
    the invoice of its charge."""
    emails = {r.id: str(r.data.get("email") or "") for r in vault.records("client", archived=True)}
    found: dict[str, InvoiceState] = {}
    for record in vault.records("invoice", archived=True):
        if not record.readable:
            continue
        try:
            currency = record_currency(record, vault.config.currency)
            amount = record_amount(record, currency)
        except (MoneyError, ObmError):
            continue
        email = emails.get(link_id(record.data.get("client")), "")
        found[record.id.casefold()] = InvoiceState(record, currency, amount, email, list(record_payments(record)))
    return found


def open_infos(states: dict[str, InvoiceState]) -> list[OpenInvoice]:
    """The open invoices (sent, partly-paid), as matching sees them now."""
    return [s.info() for s in states.values() if s.status in OPEN]


def charge_row(day: date, amount: Decimal, reference: str, method: str = "card", note: str = "") -> Payment:
    """The payments row of an imported or linked payment: its id made from its reference."""
    return Payment(day, amount, method, reference, note, row_id=payments.row_id_for(reference))


# ----- the payments nothing matched: list, link, ignore ------------------------------------------

@dataclass(frozen=True)
class Unmatched:
    """An unmatched payment record and the open invoices it most likely goes on, best first."""

    record: Record
    candidates: tuple[OpenInvoice, ...]

    def as_json(self) -> dict[str, Any]:
        data = self.record.data
        return {"id": self.record.id, "date": str(data.get("date") or ""), "amount": str(data.get("amount") or ""),
                "currency": str(data.get("currency") or ""), "payment_type": str(data.get("payment_type") or "charge"),
                "payer": str(data.get("payer") or ""), "email": str(data.get("email") or ""),
                "reference": str(data.get("reference") or ""),
                "candidates": [{"invoice": c.id, "client": c.client, "owed": str(c.balance), "currency": c.currency}
                               for c in self.candidates]}


LINKABLE_TYPES = ("charge", "credit", "refund")


def _payer(vault: Vault, record: Record) -> Payer | None:
    """What matching needs of a payment record (None when its money cannot be read)."""
    try:
        currency = record_currency(record, vault.config.currency)
        amount = record_amount(record, currency)
    except (MoneyError, ObmError):
        return None
    text = f"{record.data.get('description') or ''} {record.data.get('invoice') or ''}"
    return Payer(amount, currency, str(record.data.get("email") or ""), invoice_number(text))


def unmatched(vault: Vault) -> list[Unmatched]:
    """The unmatched payment records, oldest first, each with its best candidates (charges and credits)."""
    infos = open_infos(invoice_states(vault))
    found = []
    for record in vault.records("payment"):
        if not waits_for_a_link(record):
            continue
        payer = _payer(vault, record)
        kind = str(record.data.get("payment_type") or "charge")
        best = candidates(payer, infos) if payer is not None and kind in ("charge", "credit") else ()
        found.append(Unmatched(record, best))
    return sorted(found, key=lambda u: (str(u.record.data.get("date") or ""), u.record.id))


@dataclass(frozen=True)
class Linked:
    """What `link` did: the message (the commit's), and the records as written."""

    message: str
    commit: str | None
    pending: bool = False


def link(vault: Vault, payment: Record, invoice: Record, *, today: date) -> Linked:
    """Put an unmatched payment record on an invoice: a row there (its id made from the payment's
    reference), the invoice's status and `paid` settled, the record `status: linked` with its
    `invoice:` link — one commit. ValidationError (nothing written) when it cannot go there."""
    kind = str(payment.data.get("payment_type") or "charge")
    status = str(payment.data.get("status") or "unmatched")
    if status != "unmatched":
        raise ValidationError(f"payment {payment.id} is {status}, not unmatched: only an unmatched payment is linked")
    if kind not in LINKABLE_TYPES:
        raise ValidationError(f"payment {payment.id} is a {kind}: only a charge, a credit or a refund goes on an "
                              "invoice")
    payer = _payer(vault, payment)
    if payer is None:
        raise ValidationError(f"payment {payment.id}: its amount or currency cannot be read (see obm check)")
    state = invoice_states(vault).get(invoice.id.casefold())
    if state is None:
        raise ValidationError(f"invoice {invoice.id}: its amount or currency cannot be read (see obm check)")
    allowed = ("partly-paid", "paid") if kind == "refund" else OPEN
    if state.status not in allowed:
        raise ValidationError(f"invoice {invoice.id} is {state.status}: a {kind} goes on a "
                              f"{' or '.join(allowed)} invoice")
    if state.currency != payer.currency:
        raise ValidationError(f"payment {payment.id} is in {payer.currency} and invoice {invoice.id} in "
                              f"{state.currency}: amounts are never converted")
    owed = state.info().balance
    if kind != "refund" and payer.amount > owed:
        raise ValidationError(f"payment {payment.id} ({payer.amount} {payer.currency}) is more than invoice "
                              f"{invoice.id} still owes ({owed} {state.currency})")
    reference = str(payment.data.get("reference") or "") or payment.id
    if reference in state.references():
        raise ValidationError(f"invoice {invoice.id} already has a row for {reference}")
    day = _record_day(payment) or today
    stripe = str(payment.data.get("source") or "") == "stripe"
    amount = -payer.amount if kind == "refund" else payer.amount
    method = "refund" if kind == "refund" else ("card" if stripe else "")
    state.add(vault, charge_row(day, amount, reference, method, f"payment {payment.id}"))
    before = state.status
    edit = state.edit()
    after = str(edit.changes.get("status", before))
    shown = f"{payer.amount} {payer.currency}"
    message = (f"payment {payment.id}: linked to invoice {invoice.id} ({shown})"
               + (f"; invoice {invoice.id}: status {before} -> {after}" if after != before else ""))
    changes = {"status": "linked", "invoice": f"[[{invoice.id}]]"}
    written = vault.write_many([edit, Edit(payment, changes)], message)
    return Linked(message, written.commit, written.pending)


def ignore(vault: Vault, payment: Record) -> Linked:
    """Set an unmatched payment record aside (`status: ignored`: not the business's money)."""
    status = str(payment.data.get("status") or "unmatched")
    if status != "unmatched":
        raise ValidationError(f"payment {payment.id} is {status}, not unmatched")
    message = f"payment {payment.id}: status unmatched -> ignored"
    written = vault.write_many([Edit(payment, {"status": "ignored"})], message)
    return Linked(message, written.commit, written.pending)


def _record_day(record: Record) -> date | None:
    try:
        return to_date(record.data.get("date"))
    except FieldValueError:
        return None
