"""Today: what needs attention now across the business, each line opening its record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import date, datetime

from textual.app import ComposeResult
from textual.widgets import Static

from obm_tui.services.agenda import SECTIONS, SOURCES, AgendaItem
from obm_tui.tui.actions import bindings
from obm_tui.tui.safe import join, plain, styled
from obm_tui.tui.screens.base import ObmScreen
from obm_tui.tui.tasks import run_blocking, show_error
from obm_tui.tui.widgets.key_bar import KeyBar, ScreenTabs
from obm_tui.tui.widgets.status_bar import StatusBar
from obm_tui.tui.widgets.virtual_table import Column, VirtualTable, natural_widths
from obm_tui.vault.store import Vault

STATE_STYLE = {0: "overdue", 1: "due", 2: "", 3: "muted"}
SAMPLE = 300  # rows that decide the column widths
# Items a section shows until it is expanded. Six full sections (heading, CAP items, "… more")
# take 6 × (CAP + 2) rows: 30, within the 34 rows the table has in a 120x40 terminal.
CAP = 3
NOUNS = {"Stock": "products"}  # "… 4 more products"; other sections use their own name


def _run_source(app, source, vault, now) -> list[AgendaItem]:  # type: ignore[no-untyped-def]
    """One source's items; a broken source is reported and shows nothing (the others still do)."""
    try:
        return source(vault, now)
    except Exception as exc:  # noqa: BLE001
        app.call_from_thread(show_error, app, exc)
        return []


def agenda_order(item: AgendaItem) -> tuple:
    """The order of services.agenda.build_agenda: section, urgency, due date, title."""
    section = SECTIONS.index(item.section) if item.section in SECTIONS else 99
    return (section, item.urgency, item.due or date.max, item.title)


Source = Callable[[Vault, datetime], list[AgendaItem]]
Results = dict[Source, list[AgendaItem]]
Row = tuple[str, tuple[str, ...], str, AgendaItem | None]


def _item_keys(section: str, items: Sequence[AgendaItem]) -> list[str]:
    """Row keys that follow an item across rebuilds (path, section, title), whatever is shown."""
    keys, seen = [], Counter[str]()
    for item in items:
        key = f"{item.path}#{section}#{item.title}"
        seen[key] += 1
        keys.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return keys


def _cells(item: AgendaItem) -> tuple[str, ...]:
    return (item.state, item.due.isoformat() if item.due else "", item.title, item.detail)


def _item_row(key: str, item: AgendaItem) -> Row:
    return (key, _cells(item), STATE_STYLE.get(item.urgency, ""), item)


def _note(key: str, text: str) -> Row:
    return (key, ("", "", text, ""), "muted", None)


def _noun(section: str, count: int) -> str:
    """`checklist steps`, or `checklist step` for one."""
    noun = NOUNS.get(section, section.lower())
    return noun[:-1] if count == 1 and noun.endswith("s") else noun


def section_rows(section: str, items: Sequence[AgendaItem], expanded: bool) -> list[Row]:
    """A section's heading (its full count), its first CAP items (all when expanded), and the line
    that shows the rest ("… 59 more") or hides them again ("show fewer")."""
    rows: list[Row] = [(f"section:{section}", (f"{section} ({len(items)})",), "section", None)]
    if not items:
        return rows + [_note(f"none:{section}", "nothing due")]
    shown = len(items) if expanded else min(CAP, len(items))
    rows += [_item_row(k, i) for k, i in zip(_item_keys(section, items)[:shown], items[:shown], strict=True)]
    if shown < len(items):
        hidden = len(items) - shown
        rows.append(_note(f"more:{section}", f"… {hidden} more {_noun(section, hidden)} (enter: all)"))
    elif len(items) > CAP:
        rows.append(_note(f"fewer:{section}", "show fewer"))
    return rows


def merged(sources: Sequence[Source], results: Results, last: Results) -> list[AgendaItem]:
    """The agenda so far: the items of the sources that are done, the last build's of the others."""
    return sorted((i for s in sources for i in results.get(s, last.get(s, []))), key=agenda_order)


class AgendaSource:
    """Rows of the agenda: a heading per section (with its count), then its most urgent items."""

    def __init__(self, items: Sequence[AgendaItem], expanded: Collection[str] = ()) -> None:
        sections = list(SECTIONS) + sorted({i.section for i in items} - set(SECTIONS))
        self.rows: list[Row] = []
        for section in sections:
            self.rows += section_rows(section, [i for i in items if i.section == section], section in expanded)
        labels = ("STATE", "DUE", "WHAT", "WHEN")
        notes = [r[1] for r in self.rows if r[3] is None and r[2] != "section"]
        widths = natural_widths(labels, [_cells(i) for i in items[:SAMPLE]] + notes)  # the same, expanded or not
        self.columns = [Column(k, labels[i], widths[i], flex=i == 2)
                        for i, k in enumerate(("state", "due", "what", "when"))]
        self._keys = {key: i for i, (key, *_rest) in enumerate(self.rows)}

    def __len__(self) -> int:
        return len(self.rows)

    def key(self, index: int) -> str:
        return self.rows[index][0]

    def cells(self, index: int) -> tuple[str, ...]:
        return self.rows[index][1]

    def style(self, index: int) -> str:
        return self.rows[index][2]

    def index_of(self, key: str) -> int | None:
        return self._keys.get(key)

    def item(self, index: int) -> AgendaItem | None:
        return self.rows[index][3]

    def headings(self) -> list[int]:
        """The rows of the section headings."""
        return [i for i, row in enumerate(self.rows) if row[2] == "section"]


