"""Record lists with columns computed by a service (run progress, ticket clocks, stock cover).

A WorkListScreen is a RecordsScreen (filter, sort, new, editor, archive, history) whose kinds
may add columns that are not fields: `compute_extras(kind)` runs in a worker over the services
and returns the cells (and row styles and sort keys) by record path; the list shows them next to
the fields and sorts by them too. While they are being computed the last ones stay shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from rich.cells import cell_len

from obm_tui.model.records import Record
from obm_tui.tui.listing import FilterableList, RecordSource, sort_records
from obm_tui.tui.screens.records import RecordsScreen
from obm_tui.tui.tasks import run_blocking
from obm_tui.tui.widgets.virtual_table import Column, VirtualTable

WAITING = "…"


@dataclass(frozen=True)
class ExtraColumn:
    """A computed column: its key (what `s` sorts by), header label, alignment."""

    key: str
    label: str
    right: bool = False
    flex: bool = False  # takes a share of the spare width (a title)


@dataclass(frozen=True)
class Extras:
    """The computed columns of one kind: cells, row styles and sort keys by record path."""

    columns: tuple[ExtraColumn, ...] = ()
    after: str = "id"  # the field they follow in the list ("": before the first)
    hide: tuple[str, ...] = ()  # fields of the list not shown (the extras say it better)
    cells: dict[str, tuple[str, ...]] = field(default_factory=dict)
    styles: dict[str, str] = field(default_factory=dict)
    keys: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    ready: bool = True

    def cells_of(self, path: str) -> tuple[str, ...]:
        found = self.cells.get(path)
        if found is None:
            return tuple(WAITING if not self.ready else "" for _ in self.columns)
        return found

    def sort_key(self, path: str, column: int) -> Any:
        keys = self.keys.get(path)
        return None if keys is None else keys[column]


class ExtrasSource:
    """A RecordSource with the computed columns spliced in after `extras.after`."""

    def __init__(self, inner: RecordSource, extras: Extras, columns: Sequence[Column] | None = None,
                 sort: tuple[str, bool] = ("", False)) -> None:
        self.inner = inner
        self.extras = extras
        self.sort = sort
        self.shown = [i for i, name in enumerate(inner.fields) if name not in extras.hide]
        fields = [inner.fields[i] for i in self.shown]
        self.at = 0 if not extras.after else fields.index(extras.after) + 1 if extras.after in fields else len(fields)
        self.fields = fields[: self.at] + [c.key for c in extras.columns] + fields[self.at:]
        self.columns = list(columns) if columns is not None else self._columns()

    def _columns(self) -> list[Column]:
        extra = []
        for i, column in enumerate(self.extras.columns):
            label = column.label + ((" ▼" if self.sort[1] else " ▲") if column.key == self.sort[0] else "")
            width = max([cell_len(label), *(min(40, cell_len(c[i])) for c in self.extras.cells.values())])
            extra.append(Column(column.key, label, width, right=column.right, flex=column.flex))
        base = [self.inner.columns[i] for i in self.shown]
        return base[: self.at] + extra + base[self.at:]

    def __len__(self) -> int:
        return len(self.inner)

    def record(self, index: int) -> Record:
        return self.inner.record(index)

    def key(self, index: int) -> str:
        return self.inner.key(index)

    def cells(self, index: int) -> tuple[str, ...]:
        every = self.inner.cells(index)
        base = tuple(every[i] for i in self.shown)
        return base[: self.at] + self.extras.cells_of(self.inner.key(index)) + base[self.at:]

    def style(self, index: int) -> str:
        return self.inner.style(index) or self.extras.styles.get(self.inner.key(index), "")

    def index_of(self, key: str) -> int | None:
        return self.inner.index_of(key)


class WorkListScreen(RecordsScreen):
    """A RecordsScreen whose kinds may have computed columns (see the module's docstring)."""

    DEFAULT_SORT: ClassVar[dict[str, tuple[str, bool]]] = {}  # kind -> (sort field or extra key, descending)

    def __init__(self, kinds: tuple[str, ...], title: str) -> None:
        super().__init__(kinds, title)
        self.extras: dict[str, Extras] = {}
        self._apply_default_sort()

    # ----- what subclasses give ----------------------------------------------------------------
    def extras_layout(self, kind: str) -> Extras:
        """The computed columns of `kind`, where they go and the fields they hide; no cells."""
        return Extras()

    def compute_extras(self, kind: str) -> Extras:
        """In a worker: the computed cells of `kind`'s records."""
        return self.extras_layout(kind)

    # ----- computing ---------------------------------------------------------------------------
    def _apply_default_sort(self) -> None:
        self.sort_field, self.descending = self.DEFAULT_SORT.get(self.kind.name, ("id", False))

    def extras_of(self, kind: str) -> Extras:
        found = self.extras.get(kind)
        return found if found is not None else replace(self.extras_layout(kind), ready=False)

    def reload(self, keep: bool = True) -> None:
        super().reload(keep)
        self.recompute()

    def recompute(self) -> None:
        """Compute the extra columns again (in a worker), then show them."""
        kind = self.kind.name
        if not self.extras_layout(kind).columns:
            return
        run_blocking(self, lambda: self.compute_extras(kind), done=lambda extras: self._computed(kind, extras),
                     label="Computing the list", group="extras", exclusive=True)

    def _computed(self, kind: str, extras: Extras) -> None:
        first = kind not in self.extras  # the order may change a lot: start at the top
        self.extras[kind] = extras
        if kind == self.kind.name and self.is_mounted:
            self._resort(keep=not first or self.sort_field not in [c.key for c in extras.columns])

    # ----- the list, with the extra columns ----------------------------------------------------
    def _sorted(self) -> list[Record]:
        extras = self.extras_of(self.kind.name)
        keys = [c.key for c in extras.columns]
        if self.sort_field not in keys:
            return sort_records(self._all, self.sort_field, self.descending)
        column = keys.index(self.sort_field)
        by_id = sorted(self._all, key=lambda r: r.id.casefold())
        present = [r for r in by_id if extras.sort_key(r.path, column) is not None]
        missing = [r for r in by_id if extras.sort_key(r.path, column) is None]
        present.sort(key=lambda r: extras.sort_key(r.path, column), reverse=self.descending)
        return present + missing

    def _resort(self, keep: bool = True) -> None:
        self._list = FilterableList(self._sorted(), self.haystacks)
        plain = RecordSource(self.kind, self._list.records, self.sort_field, self.descending)
        self._columns = ExtrasSource(plain, self.extras_of(self.kind.name),
                                     sort=(self.sort_field, self.descending)).columns
        self._bad = sum(1 for r in self._all if r.problems)
        self._show(keep)
        if self.filter.empty:
            run_blocking(self, self._list.prepare, label="Indexing the list for the filter", group="haystacks",
                         exclusive=True)

    def _show(self, keep: bool = True) -> None:
        indices = self._list.apply_indices(self.filter)
        table = self.query_one(VirtualTable)
        table.empty_text = "No records match the filter." if self._all else self.empty_text()
        inner = RecordSource(self.kind, self._list.records, columns=self._columns, indices=indices,
                             positions=self._list.positions)
        source = ExtrasSource(inner, self.extras_of(self.kind.name), columns=self._columns)
        table.set_source(source, keep=keep)
        self._update_counts(len(source))

    def empty_text(self) -> str:
        from obm_tui.tui.screens.records import plural

        return f"No {plural(self.kind.name)} yet — n makes one."

    # ----- sorting by any column ---------------------------------------------------------------
    def _fields(self) -> list[str]:
        plain = RecordSource(self.kind, [], self.sort_field)
        return ExtrasSource(plain, self.extras_of(self.kind.name), columns=()).fields

    def action_sort_next(self) -> None:
        fields = self._fields()
        index = fields.index(self.sort_field) if self.sort_field in fields else -1
        self._sort_by(fields[(index + 1) % len(fields)], False)

    def on_virtual_table_header_clicked(self, event: VirtualTable.HeaderClicked) -> None:
        event.prevent_default()  # instead of RecordsScreen's (which knows only the fields)
        fields = self._fields()
        if 0 <= event.column < len(fields):
            name = fields[event.column]
            self._sort_by(name, not self.descending if name == self.sort_field else False)

    def action_switch_kind(self) -> None:
        self.kind_index = (self.kind_index + 1) % len(self.kinds)
        self._apply_default_sort()
        self.action_clear_filter()
        self.reload(keep=False)
