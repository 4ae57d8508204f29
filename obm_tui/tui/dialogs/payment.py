"""A payment on an invoice: amount (below 0: a refund), date, method, reference, note. The amount
and the date are checked before the dialog closes; the rest of the rules (the balance, a
reference already recorded) are the service's (services/invoices.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from obm_tui.model.errors import ValidationError
from obm_tui.model.money import shown
from obm_tui.services.invoices import InvoiceError, InvoiceState, parse_payment_amount
from obm_tui.tui.actions import binding
from obm_tui.tui.safe import plain, styled
from obm_tui.tui.widgets.safe_input import SafeInput


@dataclass(frozen=True)
class PaymentAnswer:
    """A checked payment to record."""

    amount: str
    day: date
    method: str = ""
    reference: str = ""
    note: str = ""


class PaymentDialog(ModalScreen[PaymentAnswer | None]):
    """The form; enter on any field records it."""

    BINDINGS: ClassVar[list[BindingType]] = [binding("dialog.send"), binding("dialog.cancel")]
    CSS_PATH = "work_dialogs.tcss"

    def __init__(self, state: InvoiceState, today: date) -> None:
        super().__init__()
        self.state = state
        self.today = today

    def compose(self) -> ComposeResult:
        s = self.state
        with Vertical(classes="dialog movement"):
            yield Static(styled(f"Payment on {s.record.id} ({s.record.title})", "bold"), classes="dialog-title")
            yield Static(plain(f"{shown(s.amount, s.currency)}, balance {shown(s.balance, s.currency)} "
                               f"({s.status})  ·  below 0: a refund"), classes="dim")
            yield SafeInput(placeholder=f"amount in {s.currency}: 500.00", id="amount")
            yield SafeInput(value=self.today.isoformat(), placeholder="date: 2026-11-04", id="day")
            yield SafeInput(placeholder="method (optional): card, transfer, cash", id="method")
            yield SafeInput(placeholder="reference (optional): the charge or transfer id", id="reference")
            yield SafeInput(placeholder="note (optional)", id="note")
            yield Static("", id="error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Record (enter)", id="send", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#amount", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_send()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_send() if event.button.id == "send" else self.action_cancel()

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def answer(self) -> PaymentAnswer:
        amount = self._value("amount")
        parse_payment_amount(amount, self.state.currency)
        try:
            day = date.fromisoformat(self._value("day"))
        except ValueError:
            raise InvoiceError(f"date: a day like 2026-11-04, got {self._value('day')[:40]!r}") from None
        return PaymentAnswer(amount, day, self._value("method"), self._value("reference"), self._value("note"))

    def action_send(self) -> None:
        try:
            answer = self.answer()
        except ValidationError as exc:
            self.query_one("#error", Static).update(styled(exc.message, "$text-error"))
            field = "day" if exc.message.startswith("date") else "amount"
            self.query_one(f"#{field}", Input).focus()
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
