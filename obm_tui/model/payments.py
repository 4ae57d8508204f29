"""The payments of an invoice (money in) or a bill (money out): a table under `## Payments`.

Format (docs/finances.md, "Payments"):

    ## Payments

    | Date | Amount | Method | Reference | Note | Id |
    |------------|--------:|--------|-----------|------|--------|
    | 2026-11-04 | 1500.00 | card | ch_3QM2rbLz8xYp1aF8 | | 7K2QXM |
    | 2026-11-09 | -200.00 | refund | re_3QN... | goodwill | 4D9KQZ |

An amount is in the record's currency (a cell may say `1500.00 USD`; another currency is a problem,
never converted); a negative amount is money going back (a refund). The balance is the record's
`amount` less the sum of its rows: worked out, never stored.

Each row obm writes carries an id: random for a payment typed by a person, and made from the
reference for one an import brings (`row_id_for`), so two clones that import the same charge
write the same row and a merge keeps it once (model/row_merge.py). Parsing never raises.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from obm_tui.model.errors import Problem
from obm_tui.model.ids import CROCKFORD
from obm_tui.model.md_table import (
    append_after_heading,
    append_section,
    cells,
    column_key,
    cut_table,
    escape_cell,
    find_table,
    insert_row,
    is_separator,
    marker_at,
    put_table,
    with_id_column,
)
from obm_tui.model.money import MoneyError, currency_code, parse_amount
from obm_tui.model.row_merge import ROW_ID_LENGTH, Row, content_ids, merge_rows, new_row_id

HEADING = "Payments"
HEADER = ("Date", "Amount", "Method", "Reference", "Note", "Id")
COLUMNS = ("date", "amount", "method", "reference", "note", "id")
REQUIRED = ("date", "amount")
SEPARATOR = "|------------|--------:|--------|-----------|------|--------|"
KINDS_WITH_PAYMENTS = ("invoice", "bill")
_HEADING_RE = re.compile(r"^#{1,6}[ \t]+payments[ \t]*#*[ \t]*$", re.I)
_AMOUNT_RE = re.compile(r"^(?P<amount>\S+?)(?:\s+(?P<currency>[A-Za-z]{3}))?$")
_ALIASES = {"ref": "reference", "amt": "amount", "day": "date", "paid": "date"}


@dataclass(frozen=True, slots=True)
class Payment:
    """One row: `amount` signed (below 0: a refund), in the record's currency."""

    day: date
    amount: Decimal
    method: str = ""
    reference: str = ""
    note: str = ""
    line: int = 0
    row_id: str = ""
    currency: str = ""  # as the cell wrote it (`1500.00 USD`); "" when it wrote none


@dataclass(frozen=True, slots=True)
class PaymentTable:
    """A parsed payments table; lines are 1-based in the body (0: none). `insert_at` is the
    offset after the last row (-1: no table yet)."""

    payments: tuple[Payment, ...] = ()
    problems: tuple[Problem, ...] = ()
    columns: tuple[str, ...] = ()
    heading_line: int = 0
    insert_at: int = -1
    table_line: int = 0
    last_line: int = 0

    @property
    def total(self) -> Decimal:
        """Money received (or paid out) so far: the rows' sum."""
        return sum((p.amount for p in self.payments), Decimal(0))


def row_id_for(reference: str) -> str:
    """The row id an imported payment gets: the same in every clone for the same reference."""
    digest = hashlib.sha256(reference.strip().encode("utf-8")).digest()
    number = int.from_bytes(digest[:8], "big")
    return "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in range(ROW_ID_LENGTH))


def parse(body: str, currency: str | None = None) -> PaymentTable:
    """Find and read the payments table of an invoice's or a bill's body. With `currency`, an
    amount written in another one is a problem; without, amounts are read as written."""
    spans, heading, first = find_table(body, _HEADING_RE)
    if heading is None:
        return PaymentTable()
    if first is None:
        return PaymentTable(heading_line=heading + 1)
    return _read_table(spans, heading, first, currency)


