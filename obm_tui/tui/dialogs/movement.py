"""A stock movement of one product: receive, ship, adjust or count; quantity, reference, note."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from obm_tui.model.errors import ValidationError
from obm_tui.model.records import Record
from obm_tui.services.stock import MOVEMENTS, parse_quantity
from obm_tui.tui.actions import binding
from obm_tui.tui.safe import plain, styled
from obm_tui.tui.widgets.safe_input import SafeInput

HINTS = {
    "receive": "units that arrived (a purchase order's id as the reference)",
    "ship": "units that left (an order number as the reference)",
    "adjust": "units gained or lost, + or - (breakage, a gift …)",
    "count": "units counted on the shelf (the new on hand)",
}


@dataclass(frozen=True)
class MovementAnswer:
    """A checked movement to record."""

    kind: str
    qty: int
    ref: str = ""
    note: str = ""


class MovementDialog(ModalScreen[MovementAnswer | None]):
    """The form; the quantity is checked for the movement before anything is written."""

    BINDINGS: ClassVar[list[BindingType]] = [binding("dialog.send"), binding("dialog.cancel")]
    CSS_PATH = "work_dialogs.tcss"

    def __init__(self, product: Record, kind: str = "receive") -> None:
        super().__init__()
        self.product = product
        self.kind = kind if kind in MOVEMENTS else "receive"

    def compose(self) -> ComposeResult:
        p = self.product
        with Vertical(classes="dialog movement"):
            yield Static(styled(f"Stock movement: {p.id} ({p.title})", "bold"), classes="dialog-title")
            yield Static(plain(f"On hand now: {p.text('on_hand') or '0'}  ·  shift+tab: choose the movement"),
                         classes="dim")
            yield Select([(plain(k), k) for k in MOVEMENTS], value=self.kind, allow_blank=False, id="kind")
            yield SafeInput(placeholder=f"quantity: {HINTS[self.kind]}", id="qty")
            yield SafeInput(placeholder="reference (optional): PO-…, order 1042", id="ref")
            yield SafeInput(placeholder="note (optional)", id="note")
            yield Static("", id="error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Record (enter)", id="send", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#qty", Input).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.query_one("#qty", Input).placeholder = f"quantity: {HINTS.get(str(event.value), '')}"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_send()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_send() if event.button.id == "send" else self.action_cancel()

    def answer(self) -> MovementAnswer:
        kind = str(self.query_one("#kind", Select).value)
        qty = parse_quantity(kind, self.query_one("#qty", Input).value)
        ref, note = (self.query_one(f"#{n}", Input).value.strip() for n in ("ref", "note"))
        return MovementAnswer(kind, qty, ref, note)

    def action_send(self) -> None:
        try:
            answer = self.answer()
        except ValidationError as exc:
            self.query_one("#error", Static).update(styled(exc.message, "$text-error"))
            self.query_one("#qty", Input).focus()
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
