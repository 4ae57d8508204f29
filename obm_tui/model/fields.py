"""Field types: how a raw front-matter value (str, bool, None, list, dict) becomes a typed value.

The YAML reader keeps every plain scalar a string (no YAML 1.1 guessing), so types are decided
here, by the schema, and a bad value gets a reason a person can act on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

LINK_RE = re.compile(r"^\[\[([^\[\]|#]+)(?:#[^\[\]|]*)?(?:\|[^\[\]]*)?\]\]$")
MONEY_RE = re.compile(r"^-?[0-9]+(\.[0-9]{1,2})?\Z")  # ASCII digits only: `٣` is not 3
# `1,234.50`: commas only between groups of three digits (so `12,50` is no amount, never 1250).
THOUSANDS_RE = re.compile(r"^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?\Z")
INT_RE = re.compile(r"^[+-]?[0-9]+\Z")
# Bounds of what a record may hold (docs/vault-format.md, "Field types").
MAX_WHOLE = 1_000_000_000  # |n| of a whole number: a quantity, a count, days
MAX_AMOUNT = Decimal(1_000_000_000)  # |amount| of money
MAX_EMAIL = 254  # RFC 5321's limit on an address
MAX_LINE = 1000  # characters in a one-line value (a name, a subject, an address)
# Every character that ends a line somewhere (str.splitlines): none may be inside a one-line value.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK_RE = re.compile(f"[{LINE_BREAKS}]")
_BREAK_NAMES = {"\n": "a line feed", "\r": "a carriage return", "\x85": "a next-line character (U+0085)",
                "\u2028": "a line separator (U+2028)", "\u2029": "a paragraph separator (U+2029)"}


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


def one_line(text: str) -> str:
    """`text` when it fits on one line (no line break of any kind, at most MAX_LINE characters)."""
    found = _LINE_BREAK_RE.search(text)
    if found:
        name = _BREAK_NAMES.get(found.group(), f"a line break ({ord(found.group()):#04x})")
        raise FieldValueError(f"must be one line, got {name} in {_shorten(text)!r}")
    if len(text) > MAX_LINE:
        raise FieldValueError(f"longer than {MAX_LINE:,} characters ({len(text):,})")
    return text


def _shorten(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def to_line(raw: Any) -> str:
    return one_line(_text(raw))


def whole_number(text: str) -> int:
    """ASCII digits, optionally signed, within ±MAX_WHOLE -> int (FieldValueError otherwise)."""
    text = text.strip()
    if not INT_RE.match(text):
        raise FieldValueError(f"expected a whole number, got {_shorten(text)!r}")
    digits = text.lstrip("+-").lstrip("0")
    value = int(text) if len(digits) <= 12 else MAX_WHOLE + 1  # (int() of 4,300+ digits raises)
    if abs(value) > MAX_WHOLE:
        raise FieldValueError(f"expected a whole number up to {MAX_WHOLE:,}, got {_shorten(text)!r}")
    return value


def to_int(raw: Any) -> int:
    return whole_number(_text(raw))


def to_money(raw: Any) -> Decimal:
    text = _text(raw).strip()
    if "," in text:
        if not THOUSANDS_RE.match(text):
            raise FieldValueError(f"expected an amount like 120.00 with a dot before the cents "
                                  f"(a comma only groups thousands: 1,234.50), got {_shorten(text)!r}")
        text = text.replace(",", "")
    if not MONEY_RE.match(text):
        raise FieldValueError(f"expected an amount like 120.00 (at most 2 decimals), got {_shorten(text)!r}")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise FieldValueError(f"expected an amount, got {text!r}") from exc
    if abs(amount) > MAX_AMOUNT:
        raise FieldValueError(f"expected an amount up to {MAX_AMOUNT:,}, got {_shorten(text)!r}")
    return amount


def to_date(raw: Any) -> date:
    text = _text(raw).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FieldValueError(f"expected a date like 2026-11-22, got {text!r}") from None


def day_or_none(raw: Any) -> date | None:
    """A field's day, or None when it is empty or no day (the field check reports that)."""
    if raw is None or raw == "":
        return None
    try:
        return to_date(raw)
    except FieldValueError:
        return None


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
    text = to_line(raw).strip()
    match = LINK_RE.match(text)
    if match:
        return match.group(1).strip()
    if text.startswith("[") or not text:
        raise FieldValueError(f"expected a link like [[fred-smith]], got {text!r}")
    return text


def link_target(raw: Any) -> str:
    """The id a `[[link]]` (or a bare id) points to, '' when empty; never raises (for reading
    records whose problems the field check reports)."""
    text = str(raw or "").strip()
    return text[2:-2].split("|")[0].strip() if text.startswith("[[") and text.endswith("]]") else text


def email_address(text: str) -> str | None:
    """`text` if it is one email address, else None: the one rule of the field check, the
    importers and the app (docs/vault-format.md, "Field types").

    An RFC 5322 addr-spec, read by `email.headerregistry` and written exactly as it reads back
    (no comment, no space around `@`); the local part may be quoted (`"big bug bb"@bug.com`)
    and hold non-ASCII letters (RFC 6532); the domain is a name with at least one dot (a dotless
    `xxxxx@xxxxx` or a `[1.2.3.4]` literal is no address mail can reach); no control character
    or line break anywhere; at most 254 characters (RFC 5321)."""
    if not text or len(text) > MAX_EMAIL or any(_unsafe_in_address(c) for c in text):
        return None
    from email import errors  # the parser costs ~10 ms: only when an address is read
    from email.headerregistry import Address

    # Non-ASCII letters stand in as `a` for the syntax check: headerregistry reads ASCII only.
    ascii_text = "".join(c if c.isascii() else "a" for c in text)
    try:
        parsed = Address(addr_spec=ascii_text)
    except (ValueError, IndexError, errors.MessageError):
        return None
    domain = parsed.domain
    if not parsed.username or parsed.addr_spec != ascii_text or "." not in domain or domain.startswith("["):
        return None
    return text


def _unsafe_in_address(char: str) -> bool:
    if char.isascii():
        return not char.isprintable()
    return unicodedata.category(char)[0] not in "LMN"


def to_email(raw: Any) -> str:
    text = _text(raw).strip()
    if email_address(text) is None:
        raise FieldValueError(f"expected an email address, got {_shorten(text)!r}")
    return text


def to_list(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [part.strip() for part in one_line(raw).split(",") if part.strip()]
    if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        return [one_line(item) for item in raw]
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
    "str": to_line,
    "text": to_str,
    "int": to_int,
    "money": to_money,
    "date": to_date,
    "datetime": to_datetime,
    "bool": to_bool,
    "link": to_link,
    "email": to_email,
    "list": to_list,
    "enum": to_line,
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
        least = self.extra.get("min")
        if least is not None and value < least:
            raise FieldValueError(f"cannot be below {least}, got {value}")
        return value
