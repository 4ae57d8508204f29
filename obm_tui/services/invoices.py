"""The invoice lifecycle: send, record a payment (or a refund), void, write off; and what an
invoice is now (its balance, its payments, whether it is overdue).

Every change is one write and one commit through the vault's one road (`Vault.write_many`), with a
message in the business's words (`invoice INV-261101-7DA: payment 500.00 USD by card (ch_…),
balance 1000.00`). Rules and formats: docs/finances.md, "Invoice lifecycle" and "Payments". The
money is `model/money.py`, the rows `model/payments.py`, status and `paid` `model/finance.settlement`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from obm_tui.model import payments as payment_rows
from obm_tui.model.errors import Problem, ValidationError
from obm_tui.model.fields import FieldValueError, day_or_none, to_int
from obm_tui.model.finance import (
    FinanceSettings,
    finance_settings,
    record_amount,
    record_currency,
    record_payments,
    settlement,
)
from obm_tui.model.ids import random_suffix, serial_id
from obm_tui.model.kinds import kind_named
from obm_tui.model.merge import DELETED
from obm_tui.model.money import MoneyError, currency_code, format_amount, parse_amount, shown
from obm_tui.model.payments import Payment
from obm_tui.model.records import Record
from obm_tui.model.template_text import business_hint, leftovers, refuse_unfilled
from obm_tui.services.records import now_in, require_readable
from obm_tui.vault.batch import Edit, NewFile
from obm_tui.vault.frontmatter import Document
from obm_tui.vault.store import Vault

OPEN = ("sent", "partly-paid")  # owed: overdue once past `due`
CLOSED = ("void", "written-off")


class InvoiceError(ValidationError):
    """An invoice change that cannot be made; the message says why. Nothing was written."""

    title = "Invoice"


@dataclass(frozen=True)
class InvoiceChange:
    """What a change did: the invoice as written, its commit (None: pending), the message, and
    the credit record made from an overpayment (None when there was none)."""

    record: Record
    commit: str | None
    message: str
    credit: Record | None = None
    pending: bool = False


@dataclass(frozen=True)
class InvoiceState:
    """An invoice now: its money (Decimal, its currency), rows and status; `problems` are rows
    that cannot be read (its figures are then left out, as reports leave it out)."""

    record: Record
    currency: str
    amount: Decimal
    status: str
    payments: tuple[Payment, ...]
    paid_total: Decimal
    balance: Decimal
    overdue_days: int  # days past `due` while owed (0: not overdue)
    legacy_paid: bool  # marked paid by hand, with no payment rows
    problems: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        data = self.record.data
        return {"id": self.record.id, "path": self.record.path, "title": self.record.title,
                "client": str(data.get("client") or ""), "status": self.status, "currency": self.currency,
                "amount": format_amount(self.amount, self.currency),
                "paid_total": format_amount(self.paid_total, self.currency),
                "balance": format_amount(self.balance, self.currency),
                "issued": _text(data.get("issued")), "due": _text(data.get("due")), "paid": _text(data.get("paid")),
                "closed": _text(data.get("closed")), "overdue": self.overdue_days > 0,
                "overdue_days": self.overdue_days, "legacy_paid": self.legacy_paid,
                "payments": [{"date": p.day.isoformat(), "amount": format_amount(p.amount, self.currency),
                              "method": p.method, "reference": p.reference, "note": p.note, "id": p.row_id}
                             for p in self.payments],
                "problems": list(self.problems)}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def settings_of(vault: Vault) -> FinanceSettings:
    return finance_settings(vault.config.section("finance"), vault.config.currency)


def today_in(vault: Vault) -> date:
    """Today in the vault's time zone."""
    return now_in(vault).date()


def find_invoice(vault: Vault, ref: str) -> Record:
    """An invoice by id, path, link or unique prefix; it must parse."""
    return require_readable(vault.find(ref, "invoice"))


def _day(value: Any) -> date | None:
    return day_or_none(value)
