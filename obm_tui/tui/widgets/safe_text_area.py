"""A TextArea that never holds a control character (which it would send to the terminal as is).

Text put in by the app (`load`) and text pasted in are cleaned: each control character becomes
one visible stand-in (␛, ␇, ␀ …); newlines and tabs stay.
"""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from obm_tui.model.display import clean


def safe_text(text: str) -> str:
    """`text` with control characters made visible, newlines and tabs kept."""
    return "\n".join(clean(line.replace("\t", "    ")) for line in text.replace("\r\n", "\n").split("\n"))


class SafeTextArea(TextArea):
    """A TextArea for user text: loads and pastes are cleaned of control characters."""

    def load(self, text: str) -> None:
        """Replace the whole text (cleaned), cursor at the end."""
        self.load_text(safe_text(text))
        self.move_cursor(self.document.end)

    async def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()
        event.stop()
        if self.read_only:
            return
        if result := self._replace_via_keyboard(safe_text(event.text), *self.selection):
            self.move_cursor(result.end_location)
            self.focus()
