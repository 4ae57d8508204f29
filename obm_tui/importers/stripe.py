"""Reading Stripe's payments export (dashboard "unified payments" CSV) for declined payments.

Rows whose Status is Failed or Blocked become decline candidates; every other row is
skipped. Idempotent on the charge id. Columns: docs/stock.md, "Payments import".
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal

from obm_tui.importers.csvrows import CsvRefused, RowReport, cell, column_index, missing_columns, odd_cell, read_rows
from obm_tui.model.fields import FieldValueError, to_money

REQUIRED = {"id": "id", "created date (utc)": "Created date (UTC)", "amount": "Amount", "currency": "Currency",
            "status": "Status"}
# Header names Stripe has shipped for the same column (matched after `normalise`): the payments
# export before "unified payments" says `Created (UTC)`; docs/stock.md lists them.
ALIASES = {"created (utc)": "created date (utc)"}
DECLINED = frozenset({"failed", "blocked"})
# The cells that become a decline's fields: one line each.
WRITTEN = {"id": "id", "currency": "Currency", "customer description": "Customer Description",
           "card name": "Card Name", "customer email": "Customer Email", "seller message": "Seller Message",
           "description": "Description"}


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


@dataclass(frozen=True, slots=True)
class StripeImport:
    """The decline candidates, a report line per row, or why the whole file was refused."""

    candidates: tuple[DeclineCandidate, ...] = ()
    rows: tuple[RowReport, ...] = ()
    refused: str = ""


def parse_amount(text: str) -> Decimal | None:
    """`15.00`, `1,234.50`, or `15,00` (a decimal comma) -> Decimal; None when unreadable or out of bounds."""
    text = text.strip().replace(" ", "")
    if re.fullmatch(r"-?[0-9]+,[0-9]{1,2}", text):
        text = text.replace(",", ".")
    try:
        return to_money(text)  # ASCII digits, at most 2 decimals, within the bound
    except FieldValueError:
        return None


def parse_created(text: str) -> datetime | None:
    """`2024-06-07 02:38:54`, `2019-05-14 13:17` or `2019-05-14T13:17:00Z` (UTC) -> an aware datetime."""
    text = text.strip()
    try:
        value = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _candidate(number: int, get: dict[str, str], tz: tzinfo, created_label: str) -> DeclineCandidate | RowReport:
    charge = get["id"]
    amount, created = parse_amount(get["amount"]), parse_created(get["created date (utc)"])
    if not charge:
        return RowReport(number, "", "rejected", "no id (charge id)")
    odd = odd_cell(get, WRITTEN)
    if odd:
        return RowReport(number, "" if odd.startswith("id:") else charge, "rejected", odd)
    if amount is None or amount <= 0:
        return RowReport(number, charge, "rejected",
                         f"Amount must be a positive amount up to 1,000,000,000 with at most 2 decimals, "
                         f"got {get['amount'][:60]!r}")
    if created is None:
        shown = get["created date (utc)"][:60]
        return RowReport(number, charge, "rejected", f"{created_label} is not a date: {shown!r}")
    customer = get["customer description"] or get["card name"] or get["customer email"]
    return DeclineCandidate(charge, amount, get["currency"].upper(), created, created.astimezone(tz).date(),
                            customer, get["customer email"], get["seller message"], get["description"], number)


def parse_payments(data: bytes, known_charges: Collection[str] = (), tz: tzinfo = UTC) -> StripeImport:
    """Read a Stripe payments export. `known_charges`: charge ids already in a decline record;
    `tz`: the vault's time zone, for the decline's date. Never raises."""
    try:
        header, rows = read_rows(data)
    except CsvRefused as exc:
        return StripeImport(refused=str(exc))
    index = column_index(header, ALIASES)
    missing = missing_columns(index, REQUIRED)
    if missing:
        return StripeImport(refused=f"not a Stripe payments export: missing column(s) {', '.join(missing)}")
    created_label = header[index["created date (utc)"]]  # as this file names it
    wanted = (*REQUIRED, "customer description", "card name", "customer email", "seller message", "description")
    candidates: list[DeclineCandidate] = []
    reports: list[RowReport] = []
    for number, cells in rows:
        get = {key: cell(cells, index, key) for key in wanted}
        status = get["status"]
        if status.lower() not in DECLINED:
            reports.append(RowReport(number, get["id"], "skipped", f"status {status or 'missing'}: not a decline"))
        elif get["id"] in known_charges:
            reports.append(RowReport(number, get["id"], "skipped", "already recorded"))
        else:
            found = _candidate(number, get, tz, created_label)
            if isinstance(found, RowReport):
                reports.append(found)
            else:
                candidates.append(found)
                reason = found.reason or "no reason given"
                reports.append(RowReport(number, found.charge_id, "ok",
                                         f"declined {found.amount} {found.currency}: {reason}"))
    return StripeImport(tuple(candidates), tuple(reports))