def overdue_days(record: Record, today: date) -> int:
    """Days an invoice is past its due day while still owed (`sent` or `partly-paid`); else 0."""
    if record.kind != "invoice" or str(record.data.get("status") or "draft") not in OPEN:
        return 0
    due = _day(record.data.get("due"))
    return max((today - due).days, 0) if due is not None else 0


def is_overdue(record: Record, today: date) -> bool:
    return overdue_days(record, today) > 0


def owed_text(record: Record, vault: Vault) -> str:
    """What is left to pay on an invoice, from the index (`1000.00 USD`); its `amount` as written
    when its money cannot be read."""
    found = _balance(vault, record)
    return record.text("amount") if found is None else _shown(found[1], found[0])


def balance_of(vault: Vault, record: Record) -> tuple[str, Decimal] | None:
    """(`1,000.00 USD`, 1000.00): what is left to pay on an invoice, from the index; 0 once it is
    paid, void or written off; None when its money cannot be read."""
    found = _balance(vault, record)
    return None if found is None else (shown(found[1], found[0]), found[1])


def _balance(vault: Vault, record: Record) -> tuple[str, Decimal] | None:
    """(currency, what is left to pay) from the index; None when its money cannot be read."""
    try:
        currency, amount = _money(record, vault)
    except InvoiceError:
        return None
    status = str(record.data.get("status") or "draft")
    rows = record_payments(record)
    if status in CLOSED or (status == "paid" and not rows):
        return currency, Decimal(0)
    return currency, amount - sum((p.amount for p in rows), Decimal(0))


def money_line(vault: Vault, record: Record, today: date) -> str:
    """An invoice's money in one line for its screen: amount, paid, balance, overdue."""
    try:
        currency, amount = _money(record, vault)
    except InvoiceError as exc:
        return exc.message
    status = str(record.data.get("status") or "draft")
    rows = record_payments(record)
    legacy = status == "paid" and not rows
    paid = amount if legacy else sum((p.amount for p in rows), Decimal(0))
    balance = Decimal(0) if status in CLOSED or legacy else amount - paid
    words = [f"Amount {shown(amount, currency)}", f"paid {shown(paid, currency)}"
             + (" (marked paid, no rows)" if legacy else f" in {len(rows)} payment{'s' if len(rows) != 1 else ''}"),
             f"balance {shown(balance, currency)}"]
    late = overdue_days(record, today)
    if late:
        words.append(f"overdue by {late} day{'s' if late != 1 else ''}")
    return "  ·  ".join(words)


def _money(record: Record, vault: Vault) -> tuple[str, Decimal]:
    try:
        currency = record_currency(record, _client_currency(vault, record) or vault.config.currency)
        return currency, record_amount(record, currency)
    except MoneyError as exc:
        raise InvoiceError(f"invoice {record.id}: {exc}; fix it in the file first") from None


def _client(vault: Vault, record: Record) -> Record | None:
    """The invoice's client by the exact id of its link (None when it links to none)."""
    from obm_tui.services.facts import find_record

    raw = str(record.data.get("client") or "").strip()
    link = raw[2:-2].split("|")[0].strip() if raw.startswith("[[") and raw.endswith("]]") else raw
    return find_record(vault, "client", link) if link else None


def _client_currency(vault: Vault, record: Record) -> str:
    client = _client(vault, record)
    raw = client.data.get("currency") if client is not None else None
    try:
        return currency_code(raw) if isinstance(raw, str) and raw.strip() else ""
    except MoneyError:
        return ""


def state_of(vault: Vault, record: Record, today: date | None = None) -> InvoiceState:
    """The invoice now, from the index (its rows as the loader kept them) and, for row problems,
    its file."""
    today = today or today_in(vault)
    currency, amount = _money(record, vault)
    rows = record_payments(record)
    problems: list[str] = []
    try:
        doc = vault.read_document(record)
        table = payment_rows.parse(doc.body, currency)
        rows = table.payments
        problems = [f"{record.path}:{doc.body_line + p.line - 1}: {p.reason}" for p in table.problems]
    except Exception:  # noqa: BLE001 - the file is gone or no longer parses: the index's copy
        pass
    status = str(record.data.get("status") or "draft")
    legacy = status == "paid" and not rows
    total = amount if legacy else sum((p.amount for p in rows), Decimal(0))
    balance = Decimal(0) if status in CLOSED else amount - total
    return InvoiceState(record, currency, amount, status, tuple(rows), total, balance,
                        overdue_days(record, today), legacy, tuple(problems))


