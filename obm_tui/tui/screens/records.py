"""One list screen for every kind: a fast table, sort by any column, `/` to filter, counts.

A screen may hold several kinds (processes and runs; products and purchase orders): `t`
switches between them. The table is virtual, so a list of 100k records costs what its visible
rows cost; the cursor and scroll stay on the same record across reloads.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Static

from obm_tui.model.kinds import KINDS, Kind
from obm_tui.model.records import Record
from obm_tui.tui.actions import bindings
from obm_tui.tui.listing import Filter, FilterableList, Haystacks, RecordSource, parse_filter, sort_records
from obm_tui.tui.safe import join, plain, styled
from obm_tui.tui.screens.base import ObmScreen
from obm_tui.tui.tasks import run_blocking
from obm_tui.tui.widgets.key_bar import KeyBar, ScreenTabs
from obm_tui.tui.widgets.safe_input import SafeInput
from obm_tui.tui.widgets.status_bar import StatusBar
from obm_tui.tui.widgets.virtual_table import VirtualTable
from obm_tui.vault.paths import kind_of_path


def plural(name: str) -> str:
    """`purchase-order` -> `purchase orders`, `process` -> `processes`."""
    words = name.replace("-", " ")
    return words + ("es" if words.endswith("s") else "s")


class RecordsScreen(ObmScreen):
    """The list of one kind (or a few related kinds) of record."""

    BINDINGS = bindings("list")

    def __init__(self, kinds: tuple[str, ...], title: str) -> None:
        super().__init__()
        self.kinds = [KINDS[k] for k in kinds]
        self.heading = title
        self.kind_index = 0
        self.sort_field = "id"
        self.descending = False
        self.show_archived = False
        self.haystacks = Haystacks()
        self.filter = Filter()
        self._all: list[Record] = []
        self._list = FilterableList([], self.haystacks)
        self._columns: list = []
        self._bad = 0

    @property
    def kind(self) -> Kind:
        return self.kinds[self.kind_index]

    def compose(self) -> ComposeResult:
        yield ScreenTabs()
        with Horizontal(classes="title-bar"):
            yield Static(id="title", classes="screen-title")
            yield Static(id="counts", classes="counts")
        yield SafeInput(placeholder="filter: words, or field:value (status:open  due<2026-12-01) — "
                                    "enter to keep, esc to clear", id="filter", classes="filter")
        yield VirtualTable(id="records")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.query_one(VirtualTable).focus()
        self.reload(keep=False)

    # ----- data --------------------------------------------------------------------------------
    def refresh_data(self, paths: set[str] | None) -> None:
        if paths is None or any((k := kind_of_path(p)) is not None and k in self.kinds for p in paths):
            self.reload(keep=True)

    def reload(self, keep: bool = True) -> None:
        """Re-read the kind's records from the index, sort them, filter them, show them."""
        self._all = self.vault.records(self.kind.name, archived=self.show_archived)
        self.mark_seen()
        self._resort(keep)

    def _resort(self, keep: bool = True) -> None:
        self._list = FilterableList(sort_records(self._all, self.sort_field, self.descending), self.haystacks)
        self._columns = RecordSource(self.kind, self._list.records, self.sort_field, self.descending).columns
        self._bad = sum(1 for r in self._all if r.problems)
        self._show(keep)
        if self.filter.empty:  # get the searchable texts ready before the user types (after this frame)
            prepared = self._list
            self.call_after_refresh(lambda: run_blocking(self, prepared.prepare,
                                                         label="Indexing the list for the filter",
                                                         group="haystacks", exclusive=True))

    def _show(self, keep: bool = True) -> None:
        indices = self._list.apply_indices(self.filter)
        table = self.query_one(VirtualTable)
        table.empty_text = ("No records match the filter." if self._all
                            else f"No {plural(self.kind.name)} yet — n makes one.")
        source = RecordSource(self.kind, self._list.records, columns=self._columns, indices=indices,
                              positions=self._list.positions)
        table.set_source(source, keep=keep)
        self._update_counts(len(source))

    def _update_counts(self, shown: int) -> None:
        total, bad = len(self._all), self._bad
        title = [styled(self.heading, "bold")]
        if len(self.kinds) > 1:
            title.append(plain("  —  "))
            for i, kind in enumerate(self.kinds):
                title.append(styled(f" {plural(kind.name)} ", "reverse bold" if i == self.kind_index else "dim"))
            title.append(plain("  (t switches)"))
        self.query_one("#title", Static).update(join(*title))
        counts = [plain(f"{shown} shown · {total} total")]
        counts.append(styled(f" · {bad} with problems", "bold $text-error") if bad else plain(" · no problems"))
        if self.show_archived:
            counts.append(plain(" · archived included"))
        if self.filter.error:
            counts.append(styled(f" · {self.filter.error}", "$text-warning"))
        self.query_one("#counts", Static).update(join(*counts))

    @property
    def current(self) -> Record | None:
        key = self.query_one(VirtualTable).cursor_key
        return self.vault.index.by_path(key) if key else None

    # ----- filter ------------------------------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.filter = parse_filter(self.kinds, event.value)
            self._show(keep=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            event.input.display = bool(event.value)
            self.query_one(VirtualTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            box = self.query_one("#filter", Input)
            return box.has_focus or bool(box.value)
        if action == "switch_kind":
            return len(self.kinds) > 1
        return True

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""
            self.filter = Filter()
            self._show(keep=True)
        box.display = False
        self.query_one(VirtualTable).focus()

    # ----- sorting and switching ---------------------------------------------------------------
    def action_sort_next(self) -> None:
        fields = RecordSource(self.kind, [], self.sort_field).fields
        index = fields.index(self.sort_field) if self.sort_field in fields else -1
        self._sort_by(fields[(index + 1) % len(fields)], False)

    def action_sort_reverse(self) -> None:
        self._sort_by(self.sort_field, not self.descending)

    def on_virtual_table_header_clicked(self, event: VirtualTable.HeaderClicked) -> None:
        fields = RecordSource(self.kind, [], self.sort_field).fields
        if 0 <= event.column < len(fields):
            field = fields[event.column]
            self._sort_by(field, not self.descending if field == self.sort_field else False)

    def _sort_by(self, field: str, descending: bool) -> None:
        self.sort_field, self.descending = field, descending
        self._resort(keep=True)
        self.notify(f"Sorted by {field}{' (descending)' if descending else ''}", timeout=1.5)

    def action_switch_kind(self) -> None:
        self.kind_index = (self.kind_index + 1) % len(self.kinds)
        self.sort_field, self.descending = "id", False
        self.action_clear_filter()
        self.reload(keep=False)

    def action_toggle_archived(self) -> None:
        self.show_archived = not self.show_archived
        self.reload(keep=True)

    # ----- record actions ----------------------------------------------------------------------
    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        self.obm.open(event.key)

    def action_new_record(self) -> None:
        self.obm.new_record(self.kind.name)

    def action_open_editor(self) -> None:
        record = self.current
        if record is not None:
            self.obm.edit_in_editor(record.path)

    def action_delete_record(self) -> None:
        record = self.current
        if record is not None:
            self.obm.archive_or_delete(record)

    def action_history(self) -> None:
        record = self.current
        if record is not None:
            self.obm.open_history(record.path)

    def state(self) -> dict[str, Any]:
        """For tests and the palette: what the list shows now."""
        table = self.query_one(VirtualTable)
        return {"kind": self.kind.name, "shown": table.row_count, "total": len(self._all), "cursor": table.cursor_key}
