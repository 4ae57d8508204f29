"""A product's stock ledger: a Markdown table of movements under a `## Ledger` heading.

Format (docs/stock.md, "Ledger format"):

    | Date | Movement | Qty | On hand | Ref | Note | Id |
    |------------|----------|----:|--------:|-----|------|--------|
    | 2026-11-20 | ship | -3 | 11 | order 1042 | | 7K2QXM |

Each row obm writes carries a random `Id`; rows without one are known by their content
(model/row_merge.py), so a merge between clones keeps every movement once (`merge`).

Parsing never raises; what cannot be read is a Problem (path empty, line 1-based in the body).
Planning a movement raises StockError with a reason a person can act on. Integers only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from obm_tui.model.errors import Problem, ValidationError
from obm_tui.model.fields import MAX_WHOLE, FieldValueError, whole_number
from obm_tui.model.ids import sku_text
from obm_tui.model.md_table import (
    SEPARATOR_CELL_RE,
    append_after_heading,
    append_section,
    column_key,
    cut_table,
    escape_cell,
    find_table,
    insert_row,
    marker_at,
    put_table,
)
from obm_tui.model.md_table import cells as _cells
from obm_tui.model.md_table import with_id_column as _with_id_column
from obm_tui.model.row_merge import Row, content_ids, merge_rows, new_row_id

MOVEMENTS = ("receive", "ship", "adjust", "count")
ALIASES = {
    "received": "receive", "receipt": "receive", "shipped": "ship", "sell": "ship", "sold": "ship",
    "sale": "ship", "adjusted": "adjust", "adjustment": "adjust", "counted": "count",
}
HEADER = ("Date", "Movement", "Qty", "On hand", "Ref", "Note", "Id")
REQUIRED = ("date", "movement", "qty", "onhand")
COLUMNS = ("date", "movement", "qty", "onhand", "ref", "note", "id")
SEPARATOR = "|------------|----------|----:|--------:|-----|------|--------|"
_HEADING_RE = re.compile(r"^#{1,6}[ \t]+ledger[ \t]*#*[ \t]*$", re.I)


class StockError(ValidationError):
    """A stock movement that cannot be recorded (it would break the arithmetic)."""

    title = "Stock"


@dataclass(frozen=True, slots=True)
class Movement:
    """One ledger row: `qty` is the signed change, `on_hand` the units after it."""

    when: date | datetime
    kind: str
    qty: int
    on_hand: int
    ref: str = ""
    note: str = ""
    line: int = 0
    row_id: str = ""  # written by obm; empty in rows written by hand or by an older obm

    @property
    def day(self) -> date:
        """The movement's date."""
        return self.when.date() if isinstance(self.when, datetime) else self.when

    @property
    def before(self) -> int:
        """Units on hand before the movement."""
        return self.on_hand - self.qty


@dataclass(frozen=True, slots=True)
class Ledger:
    """A parsed ledger. `insert_at` is where a new row goes (-1: there is no table yet);
    `table_line` is the header row's line, `last_line` the last row's (1-based, 0: no table)."""

    movements: tuple[Movement, ...] = ()
    problems: tuple[Problem, ...] = ()
    columns: tuple[str, ...] = ()
    heading_line: int = 0
    insert_at: int = -1
    last_line: int = 0
    table_line: int = 0

    @property
    def balance(self) -> int | None:
        """Units on hand after the last movement (None for an empty ledger)."""
        return self.movements[-1].on_hand if self.movements else None


def _int(text: str) -> int | None:
    text = text.replace("\u2212", "-").replace(" ", "")  # a typographic minus sign
    try:
        return whole_number(text)
    except FieldValueError:
        return None


def _when(text: str) -> date | datetime | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        return None


def _kind_rule(kind: str, qty: int) -> str | None:
    if kind == "receive" and qty <= 0:
        return f"a receive must add units (Qty > 0), got {qty:+d}"
    if kind == "ship" and qty >= 0:
        return f"a ship must take units out (Qty < 0), got {qty:+d}"
    if kind == "adjust" and qty == 0:
        return "an adjust must change the stock (Qty is 0; a count that matched is a count)"
    if kind == "count" and qty != 0:
        return f"a count row has Qty 0 (a difference is an adjust row), got {qty:+d}"
    return None


