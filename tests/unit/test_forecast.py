"""Stock forecast: outflow window, days of cover, reorder now, suggested quantity, shortage keys."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from obm_tui.model.fields import FieldValueError
from obm_tui.model.forecast import (
    Levels,
    StockConfig,
    as_decimal,
    forecast,
    load_stock_config,
    outflow_rate,
    shipped_in_window,
    shortage_key,
)
from obm_tui.model.ledger import Movement

TODAY = date(2026, 11, 28)


def shipped(days_ago: int, qty: int, on_hand: int = 0) -> Movement:
    return Movement(TODAY - timedelta(days=days_ago), "ship", -qty, on_hand)


HISTORY = [
    Movement(date(2026, 9, 1), "receive", 40, 40),
    shipped(40, 10),  # before the window
    shipped(27, 4),  # first day of a 28-day window
    shipped(10, 6),
    Movement(TODAY - timedelta(days=5), "adjust", -3, 0),  # not a sale
    shipped(0, 4),  # today
    shipped(-1, 50),  # dated tomorrow: not counted
]


def test_window_edges() -> None:
    assert shipped_in_window(HISTORY, TODAY, 28) == 14
    assert shipped_in_window(HISTORY, TODAY, 27) == 10
    assert shipped_in_window(HISTORY, TODAY, 1) == 4
    assert outflow_rate(HISTORY, TODAY, 28) == Fraction(1, 2)


def test_datetime_rows_count_by_day() -> None:
    rows = [Movement(datetime(2026, 11, 28, 23, 59), "ship", -2, 0)]
    assert shipped_in_window(rows, TODAY, 1) == 2


LEVELS = Levels("MUG-01", on_hand=20, reorder_point=10, reorder_qty=48, lead_time_days=12)
CASES = [
    # name, levels, rate units over 28 days, incoming, (reorder, cover, suggested)
    ("plenty", LEVELS, 14, 0, (False, Fraction(40), 0)),
    ("at the reorder point", Levels("MUG-01", 10, 10, 48, 12), 0, 0, (True, None, 48)),
    ("incoming lifts position", Levels("MUG-01", 10, 10, 48, 12), 0, 5, (False, None, 0)),
    ("cover within lead time + safety", LEVELS, 42, 0, (True, Fraction(40, 3), 48)),
    ("cover just above lead + safety", LEVELS, 37, 0, (False, Fraction(560, 37), 0)),
    ("fast seller needs more than reorder qty", Levels("MUG-01", 5, 10, 10, 12), 280, 0, (True, Fraction(1, 2), 146)),
    ("no sales, no stock, point 0", Levels("X", 0, 0, 0, 0), 0, 0, (True, None, 1)),
    ("no sales, stock above point", Levels("X", 1, 0, 5, 0), 0, 0, (False, None, 0)),
]


@pytest.mark.parametrize(("levels", "units", "incoming", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_forecast(levels: Levels, units: int, incoming: int, expected: tuple[object, ...]) -> None:
    rows = [shipped(1, units)] if units else []
    result = forecast(levels, rows, incoming, TODAY, StockConfig(window_days=28, safety_days=3))
    assert (result.reorder_now, result.days_of_cover, result.suggested_qty) == expected
    assert result.position == levels.on_hand + incoming
    assert bool(result.reasons) == result.reorder_now


def test_exact_boundary_of_cover() -> None:
    # 15 days of cover with lead 12 + safety 3: reorder (<=); 15.0x days: not.
    levels = Levels("A", on_hand=15, reorder_point=0, reorder_qty=1, lead_time_days=12)
    assert forecast(levels, [shipped(0, 28)], 0, TODAY).reorder_now
    assert not forecast(Levels("A", 16, 0, 1, 12), [shipped(0, 28)], 0, TODAY).reorder_now


def test_reasons_say_why() -> None:
    result = forecast(Levels("MUG-01", 8, 10, 48, 12), [shipped(1, 42)], 0, TODAY)
    assert result.reasons == ("8 on hand and incoming, at or below the reorder point 10",
                              "5.3 days of cover, lead time 12 + 3 safety days")


@given(st.integers(0, 500), st.integers(0, 50), st.integers(0, 60), st.integers(0, 30), st.integers(0, 400),
       st.integers(0, 100))
def test_suggestion_clears_the_signal(on_hand: int, point: int, qty: int, lead: int, units: int, incoming: int) -> None:
    levels = Levels("A", on_hand, point, qty, lead)
    rows = [shipped(0, units)] if units else []
    result = forecast(levels, rows, incoming, TODAY)
    if result.reorder_now:
        assert result.suggested_qty >= max(qty, 1)
        after = forecast(levels, rows, incoming + result.suggested_qty, TODAY)
        assert not after.reorder_now
    else:
        assert result.suggested_qty == 0


def test_as_decimal() -> None:
    assert as_decimal(Fraction(40, 3)) == Decimal("13.3")
    assert as_decimal(Fraction(1, 4), 1) == Decimal("0.3")
    assert as_decimal(Fraction(5), 0) == Decimal("5")


def test_levels_from_front_matter() -> None:
    levels = Levels.from_fields({"sku": "MUG-01", "on_hand": "11", "reorder_point": "10", "reorder_qty": "",
                                 "lead_time_days": "12"})
    assert levels == Levels("MUG-01", 11, 10, 0, 12)


@pytest.mark.parametrize(("fields", "says"), [
    ({"on_hand": "eleven"}, "on_hand: expected a whole number"),
    ({"reorder_point": "-1"}, "reorder_point: cannot be negative"),
    ({"lead_time_days": "1.5"}, "lead_time_days:"),
], ids=["text", "negative", "decimal"])
def test_levels_refuse_bad_fields(fields: dict[str, str], says: str) -> None:
    with pytest.raises(FieldValueError, match=says):
        Levels.from_fields(fields)


def test_an_oversold_product_has_no_cover_and_is_to_reorder() -> None:
    levels = Levels.from_fields({"sku": "MUG-01", "on_hand": "-2", "reorder_point": "5", "reorder_qty": "24"})
    assert levels.on_hand == -2  # a merge wrote it; the forecast shows it rather than failing
    result = forecast(levels, [shipped(1, 7, -2)], 0, TODAY)
    assert (result.on_hand, result.position, result.days_of_cover, result.reorder_now) == (-2, -2, 0, True)
    assert result.suggested_qty == 24
    assert forecast(levels, [], 30, TODAY).days_of_cover is None


def test_stock_config() -> None:
    assert load_stock_config({}) == (StockConfig(28, 3), ())
    assert load_stock_config({"stock": {"window_days": 14, "safety_days": 0}}) == (StockConfig(14, 0), ())
    config, problems = load_stock_config({"stock": {"window_days": 0, "safety_days": "3"}})
    assert config == StockConfig(28, 3)
    assert len(problems) == 2 and problems[0].startswith("stock.window_days:")


def test_shortage_key_changes_only_on_receipt() -> None:
    assert shortage_key("MUG-01", []) == "restock MUG-01 from the start"
    assert shortage_key("MUG-01", HISTORY) == "restock MUG-01 after 2026-09-01"
    more = [*HISTORY, shipped(0, 1), Movement(TODAY, "receive", 48, 60)]
    assert shortage_key("MUG-01", more) == "restock MUG-01 after 2026-11-28"
