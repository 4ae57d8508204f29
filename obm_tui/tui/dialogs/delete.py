"""Archive or delete a record, after saying what each does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from obm_tui.model.records import Record
from obm_tui.tui.actions import binding
from obm_tui.tui.safe import join, plain, styled


class DeleteDialog(ModalScreen[str | None]):
    """Returns "archive", "delete" or None."""

    BINDINGS = [binding("dialog.archive"), binding("dialog.delete"), binding("dialog.cancel")]

    def __init__(self, record: Record) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        record = self.record
        archived = record.data.get("archived") is True
        with Vertical(classes="dialog"):
            yield Static(join(styled("Archive or delete ", "bold"), styled(f"{record.kind} {record.title}", "bold"),
                              plain("?")), classes="dialog-title")
            yield Static(plain(f"{record.path}"), classes="dialog-text")
            yield Static(plain("Archive keeps the file and hides it from lists; delete removes the file "
                               "(git keeps its history, so h / git can bring it back)."), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Restore (a)" if archived else "Archive (a)", id="archive", variant="primary")
                yield Button("Delete (shift+d)", id="delete", variant="error")
                yield Button("Cancel (esc)", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id if event.button.id in ("archive", "delete") else None)

    def action_choose(self, what: str) -> None:
        self.dismiss(what)

    def action_cancel(self) -> None:
        self.dismiss(None)
