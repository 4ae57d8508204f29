"""Today: what needs attention now across the business, each line opening its record."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import date

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

STATE_STYLE = {0: "overdue", 1: "due", 2: "", 3: "muted"}
SAMPLE = 300  # rows that decide the column widths


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


class AgendaSource:
    """Rows of the agenda: a heading per section (with its count), then its items."""

    def __init__(self, items: Sequence[AgendaItem]) -> None:
        self.rows: list[tuple[str, tuple[str, ...], str, AgendaItem | None]] = []
        sections = list(SECTIONS) + sorted({i.section for i in items} - set(SECTIONS))
        for section in sections:
            mine = [i for i in items if i.section == section]
            self.rows.append((f"section:{section}", (f"{section} ({len(mine)})",), "section", None))
            if not mine:
                self.rows.append((f"none:{section}", ("", "", "nothing due", ""), "muted", None))
            for n, item in enumerate(mine):
                due = item.due.isoformat() if item.due else ""
                cells = (item.state, due, item.title, item.detail)
                self.rows.append((f"{item.path}#{section}#{n}", cells, STATE_STYLE.get(item.urgency, ""), item))
        labels = ("STATE", "DUE", "WHAT", "WHEN")
        widths = natural_widths(labels, [r[1] for r in self.rows[:SAMPLE] if r[2] != "section"])
        self.columns = [Column(k, labels[i], widths[i], flex=i == 2) for i, k in enumerate(("state", "due", "what", "when"))]
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
        self._placed: str | None = None
        self._building = self._stale = False
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
        vault, app = self.vault, self.app
        sources = list(SOURCES)

        def build() -> list[AgendaItem]:
            """Every source side by side, each section shown as soon as its source is done: slow
            sources (reading run and ticket files) never hold up the quick ones (index only)."""
            items: list[AgendaItem] = []
            with ThreadPoolExecutor(max_workers=len(sources) or 1, thread_name_prefix="agenda") as pool:
                futures = [pool.submit(_run_source, app, s, vault, now) for s in sources]
                for left, future in enumerate(as_completed(futures), start=1):
                    items = sorted(items + future.result(), key=agenda_order)
                    if left < len(futures):
                        app.call_from_thread(self._show, items, len(futures) - left)
            return items

        run_blocking(self, build, done=self._built, failed=self._not_built, label="Building the agenda",
                     group="agenda")

    def _built(self, items: list[AgendaItem]) -> None:
        self._building = False
        self._show(items)
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
        source = AgendaSource(items)
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
            styled(f"  ·  still computing ({waiting} source(s) left)…", "italic $text-muted") if waiting else plain("")))

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        item = self.query_one(VirtualTable).source.item(event.index)  # type: ignore[attr-defined]
        if item is not None:
            from obm_tui.tui.screens.work_screens import open_item

            open_item(self.obm, item.section, item.path)
