"""Invoices: every invoice with its balance (what is left to pay, from its payment rows) and
overdue ones standing out. `m` marks the draft under the cursor sent, `p` records a payment on it
(tui/invoice_flows.py); the same keys work on an invoice's own screen.
"""

from __future__ import annotations

from decimal import Decimal

from obm_tui.tui import invoice_flows
from obm_tui.tui.actions import bindings
from obm_tui.tui.screens.worklist import ExtraColumn, Extras, WorkListScreen

COLUMNS = (ExtraColumn("balance", "BALANCE", right=True),)


class InvoicesScreen(WorkListScreen):
    """Invoices, with their balance."""

    BINDINGS = bindings("invoices")

    def extras_layout(self, kind: str) -> Extras:
        return Extras(COLUMNS, "amount")

    def compute_extras(self, kind: str) -> Extras:
        from obm_tui.services.invoices import balance_of, is_overdue

        today = self.obm.now().date()
        cells, styles, keys = {}, {}, {}
        for record in self.vault.records("invoice", archived=True):
            found = balance_of(self.vault, record)
            if found is None:
                cells[record.path], keys[record.path] = ("?",), (Decimal(0),)
                styles[record.path] = "problem"
                continue
            text, balance = found
            cells[record.path], keys[record.path] = (text,), (balance,)
            if is_overdue(record, today):
                styles[record.path] = "overdue"
        return Extras(COLUMNS, "amount", cells=cells, styles=styles, keys=keys)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("send_invoice", "pay_invoice"):
            return self.kind.name == "invoice"
        return super().check_action(action, parameters)

    def _invoice(self):  # type: ignore[no-untyped-def]
        record = self.current
        return record if record is not None and record.kind == "invoice" and record.readable else None

    def action_send_invoice(self) -> None:
        record = self._invoice()
        if record is not None:
            invoice_flows.send_invoice(self.obm, record)

    def action_pay_invoice(self) -> None:
        record = self._invoice()
        if record is not None:
            invoice_flows.record_payment(self.obm, record)
