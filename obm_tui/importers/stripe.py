"""Reading Stripe's exports: the dashboard payments export ("unified payments" CSV, and the
earlier one) and the balance history export (`balance_history.csv`, or the Balance report's
itemized CSV).

Payments export: rows whose Status is Failed or Blocked become decline candidates; Paid,
Succeeded and Refunded rows become charges, and a row's `Amount Refunded` a refund of it.
Balance export: `charge`/`payment` rows are charges, `refund`/`payment_refund` rows refunds,
`payout` rows payouts; the other types (`stripe_fee`, `adjustment` …) are reported as skipped.
Pure: bytes in, values out; the service decides what is written. Columns: docs/finances.md,
"Payments in: the Stripe import", and docs/stock.md.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal

from obm_tui.importers.csvrows import (
    CsvRefused,
    RowReport,
    cell,
    column_index,
    delimiter_of,
    missing_columns,
    odd_cell,
    read_rows,
)
from obm_tui.model import decline_codes
from obm_tui.model.fields import FieldValueError, to_money
from obm_tui.model.money import MoneyError
from obm_tui.model.money import parse_amount as money_amount

REQUIRED = {"id": "id", "created date (utc)": "Created date (UTC)", "amount": "Amount", "currency": "Currency",
            "status": "Status"}
# Header names Stripe has shipped for the same column (matched after `normalise`): the payments
# export before "unified payments" says `Created (UTC)`; docs/stock.md lists them.
ALIASES = {"created (utc)": "created date (utc)", "invoice id (metadata)": "invoice id metadata",
           "invoice (metadata)": "invoice id metadata", "invoice metadata": "invoice id metadata"}
DECLINED = frozenset({"failed", "blocked"})
PAID = frozenset({"paid", "succeeded", "refunded", "partially refunded", "partially_refunded"})
# The cells that become a record's fields: one line each.
WRITTEN = {"id": "id", "currency": "Currency", "customer description": "Customer Description",
           "card name": "Card Name", "customer email": "Customer Email", "seller message": "Seller Message",
           "description": "Description"}

# The balance history export (dashboard: Balance -> Export) and the Balance report's itemized CSV.
BALANCE_REQUIRED = {"id": "id", "type": "Type", "amount": "Amount", "currency": "Currency",
                    "created (utc)": "Created (UTC)"}
BALANCE_ALIASES = {"balance transaction id": "id", "created utc": "created (utc)", "created": "created (utc)",
                   "gross": "amount", "reporting category": "type", "source id": "source",
                   "customer email": "customer email"}
CHARGE_TYPES = frozenset({"charge", "payment"})
REFUND_TYPES = frozenset({"refund", "payment_refund", "payment refund"})
PAYOUT_TYPES = frozenset({"payout"})

CHARGE, REFUND, PAYOUT = "charge", "refund", "payout"
INVOICE_RE = re.compile(r"\bINV-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", re.I)
CHARGE_ID_RE = re.compile(r"\b(?:ch|py)_[A-Za-z0-9]+")

# ISO 4217 codes (active), upper case: a currency Stripe may write, lower-cased, in an export.
CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD
SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD
XCG XOF XPF YER ZAR ZMW ZWL
""".split())


@dataclass(frozen=True, slots=True)
class DeclineCandidate:
    """A failed payment, ready to become a decline record."""

    charge_id: str
    amount: Decimal
    currency: str
    declined_at: datetime
    declined: date
    customer: str = ""
    email: str = ""
    reason: str = ""
    product: str = ""
    row: int = 0
    code: str = ""  # the decline code (`insufficient_funds`), from its column or the seller message
    invoice: str = ""  # an invoice number (`INV-…`) from the metadata column or the description


@dataclass(frozen=True, slots=True)
class Movement:
    """Money that moved: a charge (in), a refund (back to a customer) or a payout (to the bank).
    `amount` is above 0 for all three; `reference` is Stripe's id of it (ch_…, re_…, po_…)."""

    kind: str
    reference: str
    amount: Decimal
    currency: str
    at: datetime
    day: date
    fee: Decimal | None = None
    charge: str = ""  # a refund's charge (ch_…), when the export says it
    email: str = ""
    customer: str = ""
    description: str = ""
    invoice: str = ""  # an invoice number (`INV-…`) from the metadata column or the description
    row: int = 0