def _row(cells: dict[str, str], number: int) -> Movement | str:
    when = _when(cells.get("date", ""))
    if when is None:
        return f"expected a date like 2026-11-20, got {cells.get('date', '')!r}"
    raw_kind = cells.get("movement", "").lower()
    kind = ALIASES.get(raw_kind, raw_kind)
    if kind not in MOVEMENTS:
        return f"unknown movement {raw_kind!r}: expected receive, ship, adjust or count"
    qty, on_hand = _int(cells.get("qty", "")), _int(cells.get("onhand", ""))
    if qty is None:
        return f"Qty must be a whole number like +24 or -3, got {cells.get('qty', '')!r}"
    if on_hand is None:  # below 0 reads: a merge of two clones that shipped the last units (`oversold`)
        return f"On hand must be a whole number, got {cells.get('onhand', '')!r}"
    rule = _kind_rule(kind, qty)
    if rule:
        return rule
    return Movement(when, kind, qty, on_hand, cells.get("ref", ""), cells.get("note", ""), number, cells.get("id", ""))


def parse(body: str) -> Ledger:
    """Find and read the ledger table of a product body."""
    spans, heading, table = find_table(body, _HEADING_RE)
    if heading is None:
        return Ledger()
    if table is None:
        return Ledger(heading_line=heading + 1)
    return _read_table(spans, heading, table)


def _read_table(spans: list[tuple[int, int, str]], heading: int, first: int) -> Ledger:
    columns = tuple(column_key(c) for c in _cells(spans[first][2]))
    problems: list[Problem] = []
    missing = [HEADER[i] for i, key in enumerate(REQUIRED) if key not in columns]
    if missing:
        problems.append(Problem("", first + 1, f"the ledger table has no {', '.join(missing)} column"))
    last = first
    movements: list[Movement] = []
    for index in range(first + 1, len(spans)):
        text = spans[index][2]
        if not text.lstrip().startswith("|"):
            break
        last = index
        cells = _cells(text)
        if index == first + 1 and all(SEPARATOR_CELL_RE.match(c) for c in cells if c):
            continue
        if not missing:
            row = _row(dict(zip(columns, cells, strict=False)), index + 1)
            if isinstance(row, str):
                problems.append(Problem("", index + 1, row))
            else:
                movements.append(row)
    return Ledger(tuple(movements), tuple(problems), columns, heading + 1, spans[last][1], last + 1, first + 1)


def check(ledger: Ledger, on_hand: int | None) -> tuple[Problem, ...]:
    """Every problem: unreadable rows, breaks in the running total, an end != `on_hand`."""
    problems = list(ledger.problems)
    previous: Movement | None = None
    for movement in ledger.movements:
        if previous is None and movement.before < 0:
            problems.append(Problem("", movement.line, f"opening stock would be {movement.before} (below 0)"))
        if previous is not None and movement.before != previous.on_hand:
            expected = previous.on_hand + movement.qty
            problems.append(Problem("", movement.line, f"on hand {movement.on_hand} does not follow "
                                    f"{previous.on_hand} {movement.qty:+d} = {expected}"))
        previous = movement
    if previous is not None and on_hand is not None and previous.on_hand != on_hand:
        problems.append(Problem("", previous.line, f"the ledger ends at {previous.on_hand} "
                                f"but on_hand is {on_hand}"))
    return tuple(sorted(problems, key=lambda p: p.line))


OVERSOLD = "oversold — "  # how the problem of a ledger that ends below 0 begins (services/check.py)


def oversold_low(movements: tuple[Movement, ...]) -> Movement | None:
    """When the ledger ends below 0 (only a merge writes that: each clone shipped the last
    units), the lowest row of its last run below 0; else None."""
    if not movements or movements[-1].on_hand >= 0:
        return None
    start = len(movements) - 1
    while start > 0 and movements[start - 1].on_hand < 0:
        start -= 1
    return min(movements[start:], key=lambda m: m.on_hand)


