"""A property of the accountant's export: over random vaults of invoices, payments, bills and
expenses in two currencies, the balances Beancount computes from the export equal
`model.finance.balances`, and the receivables equal invoiced - received - written off."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obm_tui.model import finance
from obm_tui.model.money import quantum
from obm_tui.model.records import Record
from obm_tui.services.books import beancount_text, book_settings, books_of

START = date(2026, 9, 1)
CURRENCIES = ("USD", "JPY")
CATEGORIES = {"software": "Expenses:Software", "travel:air": "Expenses:Travel:Air fare"}
NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Co")), min_size=1, max_size=12)
DAYS = st.integers(0, 90)
MINOR = st.integers(1, 500_000)


def money(minor: int, currency: str) -> str:
    return str(Decimal(minor) * quantum(currency))


def rows(draw: Any, currency: str, reference: str) -> tuple[tuple[str, str, str, str, str, str], ...]:
    made = draw(st.lists(st.tuples(DAYS, st.integers(-50_000, 500_000), st.sampled_from(["card", "bank", ""])),
                         max_size=3))
    return tuple(((START + timedelta(days=d)).isoformat(), money(a, currency), m, "", f"{reference}{n}", "")
                 for n, (d, a, m) in enumerate(made))


@st.composite
def vaults(draw: Any) -> list[Record]:
    records = [Record("client", "c1", "clients/c1.md", {"type": "client", "id": "c1", "name": draw(NAMES)})]
    for n in range(draw(st.integers(0, 6))):
        currency, status = draw(st.sampled_from(CURRENCIES)), draw(st.sampled_from(
            ["draft", "sent", "partly-paid", "paid", "void", "written-off"]))
        rid = f"INV-{n}"
        data = {"type": "invoice", "id": rid, "client": "[[c1]]", "amount": money(draw(MINOR), currency),
                "currency": currency, "status": status, "issued": (START + timedelta(days=draw(DAYS))).isoformat()}
        extra = {"payments": rows(draw, currency, "R")}
        records.append(Record("invoice", rid, f"invoices/{rid}.md", data, extra=extra))
    for n in range(draw(st.integers(0, 4))):
        currency = draw(st.sampled_from(CURRENCIES))
        rid = f"BILL-{n}"
        data = {"type": "bill", "id": rid, "supplier": draw(NAMES), "amount": money(draw(MINOR), currency),
                "currency": currency, "status": draw(st.sampled_from(["unpaid", "paid", "void"])),
                "issued": (START + timedelta(days=draw(DAYS))).isoformat(),
                "category": draw(st.sampled_from(["software", "travel:air", "", "ads"]))}
        records.append(Record("bill", rid, f"bills/{rid}.md", data, extra={"payments": rows(draw, currency, "B")}))
    for n in range(draw(st.integers(0, 4))):
        currency = draw(st.sampled_from(CURRENCIES))
        rid = f"2026-09-01-e-{n}"
        data = {"type": "expense", "id": rid, "payee": draw(NAMES), "amount": money(draw(MINOR), currency),
                "currency": currency, "date": (START + timedelta(days=draw(DAYS))).isoformat(),
                "category": draw(st.sampled_from(["software", "travel:air", ""]))}
        records.append(Record("expense", rid, f"expenses/{rid}.md", data))
    for n in range(draw(st.integers(0, 3))):
        currency = draw(st.sampled_from(CURRENCIES))
        rid = f"PAY-{n}"
        data = {"type": "payment", "id": rid, "payer": draw(NAMES), "amount": money(draw(MINOR), currency),
                "currency": currency, "date": (START + timedelta(days=draw(DAYS))).isoformat(),
                "payment_type": draw(st.sampled_from(["charge", "refund", "payout", "credit"])),
                "source": draw(st.sampled_from(["stripe", ""])),
                **({"fee": money(draw(st.integers(1, 999)), currency)} if draw(st.booleans()) else {})}
        records.append(Record("payment", rid, f"payments/{rid}.md", data))
    return records


def beancount_balances(text: str) -> tuple[dict[tuple[str, str], Decimal], set[str]]:
    """Each (account, currency)'s balance as Beancount realizes it, and the payees it read."""
    from beancount import loader
    from beancount.core import data, realization

    entries, errors, _ = loader.load_string(text)
    assert errors == [], errors
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for real in realization.iter_children(realization.realize(entries)):
        for position in real.balance:
            totals[(real.account, position.units.currency)] += position.units.number
    payees = {e.payee or "" for e in entries if isinstance(e, data.Transaction)}
    return {k: v for k, v in totals.items() if v != 0}, payees


def receivables(records: list[Record]) -> dict[str, Decimal]:
    """Invoiced - received - written off, per currency, worked out from the records themselves."""
    owed: dict[str, Decimal] = defaultdict(Decimal)
    for r in records:
        if r.kind != "invoice" or r.data["status"] in ("draft", "void"):
            continue
        amount = Decimal(r.data["amount"])
        received = sum((Decimal(row[1]) for row in r.extra["payments"]), Decimal(0))
        if not r.extra["payments"] and r.data["status"] == "paid":
            received = amount
        left = amount - received
        owed[r.data["currency"]] += 0 if r.data["status"] == "written-off" and left > 0 else left
    return {c: v for c, v in owed.items() if v != 0}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vaults())
def test_beancount_balances_equal_obms(records: list[Record]) -> None:
    config = finance.finance_settings({"categories": CATEGORIES}, "USD")
    books = books_of(records, config, title="Shop")
    got, payees = beancount_balances(beancount_text(books))
    events = finance.collect(records, "USD").events
    expected = {k: v for k, v in finance.balances(events, book_settings(config)).items() if v != 0}
    assert got == expected
    assert {c: v for (a, c), v in got.items() if a == "Assets:Receivable"} == receivables(records)
    assert payees == {" ".join(t.payee.split()) for t in books.transactions}  # quotes, backslashes … read back