# ----- send --------------------------------------------------------------------------------

def payment_terms(vault: Vault, record: Record, settings: FinanceSettings | None = None) -> int:
    """Days from issue to due: the client's `payment_terms`, else `[finance] payment_terms`."""
    return client_terms(vault, _client(vault, record), settings)


def client_terms(vault: Vault, client: Record | None, settings: FinanceSettings | None = None) -> int:
    """The client's `payment_terms` (whole days), else `[finance] payment_terms`."""
    raw = client.data.get("payment_terms") if client is not None and client.kind == "client" else None
    if raw not in (None, ""):
        try:
            days = to_int(raw)
        except FieldValueError:
            days = -1
        if 0 <= days <= 3650:
            return days
    return (settings or settings_of(vault)).payment_terms


def _sent_fields(vault: Vault, record: Record, issued: date) -> dict[str, Any]:
    due = issued + timedelta(days=payment_terms(vault, record))
    return {"status": "sent", "issued": issued.isoformat(), "due": due.isoformat()}


def sent_fields(vault: Vault, record: Record, issued: date) -> dict[str, Any]:
    """What sending a draft writes: status, `issued`, `due` (raw values)."""
    return _sent_fields(vault, record, issued)


def refuse_unfilled_invoice(vault: Vault, record: Record) -> None:
    """UnfilledTemplate when a `${name}` was left in the invoice (it is not sent)."""
    _refuse_unfilled(vault, record)


def _refuse_unfilled(vault: Vault, record: Record) -> None:
    text = vault.read_bytes(record.path).decode("utf-8", errors="replace")
    names = [name for _line, name in leftovers(text)]
    refuse_unfilled(f"invoice {record.id}", dict.fromkeys(names),
                    lambda n: business_hint(n) or f"write it in {record.path}", "it was not sent")


def send_plan(vault: Vault, record: Record, today: date) -> tuple[dict[str, Any], str]:
    """The field changes and message that send a draft; InvoiceError when it cannot be sent."""
    status = str(record.data.get("status") or "draft")
    if status != "draft":
        raise InvoiceError(f"invoice {record.id} is {status}: only a draft can be sent")
    _money(record, vault)
    _refuse_unfilled(vault, record)
    changes = _sent_fields(vault, record, today)
    return changes, f"invoice {record.id}: draft -> sent, issued {changes['issued']}, due {changes['due']}"


def send_invoice(vault: Vault, ref: str, *, today: date | None = None) -> InvoiceChange:
    """draft -> sent: `issued` today (the vault's time zone), `due` after the payment terms."""
    record = find_invoice(vault, ref)
    changes, message = send_plan(vault, record, today or today_in(vault))
    save = vault.update(record, changes, message)
    return InvoiceChange(save.record, save.commit, message, pending=save.pending)


# ----- payments ----------------------------------------------------------------------------

def parse_payment_amount(text: str, currency: str, *, typed_currency: str | None = None) -> Decimal:
    """What a person typed as a payment's amount, in the invoice's currency -> Decimal; an
    InvoiceError naming the field (`12,50`, `1500.50` yen, another currency, 0)."""
    if typed_currency:
        try:
            code = currency_code(typed_currency)
        except MoneyError as exc:
            raise InvoiceError(f"currency: {exc}") from None
        if code != currency:
            raise InvoiceError(f"currency: the invoice is in {currency}, not {code}; amounts are never converted")
    try:
        amount = parse_amount(text.strip().replace("\u2212", "-"), currency)
    except MoneyError as exc:
        raise InvoiceError(f"amount: {exc}") from None
    if amount == 0:
        raise InvoiceError("amount: a payment of 0 records nothing")
    return amount


