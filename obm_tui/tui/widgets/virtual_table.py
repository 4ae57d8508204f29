"""A virtual table: renders only the rows on screen, so its cost does not grow with the vault.

Textual's DataTable builds every row before the first frame (~140 µs a row: 14 s for 100k
rows). This widget uses the line API instead: a `TableSource` hands out the cells of one row
when that row is drawn. Reloading keeps the cursor on the same row key and the scroll where it
was. Cells are user text: they are cleaned of control characters and never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from obm_tui.model.display import clean
from obm_tui.tui.actions import bindings

GAP = 2


@dataclass(frozen=True)
class Column:
    """A column: its key, header label, natural width; `flex` columns share spare width."""

    key: str
    label: str
    width: int
    right: bool = False
    flex: bool = False


class TableSource(Protocol):
    """What a VirtualTable shows. Row cells are asked for only when the row is drawn."""

    columns: Sequence[Column]

    def __len__(self) -> int: ...

    def key(self, index: int) -> str: ...

    def cells(self, index: int) -> Sequence[str]: ...

    def style(self, index: int) -> str: ...  # "" or a row style name: section, problem, muted, overdue, due

    def index_of(self, key: str) -> int | None: ...


class EmptySource:
    """No rows."""

    columns: Sequence[Column] = ()

    def __len__(self) -> int:
        return 0

    def key(self, index: int) -> str:
        raise IndexError(index)

    def cells(self, index: int) -> Sequence[str]:
        raise IndexError(index)

    def style(self, index: int) -> str:
        return ""

    def index_of(self, key: str) -> int | None:
        return None


def fit(text: str, width: int, right: bool = False) -> str:
    """`text` in exactly `width` cells: cropped with an ellipsis, or padded."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…"
    pad = " " * (width - length)
    return pad + text if right else text + pad


def natural_widths(labels: Sequence[str], rows: Sequence[Sequence[str]], cap: int = 40) -> list[int]:
    """Column widths that fit the header and the sampled rows, capped."""
    widths = [cell_len(label) for label in labels]
    for row in rows:
        for i, cell in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], min(cap, cell_len(clean(cell))))
    return widths


