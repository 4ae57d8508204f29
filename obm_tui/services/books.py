"""The books for the accountant: every money event of the vault as a double-entry journal, in
Beancount, hledger or CSV (`obm export beancount|hledger|csv`; docs/finances.md, "Accounts and
the books for the accountant").

The transactions are `model.finance.postings` of `model.finance.collect`'s events, so an export
always adds up to what obm's own reports say. Each transaction carries the id of the record it
comes from (and the payment row's id when it is a row), so the accountant can find the file.
A period (`start`/`end`, both included) starts with the opening balances of the balance-sheet
accounts (Assets, Liabilities, Equity) against the `opening` account. Records `collect` could not
read are in `Books.skipped`: the command names them and exits 1, never a silent gap.

The writers are pure (values in, text out); names and strings are escaped for each format.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from obm_tui.model import finance
from obm_tui.model.errors import ValidationError
from obm_tui.model.finance import Event, FinanceSettings, Posting, Skipped
from obm_tui.model.money import currency_code, format_amount
from obm_tui.model.records import Record
from obm_tui.vault.store import Vault

FORMATS = ("beancount", "hledger", "csv")
ROOTS = ("Assets", "Liabilities", "Equity", "Income", "Expenses")
BALANCE_SHEET = ("Assets", "Liabilities", "Equity")
CSV_COLUMNS = ("date", "record", "row", "event", "payee", "narration", "account", "amount", "currency", "category")

_NARRATION = {
    finance.INVOICED: "Invoice {record}",
    finance.RECEIVED: "Payment on {record}",
    finance.WRITTEN_OFF: "Written off: {record}",
    finance.BILLED: "Bill {record}",
    finance.BILL_PAID: "Paid bill {record}",
    finance.EXPENSE: "Expense {record}",
    finance.UNAPPLIED: "Payment not on an invoice yet {record}",
    finance.REFUND: "Refund {record}",
    finance.PAYOUT: "Payout {record}",
    finance.FEE: "Processor fee {record}",
}
_TITLED = (finance.INVOICED, finance.BILLED)


@dataclass(frozen=True, slots=True)
class Transaction:
    """One balanced transaction of the export; `event` is the event kind ("opening" for the
    opening balances), `record` and `row` where it comes from."""

    day: date
    payee: str
    narration: str
    record: str
    row: str
    event: str
    category: str
    postings: tuple[Posting, ...]


@dataclass(frozen=True)
class Books:
    """The journal of a period: transactions by day, the accounts and currencies they use, the
    records left out (and why)."""

    title: str
    transactions: tuple[Transaction, ...]
    accounts: tuple[str, ...]
    currencies: tuple[str, ...]
    skipped: tuple[Skipped, ...] = ()

    @property
    def first_day(self) -> date | None:
        return self.transactions[0].day if self.transactions else None


def account_name(name: str, where: str = "") -> str:
    """An account name every format reads: components of letters, digits and dashes, each
    starting with a capital or a digit (`Expenses:Travel & air fare` -> `Expenses:Travel-air-fare`),
    under one of Beancount's five roots; ValidationError naming `where` otherwise."""
    parts = []
    for part in name.split(":"):
        cleaned = re.sub(r"-{2,}", "-", re.sub(r"[^\w-]|_", "-", part.strip())).strip("-")
        if not cleaned:
            continue
        cleaned = cleaned[0].upper() + cleaned[1:]
        parts.append(cleaned if cleaned[0].isupper() or cleaned[0].isdigit() else f"X-{cleaned}")
    if len(parts) < 2 or parts[0] not in ROOTS:
        raise ValidationError(f"{where or 'account'} {name!r} cannot be an account of the books: it must be like "
                              f"Expenses:Software, under one of {', '.join(ROOTS)}")
    return ":".join(parts)


def book_settings(settings: FinanceSettings) -> FinanceSettings:
    """The settings with every account name made safe (and checked) once."""
    accounts = {role: account_name(settings.account(role), f"[finance.accounts] {role}")
                for role in finance.DEFAULT_ACCOUNTS}
    categories = {key: account_name(value, f"[finance.categories] {key}") for key, value in settings.categories.items()}
    return FinanceSettings(settings.currency, settings.payment_terms, settings.overpayment, settings.reminders,
                           accounts, categories, settings.problems)


def books_of(records: Iterable[Record], settings: FinanceSettings, *, title: str = "",
             start: date | None = None, end: date | None = None) -> Books:
    """The journal of the records' money from `start` to `end` (both included; None: open)."""
    records = list(records)
    settings = book_settings(settings)
    facts = finance.collect(records, settings.currency)
    names = {r.id: r.title for r in records if r.kind == "client"}
    titles = {r.id: r.title for r in records if r.kind in ("invoice", "bill")}
    before = [e for e in facts.events if start is not None and e.day < start]
    within = [e for e in facts.events if (start is None or e.day >= start) and (end is None or e.day <= end)]
    transactions = _opening(before, settings, start) if start is not None else []
    transactions += [_transaction(e, settings, names, titles) for e in within]
    accounts = sorted({leg.account for t in transactions for leg in t.postings})
    currencies = sorted({leg.currency for t in transactions for leg in t.postings})
    return Books(title, tuple(transactions), tuple(accounts), tuple(currencies), facts.skipped)


def vault_books(vault: Vault, *, start: date | None = None, end: date | None = None) -> Books:
    """The journal of the vault's records (archived ones too: their money happened)."""
    settings = finance.finance_settings(vault.config.section("finance"), currency_code(vault.config.currency))
    return books_of(vault.records(archived=True), settings, title=vault.config.business_name, start=start, end=end)


