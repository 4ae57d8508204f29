"""A new ticket: subject, who it is from, priority and channel, and the customer's first message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from obm_tui.model.errors import ValidationError
from obm_tui.model.kinds import KINDS, PRIORITIES
from obm_tui.services.records import parse_assignments
from obm_tui.tui.actions import binding
from obm_tui.tui.safe import plain, styled
from obm_tui.tui.widgets.safe_input import SafeInput
from obm_tui.tui.widgets.safe_text_area import SafeTextArea

TEXT_FIELDS = ("customer", "email", "client")


@dataclass(frozen=True)
class NewTicket:
    """What the form gives: the subject, `field=value` pairs, and the first message (or None)."""

    subject: str
    pairs: dict[str, str]
    message: str | None


class NewTicketDialog(ModalScreen[NewTicket | None]):
    """The form; checked against the ticket's schema before anything is written."""

    BINDINGS: ClassVar[list[BindingType]] = [binding("dialog.send"), binding("dialog.cancel")]
    CSS_PATH = "work_dialogs.tcss"

    def compose(self) -> ComposeResult:
        channels = KINDS["ticket"].field("channel").choices  # type: ignore[union-attr]
        with Vertical(classes="dialog ticket-form"):
            yield Static(styled("New ticket", "bold"), classes="dialog-title")
            yield SafeInput(placeholder="subject (what it is about)", id="subject")
            yield SafeInput(placeholder="customer's name", id="customer")
            yield SafeInput(placeholder="customer's email", id="email")
            yield SafeInput(placeholder="client id, when the customer is a client (optional)", id="client")
            yield Static(plain("The customer's message (optional):"), classes="dim")
            yield SafeTextArea(id="message", soft_wrap=True)
            with Horizontal(classes="form-row"):
                yield Select([(plain(f"priority {p}"), p) for p in reversed(PRIORITIES)], value="normal",
                             allow_blank=False, id="priority")
                yield Select([(plain(f"by {c}"), c) for c in channels], value="email", allow_blank=False, id="channel")
            yield Static("", id="error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Create (ctrl+s)", id="send", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#subject", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send":
            self.action_send()
        else:
            self.action_cancel()

    def answer(self) -> NewTicket:
        """The form's values, checked (ValidationError says what is wrong)."""
        subject = self.query_one("#subject", Input).value.strip()
        if not subject:
            raise ValidationError("A ticket needs a subject.")
        pairs = {name: self.query_one(f"#{name}", Input).value.strip() for name in TEXT_FIELDS}
        pairs = {name: value for name, value in pairs.items() if value}
        for name in ("priority", "channel"):
            pairs[name] = str(self.query_one(f"#{name}", Select).value)
        parse_assignments(KINDS["ticket"], {k: v for k, v in pairs.items() if k != "client"})
        message = self.query_one(SafeTextArea).text
        return NewTicket(subject, pairs, message if message.strip() else None)

    def action_send(self) -> None:
        try:
            answer = self.answer()
        except ValidationError as exc:
            self.query_one("#error", Static).update(styled(exc.message, "$text-error"))
            wrong = next((n for n in ("subject", *TEXT_FIELDS) if f" {n}" in f" {exc.message}".casefold()), None)
            if wrong is not None:
                self.query_one(f"#{wrong}", Input).focus()
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