class VirtualTable(ScrollView, can_focus=True):
    """A scrolling table over a TableSource with a cursor row and a fixed header line."""

    BINDINGS = bindings("table")
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "vtable--header", "vtable--cursor", "vtable--section", "vtable--problem", "vtable--muted",
        "vtable--overdue", "vtable--due", "vtable--empty",
    }
    DEFAULT_CSS = """
    VirtualTable { background: $surface; overflow-x: hidden; }
    VirtualTable > .vtable--header { text-style: bold; color: $text-accent; background: $panel; }
    VirtualTable > .vtable--cursor { background: $block-cursor-blurred-background; }
    VirtualTable:focus > .vtable--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    VirtualTable > .vtable--section { text-style: bold; color: $text-primary; }
    VirtualTable > .vtable--problem { color: $text-error; }
    VirtualTable > .vtable--muted { color: $text-muted; }
    VirtualTable > .vtable--overdue { color: $text-error; }
    VirtualTable > .vtable--due { color: $text-warning; }
    VirtualTable > .vtable--empty { color: $text-muted; text-style: italic; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    @dataclass
    class Highlighted(Message):
        """The cursor moved to a row."""

        table: VirtualTable
        index: int
        key: str

        @property
        def control(self) -> VirtualTable:
            return self.table

    @dataclass
    class Selected(Message):
        """A row was chosen (enter or a second click)."""

        table: VirtualTable
        index: int
        key: str

        @property
        def control(self) -> VirtualTable:
            return self.table

    @dataclass
    class HeaderClicked(Message):
        """A column header was clicked (lists sort by it)."""

        table: VirtualTable
        column: int

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(self, source: TableSource | None = None, *, empty_text: str = "Nothing here.",
                 name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.source: TableSource = source or EmptySource()
        self.empty_text = empty_text
        self._widths: tuple[int, list[int]] = (-1, [])

    # ----- data --------------------------------------------------------------------------------
    def set_source(self, source: TableSource, *, keep: bool = True) -> None:
        """Show new rows; keep the cursor on the same key (and the scroll) when `keep`."""
        old_key = self.cursor_key if keep else None
        old_cursor, old_scroll = self.cursor, self.scroll_y
        self.source = source
        self._widths = (-1, [])
        index = source.index_of(old_key) if old_key is not None else None
        target = index if index is not None else (min(old_cursor, len(source) - 1) if keep else 0)
        self._update_virtual_size()
        new_scroll = old_scroll + (target - old_cursor) if keep else 0
        self.scroll_to(y=max(0, new_scroll), animate=False, immediate=True)
        self.set_reactive(VirtualTable.cursor, max(0, target))
        self._follow_cursor()
        self.refresh()
        self._announce()

    @property
    def row_count(self) -> int:
        return len(self.source)

    @property
    def cursor_key(self) -> str | None:
        if 0 <= self.cursor < len(self.source):
            return self.source.key(self.cursor)
        return None

    def move_to_key(self, key: str) -> bool:
        index = self.source.index_of(key)
        if index is None:
            return False
        self.cursor = index
        return True

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(0, len(self.source) + 1)  # columns shrink to fit: no sideways scroll

    # ----- cursor ------------------------------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.source) - 1)) if len(self.source) else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._follow_cursor()
        self.refresh()
        if old != new:
            self._announce()

    def _announce(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Highlighted(self, self.cursor, key))

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _follow_cursor(self) -> None:
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + self._page:
            self.scroll_to(y=self.cursor - self._page + 1, animate=False, immediate=True)

    def on_resize(self) -> None:
        self._widths = (-1, [])
        self._follow_cursor()

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_page_down(self) -> None:
        self.cursor += self._page

    def action_page_up(self) -> None:
        self.cursor -= self._page

    def action_top(self) -> None:
        self.cursor = 0

    def action_bottom(self) -> None:
        self.cursor = len(self.source) - 1

    def action_select(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Selected(self, self.cursor, key))

    async def _on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x + int(self.scroll_x))
            if column is not None:
                self.post_message(self.HeaderClicked(self, column))
            return
        row = int(self.scroll_y) + event.y - 1
        if 0 <= row < len(self.source):
            again = row == self.cursor
            self.cursor = row
            if again or event.chain > 1:
                self.action_select()

    def _column_at(self, x: int) -> int | None:
        left = 1
        for i, width in enumerate(self._column_widths()):
            if left <= x < left + width + GAP:
                return i
            left += width + GAP
        return None

    # ----- drawing -----------------------------------------------------------------------------
    def _column_widths(self) -> list[int]:
        available = self.scrollable_content_region.width
        if self._widths[0] == available:
            return self._widths[1]
        columns = self.source.columns
        widths = [c.width for c in columns]
        spare = available - (sum(widths) + GAP * len(widths) + 1)
        flex = [i for i, c in enumerate(columns) if c.flex] or ([len(widths) - 1] if widths else [])
        for n, i in enumerate(flex):
            if spare > 0:
                widths[i] += spare // len(flex) + (1 if n < spare % len(flex) else 0)
        floor = [min(w, max(8, cell_len(c.label))) for c, w in zip(columns, widths, strict=True)]
        while spare < 0 and widths:  # too wide: shrink the widest shrinkable column, one cell at a time
            i = max(range(len(widths)), key=lambda k: (widths[k] - floor[k], widths[k]))
            if widths[i] <= floor[i]:
                break
            widths[i] -= 1
            spare += 1
        self._widths = (available, widths)
        return widths

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = int(self.scroll_x), int(self.scroll_y)
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("vtable--header")
            return self._strip(self._header_text(), style, scroll_x, width)
        row = scroll_y + y - 1
        if row >= len(self.source):
            if row == 0:
                style = base + self.get_component_rich_style("vtable--empty")
                return self._strip(" " + clean(self.empty_text), style, 0, width)
            return Strip.blank(width, base)
        return self._strip(self._row_text(row), self._row_style(row, base), scroll_x, width)

    def _row_style(self, row: int, base: Style) -> Style:
        style = base
        kind = self.source.style(row)
        if kind:
            style += self.get_component_rich_style(f"vtable--{kind}")
        if row == self.cursor:
            style += self.get_component_rich_style("vtable--cursor")
        return style

    def _header_text(self) -> str:
        columns = self.source.columns
        widths = self._column_widths()
        return " " + (" " * GAP).join(fit(c.label, w, c.right) for c, w in zip(columns, widths, strict=True))

    def _row_text(self, row: int) -> str:
        cells = self.source.cells(row)
        widths = self._column_widths()
        columns = self.source.columns
        if self.source.style(row) == "section":
            return " " + clean(" ".join(c for c in cells if c))
        parts = (fit(clean(cell), w, c.right) for cell, w, c in zip(cells, widths, columns, strict=False))
        return " " + (" " * GAP).join(parts)

    @staticmethod
    def _strip(text: str, style: Style, scroll_x: int, width: int) -> Strip:
        strip = Strip([Segment(text, style)], cell_len(text))
        return strip.crop_extend(scroll_x, scroll_x + width, style)
