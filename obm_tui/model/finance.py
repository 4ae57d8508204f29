"""The money facts of a vault: every record that moves money, as dated events and double-entry
postings. Reports (services/finance_report.py) and the accountant's exports (services/books.py)
both stand on this module, so the books always add up to what obm's own reports say.

An **event** is one fact in the business's words (an invoice issued, a payment received, a bill
paid, an expense, a write-off); its **postings** are the same fact as balanced account legs, in
the accounts `[finance.accounts]` names (docs/finances.md, "Accounts"). Amounts are Decimal and
never cross currencies: each event has one currency and its postings balance in it.

Pure: it reads `Record`s (front matter, and the payments the loader keeps in `Record.extra`),
never files or the clock. A record whose money cannot be read is left out and reported as a
`Skipped` with the reason; nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from obm_tui.model.fields import FieldValueError, day_or_none, link_target, to_money
from obm_tui.model.money import MoneyError, currency_code, exact
from obm_tui.model.payments import Payment, from_summary
from obm_tui.model.records import Record

# Event kinds, in business words.
INVOICED = "invoiced"  # an invoice issued (not a draft, not void): money the client owes
RECEIVED = "received"  # a payment row on an invoice (below 0: a refund)
WRITTEN_OFF = "written-off"  # what was still owed on an invoice given up
BILLED = "billed"  # a supplier's bill: money the business owes
BILL_PAID = "bill-paid"  # a payment row on a bill
EXPENSE = "expense"  # money spent and paid at once
UNAPPLIED = "unapplied"  # a charge or credit not (yet) on an invoice (a `payment` record)
REFUND = "refund"  # money given back that is on no invoice (a `payment` record)
PAYOUT = "payout"  # the processor paid the balance out to the bank
FEE = "fee"  # the processor's fee on a payment record

DEFAULT_ACCOUNTS = {
    "bank": "Assets:Bank",
    "processor": "Assets:Stripe",
    "receivable": "Assets:Receivable",
    "payable": "Liabilities:Payable",
    "unapplied": "Liabilities:Unapplied",
    "revenue": "Income:Sales",
    "write_offs": "Expenses:BadDebt",
    "fees": "Expenses:Fees",
    "expenses": "Expenses:Other",
    "opening": "Equity:Opening",
}
PROCESSOR_METHODS = frozenset({"card", "stripe", "processor", "online"})
DEFAULT_PAYMENT_TERMS = 14


@dataclass(frozen=True)
class FinanceSettings:
    """`[finance]` of `.obm/config.toml`, with defaults; `problems` says what could not be used."""

    currency: str = "USD"
    payment_terms: int = DEFAULT_PAYMENT_TERMS
    overpayment: str = "refuse"  # or "credit": the excess becomes a credit `payment` record
    reminders: tuple[int, ...] = (-3, 0, 7, 14, 30)  # days from the due day (below 0: before it)
    accounts: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ACCOUNTS))
    categories: Mapping[str, str] = field(default_factory=dict)  # category -> account
    problems: tuple[str, ...] = ()

    def account(self, role: str) -> str:
        return self.accounts.get(role) or DEFAULT_ACCOUNTS[role]

    def category_account(self, category: str) -> str:
        """The account of an expense or bill category (`software` -> `Expenses:Software`)."""
        key = category.strip().lower()
        if key and key in self.categories:
            return self.categories[key]
        return self.account("expenses")

    def cash_account(self, method: str) -> str:
        """Where a payment's money is: the processor's balance for card payments, else the bank."""
        return self.account("processor") if method.strip().lower() in PROCESSOR_METHODS else self.account("bank")


def finance_settings(section: Mapping[str, Any], currency: str) -> FinanceSettings:
    """`[finance]` read leniently: a value that cannot be used keeps its default and is named."""
    problems: list[str] = []
    terms = section.get("payment_terms", DEFAULT_PAYMENT_TERMS)
    if not _whole_days(terms):
        problems.append(f"[finance] payment_terms must be a whole number of days, got {terms!r}")
        terms = DEFAULT_PAYMENT_TERMS
    over = section.get("overpayment", "refuse")
    if over not in ("refuse", "credit"):
        problems.append(f'[finance] overpayment must be "refuse" or "credit", got {over!r}')
        over = "refuse"
    ladder = section.get("reminders", list(FinanceSettings.reminders))
    if not isinstance(ladder, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in ladder):
        problems.append(f"[finance] reminders must be a list of days from the due day, like [-3, 0, 7], got {ladder!r}")
        ladder = list(FinanceSettings.reminders)
    accounts = dict(DEFAULT_ACCOUNTS)
    accounts.update(_names(section.get("accounts", {}), "[finance.accounts]", problems))
    categories = {k.lower(): v for k, v in _names(section.get("categories", {}), "[finance.categories]",
                                                   problems).items()}
    return FinanceSettings(currency, int(terms), str(over), tuple(sorted(set(ladder))), accounts, categories,
                           tuple(problems))


def _whole_days(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 3650


def _names(table: Any, where: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(table, dict):
        problems.append(f"{where} must be a table of names")
        return {}
    found = {}
    for key, value in table.items():
        if isinstance(value, str) and value.strip():
            found[str(key)] = value.strip()
        else:
            problems.append(f"{where} {key} must be an account name like Expenses:Software, got {value!r}")
    return found


@dataclass(frozen=True, slots=True)
class Event:
    """One money fact. `amount` is in `currency`, signed as the business sees it for its kind
    (a refund is a RECEIVED below 0). `party` is the client id, supplier or payee."""

    day: date
    kind: str
    amount: Decimal
    currency: str
    record: str  # the record's id
    party: str = ""
    category: str = ""
    method: str = ""
    reference: str = ""
    row_id: str = ""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record whose money could not be read: left out of every figure, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Posting:
    """One leg of a transaction: `amount` debits the account when above 0, credits it below."""

    account: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Facts:
    """Every money event of a vault (by day), and the records left out."""

    events: tuple[Event, ...]
    skipped: tuple[Skipped, ...] = ()


def record_currency(record: Record, default: str) -> str:
    """The record's `currency`, else the vault's; MoneyError for a code that is no currency."""
    raw = record.data.get("currency")
    return currency_code(raw) if isinstance(raw, str) and raw.strip() else default


def record_amount(record: Record, currency: str) -> Decimal:
    """The record's `amount` at its currency's scale; MoneyError when it cannot be read."""
    try:
        amount = to_money(record.data.get("amount"))
    except FieldValueError as exc:
        raise MoneyError(f"amount: {exc}") from None
    return exact(amount, currency)


def record_payments(record: Record) -> tuple[Payment, ...]:
    """The rows of the record's `## Payments` table, as the loader kept them."""
    rows = record.extra.get("payments") if record.extra else None
    return from_summary(rows) if rows else ()


