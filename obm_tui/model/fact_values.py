"""Comparing raw front-matter values in conditions: numbers as numbers, dates as dates, text as text.

Front matter arrives as the strict YAML reader leaves it (strings, lists, booleans, None), or as
typed values (Decimal, date). Both are handled the same way.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ].*)?$")
_LINK_RE = re.compile(r"^\[\[([^\[\]|#]+)(?:#[^\[\]|]*)?(?:\|[^\[\]]*)?\]\]$")


def as_text(value: Any) -> str:
    """A value as text: None is "", booleans are true/false, dates are ISO, lists are joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(as_text(item) for item in value)
    return str(value).strip()


def as_texts(value: Any) -> list[str]:
    """A list value's items as text; a text value split on commas; nothing is []."""
    if isinstance(value, list):
        return [as_text(item) for item in value]
    text = as_text(value)
    return [part.strip() for part in text.split(",") if part.strip()]


def link_target(value: Any) -> str:
    """`[[maya-patel]]` (or `[[maya-patel|Maya]]`) -> "maya-patel"; anything else -> ""."""
    match = _LINK_RE.match(as_text(value)) if isinstance(value, str) else None
    return match.group(1).strip() if match else ""


def compare(left: Any, op: str, right: Any) -> bool:
    """`left op right` for op in = != < <= > >=; ordering anything but numbers or dates is False."""
    if op == "!=":
        return not compare(left, "=", right)
    a, b = _comparable(left), _comparable(right)
    if type(a) is not type(b):
        a, b = as_text(left), as_text(right)
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold() if op == "=" else False
    return _ORDER[op](a, b)


_ORDER = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _comparable(value: Any) -> Decimal | date | str:
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = link_target(value) or as_text(value)
    if _NUMBER_RE.match(text):
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the regex guards this
            return text
    if _DATE_RE.match(text):
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return text
    return text
