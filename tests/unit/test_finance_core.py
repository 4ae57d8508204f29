"""The money core: amounts and currencies (model/money.py), an invoice's payments table
(model/payments.py) and the money events and postings reports and exports share (model/finance.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from obm_tui.model import payments
from obm_tui.model.finance import (
    INVOICED,
    RECEIVED,
    WRITTEN_OFF,
    FinanceSettings,
    balances,
    collect,
    finance_settings,
    postings,
    settlement,
)
from obm_tui.model.money import MoneyError, Totals, parse_amount, rounded, shown
from obm_tui.model.records import Record


def test_a_decimal_comma_is_refused_not_read_as_hundreds() -> None:
    with pytest.raises(MoneyError, match="a comma only groups thousands"):
        parse_amount("12,50", "USD")
    assert parse_amount("1,234.50", "USD") == Decimal("1234.50")


def test_a_currency_without_cents_takes_none() -> None:
    assert parse_amount("1500", "JPY") == Decimal("1500")
    with pytest.raises(MoneyError, match="JPY has 0 decimals"):
        parse_amount("1500.50", "JPY")
    assert rounded(Decimal("2.345"), "USD") == Decimal("2.35")  # half away from zero
    assert shown(Decimal("1500"), "USD") == "1,500.00 USD"


def test_totals_never_add_two_currencies() -> None:
    totals = Totals([(Decimal("10.00"), "USD"), (Decimal("5.00"), "EUR"), (Decimal("2.50"), "USD")])
    assert totals.items() == [("EUR", Decimal("5.00")), ("USD", Decimal("12.50"))]


BODY = "| Item | Amount |\n|---|---|\n| Coaching | 1500.00 |\n\nPaid by card.\n"


def test_a_payment_goes_into_its_own_table_and_reads_back() -> None:
    first = payments.Payment(date(2026, 11, 4), Decimal("1000.00"), "card", "ch_1",
                             row_id=payments.row_id_for("ch_1"))
    body = payments.append(BODY, first)
    body = payments.append(body, payments.Payment(date(2026, 11, 9), Decimal("-200.00"), "refund", "re_1"))
    assert body.startswith(BODY)  # the invoice's own table and text keep their bytes
    table = payments.parse(body, "USD")
    assert not table.problems
    assert [p.amount for p in table.payments] == [Decimal("1000.00"), Decimal("-200.00")]
    assert table.total == Decimal("800.00")
    assert table.payments[0].row_id == payments.row_id_for("ch_1") != table.payments[1].row_id


def test_bad_payment_rows_are_problems_at_their_lines() -> None:
    body = ("## Payments\n\n| Date | Amount | Method |\n|---|---:|---|\n| 2026-11-04 | 12,50 | card |\n"
            "| 2026-11-05 | 10.00 EUR | card |\n| 4 Nov | 10.00 | card |\n| 2026-11-06 | 10.00 | card |\n")
    table = payments.parse(body, "USD")
    assert [(p.line, p.reason.split(":")[0]) for p in table.problems] == [
        (5, "a payment's Amount"), (6, "a payment in EUR on a USD record"),
        (7, "a payment's Date must be a day like 2026-11-04, got '4 Nov'")]
    assert [p.amount for p in table.payments] == [Decimal("10.00")]


def test_two_clones_payments_merge_each_row_once() -> None:
    base = payments.append(BODY, payments.Payment(date(2026, 11, 1), Decimal("100.00"), "card", "ch_a"))
    charge = payments.Payment(date(2026, 11, 4), Decimal("200.00"), "card", "ch_b",
                              row_id=payments.row_id_for("ch_b"))
    ours = payments.append(payments.append(base, charge),
                           payments.Payment(date(2026, 11, 5), Decimal("5.00"), "cash"))
    theirs = payments.append(payments.append(base, charge),
                             payments.Payment(date(2026, 11, 3), Decimal("7.00"), "bank"))
    merged = payments.merge(base, ours, theirs, lambda b, o, t: (o, True))
    assert merged is not None
    table = payments.parse(merged[0], "USD")
    assert [str(p.amount) for p in table.payments] == ["100.00", "7.00", "200.00", "5.00"]  # the charge once


@given(st.lists(st.tuples(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
                          st.decimals(min_value=Decimal("-99999"), max_value=Decimal("99999"), places=2)
                          .filter(lambda d: d != 0),
                          st.sampled_from(["card", "bank transfer", "a|b"])), max_size=6))
def test_what_append_writes_parse_reads(rows: list[tuple[date, Decimal, str]]) -> None:
    body = "Notes\r\n"
    for day, amount, method in rows:
        body = payments.append(body, payments.Payment(day, amount, method))
    table = payments.parse(body, "USD")
    assert not table.problems
    assert [(p.day, p.amount, p.method) for p in table.payments] == rows


def _record(kind: str, rid: str, data: dict[str, object], rows: payments.Summary = ()) -> Record:
    folder = {"invoice": "invoices", "expense": "expenses", "payment": "payments", "bill": "bills"}[kind]
    return Record(kind, rid, f"{folder}/{rid}.md", {"type": kind, "id": rid, **data},
                  extra={"payments": rows} if rows else {})


def test_events_and_postings_balance_per_currency() -> None:
    paid = (("2026-11-04", "1000.00", "card", "ch_1", "AAAAAA", ""),)
    records = [
        _record("invoice", "INV-1", {"client": "[[aisha-khan]]", "amount": "1500.00", "status": "partly-paid",
                                     "issued": "2026-11-01"}, paid),
        _record("invoice", "INV-2", {"client": "[[ben]]", "amount": "300.00", "status": "written-off",
                                     "issued": "2026-10-01", "closed": "2026-11-20", "currency": "EUR"}),
        _record("invoice", "INV-3", {"client": "[[ben]]", "amount": "9.00", "status": "draft"}),
        _record("expense", "2026-11-03-canva-8dx", {"payee": "Canva", "date": "2026-11-03", "amount": "12.99",
                                                    "category": "software"}),
        _record("invoice", "INV-4", {"client": "[[x]]", "amount": "12,50", "status": "sent", "issued": "2026-11-01"}),
    ]
    facts = collect(records, "USD")
    assert [(e.kind, e.record) for e in facts.events] == [
        (INVOICED, "INV-2"), (INVOICED, "INV-1"),
        ("expense", "2026-11-03-canva-8dx"), (RECEIVED, "INV-1"), (WRITTEN_OFF, "INV-2")]
    assert [s.path for s in facts.skipped] == ["invoices/INV-4.md"]
    settings = finance_settings({"categories": {"Software": "Expenses:Software"}}, "USD")
    for event in facts.events:
        legs = postings(event, settings)
        assert sum(leg.amount for leg in legs) == 0 and {leg.currency for leg in legs} == {event.currency}
    books = balances(facts.events, settings)
    assert books[("Assets:Receivable", "USD")] == Decimal("500.00")
    assert books[("Assets:Receivable", "EUR")] == Decimal("0.00")
    assert books[("Assets:Stripe", "USD")] == Decimal("1000.00")
    assert books[("Expenses:Software", "USD")] == Decimal("12.99")


def test_finance_settings_name_what_they_cannot_use() -> None:
    settings = finance_settings({"payment_terms": "two weeks", "overpayment": "keep", "reminders": [0, "x"]}, "USD")
    assert settings == FinanceSettings(problems=settings.problems)
    assert len(settings.problems) == 3


def _paid(day: int, amount: str) -> payments.Payment:
    return payments.Payment(date(2026, 11, day), Decimal(amount))


@pytest.mark.parametrize(("status", "rows", "expected"), [
    ("sent", [(1, "50.00"), (3, "50.00")], ("paid", date(2026, 11, 3), Decimal("0.00"))),
    ("sent", [(1, "100.00"), (3, "-20.00"), (5, "20.00")], ("paid", date(2026, 11, 5), Decimal("0.00"))),
    ("paid", [(1, "100.00"), (3, "-20.00")], ("partly-paid", None, Decimal("20.00"))),
    ("partly-paid", [], ("sent", None, Decimal("100.00"))),
    ("draft", [], ("draft", None, Decimal("100.00"))),
    ("void", [(1, "10.00")], ("void", None, Decimal("90.00"))),
])
def test_payments_settle_an_invoice(status: str, rows: list[tuple[int, str]],
                                    expected: tuple[str, date | None, Decimal]) -> None:
    found = settlement("invoice", status, Decimal("100.00"), [_paid(d, a) for d, a in rows])
    assert (found.status, found.paid, found.balance) == expected


def test_an_overpayment_is_named_not_lost() -> None:
    found = settlement("bill", "unpaid", Decimal("100.00"), [_paid(1, "150.00")])
    assert (found.status, found.over) == ("paid", Decimal("50.00"))


def test_an_invoice_marked_paid_by_hand_counts_as_paid_in_full() -> None:
    old = _record("invoice", "INV-9", {"client": "[[ben]]", "amount": "80.00", "status": "paid",
                                      "issued": "2026-06-01", "paid": "2026-06-04"})
    [invoiced, received] = collect([old], "USD").events
    assert (received.kind, received.day, received.amount) == (RECEIVED, date(2026, 6, 4), Decimal("80.00"))


def test_an_invoice_with_a_payment_row_obm_cannot_read_is_left_out_and_named() -> None:
    from obm_tui.model.errors import Problem

    record = _record("invoice", "INV-5", {"client": "[[ben]]", "amount": "100.00", "status": "partly-paid",
                                         "issued": "2026-11-01"}, (("2026-11-02", "50.00", "card", "", "ROWID1", ""),))
    bad = Record(record.kind, record.id, record.path, record.data,
                 (Problem(record.path, 12, "a payment's Amount: expected an amount like 120.00"),), extra=record.extra)
    facts = collect([bad], "USD")
    assert facts.events == () and [(s.path, s.reason[:8]) for s in facts.skipped] == [("invoices/INV-5.md", "line 12:")]


def test_a_payout_waits_for_no_link_and_stays_in_the_books() -> None:
    from obm_tui.model.finance import PAYOUT, waits_for_a_link

    payout = _record("payment", "PAY-261106-4TR", {"date": "2026-11-06", "amount": "3203.70",
                                                   "payment_type": "payout", "source": "stripe"})
    charge = _record("payment", "PAY-261120-9KB", {"date": "2026-11-20", "amount": "600.00"})
    assert (waits_for_a_link(payout), waits_for_a_link(charge)) == (False, True)
    ignored = _record("payment", "PAY-1", {"date": "2026-11-06", "amount": "1.00", "payment_type": "payout",
                                          "status": "ignored"})
    assert [e.kind for e in collect([payout, ignored], "USD").events] == [PAYOUT]
