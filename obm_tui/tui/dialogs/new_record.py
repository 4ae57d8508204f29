"""A new record: its title, and any fields as `field=value` (checked before anything is written)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from obm_tui.model.errors import ValidationError
from obm_tui.model.kinds import KINDS
from obm_tui.services.records import parse_assignments
from obm_tui.tui.actions import binding
from obm_tui.tui.listing import tokens
from obm_tui.tui.safe import plain, styled
from obm_tui.tui.widgets.safe_input import SafeInput


class NewRecordDialog(ModalScreen[tuple[str, dict[str, str]] | None]):
    """Returns (title, {field: text}) or None."""

    BINDINGS = [binding("dialog.cancel")]

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = KINDS[kind]

    def compose(self) -> ComposeResult:
        kind = self.kind
        required = [f.name for f in kind.fields if f.required and f.name not in (kind.title_field, "sku")]
        with Vertical(classes="dialog"):
            yield Static(styled(f"New {kind.name}", "bold"), classes="dialog-title")
            yield SafeInput(placeholder=f"{kind.title_field} (the file is named from it)", id="title")
            hint = "fields, optional: " + "  ".join(f"{f.name}=…" for f in kind.fields[:4]
                                                    if f.name != kind.title_field)
            if required:
                hint = "required: " + "  ".join(f"{n}=…" for n in required) + "   " + hint
            yield SafeInput(placeholder=hint, id="pairs")
            yield Static("", id="error", classes="error")
            yield Static(plain("enter creates it · esc cancels · quotes group words: customer=\"Fred Smith\""),
                         classes="dim")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        title = self.query_one("#title", Input).value.strip()
        if event.input.id == "title" and not self.query_one("#pairs", Input).value and self._needs_fields():
            self.query_one("#pairs", Input).focus()
            return
        if not title:
            self._error(f"A new {self.kind.name} needs a {self.kind.title_field}.")
            self.query_one("#title", Input).focus()
            return
        pairs: dict[str, str] = {}
        for token in tokens(self.query_one("#pairs", Input).value):
            name, sep, value = token.partition("=")
            if not sep or not name.strip():
                self._error(f"Write fields as field=value; {token!r} is not.")
                return
            pairs[name.strip()] = value
        try:
            parse_assignments(self.kind, {self.kind.title_field: title, **pairs})  # the title is a field too
        except ValidationError as exc:
            self._error(exc.message)
            return
        self.dismiss((title, pairs))

    def _needs_fields(self) -> bool:
        return any(f.required and f.name not in (self.kind.title_field, "sku") for f in self.kind.fields)

    def _error(self, message: str) -> None:
        self.query_one("#error", Static).update(styled(message, "$text-error"))

    def action_cancel(self) -> None:
        self.dismiss(None)
