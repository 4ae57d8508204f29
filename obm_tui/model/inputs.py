"""Turning what a person types (or a typed Python value) into the raw form a record file holds.

The raw form is what the strict YAML reader gives back: text for numbers, money and dates, real
booleans, None, lists of text. Writers only ever see raw values, so a value written reads back
equal, and comparisons (the stale check's field merge) compare like with like.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from obm_tui.model.fields import LINK_RE, Field, FieldValueError, one_line

TRUE_WORDS = {"true", "yes", "y", "on", "1"}
FALSE_WORDS = {"false", "no", "n", "off", "0"}


def to_raw(value: Any) -> Any:
    """A Python value -> raw form (dates ISO, Decimal/int as text, lists of text)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes" if value.second == 0 and not value.microsecond else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [to_raw(item) for item in value]
    if isinstance(value, dict):
        return {str(k): to_raw(v) for k, v in value.items()}
    return str(value)


def parse_input(spec: Field | None, text: str) -> Any:
    """What a person typed for a field -> raw form, checked against the field (FieldValueError).
    Only a `text` field may hold line breaks: any other value is one line."""
    if spec is None or spec.type != "text":
        one_line(text)
    text = text.strip()
    if text == "":
        if spec is not None and spec.required:
            raise FieldValueError(f"{spec.name} is required")
        return None
    if spec is None:
        return text
    raw = _shape(spec, text)
    spec.convert(raw)  # raises FieldValueError with the reason
    return raw


def _shape(spec: Field, text: str) -> Any:
    kind = spec.type
    if kind == "bool":
        low = text.lower()
        if low in TRUE_WORDS or low in FALSE_WORDS:
            return low in TRUE_WORDS
        raise FieldValueError(f"expected yes or no, got {text!r}")
    if kind == "list":
        return [part.strip() for part in text.split(",") if part.strip()]
    if kind == "link":
        return text if LINK_RE.match(text) else f"[[{text}]]"
    if kind == "date":
        return _date_text(text)
    if kind == "money":
        return _money_text(spec, text)
    if kind == "int":
        return str(int(spec.convert(text)))
    return text


def _date_text(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise FieldValueError(f"expected a date like 2026-11-22, got {text!r}") from None


def _money_text(spec: Field, text: str) -> str:
    amount = spec.convert(text.lstrip("$€£"))
    return str(amount.quantize(Decimal("0.01"))) if amount.as_tuple().exponent >= -2 else str(amount)