def record_payment(vault: Vault, ref: str, amount_text: str, *, day: date | None = None, method: str = "",
                   reference: str = "", note: str = "", currency: str | None = None,
                   today: date | None = None, row_id: str = "") -> InvoiceChange:
    """Add a payment row (below 0: a refund) and set the status and `paid` its rows make, in one
    commit. An overpayment is refused, or with `[finance] overpayment = "credit"` the excess
    becomes the client's credit (a `payment` record) in the same commit. `row_id`: the row's id
    (an import's `payments.row_id_for(reference)`, the same in every clone); else a random one."""
    today = today or today_in(vault)
    day = day or today
    record = find_invoice(vault, ref)
    inv_currency, amount = _money(record, vault)
    paid = parse_payment_amount(amount_text, inv_currency, typed_currency=currency)
    for name, value in (("method", method), ("reference", reference), ("note", note)):
        if "\n" in value or "\r" in value:
            raise InvoiceError(f"{name}: one line only")
    doc = vault.read_for_edit(record)
    table = payment_rows.parse(doc.body, inv_currency)
    status = str(doc.data.get("status") or "draft")
    _check_can_pay(record, doc, table, status, paid, reference)
    rows = list(table.payments)
    total = sum((p.amount for p in rows), Decimal(0))
    balance = amount - total
    settings = settings_of(vault)
    credit = Decimal(0)
    if paid > 0 and paid > balance:
        if settings.overpayment != "credit" or balance <= 0:
            raise InvoiceError(f"a payment of {_shown(paid, inv_currency)} is more than the balance "
                               f"{_shown(balance, inv_currency)} of invoice {record.id}; nothing was recorded "
                               '(with [finance] overpayment = "credit" the excess becomes the client\'s credit)')
        credit, paid = paid - balance, balance
    if paid < 0 and -paid > total:
        raise InvoiceError(f"a refund of {_shown(-paid, inv_currency)} is more than the "
                           f"{_shown(total, inv_currency)} paid on invoice {record.id}; nothing was recorded")
    row = Payment(day, paid, method.strip(), reference.strip(), note.strip(), row_id=row_id)
    body = payment_rows.append(doc.body, row, table)
    changes: dict[str, Any] = {}
    if status == "draft":
        changes.update(_sent_fields(vault, record, min(day, today)))
        status = "sent"
    after = settlement("invoice", status, amount, [*rows, row])
    if after.status != str(doc.data.get("status") or "draft"):
        changes["status"] = after.status
    if after.paid is not None:
        if _text(doc.data.get("paid")) != after.paid.isoformat():
            changes["paid"] = after.paid.isoformat()
    elif doc.data.get("paid") not in (None, ""):
        changes["paid"] = DELETED
    message = _payment_message(record, doc, row, inv_currency, after.balance, after.status, credit)
    items: list[Edit | NewFile] = [Edit(record, changes, body, doc.body)]
    if credit > 0:
        items.append(_credit_file(vault, record, credit, inv_currency, day, reference, today))
    batch = vault.write_many(items, message)
    return InvoiceChange(batch.records[0], batch.commit, message,
                         batch.records[1] if len(batch.records) > 1 else None, batch.pending)


def _check_can_pay(record: Record, doc: Document, table: payment_rows.PaymentTable, status: str, paid: Decimal,
                   reference: str) -> None:
    if table.problems:
        first = table.problems[0]
        raise InvoiceError(f"{record.path}:{doc.body_line + first.line - 1}: {first.reason}; fix the payments "
                           "table first (nothing was recorded)")
    if status in CLOSED:
        raise InvoiceError(f"invoice {record.id} is {status}: no payment can be recorded on it")
    if status == "paid" and not table.payments:
        raise InvoiceError(f"invoice {record.id} is marked paid with no payment rows (marked by hand before "
                           "payments had rows), so it counts as paid in full; nothing was recorded. To record "
                           "its payments, add them to its ## Payments table by hand")
    if status == "paid" and paid > 0:
        raise InvoiceError(f"invoice {record.id} is paid in full: a payment on it would be more than it is owed; "
                           "nothing was recorded")
    if reference.strip() and reference.strip() in payment_rows.known_references(table.payments):
        raise InvoiceError(f"reference: {reference.strip()!r} is already recorded on invoice {record.id}")


