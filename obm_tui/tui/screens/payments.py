"""Payments: the money the Stripe import could not put on an invoice (payment records with
`status: unmatched`). `l` links the one under the cursor: choose the invoice (its likeliest ones
named first), and the payment becomes a row on it, in one commit (services/payments_in.py).
"""

from __future__ import annotations

from obm_tui.model.finance import waits_for_a_link
from obm_tui.model.records import Record
from obm_tui.tui.actions import bindings
from obm_tui.tui.screens.records import RecordsScreen


def is_unmatched(record: Record) -> bool:
    return waits_for_a_link(record)


class PaymentsScreen(RecordsScreen):
    """The unmatched payment records; `l` links one to an invoice."""

    BINDINGS = bindings("payments")

    def reload(self, keep: bool = True) -> None:
        """Only the unmatched payments (the archived toggle shows the linked and ignored ones too)."""
        found = self.vault.records(self.kind.name, archived=self.show_archived)
        self._all = found if self.show_archived else [r for r in found if is_unmatched(r)]
        self.mark_seen()
        self._resort(keep)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "link_payment":
            record = self.current
            return record is not None and is_unmatched(record)
        return super().check_action(action, parameters)

    def action_link_payment(self) -> None:
        record = self.current
        if record is not None and is_unmatched(record):
            link_flow(self.obm, record)


def link_flow(app, payment: Record) -> None:  # type: ignore[no-untyped-def]
    """Choose the invoice (open ones of the payment's currency), then link: one commit."""
    from obm_tui.model.display import clean
    from obm_tui.services.payments_in import invoice_states, link, unmatched
    from obm_tui.tui.dialogs.pick_record import PickRecordDialog
    from obm_tui.tui.tasks import run_blocking

    item = next((u for u in unmatched(app.vault) if u.record.path == payment.path), None)
    best = [c.id for c in item.candidates] if item is not None else []
    states = invoice_states(app.vault)
    currency = str(payment.data.get("currency") or app.vault.config.currency)
    kind = str(payment.data.get("payment_type") or "charge")
    wanted = ("partly-paid", "paid") if kind == "refund" else ("sent", "partly-paid")
    invoices = [s.record for s in states.values() if s.status in wanted and s.currency == currency]
    if not invoices:
        app.notify(f"No {' or '.join(wanted)} invoice in {currency} to put {payment.id} on.",
                   title="Link a payment", severity="warning", markup=False)
        return
    amount = f"{payment.data.get('amount')} {currency}"
    hint = f"likeliest: {', '.join(best)}" if best else f"{len(invoices)} open invoices in {currency}"

    def chosen(path: str | None) -> None:
        invoice = app.vault.index.by_path(path) if path else None
        if invoice is None:
            return
        run_blocking(app, lambda: link(app.vault, payment, invoice, today=app.now().date()),
                     done=lambda result: _linked(app, [payment.path, invoice.path], clean(result.message)),
                     label="Linking the payment")

    app.push_screen(PickRecordDialog(f"Put {payment.id} ({amount}) on which invoice?", invoices, hint), chosen)


def _linked(app, paths: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    app.note_changes(paths)
    app.refresh_status()
    app.notify(message, title="Payment linked", markup=False)
