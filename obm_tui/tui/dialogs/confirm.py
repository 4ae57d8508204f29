"""Yes or no."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from obm_tui.tui.actions import binding
from obm_tui.tui.safe import plain_lines, styled


class ConfirmDialog(ModalScreen[bool]):
    """Ask before doing something that cannot be taken back from here."""

    BINDINGS = [binding("dialog.confirm"), binding("dialog.cancel")]

    def __init__(self, title: str, question: str, yes: str = "Yes") -> None:
        super().__init__()
        self.title_text, self.question, self.yes = title, question, yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(styled(self.title_text, "bold"), classes="dialog-title")
            yield Static(plain_lines(self.question), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="warning")
                yield Button("Cancel (esc)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
