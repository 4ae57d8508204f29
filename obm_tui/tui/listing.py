"""Record lists for the screens: sorting, the `/` filter, and the rows a VirtualTable draws.

The filter takes `field:value` terms (`:` means "contains"; `=`, `!=`, `<`, `>`, `<=`, `>=` compare
by the field's type, as `obm list --where` does) and free words. Every free word must match a
record: as a substring of its text when any record has it, else fuzzily (typos forgiven).
Filtering keeps the sorted order, so typing never re-sorts.
"""

from __future__ import annotations

import re
import shlex
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from obm_tui.model.errors import UsageError
from obm_tui.model.fields import FieldValueError
from obm_tui.model.kinds import LIST_COLUMNS, Kind
from obm_tui.model.query import Term, sort_key
from obm_tui.model.records import Record
from obm_tui.tui.widgets.virtual_table import Column, natural_widths

_TERM_RE = re.compile(r"^([A-Za-z_][\w-]*)(!=|>=|<=|=|>|<|~|:)(.*)$", re.S)
FUZZY_CUTOFF = 80
SAMPLE_ROWS = 300


@dataclass(frozen=True)
class Filter:
    """A parsed filter: field terms, free words, and what could not be understood."""

    terms: tuple[Term, ...] = ()
    words: tuple[str, ...] = ()
    error: str = ""

    @property
    def empty(self) -> bool:
        return not self.terms and not self.words


def tokens(text: str) -> list[str]:
    """Split on spaces; quotes group words (`customer:"Fred Smith"`); unbalanced quotes are tolerated."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def parse_filter(kinds: Sequence[Kind], text: str) -> Filter:
    """Read what the user typed in the filter box."""
    terms: list[Term] = []
    words: list[str] = []
    errors: list[str] = []
    for token in tokens(text):
        match = _TERM_RE.match(token)
        name = match.group(1) if match else ""
        if match and (name == "id" or any(k.field(name) for k in kinds)):
            op, value = match.group(2), match.group(3)
            term = Term(name, "~" if op == ":" else op, value)
            problem = _check(kinds, term)
            if problem:
                errors.append(problem)
            else:
                terms.append(term)
        else:
            words.append(token.casefold())
    return Filter(tuple(terms), tuple(words), "; ".join(errors))


def _check(kinds: Sequence[Kind], term: Term) -> str:
    if term.op == "~" or term.field == "id":
        return ""
    spec = next((k.field(term.field) for k in kinds if k.field(term.field)), None)
    if spec is None or spec.type in ("str", "text", "enum", "email", "link", "any", "list", "bool"):
        return ""
    if term.value == "":
        return f"{term.field}{term.op}: a value is missing"
    try:
        spec.convert(term.value)
    except FieldValueError as exc:
        return f"{term.field}: {exc}"
    return ""


class Haystacks:
    """The lower-cased searchable text of each record, cached while the record is unchanged."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[Record, str]] = {}

    def of(self, record: Record) -> str:
        hit = self._cache.get(record.path)
        if hit is not None and hit[0] is record:
            return hit[1]
        text = " ".join([record.id, *(_flat(v) for k, v in record.data.items() if k != "type")]).casefold()
        self._cache[record.path] = (record, text)
        return text


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if isinstance(value, dict) or value is None else str(value)


def apply_filter(records: Sequence[Record], chosen: Filter, haystacks: Haystacks) -> list[Record]:
    """The records (in their order) that match every term and every word."""
    return FilterableList(list(records), haystacks).apply(chosen)


class FilterableList:
    """Sorted records, filtered as the user types: the searchable texts are built once, and a
    filter that only extends the previous one (one more letter) searches the previous result."""

    def __init__(self, records: list[Record], haystacks: Haystacks) -> None:
        self.records = records
        self.haystacks = haystacks
        self._texts: list[str] | None = None
        self._last: tuple[Filter, list[int], bool] | None = None  # filter, result, exact only

        self._positions: dict[str, int] | None = None

    def texts(self) -> list[str]:
        if self._texts is None:
            self._texts = [self.haystacks.of(r) for r in self.records]
        return self._texts

    def positions(self) -> dict[str, int]:
        """Each record's place in the sorted list, by path."""
        if self._positions is None:
            self._positions = {r.path: i for i, r in enumerate(self.records)}
        return self._positions

    def prepare(self) -> None:
        """Build what filtering needs (run it in a worker before the user types)."""
        self.texts()
        self.positions()

    def apply(self, chosen: Filter) -> list[Record]:
        indices = self.apply_indices(chosen)
        return self.records if indices is None else [self.records[i] for i in indices]

    def apply_indices(self, chosen: Filter) -> list[int] | None:
        """Places (in the sorted list) of the matching records, in order; None when all match."""
        if chosen.empty:
            self._last = None
            return None
        found = self._narrowing(chosen)
        if found is None:
            found = list(range(len(self.records)))
            for term in chosen.terms:
                found = [i for i in found if _matches(term, self.records[i])]
        exact, texts = True, self.texts()
        for word in chosen.words:
            found, fuzzy = _word_filter(found, word, texts)
            exact = exact and not fuzzy
        self._last = (chosen, found, exact)
        return found

    def _narrowing(self, chosen: Filter) -> list[int] | None:
        """The previous result, when the new filter can only narrow it (same terms, longer words)."""
        if self._last is None:
            return None
        old, result, exact = self._last
        if exact and old.terms == chosen.terms and len(chosen.words) >= len(old.words) \
                and all(o in n for o, n in zip(old.words, chosen.words, strict=False)):
            return result
        return None