def _transaction(event: Event, settings: FinanceSettings, names: Mapping[str, str],
                 titles: Mapping[str, str]) -> Transaction:
    narration = _NARRATION[event.kind].format(record=event.record)
    if event.kind == finance.RECEIVED and event.amount < 0:
        narration = f"Refund on {event.record}"
    title = titles.get(event.record, "")
    if event.kind in _TITLED and title and title != event.record:
        narration = f"{narration}: {title}"
    if event.kind == finance.EXPENSE and event.category:
        narration = f"{narration}: {event.category}"
    return Transaction(event.day, names.get(event.party, event.party), narration, event.record, event.row_id,
                       event.kind, event.category, finance.postings(event, settings))


def _opening(before: list[Event], settings: FinanceSettings, start: date) -> list[Transaction]:
    """One transaction per currency: each balance-sheet account's balance before `start`; what the
    income and expense accounts made before it (the result so far) goes to the `opening` account."""
    totals = finance.balances(before, settings)
    opening = settings.account("opening")
    found = []
    for currency in sorted({c for _, c in totals}):
        legs = [Posting(account, amount, currency) for (account, c), amount in sorted(totals.items())
                if c == currency and amount != 0 and account.split(":")[0] in BALANCE_SHEET and account != opening]
        if not legs:
            continue
        legs.append(Posting(opening, -sum((leg.amount for leg in legs), Decimal(0)), currency))
        found.append(Transaction(start, "", f"Opening balances on {start.isoformat()}", "", "", "opening", "",
                                 tuple(legs)))
    return found


# ----- Beancount -----------------------------------------------------------------------------------

def _bean_string(text: str) -> str:
    """A Beancount string: quotes and backslashes escaped, one line."""
    one_line = " ".join(text.split())
    return '"' + one_line.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _amount(amount: Decimal, currency: str) -> str:
    value = format_amount(amount, currency)
    return value[1:] if value.startswith("-") and Decimal(value) == 0 else value


def beancount_text(books: Books) -> str:
    """The books as a Beancount file: options, one commodity per currency, an `open` for every
    account, then the transactions, each with `record:` (and `row:`) metadata."""
    lines = [f"; {books.title}: the books exported by obm from the vault's records.",
             "; Every transaction names the record it comes from (record:) and the payment row (row:).", ""]
    if books.title:
        lines.append(f"option \"title\" {_bean_string(books.title)}")
    lines += [f"option \"operating_currency\" \"{code}\"" for code in books.currencies]
    first = books.first_day
    if first is not None:
        lines.append("")
        lines += [f"{first.isoformat()} commodity {code}" for code in books.currencies]
        lines.append("")
        lines += [f"{first.isoformat()} open {account}" for account in books.accounts]
    for t in books.transactions:
        lines.append("")
        lines.append(f"{t.day.isoformat()} * {_bean_string(t.payee)} {_bean_string(t.narration)}")
        if t.record:
            lines.append(f"  record: {_bean_string(t.record)}")
        if t.row:
            lines.append(f"  row: {_bean_string(t.row)}")
        if t.category:
            lines.append(f"  category: {_bean_string(t.category)}")
        lines += [f"  {leg.account}  {_amount(leg.amount, leg.currency)} {leg.currency}" for leg in t.postings]
    return "\n".join(lines) + "\n"


# ----- hledger -------------------------------------------------------------------------------------

def _ledger_text(text: str) -> str:
    """A description's part for hledger: one line, no `|` (it splits payee from note), no `;`
    (it starts a comment)."""
    return " ".join(text.split()).replace("|", "/").replace(";", ",")


def _tag_value(text: str) -> str:
    """A tag's value: it ends at a comma or the line's end."""
    return " ".join(text.split()).replace(",", " ")


def hledger_text(books: Books) -> str:
    """The books as an hledger journal: commodities, account declarations, then transactions
    tagged `record:` (and `row:`)."""
    lines = [f"; {_ledger_text(books.title)}: the books exported by obm from the vault's records.",
             "; Every transaction is tagged with the record it comes from (record:) and the payment row (row:).",
             "", "decimal-mark ."]
    lines += [f"commodity {format_amount(Decimal(1000), code)} {code}" for code in books.currencies]
    lines.append("")
    lines += [f"account {account}" for account in books.accounts]
    for t in books.transactions:
        description = _ledger_text(t.narration)
        if t.payee:
            description = f"{_ledger_text(t.payee)} | {description}"
        tags = [f"record:{_tag_value(t.record)}"] if t.record else []
        tags += [f"row:{_tag_value(t.row)}"] if t.row else []
        tags += [f"category:{_tag_value(t.category)}"] if t.category else []
        lines.append("")
        lines.append(f"{t.day.isoformat()} {description}" + (f"  ; {', '.join(tags)}" if tags else ""))
        lines += [f"    {leg.account}  {_amount(leg.amount, leg.currency)} {leg.currency}" for leg in t.postings]
    return "\n".join(lines) + "\n"


# ----- CSV -----------------------------------------------------------------------------------------

def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run: one starting with = + - @ (a formula) gets a `'`."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(books: Books) -> str:
    """The books as CSV: one line per posting (a transaction's lines share date and record)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for t in books.transactions:
        for leg in t.postings:
            writer.writerow((t.day.isoformat(), _cell(t.record), _cell(t.row), t.event, _cell(t.payee),
                             _cell(t.narration), leg.account, _amount(leg.amount, leg.currency), leg.currency,
                             _cell(t.category)))
    return out.getvalue()


WRITERS = {"beancount": beancount_text, "hledger": hledger_text, "csv": csv_text}


def render(books: Books, fmt: str) -> str:
    """The books in `fmt` (one of FORMATS)."""
    return WRITERS[fmt](books)
