"""Stock forecast: outflow rate, days of cover, reorder now, suggested quantity.

Exact arithmetic: rates and covers are Fractions (shown rounded with `as_decimal`), quantities
integers. `today` is passed in. See docs/stock.md, "Forecast and reorder".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import floor
from typing import Any

from obm_tui.model.fields import FieldValueError, to_int
from obm_tui.model.ledger import Movement


@dataclass(frozen=True, slots=True)
class StockConfig:
    """`[stock]` in config: the outflow window and the safety margin, in days."""

    window_days: int = 28
    safety_days: int = 3


@dataclass(frozen=True, slots=True)
class Levels:
    """A product's stock levels (front matter)."""

    sku: str
    on_hand: int
    reorder_point: int = 0
    reorder_qty: int = 0
    lead_time_days: int = 0

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> Levels:
        """From raw front matter; FieldValueError names a bad field (blank means 0). Only
        `on_hand` may be below 0: a merge wrote it (oversold), and the forecast shows it."""
        values = {}
        for name in ("on_hand", "reorder_point", "reorder_qty", "lead_time_days"):
            raw = fields.get(name)
            try:
                values[name] = 0 if raw in (None, "") else to_int(raw)
            except FieldValueError as exc:
                raise FieldValueError(f"{name}: {exc}") from None
            if values[name] < 0 and name != "on_hand":
                raise FieldValueError(f"{name}: cannot be negative, got {values[name]}")
        return cls(sku=str(fields.get("sku") or fields.get("id") or ""), **values)


@dataclass(frozen=True, slots=True)
class Forecast:
    """Where a product stands. `days_of_cover` is None when nothing shipped in the window."""

    sku: str
    on_hand: int
    incoming: int
    position: int
    shipped: int
    rate: Fraction
    days_of_cover: Fraction | None
    reorder_now: bool
    reasons: tuple[str, ...]
    suggested_qty: int


def load_stock_config(data: Mapping[str, Any]) -> tuple[StockConfig, tuple[str, ...]]:
    """The config file's data -> StockConfig and problems (a bad value keeps its default)."""
    raw_table = data.get("stock")
    table: Mapping[str, Any] = raw_table if isinstance(raw_table, Mapping) else {}
    values: dict[str, int] = {}
    problems: list[str] = []
    for name, minimum in (("window_days", 1), ("safety_days", 0)):
        raw = table.get(name)
        if raw is None:
            continue
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < minimum:
            problems.append(f"stock.{name}: expected a whole number of days (at least {minimum}), "
                            f"got {raw!r}; using the default")
            continue
        values[name] = raw
    return StockConfig(**values), tuple(problems)


def shipped_in_window(movements: Iterable[Movement], today: date, window_days: int) -> int:
    """Units of `ship` rows dated in the `window_days` days ending today (today included)."""
    first = today - timedelta(days=window_days - 1)
    return sum(-m.qty for m in movements if m.kind == "ship" and first <= m.day <= today)


def outflow_rate(movements: Iterable[Movement], today: date, window_days: int) -> Fraction:
    """Units shipped a day, over the window."""
    return Fraction(shipped_in_window(movements, today, window_days), window_days)


def as_decimal(value: Fraction, places: int = 1) -> Decimal:
    """A Fraction shown as a Decimal (half up): `as_decimal(Fraction(25, 2))` -> 12.5."""
    exponent = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(exponent, ROUND_HALF_UP)


def _suggest(levels: Levels, position: int, rate: Fraction, horizon: int) -> int:
    target = max(levels.reorder_point + 1, floor(rate * horizon) + 1)
    return max(levels.reorder_qty, target - position)


def forecast(
    levels: Levels, movements: Iterable[Movement], incoming: int, today: date, config: StockConfig = StockConfig()
) -> Forecast:
    """The forecast of one product: reorder when position <= reorder point, or when the days of
    cover <= lead time + safety days. Position = on hand + incoming. An oversold product (on hand
    below 0, after a merge) has 0 days of cover while units ship."""
    shipped = shipped_in_window(movements, today, config.window_days)
    rate = Fraction(shipped, config.window_days)
    position = levels.on_hand + incoming
    cover = Fraction(max(position, 0)) / rate if rate else None
    horizon = levels.lead_time_days + config.safety_days
    reasons: list[str] = []
    if position <= levels.reorder_point:
        reasons.append(f"{position} on hand and incoming, at or below the reorder point {levels.reorder_point}")
    if cover is not None and cover <= horizon:
        reasons.append(f"{as_decimal(cover)} days of cover, lead time {levels.lead_time_days} "
                       f"+ {config.safety_days} safety days")
    suggested = _suggest(levels, position, rate, horizon) if reasons else 0
    return Forecast(levels.sku, levels.on_hand, incoming, position, shipped, rate, cover,
                    bool(reasons), tuple(reasons), suggested)


def shortage_key(sku: str, movements: Iterable[Movement]) -> str:
    """The key of the current shortage: the SKU and the day of the last receipt.

    A restock rule fires once per key: stock received starts a new episode.
    """
    last = None
    for movement in movements:
        if movement.kind == "receive":
            last = movement.day
    return f"restock {sku} after {last.isoformat()}" if last else f"restock {sku} from the start"