@dataclass(frozen=True, slots=True)
class StripeImport:
    """The decline candidates and money movements, a report line per row, or why the whole file
    was refused. `balance`: the file was a balance history export."""

    candidates: tuple[DeclineCandidate, ...] = ()
    rows: tuple[RowReport, ...] = ()
    refused: str = ""
    movements: tuple[Movement, ...] = ()
    balance: bool = False


_GROUPED_COMMA_RE = re.compile(r"-?[0-9]{1,3}(?:\.[0-9]{3})*,[0-9]{1,2}")


def _decimal_comma(text: str) -> str:
    """`15,50` or `1.234,50` (a decimal comma, as a `;`-separated export writes) -> `15.50`, `1234.50`."""
    if _GROUPED_COMMA_RE.fullmatch(text) or re.fullmatch(r"-?[0-9]+,[0-9]{1,2}", text):
        return text.replace(".", "").replace(",", ".")
    return text


def parse_amount(text: str, decimal_comma: bool = False) -> Decimal | None:
    """`15.00`, `1,234.50` -> Decimal; with `decimal_comma` (a `;`-separated export) `15,50` too.
    None when unreadable or out of bounds."""
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if decimal_comma:
        text = _decimal_comma(text)
    try:
        return to_money(text)  # ASCII digits, at most 2 decimals, within the bound
    except FieldValueError:
        return None


def read_amount(text: str, currency: str, label: str, decimal_comma: bool) -> Decimal | str:
    """An amount cell in `currency`, signed as written, or the reason it cannot be read."""
    raw = text.strip().replace(" ", "").replace("\u00a0", "")
    if decimal_comma:
        raw = _decimal_comma(raw)
    if not raw:
        return f"{label} is empty"
    try:
        return money_amount(raw, currency)
    except MoneyError as exc:
        return f"{label} {text.strip()[:40]!r}: {exc}"


def read_currency(text: str) -> str | None:
    """`usd` -> `USD`; None for a code that is no ISO 4217 currency."""
    code = text.strip().upper()
    return code if code in CURRENCIES else None


def parse_created(text: str) -> datetime | None:
    """`2024-06-07 02:38:54`, `2019-05-14 13:17` or `2019-05-14T13:17:00Z` (UTC) -> an aware datetime."""
    text = text.strip()
    try:
        value = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def invoice_number(*texts: str) -> str:
    """The first `INV-…` number in the texts (a metadata cell, then the description), upper-cased."""
    for text in texts:
        found = INVOICE_RE.search(text or "")
        if found:
            return found.group(0).upper()
    return ""


