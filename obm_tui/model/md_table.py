"""Markdown tables in a record's body: the pieces the ledgers share (the stock ledger of a product,
the payments of an invoice or a bill). Lines keep their bytes; a cell's `|` is written `\\|`."""

from __future__ import annotations

import re

CELL_SPLIT_RE = re.compile(r"(?<!\\)\|")
SEPARATOR_CELL_RE = re.compile(r"^:?-+:?$")
OTHER_HEADING_RE = re.compile(r"^#{1,6}[ \t]")


def column_key(name: str) -> str:
    """`On hand` -> `onhand`: how a header cell is matched, whatever its case and spaces."""
    return "".join(name.lower().split()).replace("_", "")


def cells(line: str) -> list[str]:
    """The cells of a table line, stripped, `\\|` read as `|`."""
    text = line.strip()
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") and not text.endswith("\\|") else text
    return [cell.strip().replace("\\|", "|") for cell in CELL_SPLIT_RE.split(text)]


def is_separator(line: str) -> bool:
    """`|---|--:|`: the line under a table's header."""
    return all(SEPARATOR_CELL_RE.match(c) for c in cells(line) if c)


def escape_cell(text: str) -> str:
    """One line, `|` escaped: safe inside a cell."""
    return " ".join(text.split()).replace("|", "\\|")


def line_spans(body: str) -> list[tuple[int, int, str]]:
    """(start offset, end offset including the newline, text without the line ending)."""
    spans, start = [], 0
    for piece in body.split("\n"):
        end = min(start + len(piece) + 1, len(body))
        if start < len(body):
            spans.append((start, end, piece.rstrip("\r")))
        start = end
    return spans


def find_table(body: str, heading: re.Pattern[str]) -> tuple[list[tuple[int, int, str]], int | None, int | None]:
    """The body's line spans, the index of the first line `heading` matches (None: no such
    heading) and of the table's header line under it (None: no table before the next heading)."""
    spans = line_spans(body)
    at = next((i for i, (_, _, text) in enumerate(spans) if heading.match(text)), None)
    if at is None:
        return spans, None, None
    first = at + 1
    while first < len(spans) and not spans[first][2].lstrip().startswith("|"):
        if OTHER_HEADING_RE.match(spans[first][2]):
            return spans, at, None
        first += 1
    return spans, at, (first if first < len(spans) else None)


def add_cell(line: str, text: str) -> str:
    """The line with one more cell at its end (dashes for a separator line)."""
    ending = "\r" if line.endswith("\r") else ""
    stripped = line.rstrip()
    closed = stripped.endswith("|") and not stripped.endswith("\\|")
    cell = text if set(text) == {"-"} else f" {text} "  # a separator's dashes touch the pipes
    return stripped + (f"{cell}|" if closed else f" |{cell}|") + ending


def with_id_column(body: str, table_line: int) -> str:
    """The body with an `Id` cell added to the header (1-based `table_line`) and its separator."""
    lines = body.split("\n")
    lines[table_line - 1] = add_cell(lines[table_line - 1], "Id")
    if table_line < len(lines) and is_separator(lines[table_line]):
        lines[table_line] = add_cell(lines[table_line], "--------")
    return "\n".join(lines)


def append_after_heading(body: str, heading_line: int, table: str, newline: str) -> str:
    """The body with `table` put under the heading on 1-based line `heading_line`."""
    spans = line_spans(body)
    at = spans[heading_line - 1][1]
    prefix = body[:at] if body[:at].endswith("\n") else body[:at] + newline
    return prefix + newline + table + body[at:]


def append_section(body: str, heading: str, table: str, newline: str) -> str:
    """The body with `## heading` and `table` added at its end, after one blank line."""
    if body and not body.endswith("\n"):
        body += newline
    if body.strip() and not body.endswith(newline + newline):
        body += newline
    return body + f"## {heading}" + newline + newline + table


def insert_row(body: str, at: int, row: str, newline: str) -> str:
    """The body with `row` as a line at offset `at` (the end of a table's last row)."""
    if body[:at].endswith("\n"):
        return body[:at] + row + newline + body[at:]
    return body[:at] + newline + row + body[at:]


def cut_table(body: str, table_line: int, last_line: int, marker: str) -> str:
    """The body with its table (1-based lines `table_line`…`last_line`; 0: none) as one marker
    line, so that the text around it can merge line by line while the rows merge by identity."""
    if not table_line:
        return body
    lines = body.split("\n")
    ending = "\r" if lines[table_line - 1].endswith("\r") else ""
    lines[table_line - 1:last_line] = [marker + ending]
    return "\n".join(lines)


def marker_at(text: str, marker: str) -> tuple[list[str], int] | None:
    """The lines of merged text and the index of its one marker line (None: lost or doubled)."""
    lines = text.split("\n")
    at = [i for i, line in enumerate(lines) if line.rstrip("\r") == marker]
    return (lines, at[0]) if len(at) == 1 else None


def put_table(lines: list[str], at: int, table: list[str]) -> str:
    """The lines with the marker at `at` replaced by the table's lines (keeping its line ending)."""
    ending = "\r" if lines[at].endswith("\r") else ""
    lines[at:at + 1] = [line + ending for line in table]
    return "\n".join(lines)
