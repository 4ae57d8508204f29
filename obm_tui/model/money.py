"""Money: `Decimal` amounts with their currency, rounded the currency's way, added per currency.

An amount is never a float and never added to an amount of another currency: `Totals` keeps one
sum per currency, and every report shows a line per currency (docs/finances.md, "Money").

Rounding: an amount is kept to its currency's minor unit (ISO 4217: 2 decimals for USD and EUR,
0 for JPY and KRW), rounding half away from zero (`ROUND_HALF_UP`, what invoices and Stripe do).
obm stores at most 2 decimals (the `money` field type), so the 3-decimal currencies (BHD, KWD,
OMR …) are kept to their cents; an amount with more decimals than its currency has (`1500.50`
yen) is refused, never rounded away silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal

from obm_tui.model.errors import ValidationError
from obm_tui.model.fields import FieldValueError, to_money

# ISO 4217 currencies whose minor unit is not 2 decimals (the rest have 2).
ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                          "VND", "VUV", "XAF", "XOF", "XPF"})
THREE_DECIMAL = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
_CODE_RE = re.compile(r"^[A-Z]{3}\Z")
ZERO = Decimal("0.00")


class MoneyError(ValidationError):
    """An amount or currency that cannot be used; the message says which and why."""

    title = "Money"


def currency_code(text: str) -> str:
    """`usd` -> `USD`; MoneyError unless it is three ASCII letters (an ISO 4217 code)."""
    code = str(text).strip().upper()
    if not _CODE_RE.match(code):
        raise MoneyError(f"{str(text)[:20]!r} is not a currency code (three letters, like USD or EUR)")
    return code


def minor_units(currency: str) -> int:
    """Decimals of the currency's minor unit as obm keeps them (2, or 0 for JPY, KRW …)."""
    return 0 if currency in ZERO_DECIMAL else 2


def quantum(currency: str) -> Decimal:
    """`Decimal('0.01')` for USD, `Decimal('1')` for JPY."""
    return Decimal(1).scaleb(-minor_units(currency))


def rounded(amount: Decimal, currency: str) -> Decimal:
    """The amount rounded half away from zero to the currency's minor unit."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def exact(amount: Decimal, currency: str) -> Decimal:
    """The amount at the currency's scale; MoneyError if that would drop a non-zero digit."""
    at_scale = rounded(amount, currency)
    if at_scale != amount:
        raise MoneyError(f"{amount} {currency}: {currency} has {minor_units(currency)} decimals")
    return at_scale


def parse_amount(text: str, currency: str) -> Decimal:
    """A typed or written amount (`1500`, `1,500.00`, `-20.00`) in `currency`, at its scale.
    `12,50` is refused (a comma only groups thousands), and so is `1500.5` yen."""
    try:
        value = to_money(text)
    except FieldValueError as exc:
        raise MoneyError(str(exc)) from None
    return exact(value, currency)


def format_amount(amount: Decimal, currency: str, *, grouped: bool = False) -> str:
    """`1500.00` (`1,500.00` when grouped), at the currency's scale; what a record stores is ungrouped."""
    value = rounded(amount, currency)
    return f"{value:,}" if grouped else f"{value}"


def shown(amount: Decimal, currency: str) -> str:
    """`1,500.00 USD`: how screens and reports print an amount."""
    return f"{format_amount(amount, currency, grouped=True)} {currency}"


class Totals:
    """Sums kept apart by currency: `add(amount, currency)`, then `items()` sorted by currency."""

    __slots__ = ("_sums",)

    def __init__(self, pairs: Iterable[tuple[Decimal, str]] = ()) -> None:
        self._sums: dict[str, Decimal] = {}
        for amount, currency in pairs:
            self.add(amount, currency)

    def add(self, amount: Decimal, currency: str) -> None:
        self._sums[currency] = self._sums.get(currency, Decimal(0)) + amount

    def get(self, currency: str) -> Decimal:
        return rounded(self._sums.get(currency, Decimal(0)), currency)

    def items(self) -> list[tuple[str, Decimal]]:
        return [(code, rounded(total, code)) for code, total in sorted(self._sums.items())]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._sums))

    def __bool__(self) -> bool:
        return bool(self._sums)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Totals) and self.items() == other.items()

    def __repr__(self) -> str:
        return "Totals(" + ", ".join(shown(v, c) for c, v in self.items()) + ")"