def decline_code(column: str, message: str) -> str:
    r"""The decline code: its column when the export has one, else the code the seller message
    names (`The bank returned the decline code \`insufficient_funds\`.`), else one of Stripe's
    documented codes written in it."""
    if re.fullmatch(r"[a-z_]+", column.strip()):
        return column.strip()
    quoted = re.search(r"`([a-z_]+)`", message)
    if quoted:
        return quoted.group(1)
    return next((word for word in re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", message) if decline_codes.known(word)), "")


def _candidate(number: int, get: dict[str, str], tz: tzinfo, created_label: str,
               decimal_comma: bool) -> DeclineCandidate | RowReport:
    charge = get["id"]
    amount, created = parse_amount(get["amount"], decimal_comma), parse_created(get["created date (utc)"])
    if not charge:
        return RowReport(number, "", "rejected", "no id (charge id)")
    odd = odd_cell(get, WRITTEN)
    if odd:
        return RowReport(number, "" if odd.startswith("id:") else charge, "rejected", odd)
    if amount is None or amount <= 0:
        comma = "" if decimal_comma or "," not in get["amount"] else (
            " (a comma only groups thousands in a comma-separated export: 1,234.50)")
        return RowReport(number, charge, "rejected",
                         f"Amount must be a positive amount up to 1,000,000,000 with at most 2 decimals, "
                         f"got {get['amount'][:60]!r}{comma}")
    if created is None:
        shown = get["created date (utc)"][:60]
        return RowReport(number, charge, "rejected", f"{created_label} is not a date: {shown!r}")
    customer = get["customer description"] or get["card name"] or get["customer email"]
    return DeclineCandidate(charge, amount, get["currency"].upper(), created, created.astimezone(tz).date(),
                            customer, get["customer email"], get["seller message"], get["description"], number,
                            decline_code(get["decline code"], get["seller message"]),
                            invoice_number(get["invoice id metadata"], get["description"]))


def _charge(number: int, get: dict[str, str], tz: tzinfo, created_label: str,
            decimal_comma: bool) -> list[Movement] | RowReport:
    """A paid row of the payments export: its charge, and its refund when `Amount Refunded` says one."""
    charge = get["id"]
    if not charge:
        return RowReport(number, "", "rejected", "no id (charge id)")
    odd = odd_cell(get, WRITTEN)
    if odd:
        return RowReport(number, "" if odd.startswith("id:") else charge, "rejected", odd)
    currency = read_currency(get["currency"])
    if currency is None:
        return RowReport(number, charge, "rejected", f"unknown currency {get['currency'][:20]!r}")
    amount = read_amount(get["amount"], currency, "Amount", decimal_comma)
    if isinstance(amount, str):
        return RowReport(number, charge, "rejected", amount)
    if amount <= 0:
        return RowReport(number, charge, "rejected", f"a charge must be above 0, got Amount {get['amount']!r}")
    created = parse_created(get["created date (utc)"])
    if created is None:
        return RowReport(number, charge, "rejected",
                         f"{created_label} is not a date: {get['created date (utc)'][:60]!r}")
    converted = get["converted currency"].strip().upper()
    # The Fee is in the Converted Currency (the settlement's) when the export has one: kept only
    # when that is the charge's own currency, as amounts are never converted.
    fee = _fee(get["fee"], currency, decimal_comma) if converted in ("", currency) else None
    if isinstance(fee, str):
        return RowReport(number, charge, "rejected", fee)
    refunded = Decimal(0)
    if get["amount refunded"]:
        read = read_amount(get["amount refunded"], currency, "Amount Refunded", decimal_comma)
        if isinstance(read, str):
            return RowReport(number, charge, "rejected", read)
        refunded = read
    if refunded < 0 or refunded > amount:
        return RowReport(number, charge, "rejected",
                         f"Amount Refunded {get['amount refunded']!r} is not between 0 and the Amount")
    customer = get["customer description"] or get["card name"] or get["customer email"]
    invoice = invoice_number(get["invoice id metadata"], get["description"])
    found = [Movement(CHARGE, charge, amount, currency, created, created.astimezone(tz).date(), fee, "",
                      get["customer email"], customer, get["description"], invoice, number)]
    if refunded:
        when = parse_created(get["refunded date (utc)"]) or created
        found.append(Movement(REFUND, f"{charge}-refund", refunded, currency, when, when.astimezone(tz).date(),
                              None, charge, get["customer email"], customer, get["description"], invoice, number))
    return found


def _fee(text: str, currency: str, decimal_comma: bool) -> Decimal | None | str:
    """The Fee cell (the balance export writes it below 0 at times): above 0, None when empty or 0."""
    if not text.strip():
        return None
    fee = read_amount(text, currency, "Fee", decimal_comma)
    return fee if isinstance(fee, str) else (abs(fee) or None)


def _movement_line(movements: list[Movement]) -> str:
    words = {CHARGE: "charge", REFUND: "refund", PAYOUT: "payout"}
    return "; ".join(f"{words[m.kind]} {m.amount} {m.currency}" for m in movements)


def parse_payments(data: bytes, known_charges: Collection[str] = (), tz: tzinfo = UTC) -> StripeImport:
    """Read a Stripe export (payments or balance history). `known_charges`: Stripe ids already
    recorded (declines' charge ids, payments' references); `tz`: the vault's time zone, for the
    dates. Never raises."""
    try:
        header, rows = read_rows(data)
    except CsvRefused as exc:
        return StripeImport(refused=str(exc))
    decimal_comma = delimiter_of(data) == ";"
    balance_index = column_index(header, BALANCE_ALIASES)
    if "status" not in column_index(header, ALIASES) and "type" in balance_index:
        return _parse_balance(header, rows, balance_index, known_charges, tz, decimal_comma)
    index = column_index(header, ALIASES)
    missing = missing_columns(index, REQUIRED)
    if missing:
        return StripeImport(refused=f"not a Stripe payments export: missing column(s) {', '.join(missing)}")
    created_label = header[index["created date (utc)"]]  # as this file names it
    wanted = (*REQUIRED, "customer description", "card name", "customer email", "seller message", "description",
              "fee", "amount refunded", "refunded date (utc)", "converted currency", "invoice id metadata",
              "decline code")
    candidates: list[DeclineCandidate] = []
    movements: list[Movement] = []
    reports: list[RowReport] = []
    for number, cells in rows:
        get = {key: cell(cells, index, key) for key in wanted}
        status = get["status"].lower()
        if status not in DECLINED and status not in PAID:
            reports.append(RowReport(number, get["id"], "skipped",
                                     f"status {get['status'] or 'missing'}: not a payment or a decline"))
        elif status in PAID:
            found = _charge(number, get, tz, created_label, decimal_comma)
            if isinstance(found, RowReport):
                reports.append(found)
                continue
            new = [m for m in found if m.reference not in known_charges]
            if not new:
                reports.append(RowReport(number, get["id"], "skipped", "already recorded"))
            else:
                movements.extend(new)
                reports.append(RowReport(number, get["id"], "ok", _movement_line(new)))
        elif get["id"] in known_charges:
            reports.append(RowReport(number, get["id"], "skipped", "already recorded"))
        else:
            candidate = _candidate(number, get, tz, created_label, decimal_comma)
            if isinstance(candidate, RowReport):
                reports.append(candidate)
            else:
                candidates.append(candidate)
                reason = candidate.reason or "no reason given"
                reports.append(RowReport(number, candidate.charge_id, "ok",
                                         f"declined {candidate.amount} {candidate.currency}: {reason}"))
    return StripeImport(tuple(candidates), tuple(reports), movements=tuple(movements))


BALANCE_WRITTEN = {"id": "id", "source": "Source", "description": "Description", "customer email": "Customer Email"}


def _parse_balance(header: list[str], rows: list[tuple[int, list[str]]], index: dict[str, int],
                   known: Collection[str], tz: tzinfo, decimal_comma: bool) -> StripeImport:
    missing = missing_columns(index, BALANCE_REQUIRED)
    if missing:
        return StripeImport(refused=f"not a Stripe balance export: missing column(s) {', '.join(missing)}",
                            balance=True)
    created_label = header[index["created (utc)"]]
    wanted = (*BALANCE_REQUIRED, "source", "fee", "description", "customer email", "charge id")
    movements: list[Movement] = []
    reports: list[RowReport] = []
    for number, cells in rows:
        get = {key: cell(cells, index, key) for key in wanted}
        found = _balance_row(number, get, tz, created_label, decimal_comma)
        if isinstance(found, RowReport):
            reports.append(found)
        elif found.reference in known:
            reports.append(RowReport(number, found.reference, "skipped", "already recorded"))
        else:
            movements.append(found)
            reports.append(RowReport(number, found.reference, "ok", _movement_line([found])))
    return StripeImport(rows=tuple(reports), movements=tuple(movements), balance=True)


def _balance_row(number: int, get: dict[str, str], tz: tzinfo, created_label: str,
                 decimal_comma: bool) -> Movement | RowReport:
    kind_text = get["type"].lower()
    kind = (CHARGE if kind_text in CHARGE_TYPES else REFUND if kind_text in REFUND_TYPES
            else PAYOUT if kind_text in PAYOUT_TYPES else "")
    source = get["source"]
    reference = source if source and kind in (CHARGE, REFUND, PAYOUT) else get["id"]
    if not kind:
        return RowReport(number, get["id"], "skipped",
                         f"type {get['type'] or 'missing'}: not a charge, refund or payout")
    if not reference:
        return RowReport(number, "", "rejected", "no id")
    odd = odd_cell(get, BALANCE_WRITTEN)
    if odd:
        return RowReport(number, reference, "rejected", odd)
    currency = read_currency(get["currency"])
    if currency is None:
        return RowReport(number, reference, "rejected", f"unknown currency {get['currency'][:20]!r}")
    amount = read_amount(get["amount"], currency, "Amount", decimal_comma)
    if isinstance(amount, str):
        return RowReport(number, reference, "rejected", amount)
    if kind == CHARGE and amount <= 0:
        return RowReport(number, reference, "rejected", f"a charge must be above 0, got Amount {get['amount']!r}")
    if amount == 0:
        return RowReport(number, reference, "rejected", "an amount of 0 moves nothing")
    created = parse_created(get["created (utc)"])
    if created is None:
        return RowReport(number, reference, "rejected",
                         f"{created_label} is not a date: {get['created (utc)'][:60]!r}")
    fee = _fee(get["fee"], currency, decimal_comma)
    if isinstance(fee, str):
        return RowReport(number, reference, "rejected", fee)
    charge = ""
    if kind == REFUND:
        found = CHARGE_ID_RE.search(get["charge id"]) or CHARGE_ID_RE.search(get["description"])
        charge = found.group(0) if found else ""
    return Movement(kind, reference, abs(amount), currency, created, created.astimezone(tz).date(), fee, charge,
                    get["customer email"], get["customer email"], get["description"],
                    invoice_number(get["description"]), number)