def oversold(movements: tuple[Movement, ...]) -> Problem | None:
    """The problem of a ledger that ends below 0, at its lowest row, in a person's words."""
    low = oversold_low(movements)
    if low is None:
        return None
    return Problem("", low.line, f"{OVERSOLD}on hand went to {low.on_hand} on {low.day.isoformat()} "
                                 "(both clones shipped the last units); count the stock")


def _whole(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise StockError(f"{what} must be a whole number, got {value!r}")
    return value


def _result(current: int, delta: int, sku: str, verb: str) -> int:
    """On hand after the movement. Units coming in are taken even when on hand stays below 0
    (an oversold product); units going out never take it below 0."""
    after = current + delta
    if current < 0 and delta < 0:
        raise StockError(f"cannot {verb} {-delta} of {sku or 'this product'}: on hand is {current} (oversold); "
                         "count the stock first")
    if after < 0 and delta < 0:
        raise StockError(f"cannot {verb} {abs(delta)} of {sku or 'this product'}: only {current} on hand")
    if after > MAX_WHOLE:
        raise StockError(f"cannot {verb} {abs(delta)} of {sku or 'this product'}: on hand would pass {MAX_WHOLE:,}")
    return after


def receive(current: int, qty: int, when: date | datetime, ref: str = "", note: str = "", sku: str = "") -> Movement:
    """Units arrived (qty > 0)."""
    if _whole(qty, "the quantity received") <= 0:
        raise StockError(f"the quantity received must be more than 0, got {qty}")
    return Movement(when, "receive", qty, _result(_whole(current, "on hand"), qty, sku, "receive"), ref, note)


def ship(current: int, qty: int, when: date | datetime, ref: str = "", note: str = "", sku: str = "") -> Movement:
    """Units shipped or sold (qty > 0 units go out)."""
    if _whole(qty, "the quantity shipped") <= 0:
        raise StockError(f"the quantity shipped must be more than 0, got {qty}")
    return Movement(when, "ship", -qty, _result(_whole(current, "on hand"), -qty, sku, "ship"), ref, note)


def adjust(current: int, delta: int, when: date | datetime, ref: str = "", note: str = "", sku: str = "") -> Movement:
    """A correction by `delta` units (not 0); damaged, lost, found."""
    if _whole(delta, "the adjustment") == 0:
        raise StockError("an adjustment of 0 changes nothing")
    return Movement(when, "adjust", delta, _result(_whole(current, "on hand"), delta, sku, "take out"), ref, note)


def count(current: int, counted: int, when: date | datetime, note: str = "", sku: str = "") -> Movement:
    """A stock count: a `count` row when it matches, else an `adjust` row with the difference."""
    if _whole(counted, "the count") < 0:
        raise StockError(f"a count cannot be negative, got {counted}")
    current = _whole(current, "on hand")
    if counted == current:
        return Movement(when, "count", 0, counted, "", note)
    if abs(counted - current) > MAX_WHOLE:
        raise StockError(f"a count of {counted} is {counted - current:+,} from the ledger's {current}: "
                         f"more than {MAX_WHOLE:,} units apart")
    text = f"counted {counted}, ledger said {current}" + (f"; {note}" if note else "")
    return Movement(when, "adjust", counted - current, counted, "count", text)


def rerun(body: str) -> str:
    """The body with each row's on-hand following the one before (+ its qty), from the first
    row's: after two clones' movements were merged into one table (each side wrote on-hand
    after its own rows), the totals run through all of them again. Rows whose total already
    follows are left byte for byte; a body without a readable ledger comes back as it is."""
    ledger = parse(body)
    if ledger.problems or not ledger.movements:
        return body
    lines = body.split("\n")
    total = ledger.movements[0].on_hand
    for movement in ledger.movements[1:]:
        total += movement.qty
        if movement.on_hand != total:
            ending = "\r" if lines[movement.line - 1].endswith("\r") else ""
            lines[movement.line - 1] = render_row(replace(movement, on_hand=total), ledger.columns) + ending
    return "\n".join(lines)


def _format_when(when: date | datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if isinstance(when, datetime) else when.isoformat()


def render_row(movement: Movement, columns: tuple[str, ...] = COLUMNS) -> str:
    """One table row in the given column order (unknown columns left empty)."""
    values = {
        "date": _format_when(movement.when), "movement": movement.kind,
        "qty": f"{movement.qty:+d}" if movement.qty else "0", "onhand": str(movement.on_hand),
        "ref": escape_cell(movement.ref), "note": escape_cell(movement.note), "id": movement.row_id,
    }
    return "| " + " | ".join(values.get(c, "") for c in columns) + " |"


def _new_table(movement: Movement, newline: str) -> str:
    header = "| " + " | ".join(HEADER) + " |"
    return newline.join((header, SEPARATOR, render_row(movement))) + newline


def append(body: str, movement: Movement, ledger: Ledger | None = None) -> str:
    """The body with one row added after the ledger's last row; other bytes unchanged but for
    an `Id` column added to a table that has none (its older rows keep no id: they are known
    by their content). The row gets a fresh id unless it has one.

    Without a ledger, a `## Ledger` heading and table are added at the end of the body.
    """
    ledger = ledger if ledger is not None else parse(body)
    movement = movement if movement.row_id else replace(movement, row_id=new_row_id())
    newline = "\r\n" if "\r\n" in body else "\n"
    if ledger.insert_at >= 0 and "id" not in ledger.columns:
        body = with_id_column(body, ledger)
        ledger = parse(body)
    if ledger.insert_at >= 0:
        return insert_row(body, ledger.insert_at, render_row(movement, ledger.columns), newline)
    if ledger.heading_line:
        return append_after_heading(body, ledger.heading_line, _new_table(movement, newline), newline)
    return append_section(body, "Ledger", _new_table(movement, newline), newline)


def with_id_column(body: str, ledger: Ledger) -> str:
    """The body with an `Id` cell added to the table's header and separator lines."""
    return _with_id_column(body, ledger.table_line)


def commit_message(sku: str, movement: Movement) -> str:
    """`stock MUG-01: shipped 3 (order 1042), 14 -> 11` and the like."""
    ref = f" ({movement.ref})" if movement.ref else ""
    sku = sku_text(sku)
    if movement.kind == "count":
        return f"stock {sku}: counted {movement.on_hand}, matches"
    words = {"receive": f"received {movement.qty}", "ship": f"shipped {-movement.qty}",
             "adjust": f"adjusted {movement.qty:+d}"}
    return f"stock {sku}: {words[movement.kind]}{ref}, {movement.before} -> {movement.on_hand}"


@dataclass(frozen=True, slots=True)
class Recorded:
    """A movement ready to save: the new body, the row, the commit message, and old problems."""

    body: str
    movement: Movement
    message: str
    problems: tuple[Problem, ...] = ()


def _base(ledger: Ledger, on_hand: int, kind: str, sku: str) -> int:
    """The units the new movement starts from; StockError when the ledger's end is unclear."""
    if ledger.insert_at >= 0 and any(key not in ledger.columns for key in REQUIRED):
        raise StockError(f"the ledger of {sku} has no Date, Movement, Qty and On hand columns: fix its header")
    broken = [p for p in ledger.problems if p.line == ledger.last_line]
    if broken:
        raise StockError(f"the last ledger row of {sku} cannot be read ({broken[0].reason}): fix it first")
    end = ledger.balance
    if end is None or end == on_hand or kind == "count":
        return on_hand if end is None else end
    raise StockError(f"the ledger of {sku} ends at {end} but on_hand is {on_hand}: "
                     "fix one of them by hand, or record a count")


def record(
    body: str, sku: str, on_hand: int, kind: str, qty: int, when: date | datetime,
    ref: str = "", note: str = "",
) -> Recorded:
    """Plan and append one movement. `qty`: units received/shipped, the signed adjustment, or
    the units counted. Raises StockError (negative stock, a ledger whose end is unclear)."""
    ledger = parse(body)
    base = _base(ledger, on_hand, kind, sku)
    if kind == "count":
        movement = count(base, qty, when, note, sku)
    elif kind in ("receive", "ship", "adjust"):
        planner = {"receive": receive, "ship": ship, "adjust": adjust}[kind]
        movement = planner(base, qty, when, ref, note, sku)
    else:
        raise StockError(f"unknown movement {kind!r}: expected receive, ship, adjust or count")
    movement = replace(movement, row_id=new_row_id())
    return Recorded(append(body, movement, ledger), movement, commit_message(sku, movement), check(ledger, on_hand))


# ----- merging two clones' ledgers ---------------------------------------------------------------

MARKER = "<!-- obm: the ledger table -->"  # stands for the table while the text around it merges
TextMerge = Callable[[str, str, str], tuple[str, bool]]  # (base, ours, theirs) -> (text, clean)


@dataclass(frozen=True, slots=True)
class Merged:
    """A merged body, whether the text around the table merged cleanly, and the units at the end."""

    body: str
    clean: bool
    balance: int | None


def merge(base: str, ours: str, theirs: str, merge_text: TextMerge) -> Merged | None:
    """Both sides' movements, each once (matched by row identity, model/row_merge.py), theirs'
    new rows placed by date, and the running column recomputed from the opening stock; the text
    around the table merged by `merge_text`. None when a side's ledger has a row that cannot be
    read, or the table cannot be found in the merged text (the caller then merges lines)."""
    bodies = (base, ours, theirs)
    sides = [parse(body) for body in bodies]
    if any(side.problems for side in sides) or not (sides[1].movements or sides[2].movements):
        return None
    merged = merge_rows(*(_rows(index, side) for index, side in enumerate(sides)))
    prose, clean = merge_text(*(_prose(body, side) for body, side in zip(bodies, sides, strict=True)))
    found = marker_at(prose, MARKER)
    if found is None:
        return None
    lines, at = found
    opening = (sides[1].movements or sides[2].movements)[0].before
    table, balance = _table(bodies, sides, merged, opening)
    return Merged(put_table(lines, at, table), clean, balance)


def identities(movements: tuple[Movement, ...]) -> list[str]:
    """Each row's identity: its id, or its content without the running column (numbered)."""
    by_content = iter(content_ids(_content(m) for m in movements if not m.row_id))
    return [m.row_id or next(by_content) for m in movements]


def _content(movement: Movement) -> tuple[str, ...]:
    return (_format_when(movement.when), movement.kind, str(movement.qty), movement.ref, movement.note)


def _order_key(movement: Movement) -> tuple[date, time]:
    return movement.day, movement.when.time() if isinstance(movement.when, datetime) else time.min


def _rows(side: int, ledger: Ledger) -> list[Row]:
    return [Row(identity, _content(m), _order_key(m), (side, m))
            for identity, m in zip(identities(ledger.movements), ledger.movements, strict=True)]


def _prose(body: str, ledger: Ledger) -> str:
    """The body with its table replaced by the marker line."""
    return cut_table(body, ledger.table_line, ledger.last_line, MARKER)


def _table(bodies: tuple[str, ...], sides: list[Ledger], merged: list[Row], opening: int) -> tuple[list[str], int]:
    """The merged table's lines (ours' header, or theirs' when ours has none; an `Id` column
    added when a row has an id) and the units at its end. A row keeps its bytes when its total
    still follows and its columns are the table's."""
    out = 1 if sides[1].table_line else 2
    body, table = bodies[out], sides[out]
    if "id" not in table.columns and any(row.item[1].row_id for row in merged):
        body = with_id_column(body, table)
        table = parse(body)
    lines = [line.rstrip("\r") for line in body.split("\n")]
    side_lines = [text.split("\n") for text in bodies]
    first_row = table.movements[0].line - 1 if table.movements else table.last_line
    out_lines = lines[table.table_line - 1:first_row]
    total = opening
    for row in merged:
        side, movement = row.item
        total += movement.qty
        out_lines.append(_row_text(side_lines[side], sides[side].columns, table.columns, movement, total))
    return out_lines, total


def _row_text(lines: list[str], columns: tuple[str, ...], out_columns: tuple[str, ...], movement: Movement,
              total: int) -> str:
    same_columns = columns == out_columns or (columns + ("id",) == out_columns and not movement.row_id)
    if movement.on_hand == total and same_columns:
        return lines[movement.line - 1].rstrip("\r")
    return render_row(replace(movement, on_hand=total), out_columns)