def _shown(amount: Decimal, currency: str) -> str:
    return f"{format_amount(amount, currency)} {currency}"


def _payment_message(record: Record, doc: Document, row: Payment, currency: str, balance: Decimal, status: str,
                     credit: Decimal) -> str:
    what = "payment" if row.amount > 0 else "refund"
    words = f"invoice {record.id}: {what} {_shown(abs(row.amount), currency)}"
    if row.method:
        words += f" by {row.method}"
    if row.reference:
        words += f" ({row.reference})"
    words += f", balance {format_amount(balance, currency)}"
    before = str(doc.data.get("status") or "draft")
    if status != before:
        words += f", {before} -> {status}"
    if credit > 0:
        words += f"; {_shown(credit, currency)} over the balance kept as the client's credit"
    return words


def _credit_file(vault: Vault, record: Record, credit: Decimal, currency: str, day: date, reference: str,
                 today: date) -> NewFile:
    kind = kind_named("payment")
    assert kind is not None
    taken = vault.index.ids("payment")
    record_id = next(c for c in (serial_id(kind.id_prefix, today, random_suffix()) for _ in range(100))
                     if c.casefold() not in taken)
    client = _client(vault, record)
    payer = client.title if client is not None else str(record.data.get("client") or "")
    data: dict[str, Any] = {"type": "payment", "id": record_id, "payer": payer, "date": day.isoformat(),
                            "amount": format_amount(credit, currency), "currency": currency,
                            "payment_type": "credit", "status": "unmatched"}
    if client is not None:
        data["client"] = f"[[{client.id}]]"
    if reference.strip():
        data["reference"] = reference.strip()
    data["description"] = f"paid over the balance of invoice {record.id}"
    data["created"] = now_in(vault).isoformat(timespec="minutes")
    return NewFile(f"{kind.folder}/{record_id}.md", data, "")


# ----- void and write-off ------------------------------------------------------------------

def void_invoice(vault: Vault, ref: str, *, today: date | None = None) -> InvoiceChange:
    """Cancel an invoice that was never owed: only with nothing paid on it; sets `closed`."""
    today = today or today_in(vault)
    record = find_invoice(vault, ref)
    state = state_of(vault, record, today)
    if state.status in CLOSED:
        raise InvoiceError(f"invoice {record.id} is {state.status} already")
    if state.problems:
        raise InvoiceError(f"{state.problems[0]}; fix the payments table first (nothing was changed)")
    if state.status == "paid" or state.paid_total != 0:
        raise InvoiceError(f"invoice {record.id} has {_shown(state.paid_total, state.currency)} paid on it: "
                           "only an invoice with nothing paid can be voided (refund it first, or write off "
                           "what is still owed)")
    message = f"invoice {record.id}: {state.status} -> void"
    save = vault.update(record, {"status": "void", "closed": today.isoformat()}, message)
    return InvoiceChange(save.record, save.commit, message, pending=save.pending)


def write_off(vault: Vault, ref: str, *, reason: str = "", today: date | None = None) -> InvoiceChange:
    """Give up what is still owed on a sent invoice: status written-off, `closed` today."""
    today = today or today_in(vault)
    record = find_invoice(vault, ref)
    state = state_of(vault, record, today)
    if "\n" in reason or "\r" in reason:
        raise InvoiceError("reason: one line only")
    if state.status not in OPEN:
        hint = " (void a draft instead)" if state.status == "draft" else ""
        raise InvoiceError(f"invoice {record.id} is {state.status}: only a sent or partly-paid invoice with a "
                           f"balance can be written off{hint}")
    if state.problems:
        raise InvoiceError(f"{state.problems[0]}; fix the payments table first (nothing was changed)")
    if state.balance <= 0:
        raise InvoiceError(f"invoice {record.id} has no balance to write off")
    message = f"invoice {record.id}: written off {_shown(state.balance, state.currency)}"
    if reason.strip():
        message += f" ({reason.strip()})"
    save = vault.update(record, {"status": "written-off", "closed": today.isoformat()}, message)
    return InvoiceChange(save.record, save.commit, message, pending=save.pending)



