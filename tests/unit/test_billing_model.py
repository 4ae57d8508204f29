"""Recurring billing's pure core: plans, periods due (checked against dateutil's rrule itself), ids."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from obm_tui.model.billing import (
    MAX_AT_ONCE,
    BillingError,
    Period,
    Plan,
    client_plan,
    due_periods,
    id_candidates,
    invoice_id,
    invoice_title,
    label_style,
    local_day,
    period_of,
    periods,
    template_plan,
)
from obm_tui.model.records import Record


def client(**fields: Any) -> Record:
    data = {"type": "client", "id": "aisha-khan", "name": "Aisha Khan", "status": "current",
            "email": "aisha@example.com", **fields}
    return Record("client", "aisha-khan", "clients/aisha-khan.md", data)


def plan(rule: str, start: date, end: date | None = None, client_id: str = "aisha-khan") -> Plan:
    return Plan("clients/x.md", "billing", rule, client_id, "Aisha Khan", Decimal("1800.00"), "USD", start, end)


def expected_days(rule: str, start: date, today: date) -> list[date]:
    made = rrulestr(rule, dtstart=datetime.combine(start, time()))
    return [d.date() for d in made.between(datetime.combine(start, time()), datetime.combine(today, time()), inc=True)]


# ----- plans and bad input, per field ----------------------------------------------------------------

def test_client_plan_reads_the_retainer() -> None:
    made = client_plan(client(billing="FREQ=MONTHLY;BYMONTHDAY=1", rate="1800.00", since="2026-06-15",
                              payment_terms=7, currency="gbp"), "USD")
    assert made is not None
    assert (made.amount, made.currency, made.start, made.terms, made.title) == (
        Decimal("1800.00"), "GBP", date(2026, 6, 15), 7, "Aisha Khan")
    assert client_plan(client(rate="1800.00"), "USD") is None  # no billing: no plan


@pytest.mark.parametrize(
    ("fields", "where", "words"),
    [
        ({"billing": "FREQ=MONTHLY;BYMONTHDAY=30;BYMONTH=2", "rate": "10"}, "clients/aisha-khan.md billing",
         "never happens"),
        ({"billing": "FREQ=HOURLY", "rate": "10"}, "clients/aisha-khan.md billing", "by the day"),
        ({"billing": "FREQ=MONTHLY;BYMONTHDAY=1", "since": "2026-01-01"}, "clients/aisha-khan.md billing",
         "needs a rate"),
        ({"billing": "FREQ=MONTHLY;BYMONTHDAY=1", "rate": "12,50", "since": "2026-01-01"},
         "clients/aisha-khan.md rate", "dot before the cents"),
        ({"billing": "FREQ=MONTHLY;BYMONTHDAY=1", "rate": "10"}, "clients/aisha-khan.md billing", "billing_start"),
        ({"billing": "FREQ=MONTHLY", "rate": "10", "since": "2026-01-01", "currency": "dollars"},
         "clients/aisha-khan.md currency", ""),
    ],
    ids=["never-fires", "sub-daily", "no-rate", "decimal-comma", "no-start", "bad-currency"],
)
def test_bad_input_is_named_by_field(fields: dict[str, Any], where: str, words: str) -> None:
    with pytest.raises(BillingError) as caught:
        client_plan(client(**fields), "USD")
    assert caught.value.where == where
    assert words in caught.value.reason


def test_template_plan_starts_on_its_issued_day_and_drops_the_title_tail() -> None:
    invoice = Record("invoice", "INV-260701-B5M", "invoices/INV-260701-B5M.md", {
        "type": "invoice", "id": "INV-260701-B5M", "title": "Momentum Mastermind — monthly",
        "client": "[[aisha-khan]]", "amount": "1800.00", "status": "paid", "issued": "2026-07-01",
        "recurrence": "FREQ=MONTHLY;BYMONTHDAY=1"})
    made = template_plan(invoice, client(payment_terms=10), "EUR")
    assert made is not None
    assert (made.client, made.start, made.template, made.currency, made.terms) == (
        "aisha-khan", date(2026, 7, 1), "INV-260701-B5M", "EUR", 10)
    assert invoice_title(made, Period(date(2026, 12, 1), "2026-12")) == "Momentum Mastermind — December 2026"


# ----- periods -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("rule", "style", "day", "label"),
    [
        ("FREQ=MONTHLY;BYMONTHDAY=1", "month", date(2026, 12, 1), "2026-12"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "year", date(2028, 2, 29), "2028"),
        ("FREQ=WEEKLY;BYDAY=MO", "day", date(2026, 12, 7), "2026-12-07"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15", "day", date(2026, 12, 15), "2026-12-15"),
    ],
    ids=["monthly", "yearly-leap-day", "weekly", "twice-a-month-uses-days"],
)
def test_labels(rule: str, style: str, day: date, label: str) -> None:
    made = plan(rule, date(2026, 1, 1))
    assert label_style(made) == style
    assert Period(day, label) in list(periods(made, date(2030, 1, 1)))


def test_catch_up_after_months_away_bills_each_missed_period_once() -> None:
    made = plan("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 6, 15))
    due = due_periods(made, date(2026, 12, 1), {"2026-07", "2026-08"})
    assert [p.label for p in due] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert due_periods(made, date(2026, 12, 1), {p.label for p in due} | {"2026-07", "2026-08"}) == []
    # a gap someone left before the newest billed period is not filled in
    assert [p.label for p in due_periods(made, date(2026, 12, 1), {"2026-10"})] == ["2026-11", "2026-12"]


def test_nothing_after_billing_end_and_nothing_before_the_start() -> None:
    made = plan("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 12, 2), end=date(2027, 2, 28))
    assert due_periods(made, date(2026, 12, 20), ()) == []
    assert [p.label for p in due_periods(made, date(2027, 6, 1), ())] == ["2027-01", "2027-02"]


def test_too_many_at_once_is_an_error_naming_the_rule_and_billing_start() -> None:
    made = plan("FREQ=WEEKLY;BYDAY=MO", date(2020, 1, 1))
    with pytest.raises(BillingError) as caught:
        due_periods(made, date(2026, 12, 1), ())
    assert caught.value.where == "clients/x.md billing"
    assert "FREQ=WEEKLY;BYDAY=MO" in caught.value.reason and "billing_start" in caught.value.reason
    assert len(due_periods(plan("FREQ=MONTHLY;BYMONTHDAY=1", date(2024, 1, 1)), date(2026, 12, 1), ())) == MAX_AT_ONCE


def test_period_of_a_day() -> None:
    made = plan("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1))
    assert period_of(made, date(2026, 11, 16)) == Period(date(2026, 11, 1), "2026-11")
    assert period_of(made, date(2025, 12, 31)) is None


RULES = st.sampled_from([
    "FREQ=MONTHLY;BYMONTHDAY=1", "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=MONTHLY;BYMONTHDAY=-1",
    "FREQ=MONTHLY;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY",
    "FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=TH;INTERVAL=2", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=DAILY;INTERVAL=3",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=MONTHLY",
])
DAYS = st.dates(min_value=date(2023, 1, 1), max_value=date(2029, 12, 31))


@settings(max_examples=60, deadline=None)
@given(rule=RULES, start=DAYS, span=st.integers(0, 500))
def test_due_periods_are_dateutils_occurrences_each_once(rule: str, start: date, span: int) -> None:
    today = start + timedelta(days=span)
    made = plan(rule, start)
    wanted = expected_days(rule, start, today)
    if len(wanted) > MAX_AT_ONCE:
        with pytest.raises(BillingError):
            due_periods(made, today, ())
        return
    due = due_periods(made, today, ())
    assert [p.day for p in due] == wanted
    assert len({p.label for p in due}) == len(due)  # one label per period: weeks across a new year too
    assert due_periods(made, today, {p.label for p in due}) == []  # a second pass: nothing


@settings(max_examples=25, deadline=None)
@given(rule=RULES, start=DAYS, span=st.integers(0, 200), cut=st.integers(0, 40))
def test_a_pass_each_day_bills_what_one_late_pass_bills(rule: str, start: date, span: int, cut: int) -> None:
    """Ticking every day or once after a while: the same periods, each billed once."""
    today = start + timedelta(days=span)
    made = plan(rule, start)
    if len(expected_days(rule, start, today)) > MAX_AT_ONCE:
        return
    billed: set[str] = set()
    day = start
    while day <= today:
        billed |= {p.label for p in due_periods(made, day, billed)}
        day += timedelta(days=1 + cut % 7)
    billed |= {p.label for p in due_periods(made, today, billed)}
    assert billed == {p.label for p in due_periods(made, today, ())}


@pytest.mark.parametrize("day", [date(2026, 3, 8), date(2026, 11, 1)], ids=["spring-forward", "fall-back"])
@pytest.mark.parametrize("clock", [time(0, 30), time(23, 30)], ids=["00:30", "23:30"])
def test_dst_days_in_the_vault_zone_pick_that_days_period(day: date, clock: time) -> None:
    zone = ZoneInfo("America/New_York")
    instant = datetime.combine(day, clock, tzinfo=zone).astimezone(ZoneInfo("UTC"))
    today = local_day(instant, zone)
    assert today == day
    made = plan(f"FREQ=MONTHLY;BYMONTHDAY={day.day}", date(2026, 1, 1))
    assert due_periods(made, today, {f"{day.year}-{day.month - 1:02d}"})[-1].day == day
    assert period_of(made, today) == Period(day, f"{day:%Y-%m}")


# ----- ids --------------------------------------------------------------------------------------------

def test_the_id_is_the_same_everywhere_and_falls_back_on_another_clients_invoice() -> None:
    made = plan("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1))
    period = Period(date(2026, 12, 1), "2026-12")
    first, second = id_candidates("aisha-khan", period)[:2]
    assert first.startswith("INV-261201-") and len(first) == 14 and first != second
    assert id_candidates("aisha-khan", period) == id_candidates("Aisha-Khan", period)
    assert id_candidates("ben-carter", period)[0] != first
    assert invoice_id(made, period, {}) == first
    assert invoice_id(made, period, {first.casefold(): "aisha-khan"}) is None  # billed already
    assert invoice_id(made, period, {first.casefold(): "ben-carter"}) == second  # another client's: next one


def test_a_draft_template_bills_the_periods_after_the_day_it_was_made_never_that_day() -> None:
    """`create invoice from monthly-retainer` ticked on the 1st: no second invoice that day."""
    draft = Record("invoice", "INV-261201-K2M", "invoices/INV-261201-K2M.md", {
        "type": "invoice", "id": "INV-261201-K2M", "title": "Maya Patel — monthly coaching",
        "client": "[[maya-patel]]", "amount": "900.00", "status": "draft", "issued": "2026-12-01",
        "recurrence": "FREQ=MONTHLY;BYMONTHDAY=1"})
    made = template_plan(draft, None, "USD")
    assert made is not None
    assert due_periods(made, date(2026, 12, 1), ()) == []
    assert [p.label for p in due_periods(made, date(2027, 1, 1), ())] == ["2027-01"]
