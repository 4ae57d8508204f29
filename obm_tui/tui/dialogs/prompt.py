"""Ask for one line of text (a reply, a stock movement …)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from obm_tui.tui.actions import binding
from obm_tui.tui.safe import plain_lines, styled
from obm_tui.tui.widgets.safe_input import SafeInput


class PromptDialog(ModalScreen[str | None]):
    """Returns the text typed (enter) or None (esc)."""

    BINDINGS = [binding("dialog.cancel")]

    def __init__(self, title: str, hint: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.title_text, self.hint, self.placeholder, self.value = title, hint, placeholder, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(styled(self.title_text, "bold"), classes="dialog-title")
            yield Static(plain_lines(self.hint), classes="dialog-text dim")
            yield SafeInput(self.value, placeholder=self.placeholder, id="answer")

    def on_mount(self) -> None:
        self.query_one(SafeInput).focus()

    def on_input_submitted(self, event: SafeInput.Submitted) -> None:
        self.dismiss(event.value if event.value.strip() else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
