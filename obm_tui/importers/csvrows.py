"""What the CSV importers share: decoding, header lookup, and the per-row report."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from obm_tui.model.fields import FieldValueError, one_line


@dataclass(frozen=True, slots=True)
class RowReport:
    """What happened to one CSV row (row 1 is the header): `ok`, `skipped` or `rejected`."""

    row: int
    key: str
    status: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}, {self.key}" if self.key else f"row {self.row}"
        return f"{where}: {self.reason}"


class CsvRefused(ValueError):
    """The whole file cannot be imported; the message says why."""


def normalise(header: str) -> str:
    """`Lineitem SKU`, `lineitem_sku`, ` Lineitem  sku ` -> `lineitem sku`."""
    return " ".join(header.replace("_", " ").replace("-", " ").lower().split())


def delimiter_of(data: bytes) -> str:
    """`;` when the first line has more semicolons than commas (some spreadsheet locales), else `,`."""
    first_line = data.split(b"\n", 1)[0]
    return ";" if first_line.count(b";") > first_line.count(b",") else ","


def read_rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(row number, cells)]) of a UTF-8 CSV (BOM allowed; `,` or `;`); blank rows left out."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvRefused(f"the file is not UTF-8 text (bad byte at offset {exc.start})") from None
    if not text.strip():
        raise CsvRefused("the file is empty")
    delimiter = delimiter_of(text.split("\n", 1)[0].encode("utf-8"))
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise CsvRefused(f"not a readable CSV file: {exc}") from None
    header = [cell.strip() for cell in rows[0]]
    body = [(number, cells) for number, cells in enumerate(rows[1:], start=2) if any(c.strip() for c in cells)]
    return header, body


def column_index(header: Iterable[str], aliases: Mapping[str, str]) -> dict[str, int]:
    """Normalised column name -> position (the first of repeated names; aliases folded in)."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        key = normalise(name)
        index.setdefault(aliases.get(key, key), position)
    return index


def missing_columns(index: Mapping[str, int], required: Mapping[str, str]) -> list[str]:
    """The documented names of the required columns that are not in the header."""
    return [label for key, label in required.items() if key not in index]


def cell(cells: list[str], index: Mapping[str, int], key: str) -> str:
    """The stripped value of a column in a row ('' when the column or the cell is missing)."""
    position = index.get(key)
    return cells[position].strip() if position is not None and position < len(cells) else ""


def odd_cell(get: Mapping[str, str], labels: Mapping[str, str]) -> str:
    """Why one of a row's cells cannot go into a record ('' when none): a line break, or over 1,000
    characters. `labels` maps the normalised column names to check to the names shown."""
    for key, label in labels.items():
        try:
            one_line(get.get(key, ""))
        except FieldValueError as exc:
            return f"{label}: {exc}"
    return ""