def _read_table(spans: list[tuple[int, int, str]], heading: int, first: int, currency: str | None
                ) -> PaymentTable:
    columns = tuple(_ALIASES.get(key, key) for key in (column_key(c) for c in cells(spans[first][2])))
    problems: list[Problem] = []
    missing = [name.title() for name in REQUIRED if name not in columns]
    if missing:
        problems.append(Problem("", first + 1, f"the payments table has no {' or '.join(missing)} column"))
    last = first
    found: list[Payment] = []
    for index in range(first + 1, len(spans)):
        text = spans[index][2]
        if not text.lstrip().startswith("|"):
            break
        last = index
        if index == first + 1 and is_separator(text):
            continue
        if not missing:
            row = _row(dict(zip(columns, cells(text), strict=False)), index + 1, currency)
            if isinstance(row, str):
                problems.append(Problem("", index + 1, row))
            else:
                found.append(row)
    return PaymentTable(tuple(found), tuple(problems), columns, heading + 1, spans[last][1], first + 1, last + 1)


def _row(values: dict[str, str], line: int, currency: str | None) -> Payment | str:
    raw_day = values.get("date", "")
    try:
        day = date.fromisoformat(raw_day[:10])
    except ValueError:
        return f"a payment's Date must be a day like 2026-11-04, got {raw_day[:40]!r}"
    cell = values.get("amount", "")
    amount = amount_cell(cell, currency)
    if isinstance(amount, str):
        return amount
    if amount == 0:
        return "a payment of 0 records nothing"
    written = _AMOUNT_RE.match(cell.strip().replace("\u2212", "-"))
    code = (written.group("currency") or "").upper() if written else ""
    return Payment(day, amount, values.get("method", ""), values.get("reference", ""), values.get("note", ""),
                   line, values.get("id", ""), code)


def amount_cell(text: str, currency: str | None) -> Decimal | str:
    """The amount of a cell (`1500.00`, `-20.00`, `1,500.00 USD`) in `currency`, or why not."""
    match = _AMOUNT_RE.match(text.strip().replace("\u2212", "-"))
    if match is None:
        return f"a payment's Amount must be like 1500.00, got {text[:40]!r}"
    written = match.group("currency")
    try:
        code = currency_code(written) if written else currency
        if currency is not None and code != currency:
            return f"a payment in {code} on a {currency} record: amounts are never converted"
        return parse_amount(match.group("amount"), code or "XXX")
    except MoneyError as exc:
        return f"a payment's Amount: {exc}"


def render_row(payment: Payment, columns: tuple[str, ...] = COLUMNS) -> str:
    """One table row in the given column order (unknown columns left empty)."""
    values = {"date": payment.day.isoformat(), "amount": f"{payment.amount}", "method": escape_cell(payment.method),
              "reference": escape_cell(payment.reference), "note": escape_cell(payment.note), "id": payment.row_id}
    return "| " + " | ".join(values.get(c, "") for c in columns) + " |"


def _new_table(payment: Payment, newline: str) -> str:
    return newline.join(("| " + " | ".join(HEADER) + " |", SEPARATOR, render_row(payment))) + newline


def append(body: str, payment: Payment, table: PaymentTable | None = None) -> str:
    """The body with the payment added after the table's last row (a `## Payments` section is
    added at the end when there is none); other bytes unchanged. A fresh id unless it has one."""
    table = table if table is not None else parse(body)
    payment = payment if payment.row_id else replace(payment, row_id=new_row_id())
    newline = "\r\n" if "\r\n" in body else "\n"
    if table.insert_at >= 0 and "id" not in table.columns:
        body = with_id_column(body, table.table_line)
        table = parse(body)
    if table.insert_at >= 0:
        return insert_row(body, table.insert_at, render_row(payment, table.columns), newline)
    if table.heading_line:
        return append_after_heading(body, table.heading_line, _new_table(payment, newline), newline)
    return append_section(body, HEADING, _new_table(payment, newline), newline)