def _day(record: Record, name: str) -> date | None:
    return day_or_none(record.data.get(name))
# How the loader's problems with a `## Payments` row begin (model/payments.py).
PAYMENT_PROBLEMS = ("a payment", "the payments table")


def unreadable_row(record: Record) -> Skipped | None:
    """An invoice or bill with a payment row obm cannot read (`12,50`, a bad date, another
    currency): the loader keeps only the rows it could read, so counting the record would count a
    payment short. It is left out, and named, until the row is fixed."""
    if record.kind not in ("invoice", "bill") or not record.problems:
        return None
    bad = [p for p in record.problems if p.reason.startswith(PAYMENT_PROBLEMS)]
    return Skipped(record.path, f"line {bad[0].line}: {bad[0].reason}") if bad else None


def collect(records: Iterable[Record], default_currency: str) -> Facts:
    """The events of every invoice, bill, expense and payment record, oldest first."""
    events: list[Event] = []
    skipped: list[Skipped] = []
    for record in records:
        reader = _READERS.get(record.kind)
        if reader is None or not record.readable or record.data.get("archived") is True:
            continue
        bad_row = unreadable_row(record)
        if bad_row is not None:
            skipped.append(bad_row)
            continue
        try:
            events.extend(reader(record, default_currency))
        except MoneyError as exc:
            skipped.append(Skipped(record.path, str(exc)))
    events.sort(key=lambda e: (e.day, e.record, e.kind))
    return Facts(tuple(events), tuple(skipped))


