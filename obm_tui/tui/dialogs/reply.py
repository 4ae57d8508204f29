"""Write a reply to a ticket (or an internal note): free text, or a canned reply filled in for the
ticket and edited before it goes; and, for a reply, where the ticket's status moves."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Select, Static, TextArea

from obm_tui.model.records import Record
from obm_tui.services.replies import ReplyTemplate
from obm_tui.services.reply_text import FilledReply
from obm_tui.tui.actions import binding
from obm_tui.tui.safe import plain, styled
from obm_tui.tui.tasks import run_blocking
from obm_tui.tui.widgets.safe_text_area import SafeTextArea

SLASH_NAME = re.compile(r"\s*/([A-Za-z0-9][A-Za-z0-9_.-]*)[ \t]*\n\s*")  # `/ask-for-photo` + enter


@dataclass(frozen=True)
class ReplyAnswer:
    """What to send: the text; an explicit status (None: as configured); the canned reply's name
    when its text was sent unchanged (then the service fills it in and names it in the commit)."""

    text: str
    status: str | None = None
    template: str | None = None


class ReplyDialog(ModalScreen[ReplyAnswer | None]):
    """A reply (`note=False`) or an internal note (`note=True`) to `ticket`."""

    BINDINGS: ClassVar[list[BindingType]] = [binding("dialog.send"), binding("dialog.cancel")]
    CSS_PATH = "work_dialogs.tcss"

    def __init__(self, ticket: Record, *, note: bool = False, replies: Sequence[ReplyTemplate] = (),
                 statuses: Sequence[str] = (), default_move: str = "") -> None:
        super().__init__()
        self.ticket = ticket
        self.note = note
        self.replies = list(replies)
        self.statuses = list(statuses)
        self.default_move = default_move
        self.filled: FilledReply | None = None

    def compose(self) -> ComposeResult:
        what = "Internal note on" if self.note else "Reply to"
        with Vertical(classes="dialog reply"):
            yield Static(styled(f"{what} {self.ticket.id}: {self.ticket.title}", "bold"), classes="dialog-title")
            if self.note:
                yield Static(plain("Only your team sees a note: it is never sent and does not move the status."),
                             classes="dim")
            else:
                yield Select([(plain(f"{t.title}  ({t.name})"), t.name) for t in self.replies], id="canned",
                             prompt="Canned reply (optional): choose one to start from its text")
            yield SafeTextArea(id="text", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="reply-note", classes="dim")
            if not self.note:
                yield Select([(plain(f"then set the status to {s}"), s) for s in self.statuses], id="status",
                             prompt=f"then the status moves as configured{self.default_move}")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Send (ctrl+s)" if not self.note else "Add note (ctrl+s)", id="send", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(SafeTextArea).focus()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """`/name` then enter, alone in the text: start from the canned reply `name` (docs/keys.md)."""
        if self.note:
            return
        match = SLASH_NAME.fullmatch(event.text_area.text)
        if match is not None:
            self._slash(match.group(1))

    def _slash(self, typed: str) -> bool:
        """Choose the canned reply named `typed` (or the one whose name starts so); say so if none."""
        names = [t.name for t in self.replies]
        found = [n for n in names if n == typed] or [n for n in names if n.startswith(typed)]
        if len(found) == 1:
            self.query_one("#canned", Select).value = found[0]  # filled in as when chosen in the list
            return True
        known = ", ".join(f"/{n}" for n in names) or "none in templates/replies/"
        what = f"Several canned replies start with /{typed}" if found else f"No canned reply is named /{typed}"
        self.query_one("#reply-note", Static).update(styled(f"{what}. The canned replies: {known}",
                                                            "$text-error"))
        return False

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "canned" or event.value is Select.NULL:
            return
        from obm_tui.services.reply_text import fill_canned

        app = self.app
        name = str(event.value)
        run_blocking(self, lambda: fill_canned(app.vault, self.ticket.path, name, now=app.now()),  # type: ignore[attr-defined]
                     done=self._filled, label="Filling in the canned reply")

    def _filled(self, filled: FilledReply) -> None:
        self.filled = filled
        area = self.query_one(SafeTextArea)
        area.load(filled.text)
        area.focus()
        notes = []
        if filled.status and filled.status in self.statuses:
            self.query_one("#status", Select).value = filled.status
            notes.append(f"This canned reply moves the ticket to {filled.status}.")
        if filled.unknown:
            names = ", ".join(f"${{{u}}}" for u in filled.unknown)
            notes.append(f"No value for {names}: edit them before sending.")
        self.query_one("#reply-note", Static).update(plain(" ".join(notes)))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send":
            self.action_send()
        else:
            self.action_cancel()

    def action_send(self) -> None:
        text = self.query_one(SafeTextArea).text
        if not text.strip():
            self.query_one("#reply-note", Static).update(styled(
                "The note is empty." if self.note else "The reply is empty.", "$text-error"))
            return
        if self.note:
            self.dismiss(ReplyAnswer(text))
            return
        slash = SLASH_NAME.fullmatch(text.strip() + "\n")
        if slash is not None:  # `/name` is never sent as a reply: it asks for the canned reply
            self._slash(slash.group(1))
            return
        chosen = self.query_one("#status", Select).value
        status = None if chosen is Select.NULL else str(chosen)
        unchanged = self.filled is not None and text == self.filled.text
        self.dismiss(ReplyAnswer(text, status, self.filled.name if unchanged and self.filled else None))

    def action_cancel(self) -> None:
        self.dismiss(None)
