"""The line items of an invoice a client receives: the body's first Markdown table that has an
item column and an amount column, else one line (the invoice's title and amount).

    | Item | Qty | Amount |
    |---|---|---|
    | Monthly coaching retainer | 1 | 1500.00 |

Item-like headers: Item, Description, Service, Product, Details, What; amount-like: Amount,
Total, Price, Subtotal, Cost (`Unit price` is not an amount: the line's amount is). A `Qty`
column is shown when there is one. Amounts are read in the invoice's currency (model/money.py:
`12,50` is refused, so is `1500.50` yen), and the lines must add up to the invoice's `amount` —
a PDF whose lines say one total and whose total says another is never made. The `## Payments`
table has no item column, so it is never taken for the items. Pure: text in, values out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from obm_tui.model.md_table import cells, column_key, is_separator, line_spans
from obm_tui.model.money import MoneyError, parse_amount, shown

ITEM_COLUMNS = ("item", "items", "description", "service", "services", "product", "details", "what")
AMOUNT_COLUMNS = ("amount", "total", "linetotal", "price", "subtotal", "cost")
QTY_COLUMNS = ("qty", "quantity", "hours", "units")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the invoice: what, how many (as written, may be ""), and its amount."""

    item: str
    amount: Decimal
    qty: str = ""


def line_items(body: str, title: str, amount: Decimal, currency: str, first_line: int = 1) -> tuple[Line, ...]:
    """The invoice's lines; MoneyError naming the line (counted from `first_line`, the body's first
    line in its file) when an amount cannot be read or the lines do not add up to `amount`."""
    table = _first_item_table(body, first_line - 1)
    if table is None:
        return (Line(title.strip() or "Invoice", amount),)
    header_line, columns, rows = table
    lines = tuple(_line(columns, row, number, currency) for number, row in rows)
    total = sum((line.amount for line in lines), Decimal(0))
    if not lines:
        return (Line(title.strip() or "Invoice", amount),)
    if total != amount:
        raise MoneyError(f"the items table (line {header_line}) adds up to {shown(total, currency)}, but the "
                         f"invoice's amount is {shown(amount, currency)}: make them agree")
    return lines


def _first_item_table(body: str, offset: int) -> tuple[int, dict[str, int], list[tuple[int, str]]] | None:
    """(header's line number, role -> column index, [(line number, row text)]) of the first table
    with an item and an amount column."""
    spans = line_spans(body)
    index = 0
    while index < len(spans):
        text = spans[index][2]
        if not text.lstrip().startswith("|"):
            index += 1
            continue
        start = index
        while index < len(spans) and spans[index][2].lstrip().startswith("|"):
            index += 1
        columns = _roles(cells(spans[start][2]))
        if "item" in columns and "amount" in columns:
            rows = [(offset + n + 1, spans[n][2]) for n in range(start + 1, index)
                    if not (n == start + 1 and is_separator(spans[n][2]))]
            return offset + start + 1, columns, rows
    return None


def _roles(header: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for position, name in enumerate(header):
        key = column_key(name)
        for role, names in (("item", ITEM_COLUMNS), ("amount", AMOUNT_COLUMNS), ("qty", QTY_COLUMNS)):
            if key in names and role not in roles:
                roles[role] = position
    return roles


def _line(columns: dict[str, int], row: str, number: int, currency: str) -> Line:
    values = cells(row)

    def cell(role: str) -> str:
        at = columns.get(role)
        return values[at] if at is not None and at < len(values) else ""

    written = cell("amount")
    text = written.removesuffix(currency).strip() if written.upper().endswith(currency) else written
    try:
        amount = parse_amount(text, currency)
    except MoneyError as exc:
        raise MoneyError(f"the items table, line {number}: {exc}") from None
    return Line(cell("item"), amount, cell("qty"))
