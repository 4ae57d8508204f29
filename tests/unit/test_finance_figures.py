"""The finance reports' figures (model/finance_figures.py): revenue, cash, aging, MRR, margin and
declines, per currency, over the money events of model/finance.py."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from obm_tui.model import finance_figures as ff
from obm_tui.model.finance import RECEIVED, balances, collect, finance_settings
from obm_tui.model.ledger import Movement
from obm_tui.model.records import Record

SETTINGS = finance_settings({}, "USD")
Z = Decimal("0.00")
FOLDERS = {"invoice": "invoices", "expense": "expenses", "payment": "payments", "bill": "bills",
           "client": "clients", "decline": "declines", "product": "stock", "purchase-order": "purchase-orders"}


def rec(kind: str, rid: str, rows: tuple[tuple[str, ...], ...] = (), **data: Any) -> Record:
    return Record(kind, rid, f"{FOLDERS[kind]}/{rid}.md", {"type": kind, "id": rid, **data},
                  extra={"payments": rows} if rows else {})


def pay(day: str, amount: str, method: str = "card", ref: str = "") -> tuple[str, ...]:
    return (day, amount, method, ref, "", "")


def test_revenue_invoiced_and_received_by_month_and_currency() -> None:
    records = [
        rec("invoice", "INV-1", (pay("2026-11-04", "1000.00"), pay("2026-12-02", "500.00")),
            client="[[aisha]]", amount="1500.00", status="paid", issued="2026-11-01"),
        rec("invoice", "INV-2", client="[[ben]]", amount="300.00", status="sent", issued="2026-11-20", currency="EUR"),
        rec("invoice", "INV-3", client="[[ben]]", amount="99.00", status="draft", issued="2026-11-20"),
        rec("invoice", "INV-4", (pay("2026-11-09", "-20.00", "refund"),), client="[[c]]", amount="20.00",
            status="sent", issued="2026-10-30"),
    ]
    rows = ff.revenue(collect(records, "USD").events)
    assert [(r.month, r.currency, str(r.invoiced), str(r.received)) for r in rows] == [
        ("2026-10", "USD", "20.00", "0.00"),
        ("2026-11", "EUR", "300.00", "0.00"),
        ("2026-11", "USD", "1500.00", "980.00"),  # 1000 paid, 20 refunded
        ("2026-12", "USD", "0.00", "500.00"),
    ]


def test_cash_in_and_out_by_month() -> None:
    records = [
        rec("invoice", "INV-1", (pay("2026-11-04", "1000.00"), pay("2026-11-09", "-200.00", "refund")),
            client="[[a]]", amount="1000.00", status="partly-paid", issued="2026-11-01"),
        rec("bill", "BILL-1", (pay("2026-11-10", "300.00", "bank"),), supplier="Clay", amount="300.00",
            issued="2026-11-02"),
        rec("expense", "2026-11-03-canva-abc", payee="Canva", date="2026-11-03", amount="12.99"),
        rec("payment", "PAY-1", date="2026-11-05", amount="50.00", payment_type="charge", fee="1.75"),
        rec("payment", "PAY-2", date="2026-11-06", amount="40.00", payment_type="refund"),
        rec("payment", "PAY-3", date="2026-11-07", amount="800.00", payment_type="payout"),
    ]
    [row] = ff.cash(collect(records, "USD").events)
    assert (row.month, row.received, row.refunded, row.bills_paid, row.expenses, row.fees, row.payouts) == (
        "2026-11", Decimal("1050.00"), Decimal("240.00"), Decimal("300.00"), Decimal("12.99"),
        Decimal("1.75"), Decimal("800.00"))
    assert row.net == Decimal("1050.00") - Decimal("240.00") - Decimal("300.00") - Decimal("12.99") - Decimal("1.75")


def test_aging_buckets_by_days_past_due_with_client_terms() -> None:
    records = [
        rec("client", "aisha", name="Aisha", payment_terms=30),
        rec("invoice", "INV-1", (pay("2026-10-10", "100.00"),), client="[[aisha]]", amount="400.00",
            status="partly-paid", issued="2026-09-01"),  # due 10-01 by the client's 30 days: 61 days on 12-01
        rec("invoice", "INV-2", client="[[aisha]]", amount="50.00", status="sent", issued="2026-11-20",
            due="2026-12-04"),  # not due yet
        rec("invoice", "INV-3", client="[[ben]]", amount="70.00", status="sent", issued="2026-11-01"),  # 14 days: 11-15
        rec("invoice", "INV-4", client="[[ben]]", amount="10.00", status="sent", issued="2026-12-05"),  # after as_of
        rec("invoice", "INV-5", client="[[ben]]", amount="80.00", status="written-off", issued="2026-06-01",
            closed="2026-11-30"),
    ]
    rows = ff.aging(collect(records, "USD").events, records, SETTINGS, date(2026, 12, 1))
    assert [(r.client, r.buckets, r.total) for r in rows] == [
        ("aisha", (Decimal("50.00"), Z, Z, Decimal("300.00"), Z), Decimal("350.00")),
        ("ben", (Z, Decimal("70.00"), Z, Z, Z), Decimal("70.00")),
    ]
    assert [ff.bucket_of(d) for d in (-3, 0, 1, 30, 31, 60, 61, 90, 91)] == [0, 0, 1, 1, 2, 2, 3, 3, 4]


def test_mrr_and_its_movement() -> None:
    def inv(rid: str, client: str, amount: str, period: str) -> Record:
        return rec("invoice", rid, client=f"[[{client}]]", amount=amount, status="sent", period=period,
                   issued=f"{period[:7]}-01")

    records = [
        rec("client", "a", status="current"), rec("client", "b", status="paused"), rec("client", "c", status="past"),
        inv("A-09", "a", "1000.00", "2026-09"), inv("B-09", "b", "500.00", "2026-09"),
        inv("C-09", "c", "300.00", "2026-09"),
        inv("A-10", "a", "1200.00", "2026-10"), inv("C-10", "c", "200.00", "2026-10"),
        inv("A-11", "a", "1200.00", "2026-11"), inv("D-11", "d", "100.00", "2026-11"),
        rec("invoice", "ONE-OFF", client="[[a]]", amount="999.00", status="sent", issued="2026-10-03"),
    ]
    rows = ff.mrr(collect(records, "USD").events, records)
    assert [(r.month, r.mrr, r.start, r.new, r.expansion, r.contraction, r.churned, r.paused) for r in rows] == [
        ("2026-09", Decimal("1800.00"), 0, Decimal("1800.00"), 0, 0, 0, 0),
        ("2026-10", Decimal("1400.00"), Decimal("1800.00"), 0, Decimal("200.00"), Decimal("-100.00"), 0,
         Decimal("-500.00")),
        ("2026-11", Decimal("1300.00"), Decimal("1400.00"), Decimal("100.00"), 0, 0, Decimal("-200.00"), 0),
    ]
    for r in rows:
        assert r.start + r.new + r.expansion + r.contraction + r.churned + r.paused == r.mrr


def test_run_rate_of_the_retainers_billing_now() -> None:
    records = [
        rec("client", "a", status="current", billing="FREQ=MONTHLY;BYMONTHDAY=1", rate="1500.00"),
        rec("client", "b", status="current", billing="FREQ=WEEKLY", rate="120.00", currency="EUR"),
        rec("client", "c", status="paused", billing="FREQ=MONTHLY", rate="900.00"),
        rec("client", "d", status="current", billing="FREQ=MONTHLY", rate="700.00", billing_end="2026-10-31"),
        rec("client", "e", status="current", billing="FREQ=MONTHLY", rate="12,50"),
    ]
    rates, skipped = ff.run_rate(records, date(2026, 11, 15), "USD")
    assert rates == {"EUR": Decimal("520.00"), "USD": Decimal("1500.00")}
    assert [s.path for s in skipped] == ["clients/e.md"]


def _ship(day: str, units: int) -> Movement:
    return Movement(date.fromisoformat(day), "ship", -units, 0)


def test_margin_from_ship_rows_price_and_unit_costs() -> None:
    mug = rec("product", "MUG-01", name="Mug", price="18.00", unit_cost="5.00")
    pen = rec("product", "PEN-01", name="Pen", price="4.00")
    nocost = rec("product", "CAP-01", name="Cap", price="9.00")
    orders = [rec("purchase-order", "PO-1", supplier="Clay", status="received", ordered="2026-11-10",
                  lines=[{"sku": "mug-01", "qty": 10, "received": 10, "unit_cost": "6.00"}]),
              rec("purchase-order", "PO-2", supplier="Clay", status="draft", ordered="2026-11-01",
                  lines=[{"sku": "PEN-01", "qty": 10, "unit_cost": "1.00"}])]
    products = [(mug, [_ship("2026-11-02", 2), _ship("2026-11-20", 1), Movement(date(2026, 11, 3), "receive", 5, 9)]),
                (pen, [_ship("2026-11-05", 3)]), (nocost, [])]
    rows, skipped = ff.margin(products, ff.cost_history(orders), "USD")
    assert [(r.month, r.units, r.sales, r.cost, r.margin) for r in rows] == [
        ("2026-11", 3, Decimal("54.00"), Decimal("16.00"), Decimal("38.00"))]  # 2 at 5.00, 1 at 6.00 (PO-1)
    assert [s.path for s in skipped] == ["stock/PEN-01.md"]  # a draft order is no cost


def test_decline_figures_by_month() -> None:
    def dec(rid: str, amount: str, declined: str, status: str, resolved: str = "") -> Record:
        extra: dict[str, Any] = {"resolved": resolved} if resolved else {}
        return rec("decline", rid, (), customer="x", amount=amount, declined=declined, status=status, **extra)

    records = [dec("d1", "100.00", "2026-11-01", "recovered", "2026-11-04"),
               dec("d2", "50.00", "2026-11-03", "recovered", "2026-11-13"),
               dec("d3", "30.00", "2026-11-05", "lost", "2026-11-30"),
               dec("d4", "20.00", "2026-11-09", "contacted"),
               dec("d5", "12,50", "2026-11-09", "new")]
    rows, skipped = ff.declines(records, "USD")
    [row] = rows
    assert (row.count, row.declined, row.at_risk, row.recovered, row.lost, row.median_days) == (
        4, Decimal("200.00"), Decimal("20.00"), Decimal("150.00"), Decimal("30.00"), Decimal("6.5"))
    assert row.recovery_rate == Decimal("0.8333")
    assert [s.path for s in skipped] == ["declines/d5.md"]


_DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))
_AMOUNTS = st.decimals(min_value=Decimal("-500"), max_value=Decimal("2000"), places=2).filter(lambda d: d != 0)
_INVOICES = st.lists(st.tuples(
    st.sampled_from(["a", "b", "c"]), st.sampled_from(["USD", "EUR", "JPY"]),
    st.decimals(min_value=Decimal("1"), max_value=Decimal("5000"), places=0), _DAYS,
    st.sampled_from(["sent", "partly-paid", "paid", "written-off", "draft", "void"]),
    st.lists(st.tuples(_DAYS, _AMOUNTS), max_size=3), st.integers(0, 120)), max_size=8)


def _generated(invoices: list[Any]) -> list[Record]:
    records = []
    for n, (client, currency, amount, issued, status, rows, terms) in enumerate(invoices):
        rows = [(d, a if currency != "JPY" else a.quantize(Decimal(1))) for d, a in rows]
        records.append(rec("invoice", f"INV-{n}", tuple(pay(d.isoformat(), str(a)) for d, a in rows if a),
                           client=f"[[{client}]]", amount=str(amount), currency=currency, status=status,
                           issued=issued.isoformat(), due=(issued + timedelta(days=terms)).isoformat(),
                           closed=(issued + timedelta(days=terms)).isoformat()))
    return records


@settings(max_examples=60, deadline=None)
@given(_INVOICES, _DAYS)
def test_aging_sums_to_the_receivable_of_the_books(invoices: list[Any], as_of: date) -> None:
    records = _generated(invoices)
    events = collect(records, "USD").events
    books = balances([e for e in events if e.day <= as_of], SETTINGS)
    totals: dict[str, Decimal] = {}
    for row in ff.aging(events, records, SETTINGS, as_of):
        totals[row.currency] = totals.get(row.currency, Decimal(0)) + row.total
    receivable = {c: v for (account, c), v in books.items() if account == "Assets:Receivable" and v}
    assert {c: v for c, v in totals.items() if v} == receivable


@settings(max_examples=60, deadline=None)
@given(_INVOICES)
def test_revenue_received_is_the_received_events(invoices: list[Any]) -> None:
    events = collect(_generated(invoices), "USD").events
    expected: dict[tuple[str, str], Decimal] = {}
    for e in events:
        if e.kind == RECEIVED:
            key = (ff.month_of(e.day), e.currency)
            expected[key] = expected.get(key, Decimal(0)) + e.amount
    got = {(r.month, r.currency): r.received for r in ff.revenue(events) if r.received or (r.month, r.currency)
           in expected}
    assert got == expected