def _rows(record: Record, currency: str, kind: str, party: str) -> list[Event]:
    found = []
    for payment in record_payments(record):
        if payment.currency and payment.currency != currency:
            raise MoneyError(f"a payment of {payment.amount} {payment.currency} on a {currency} record "
                             f"({payment.day}): amounts are never converted")
        found.append(Event(payment.day, kind, payment.amount, currency, record.id, party,
                           method=payment.method, reference=payment.reference, row_id=payment.row_id))
    return found


def _invoice(record: Record, default: str) -> list[Event]:
    status = str(record.data.get("status") or "draft")
    if status in ("draft", "void"):
        return []
    currency = record_currency(record, default)
    amount = record_amount(record, currency)
    issued = _day(record, "issued")
    if issued is None:
        raise MoneyError(f"an invoice with status {status} has no issued day")
    client = _link(record.data.get("client"))
    events = [Event(issued, INVOICED, amount, currency, record.id, client)]
    received = _rows(record, currency, RECEIVED, client)
    if not received and status == "paid":  # marked paid by hand, before payments had rows: paid in full
        received = [Event(_day(record, "paid") or issued, RECEIVED, amount, currency, record.id, client)]
    events.extend(received)
    if status == "written-off":
        owed = amount - sum((e.amount for e in received), Decimal(0))
        if owed > 0:
            events.append(Event(_day(record, "closed") or issued, WRITTEN_OFF, owed, currency, record.id, client))
    return events


def _bill(record: Record, default: str) -> list[Event]:
    if str(record.data.get("status") or "unpaid") == "void":
        return []
    currency = record_currency(record, default)
    amount = record_amount(record, currency)
    issued = _day(record, "issued")
    if issued is None:
        raise MoneyError("a bill has no issued day")
    supplier = str(record.data.get("supplier") or "")
    category = str(record.data.get("category") or "")
    events = [Event(issued, BILLED, amount, currency, record.id, supplier, category)]
    events.extend(_rows(record, currency, BILL_PAID, supplier))
    return events


def _expense(record: Record, default: str) -> list[Event]:
    currency = record_currency(record, default)
    day = _day(record, "date")
    if day is None:
        raise MoneyError("an expense has no date")
    return [Event(day, EXPENSE, record_amount(record, currency), currency, record.id,
                  str(record.data.get("payee") or ""), str(record.data.get("category") or ""),
                  str(record.data.get("paid_with") or ""))]


def waits_for_a_link(record: Record) -> bool:
    """A payment record a person should put on an invoice: unmatched, and not a payout (money
    moved from the processor to the bank is no one's payment: it is in the books as it is)."""
    return (record.kind == "payment" and record.readable and not record.data.get("archived")
            and str(record.data.get("status") or "unmatched") == "unmatched"
            and str(record.data.get("payment_type") or "charge") != "payout")


def _payment(record: Record, default: str) -> list[Event]:
    status = str(record.data.get("status") or "unmatched")
    payout = str(record.data.get("payment_type") or "charge") == "payout"
    if status == "ignored" or (status == "linked" and not payout):  # linked: a row on its invoice
        return []
    currency = record_currency(record, default)
    day = _day(record, "date")
    if day is None:
        raise MoneyError("a payment has no date")
    amount = record_amount(record, currency)
    kind = {"charge": UNAPPLIED, "credit": UNAPPLIED, "refund": REFUND, "payout": PAYOUT}.get(
        str(record.data.get("payment_type") or "charge"), UNAPPLIED)
    party = _link(record.data.get("client")) or str(record.data.get("payer") or "")
    method = "stripe" if str(record.data.get("source") or "") == "stripe" else ""
    reference = str(record.data.get("reference") or "")
    events = [Event(day, kind, amount, currency, record.id, party, method=method, reference=reference)]
    fee = record.data.get("fee")
    if fee not in (None, ""):
        try:
            events.append(Event(day, FEE, exact(to_money(fee), currency), currency, record.id, party,
                                method=method, reference=reference))
        except FieldValueError as exc:
            raise MoneyError(f"fee: {exc}") from None
    return events


