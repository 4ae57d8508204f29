"""The sample vault tells the finance story (issue 12): a summer of invoices with their payments,
retainers that bill themselves once, declines with their codes, money out, a closed month, and the
figures the review quotes, all worked out by model.finance from the files as they are."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from obm_tui.model.finance import record_amount, record_currency, record_payments, settlement
from obm_tui.model.records import Record
from obm_tui.vault.loader import load_rows, scan, to_records

VAULT = Path(__file__).resolve().parents[2] / "vault"


def sample_records() -> list[Record]:
    return to_records(load_rows(VAULT, list(scan(VAULT)), workers=1))


RECORDS = sample_records()


def of_kind(kind: str) -> list[Record]:
    return [r for r in RECORDS if r.kind == kind]


def test_every_paid_invoice_has_its_payment_rows_and_statuses_agree_with_them() -> None:
    invoices = of_kind("invoice")
    statuses = {str(r.data.get("status")) for r in invoices}
    assert {"draft", "sent", "partly-paid", "paid", "void", "written-off"} <= statuses
    methods = set()
    for record in invoices:
        assert not record.problems, (record.path, record.problems)
        status = str(record.data.get("status"))
        rows = record_payments(record)
        methods |= {p.method for p in rows}
        if status == "paid":
            assert rows, f"{record.id} is paid with no ## Payments rows"
        amount = record_amount(record, record_currency(record, "USD"))
        settled = settlement("invoice", status, amount, rows)
        assert settled.status == status, record.id
        assert settled.over == 0, record.id
        if status == "paid":
            assert str(record.data.get("paid")) == settled.paid.isoformat(), record.id  # type: ignore[union-attr]
        if status in ("void", "written-off"):
            assert record.data.get("closed"), f"{record.id} is {status} with no closed day"
    assert {"card", "bank transfer"} <= methods
    card = [p for r in invoices for p in record_payments(r) if p.method == "card"]
    assert card and all(p.reference.startswith("ch_") for p in card)
    assert sum((p.amount for p in card), Decimal(0)) > 0