# ----- obm check ---------------------------------------------------------------------------

def payment_problems(vault: Vault, records: list[Record]) -> list[Problem]:
    """Invoices and bills whose status or `paid` disagrees with their payment rows (paid with a
    balance left, rows over the amount, a void invoice with money on it), and rows in another
    currency than the record's, each at its line (`obm check`). Rows that cannot be read are the
    loader's problems already."""
    found: list[Problem] = []
    for record in records:
        if record.kind not in payment_rows.KINDS_WITH_PAYMENTS or not record.readable:
            continue
        status = str(record.data.get("status") or ("draft" if record.kind == "invoice" else "unpaid"))
        if not record_payments(record) and status in ("draft", "sent", "unpaid", "void"):
            if record.data.get("paid") in (None, ""):
                continue  # nothing paid and nothing said about it: the common case, no file read
        try:
            currency = record_currency(record, (_client_currency(vault, record) if record.kind == "invoice" else "")
                                       or vault.config.currency)
            amount = record_amount(record, currency)
            doc = vault.read_document(record)
        except Exception:  # noqa: BLE001 - a bad amount or currency is the schema's problem, listed already
            continue
        found += _record_problems(record, doc, status, currency, amount)
    return found


def _record_problems(record: Record, doc: Document, status: str, currency: str, amount: Decimal) -> list[Problem]:
    table = payment_rows.parse(doc.body)
    if table.problems:
        return []
    at = doc.body_line - 1
    found = [Problem(record.path, at + p.line, f"a payment in {p.currency} on a {currency} {record.kind}: "
                                                "amounts are never converted; record it in " + currency)
             for p in table.payments if p.currency and p.currency != currency]
    if found:
        return found
    rows = table.payments
    total = sum((p.amount for p in rows), Decimal(0))
    status_line, paid_line = _field_line(doc, "status"), _field_line(doc, "paid")
    last_row = at + rows[-1].line if rows else status_line
    what = f"{record.kind} {record.id}"
    if total > amount:
        found.append(Problem(record.path, last_row, f"the payments add up to {_shown(total, currency)}, more than "
                                                    f"the {record.kind}'s amount {_shown(amount, currency)}"))
    if not rows and status == "paid":
        return found  # marked paid by hand before payments had rows: paid in full
    if status == "void":
        if total != 0:
            found.append(Problem(record.path, status_line, f"status: void, but {_shown(total, currency)} was paid "
                                                           f"on {what}"))
        return found
    if status == "written-off":
        if rows and total >= amount:
            found.append(Problem(record.path, status_line, f"status: written-off, but {what} is paid in full"))
        return found
    settled = settlement(record.kind, status, amount, rows)
    if settled.status != status and not (status == "draft" and not rows):
        balance = f"balance {_shown(max(settled.balance, Decimal(0)), currency)}"
        found.append(Problem(record.path, status_line, f"status: {status}, but its payments make it "
                                                       f"{settled.status} ({balance})"))
    written = _text(doc.data.get("paid"))
    if settled.paid is not None and written and written != settled.paid.isoformat():
        found.append(Problem(record.path, paid_line, f"paid: {written}, but its payments settled it on "
                                                     f"{settled.paid.isoformat()}"))
    elif settled.paid is None and written and settled.status != "paid":
        found.append(Problem(record.path, paid_line, f"paid: {written}, but {_shown(settled.balance, currency)} "
                                                     "is still owed"))
    return found


def _field_line(doc: Document, name: str) -> int:
    lines = doc.raw.split(b"\n")
    end = min(len(lines), doc.body_line)
    return next((n for n, line in enumerate(lines[:end], 1) if line.startswith(name.encode() + b":")), 0)
