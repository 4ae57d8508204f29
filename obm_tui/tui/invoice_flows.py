"""The invoice lifecycle from the app: mark a draft sent, record a payment (a small form). Thin
flows over services/invoices.py; each change is one commit, its message shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from obm_tui.model.records import Record
from obm_tui.tui.care_flows import told
from obm_tui.tui.tasks import run_blocking

if TYPE_CHECKING:
    from obm_tui.tui.app import ObmApp
    from obm_tui.tui.dialogs.payment import PaymentAnswer


def send_invoice(app: ObmApp, invoice: Record) -> None:
    """draft -> sent: issued today, due after the payment terms."""
    from obm_tui.services.invoices import send_invoice as send

    status = invoice.text("status") or "draft"
    if status != "draft":
        app.notify(f"{invoice.id} is {status}: only a draft can be sent.", title="Not a draft",
                   severity="warning", markup=False)
        return
    run_blocking(app, lambda: send(app.vault, invoice.path, today=app.now().date()),
                 done=lambda change: told(app, [invoice.path], change.message, "Invoice", change.pending),
                 label="Sending the invoice")


def record_payment(app: ObmApp, invoice: Record) -> None:
    """The payment form; then one row and the status, one commit."""
    from obm_tui.services.invoices import state_of
    from obm_tui.tui.dialogs.payment import PaymentDialog

    today = app.now().date()
    run_blocking(app, lambda: state_of(app.vault, invoice, today),
                 done=lambda state: app.push_screen(PaymentDialog(state, today),
                                                    lambda answer: answer and _pay(app, invoice, answer)),
                 label="Reading the invoice")


def _pay(app: ObmApp, invoice: Record, answer: PaymentAnswer) -> None:
    from obm_tui.services.invoices import record_payment as pay

    def paid(change) -> None:  # type: ignore[no-untyped-def]
        paths = [invoice.path] + ([change.credit.path] if change.credit is not None else [])
        told(app, paths, change.message, "Payment", change.pending)

    run_blocking(app, lambda: pay(app.vault, invoice.path, answer.amount, day=answer.day, method=answer.method,
                                  reference=answer.reference, note=answer.note, today=app.now().date()),
                 done=paid, label="Recording the payment")