def _link(raw: Any) -> str:
    return link_target(raw)
_READERS = {"invoice": _invoice, "bill": _bill, "expense": _expense, "payment": _payment}


def postings(event: Event, settings: FinanceSettings) -> tuple[Posting, ...]:
    """The event as balanced legs (they sum to 0 in its currency)."""
    a, c = event.amount, event.currency
    account = settings.account
    if event.kind == INVOICED:
        legs = ((account("receivable"), a), (account("revenue"), -a))
    elif event.kind == RECEIVED:
        legs = ((settings.cash_account(event.method), a), (account("receivable"), -a))
    elif event.kind == WRITTEN_OFF:
        legs = ((account("write_offs"), a), (account("receivable"), -a))
    elif event.kind == BILLED:
        legs = ((settings.category_account(event.category), a), (account("payable"), -a))
    elif event.kind == BILL_PAID:
        legs = ((account("payable"), a), (account("bank"), -a))
    elif event.kind == EXPENSE:
        legs = ((settings.category_account(event.category), a), (account("bank"), -a))
    elif event.kind == UNAPPLIED:
        legs = ((settings.cash_account(event.method), a), (account("unapplied"), -a))
    elif event.kind == REFUND:
        legs = ((account("revenue"), a), (settings.cash_account(event.method), -a))
    elif event.kind == PAYOUT:
        legs = ((account("bank"), a), (account("processor"), -a))
    elif event.kind == FEE:
        legs = ((account("fees"), a), (account("processor"), -a))
    else:  # pragma: no cover - every kind above is handled
        raise ValueError(f"unknown event kind {event.kind!r}")
    return tuple(Posting(name, amount, c) for name, amount in legs)


def balances(events: Iterable[Event], settings: FinanceSettings) -> dict[tuple[str, str], Decimal]:
    """Each (account, currency)'s balance after the events: what an export's books must show."""
    totals: dict[tuple[str, str], Decimal] = {}
    for event in events:
        for leg in postings(event, settings):
            key = (leg.account, leg.currency)
            totals[key] = totals.get(key, Decimal(0)) + leg.amount
    return totals


# ----- what a record's payments make of its status ---------------------------------------------

OPEN_STATUSES = {"invoice": ("sent", "partly-paid", "paid"), "bill": ("unpaid", "partly-paid", "paid")}
UNPAID_STATUS = {"invoice": "sent", "bill": "unpaid"}


@dataclass(frozen=True, slots=True)
class Settlement:
    """A record's status and `paid` day after its payments; `over` is what was paid beyond the amount."""

    status: str
    paid: date | None
    balance: Decimal
    over: Decimal


def settlement(kind: str, status: str, amount: Decimal, rows: Iterable[Payment]) -> Settlement:
    """What an invoice's (or bill's) payments say: `paid` once they reach its amount (on the day
    the running sum first stayed there), `partly-paid` below it, unpaid with none. A draft with a
    payment counts as sent; `void` and `written-off` stay as they are."""
    ordered = sorted(rows, key=lambda p: p.day)
    total = sum((p.amount for p in ordered), Decimal(0))
    balance = amount - total
    over = -balance if balance < 0 else Decimal(0)
    if status in ("void", "written-off") or kind not in OPEN_STATUSES:
        return Settlement(status, None, balance, over)
    if not ordered or total <= 0:
        return Settlement(UNPAID_STATUS[kind] if status != "draft" or ordered else status, None, balance, over)
    if balance > 0:
        return Settlement("partly-paid", None, balance, over)
    return Settlement("paid", _day_settled(ordered, amount), balance, over)


def _day_settled(ordered: list[Payment], amount: Decimal) -> date:
    """The day of the payment after which the running sum never fell below the amount again."""
    running, settled = Decimal(0), None
    for payment in ordered:
        running += payment.amount
        if running < amount:
            settled = None
        elif settled is None:
            settled = payment.day
    return settled or ordered[-1].day
