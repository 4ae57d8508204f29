"""Putting money that came in on invoices: the open invoices as matching sees them, and an
invoice's payments table and status changed by a payment (the Stripe import, `obm finance link`).

An invoice's new rows are appended to its `## Payments` table (model/payments.py, keeping every
other byte) with the row id made from the reference, and its `status`/`paid` are what
`model.finance.settlement` says of all its rows. Nothing here writes: the callers put the edits
in their one commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from obm_tui.model import payments
from obm_tui.model.errors import ObmError
from obm_tui.model.finance import record_amount, record_currency, record_payments, settlement
from obm_tui.model.matching import OPEN, OpenInvoice
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


def charge_row(day: Any, amount: Decimal, reference: str, method: str = "card", note: str = "") -> Payment:
    """The payments row of an imported or linked payment: its id made from its reference."""
    return Payment(day, amount, method, reference, note, row_id=payments.row_id_for(reference))
