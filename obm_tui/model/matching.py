"""Which open invoice a payment from the processor is for: a pure core over plain values.

A charge goes on an open invoice (`sent` or `partly-paid`) of its own currency:

1. by the invoice number it carries (`invoice_id` metadata, or an `INV-…` in its description),
   when it is not more than the invoice still owes;
2. else by the payer's email (the client's `email`) and the amount (what the invoice still owes).

A charge two invoices fit equally is **not** matched: it is left for a person, with both
candidates named. Amounts are Decimal; currencies are never mixed. docs/finances.md, "Payments
in: the Stripe import".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

OPEN = ("sent", "partly-paid")
BY_NUMBER, BY_EMAIL_AMOUNT = "invoice number", "email and amount"


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """What matching needs of an invoice: `balance` is what it still owes."""

    id: str
    currency: str
    amount: Decimal
    balance: Decimal
    email: str = ""  # the client's address
    client: str = ""


@dataclass(frozen=True, slots=True)
class Payer:
    """What matching needs of a payment: its amount, currency, payer's email and invoice number."""

    amount: Decimal
    currency: str
    email: str = ""
    invoice: str = ""  # an `INV-…` number it carries, or ""


@dataclass(frozen=True, slots=True)
class Match:
    """`invoice` when one fits (and `how`), else the `candidates` a person chooses from."""

    invoice: str = ""
    how: str = ""
    candidates: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return not self.invoice and len(self.candidates) > 1


def _same(a: str, b: str) -> bool:
    return bool(a) and a.strip().casefold() == b.strip().casefold()


def match(payer: Payer, invoices: Iterable[OpenInvoice]) -> Match:
    """The invoice a charge goes on, or no match (with the candidates when two or more fit)."""
    fitting = [i for i in invoices if i.currency == payer.currency and i.balance > 0]
    if payer.invoice:
        named = [i for i in fitting if _same(i.id, payer.invoice) and payer.amount <= i.balance]
        if len(named) == 1:
            return Match(named[0].id, BY_NUMBER)
    by_email = [i for i in fitting if _same(i.email, payer.email) and i.balance == payer.amount]
    if len(by_email) == 1:
        return Match(by_email[0].id, BY_EMAIL_AMOUNT)
    return Match(candidates=tuple(sorted(i.id for i in by_email)))


def candidates(payer: Payer, invoices: Iterable[OpenInvoice], limit: int = 3) -> tuple[OpenInvoice, ...]:
    """The open invoices a person would most likely put the payment on, best first: its number,
    then the payer's email, then the amount owed; only invoices of its currency."""

    def score(invoice: OpenInvoice) -> int:
        return (4 * _same(invoice.id, payer.invoice) + 2 * _same(invoice.email, payer.email)
                + (invoice.balance == payer.amount))

    scored = [(score(i), i) for i in invoices if i.currency == payer.currency and i.balance > 0]
    ranked = sorted((pair for pair in scored if pair[0]), key=lambda pair: (-pair[0], pair[1].id))
    return tuple(invoice for _, invoice in ranked[:limit])