def _matches(term: Term, record: Record) -> bool:
    if term.field == "id":
        return term.value.casefold() in record.id.casefold() if term.op == "~" else term.matches(record)
    try:
        return term.matches(record)
    except UsageError:
        return False


def _word_filter(indices: list[int], word: str, texts: list[str]) -> tuple[list[int], bool]:
    """(indices whose text holds `word`, or failing that matches it fuzzily; whether fuzzy was used)."""
    exact = [i for i in indices if word in texts[i]]
    if exact or len(word) < 3:
        return exact, False
    hits = process.extract(word, [texts[i] for i in indices], scorer=fuzz.partial_ratio,
                           score_cutoff=FUZZY_CUTOFF, limit=None)
    return [indices[k] for k in sorted(index for _, _, index in hits)], True


def sort_records(records: Sequence[Record], field: str, descending: bool = False) -> list[Record]:
    """Sorted by a field's typed value; records without a value go last either way."""
    if field == "id":  # every record has one: a plain sort
        return sorted(records, key=lambda r: r.id.casefold(), reverse=descending)
    key: Callable[[Record], tuple[int, Any]] = sort_key(field)
    keyed = [(key(r), r) for r in sorted(records, key=lambda r: r.id.casefold())]  # ties in id order
    present = [pair for pair in keyed if pair[0][0] == 0]
    missing = [r for k, r in keyed if k[0] != 0]
    try:
        present.sort(key=lambda pair: pair[0], reverse=descending)
    except TypeError:  # mixed types in a free field: compare as text
        present.sort(key=lambda pair: str(pair[0][1]), reverse=descending)
    return [r for _, r in present] + missing


def cell_text(record: Record, field: str) -> str:
    """A field as a list shows it: links as the id they point to, lists comma-joined."""
    if field == "id":
        return record.id
    spec = record.schema.field(field)
    if spec is not None and spec.type == "link":
        value = record.value(field)
        return str(value) if value is not None else record.text(field)
    return record.text(field)


def list_fields(kind: Kind) -> tuple[str, ...]:
    return ("id", *LIST_COLUMNS.get(kind.name, (kind.title_field,)))


class RecordSource:
    """The rows of one record list, for a VirtualTable: the sorted records, or those of them at
    `indices` (a filter's result). Pass the `columns` of the unfiltered list so that they keep
    their widths while the user filters, and `positions` (giving path -> sorted place, built once
    per list) so that finding the cursor's row again costs a binary search."""

    def __init__(self, kind: Kind, records: list[Record], sort_field: str = "id", descending: bool = False,
                 columns: list[Column] | None = None, indices: list[int] | None = None,
                 positions: Callable[[], dict[str, int]] | None = None) -> None:
        self.base = records
        self.indices = indices
        self._positions = positions
        self.fields = list_fields(kind)
        self._cells: dict[int, tuple[str, ...]] = {}
        self.columns = columns if columns is not None else self._columns(kind, sort_field, descending)

    def _columns(self, kind: Kind, sort_field: str, descending: bool) -> list[Column]:
        sample = [self.cells(i) for i in range(min(SAMPLE_ROWS, len(self)))]
        labels = [_label(f, f == sort_field, descending) for f in self.fields]
        widths = natural_widths(labels, sample)
        numeric = {s.name for s in kind.all_fields if s.type in ("int", "money")}
        return [Column(f, labels[i], widths[i], right=f in numeric, flex=f == kind.title_field)
                for i, f in enumerate(self.fields)]

    def record(self, index: int) -> Record:
        return self.base[index if self.indices is None else self.indices[index]]

    def __len__(self) -> int:
        return len(self.base) if self.indices is None else len(self.indices)

    def key(self, index: int) -> str:
        return self.record(index).path

    def cells(self, index: int) -> tuple[str, ...]:
        found = self._cells.get(index)
        if found is None:
            record = self.record(index)
            found = tuple(cell_text(record, f) for f in self.fields)
            self._cells[index] = found
        return found

    def style(self, index: int) -> str:
        record = self.record(index)
        if record.problems:
            return "problem"
        return "muted" if record.data.get("archived") is True else ""

    def index_of(self, key: str) -> int | None:
        if self._positions is None:
            places = {r.path: i for i, r in enumerate(self.base)}
            self._positions = lambda: places
        place = self._positions().get(key)
        if place is None or self.indices is None:
            return place
        at = bisect_left(self.indices, place)
        return at if at < len(self.indices) and self.indices[at] == place else None


def _label(field: str, sorted_by: bool, descending: bool) -> str:
    label = field.replace("_", " ").upper()
    if sorted_by:
        label += " ▼" if descending else " ▲"
    return label
