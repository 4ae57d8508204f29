"""Field types: how a raw front-matter value (str, bool, None, list, dict) becomes a typed value.

The YAML reader keeps every plain scalar a string (no YAML 1.1 guessing), so types are decided
here, by the schema, and a bad value gets a reason a person can act on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

LINK_RE = re.compile(r"^\[\[([^\[\]|#]+)(?:#[^\[\]|]*)?(?:\|[^\[\]]*)?\]\]$")
EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
MONEY_RE = re.compile(r"^-?\d+(\.\d{1,4})?$")
INT_RE = re.compile(r"^[+-]?\d+$")


class FieldValueError(ValueError):
    """A raw value does not fit its field's type; the message says why."""


def _text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool) or raw is None or isinstance(raw, (list, dict)):
        raise FieldValueError(f"expected text, got {describe(raw)}")
    return str(raw)


def to_str(raw: Any) -> str:
    return _text(raw)


def to_int(raw: Any) -> int:
    text = _text(raw).strip()
    if not INT_RE.match(text):
        raise FieldValueError(f"expected a whole number, got {text!r}")
    return int(text)


def to_money(raw: Any) -> Decimal:
    text = _text(raw).strip().replace(",", "")
    if not MONEY_RE.match(text):
        raise FieldValueError(f"expected an amount like 120.00, got {text!r}")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise FieldValueError(f"expected an amount, got {text!r}") from exc


def to_date(raw: Any) -> date:
    text = _text(raw).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FieldValueError(f"expected a date like 2026-11-22, got {text!r}") from None


def to_datetime(raw: Any) -> datetime:
    text = _text(raw).strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time())
        return datetime.fromisoformat(text)
    except ValueError:
        raise FieldValueError(f"expected a date and time like 2026-11-22T10:14, got {text!r}") from None


def to_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    raise FieldValueError(f"expected true or false, got {describe(raw)}")


def to_link(raw: Any) -> str:
    """A wiki link `[[id]]` (or a bare id) -> the id it points to."""
    text = _text(raw).strip()
    match = LINK_RE.match(text)
    if match:
        return match.group(1).strip()
    if text.startswith("[") or not text:
        raise FieldValueError(f"expected a link like [[fred-smith]], got {text!r}")
    return text


def to_email(raw: Any) -> str:
    text = _text(raw).strip()
    if not EMAIL_RE.match(text):
        raise FieldValueError(f"expected an email address, got {text!r}")
    return text


def to_list(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        return list(raw)
    raise FieldValueError(f"expected a list of words, got {describe(raw)}")


def to_any(raw: Any) -> Any:
    return raw


def describe(raw: Any) -> str:
    if raw is None:
        return "nothing"
    if isinstance(raw, bool):
        return "true/false"
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, dict):
        return "a mapping"
    return repr(raw)


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "str": to_str,
    "text": to_str,
    "int": to_int,
    "money": to_money,
    "date": to_date,
    "datetime": to_datetime,
    "bool": to_bool,
    "link": to_link,
    "email": to_email,
    "list": to_list,
    "enum": to_str,
    "any": to_any,
}


@dataclass(frozen=True)
class Field:
    """One front-matter field of a record kind."""

    name: str
    type: str = "str"
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    doc: str = ""
    link_kind: str | None = None  # for links: the kind of record pointed to
    extra: dict[str, Any] = field(default_factory=dict)

    def convert(self, raw: Any) -> Any:
        """Raw YAML value -> typed value; raises FieldValueError with a reason."""
        value = CONVERTERS[self.type](raw)
        if self.choices and value not in self.choices:
            raise FieldValueError(f"expected one of {', '.join(self.choices)}, got {value!r}")
        return value
