"""Receive a purchase order: how many units of each line arrived (all that is still to come, by
default); the order and every product's ledger change in one commit."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from obm_tui.model.errors import ValidationError
from obm_tui.model.purchase import POLine, parse_lines
from obm_tui.model.records import Record
from obm_tui.tui.actions import binding
from obm_tui.tui.safe import plain, styled
from obm_tui.tui.widgets.safe_input import SafeInput


def arrivals_from(lines: list[POLine], texts: list[str]) -> dict[str, int]:
    """{SKU: units} from what was typed per line (blank or 0: nothing of it came)."""
    arrivals: dict[str, int] = {}
    for line, text in zip(lines, texts, strict=True):
        text = text.strip()
        if not text:
            continue
        if not text.isdigit():
            raise ValidationError(f"{line.sku}: write the units that arrived as a whole number, got {text!r}")
        if int(text):
            arrivals[line.sku] = arrivals.get(line.sku, 0) + int(text)
    if not arrivals:
        raise ValidationError("Nothing to receive: write how many units of a line arrived.")
    return arrivals


class ReceiveDialog(ModalScreen[dict[str, int] | None]):
    """Returns {SKU: units that arrived}, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [binding("dialog.send"), binding("dialog.cancel")]
    CSS_PATH = "work_dialogs.tcss"

    def __init__(self, order: Record) -> None:
        super().__init__()
        self.order = order
        self.lines = [line for line in parse_lines(order.data.get("lines"))[0]]

    def compose(self) -> ComposeResult:
        o = self.order
        with Vertical(classes="dialog receive"):
            yield Static(styled(f"Receive {o.id} from {o.text('supplier') or '?'} ({o.text('status')})", "bold"),
                         classes="dialog-title")
            for n, line in enumerate(self.lines):
                yield Static(plain(f"{line.sku}: {line.received} of {line.qty} received, {line.outstanding} to come"))
                yield SafeInput(value=str(max(line.outstanding, 0)), id=f"line-{n}", placeholder="units that arrived")
            yield Static("", id="error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Receive (ctrl+s)", id="send", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        inputs = list(self.query(SafeInput))
        if inputs:
            inputs[0].focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(SafeInput))
        if event.input is inputs[-1]:
            self.action_send()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_send() if event.button.id == "send" else self.action_cancel()

    def action_send(self) -> None:
        try:
            answer = arrivals_from(self.lines, [i.value for i in self.query(SafeInput)])
        except ValidationError as exc:
            self.query_one("#error", Static).update(styled(exc.message, "$text-error"))
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
