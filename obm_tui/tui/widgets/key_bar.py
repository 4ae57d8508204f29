"""The footer: the keys that apply here, on one line; and the tabs of the main screens.

Textual's Footer builds a widget per key and rebuilds them all whenever the focus moves (every
j/k in a form); this bar is one widget that redraws one line. Keys can be clicked.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widget import Widget

from obm_tui.tui.actions import BY_ID
from obm_tui.tui.safe import join, styled

MAIN = ("app.today", "app.clients", "app.processes", "app.tickets", "app.stock", "app.declines",
        "app.invoices", "app.history", "app.problems", "app.finance")
MODES = ("today", "clients", "processes", "tickets", "stock", "declines", "invoices", "history", "problems",
         "finance")


class Clickable(Widget):
    """A one-line widget of labelled keys; a click presses the key under the pointer."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key)

    def build(self) -> list[tuple[str, str, str, bool]]:
        """(key to press, key shown, label, highlighted)."""
        return []

    def render(self) -> Content:
        parts: list[Content] = []
        self._spans = []
        x = 0
        for key, shown, label, lit in self.build():
            piece = join(styled(f" {shown} ", "bold reverse" if lit else "bold $footer-key-foreground"),
                         styled(f"{label} ", "bold" if lit else ""))
            self._spans.append((x, x + piece.cell_length, key))
            x += piece.cell_length
            parts.append(piece)
        return join(*parts) if parts else Content("")

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return


class KeyBar(Clickable):
    """The keys of the focused widget, the screen and the app that are shown in footers."""

    DEFAULT_CSS = """
    KeyBar { height: 1; background: $footer-background; color: $footer-description-foreground; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh())

    def build(self) -> list[tuple[str, str, str, bool]]:
        seen: set[str] = set()
        out: list[tuple[str, str, str, bool]] = []
        palette = None
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if binding.id == "app.palette":
                palette = (key, self.app.get_key_display(binding), "Palette", False)
            if not binding.show or not active.enabled or binding.action in seen or binding.id in MAIN:
                continue
            seen.add(binding.action)
            out.append((key, self.app.get_key_display(binding), binding.description, False))
        return out + ([palette] if palette else [])


class ScreenTabs(Clickable):
    """The main screens with their number keys; the current one lit."""

    DEFAULT_CSS = """
    ScreenTabs { height: 1; background: $panel; color: $text-muted; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh())

    def build(self) -> list[tuple[str, str, str, bool]]:
        keymap = getattr(self.app, "_keymap", {}) or {}
        current = getattr(self.app, "current_mode", "")
        out = []
        for action_id, mode in zip(MAIN, MODES, strict=True):
            keys = keymap.get(action_id) or BY_ID[action_id].keys
            key = keys.split(",")[0].strip()
            out.append((key, key, BY_ID[action_id].description, mode == current))
        return out