def identities(payments: tuple[Payment, ...]) -> list[str]:
    """Each row's identity: its id, or its content (numbered, so equal rows stay two)."""
    by_content = iter(content_ids(_content(p) for p in payments if not p.row_id))
    return [p.row_id or next(by_content) for p in payments]


def known_references(payments: tuple[Payment, ...]) -> frozenset[str]:
    """The references (charge ids …) already on the record: an import adds none of them again."""
    return frozenset(p.reference for p in payments if p.reference)


def _content(payment: Payment) -> tuple[str, ...]:
    return (payment.day.isoformat(), str(payment.amount), payment.method, payment.reference, payment.note)


# ----- the index's copy: what the loader keeps of each record's payments -------------------------

# (day, amount, method, reference, row id, currency written)
Summary = tuple[tuple[str, str, str, str, str, str], ...]


def summary(table: PaymentTable) -> Summary:
    """The rows as plain tuples of text (what the index cache stores with the record)."""
    return tuple((p.day.isoformat(), str(p.amount), p.method, p.reference, p.row_id, p.currency)
                 for p in table.payments)


def from_summary(rows: Summary) -> tuple[Payment, ...]:
    """Payments back from `summary` (lines unknown: 0)."""
    return tuple(Payment(date.fromisoformat(d), Decimal(a), m, r, "", 0, i, c) for d, a, m, r, i, c in rows)


# ----- merging two clones' tables ----------------------------------------------------------------

MARKER = "<!-- obm: the payments table -->"
TextMerge = Callable[[str, str, str], tuple[str, bool]]  # (base, ours, theirs) -> (text, clean)


def merge(base: str, ours: str, theirs: str, merge_text: TextMerge) -> tuple[str, bool] | None:
    """Both sides' rows, each once (by identity), theirs' new rows placed by date; the text around
    the table merged by `merge_text`. None when a side has a row that cannot be read or the table
    is lost in the merged text (the caller then merges lines)."""
    bodies = (base, ours, theirs)
    sides = [parse(body) for body in bodies]
    if any(side.problems for side in sides) or not (sides[1].payments or sides[2].payments):
        return None
    merged = merge_rows(*(_rows(index, side) for index, side in enumerate(sides)))
    prose, clean = merge_text(*(_prose(body, side) for body, side in zip(bodies, sides, strict=True)))
    found = marker_at(prose, MARKER)
    if found is None:
        return None
    lines, at = found
    return put_table(lines, at, _table(bodies, sides, merged)), clean


def _rows(side: int, table: PaymentTable) -> list[Row]:
    return [Row(identity, _content(p), p.day, (side, p))
            for identity, p in zip(identities(table.payments), table.payments, strict=True)]


def _prose(body: str, table: PaymentTable) -> str:
    """The body with its table replaced by the marker line."""
    return cut_table(body, table.table_line, table.last_line, MARKER)


def _table(bodies: tuple[str, ...], sides: list[PaymentTable], merged: list[Row]) -> list[str]:
    """The merged table's lines: ours' header (theirs' when ours has none), each row's own bytes
    when its columns are the table's."""
    out = 1 if sides[1].table_line else 2
    body, table = bodies[out], sides[out]
    if "id" not in table.columns and any(row.item[1].row_id for row in merged):
        body = with_id_column(body, table.table_line)
        table = parse(body)
    lines = [line.rstrip("\r") for line in body.split("\n")]
    side_lines = [text.split("\n") for text in bodies]
    first_row = table.payments[0].line - 1 if table.payments else table.last_line
    out_lines = lines[table.table_line - 1:first_row]
    for row in merged:
        side, payment = row.item
        same = sides[side].columns == table.columns
        out_lines.append(side_lines[side][payment.line - 1].rstrip("\r") if same else
                         render_row(payment, table.columns))
    return out_lines