class TodayScreen(ObmScreen):
    """The first screen: the agenda, by section, most urgent first."""

    BINDINGS = bindings("today")

    def compose(self) -> ComposeResult:
        yield ScreenTabs()
        yield Static(id="title", classes="screen-title")
        yield Static(id="summary", classes="counts")
        yield VirtualTable(id="agenda", empty_text="Loading the agenda…")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        self.items: list[AgendaItem] = []
        self.expanded: set[str] = set()  # sections showing all their items (kept across rebuilds)
        self._placed: str | None = None
        self._building = self._stale = False
        self._last: Results = {}  # each source's items of the last build
        self.query_one(VirtualTable).focus()
        self.refresh_data(None)

    def refresh_data(self, paths: set[str] | None) -> None:
        now = self.obm.now()
        self.query_one("#title", Static).update(join(
            styled("Today", "bold"), plain(f"  {now:%A %d %B %Y, %H:%M}  ·  "), plain(self.vault.config.business_name)))
        if self._building:  # the sources cannot be interrupted: build again once this one is done
            self._stale = True
            return
        self._building, self._stale = True, False
        vault, app, sources, last = self.vault, self.app, list(SOURCES), self._last

        def build() -> tuple[list[AgendaItem], Results]:
            """Every source side by side, each section shown as soon as its source is done: slow
            sources (reading run and ticket files) never hold up the quick ones (index only). Until
            a source is done, its lines of the last build stay (so the cursor's line stays too)."""
            results: Results = {}
            with ThreadPoolExecutor(max_workers=len(sources) or 1, thread_name_prefix="agenda") as pool:
                futures = {pool.submit(_run_source, app, s, vault, now): s for s in sources}
                for left, future in enumerate(as_completed(futures), start=1):
                    results[futures[future]] = future.result()
                    if left < len(futures):
                        app.call_from_thread(self._show, merged(sources, results, last), len(futures) - left)
            return merged(sources, results, {}), results

        run_blocking(self, build, done=self._built, failed=self._not_built, label="Building the agenda",
                     group="agenda")

    def _built(self, built: tuple[list[AgendaItem], Results]) -> None:
        self._building = False
        items, self._last = built
        self._show(items)
        self.obm.start_up_done("agenda")
        if self._stale:
            self.refresh_data(None)

    def _not_built(self, _error: Exception) -> bool:
        self._building = False
        return False  # the error is shown as a notification

    def action_refresh_agenda(self) -> None:
        self.refresh_data(None)

    def _show(self, items: list[AgendaItem], waiting: int = 0) -> None:
        self.items = items
        self.mark_seen()
        table = self.query_one(VirtualTable)
        source = AgendaSource(items, self.expanded)
        untouched = table.cursor_key == self._placed  # the user has not moved the cursor yet
        table.set_source(source, keep=True)
        first_item = next((i for i in range(len(source)) if source.item(i)), None)
        if untouched:  # start on the most urgent line (until the user moves)
            if first_item is not None:
                table.cursor = first_item
            self._placed = table.cursor_key
        overdue = sum(1 for i in items if i.urgency == 0)
        due = sum(1 for i in items if i.urgency == 1)
        self.query_one("#summary", Static).update(join(
            styled(f"{overdue} overdue", "bold $text-error" if overdue else ""), plain("  ·  "),
            styled(f"{due} due today", "bold $text-warning" if due else ""), plain(f"  ·  {len(items)} in all"),
            styled(f"  ·  still computing ({waiting} source(s) left)…", "italic $text-muted") if waiting
            else plain("")))

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        item = self.query_one(VirtualTable).source.item(event.index)  # type: ignore[attr-defined]
        if item is not None:
            from obm_tui.tui.screens.work_screens import open_item

            open_item(self.obm, item.section, item.path)
            return
        kind, _, section = event.key.partition(":")
        if kind in ("more", "fewer"):
            self.show_all(section, kind == "more")

    def show_all(self, section: str, expand: bool = True) -> None:
        """Expand a section in place (the cursor keeps its line), or collapse it (onto its "more")."""
        (self.expanded.add if expand else self.expanded.discard)(section)
        table = self.query_one(VirtualTable)
        line = table.cursor
        table.set_source(AgendaSource(self.items, self.expanded), keep=True)
        table.cursor = line if expand else (table.source.index_of(f"more:{section}") or line)

    def action_next_section(self) -> None:
        self._to_heading(+1)

    def action_previous_section(self) -> None:
        self._to_heading(-1)

    def _to_heading(self, step: int) -> None:
        table = self.query_one(VirtualTable)
        headings = table.source.headings() if isinstance(table.source, AgendaSource) else []
        ahead = [i for i in headings if (i - table.cursor) * step > 0]
        if ahead:
            table.cursor = ahead[0] if step > 0 else ahead[-1]
