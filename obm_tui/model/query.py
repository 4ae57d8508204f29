"""Filtering and sorting records: `--where status=open`, `priority!=low`, `on_hand<=5`, `name~fred`.

Values compare by the field's type (dates as dates, money as decimals, numbers as numbers); text
compares case-insensitively. Shared by `obm list` and the TUI's `/` filter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from obm_tui.model.errors import UsageError
from obm_tui.model.fields import FieldValueError
from obm_tui.model.records import Record

_TERM_RE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*(!=|>=|<=|=|>|<|~|:)\s*(.*?)\s*$", re.S)
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    ":": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a is not None and a > b,
    "<": lambda a, b: a is not None and a < b,
    ">=": lambda a, b: a is not None and a >= b,
    "<=": lambda a, b: a is not None and a <= b,
}


@dataclass(frozen=True)
class Term:
    """One condition on a field."""

    field: str
    op: str
    value: str

    def matches(self, record: Record) -> bool:
        if self.op == "~":
            return self.value.casefold() in record.text(self.field).casefold()
        left, right = _comparable(record, self.field, self.value)
        if isinstance(left, list):
            hit = right in left
            return hit if self.op in ("=", ":") else (not hit if self.op == "!=" else False)
        try:
            return OPERATORS[self.op](left, right)
        except TypeError:
            return False


def parse_term(text: str) -> Term:
    match = _TERM_RE.match(text)
    if not match:
        raise UsageError(f"cannot read the condition {text!r}; write field=value (or != > < >= <= ~)")
    return Term(*match.groups())


def _comparable(record: Record, name: str, text: str) -> tuple[Any, Any]:
    spec = record.schema.field(name)
    if spec is None or spec.type in ("str", "text", "enum", "email", "link", "any"):
        left = record.value(name) if spec is not None and spec.type == "link" else record.text(name)
        right = text[2:-2] if text.startswith("[[") and text.endswith("]]") else text
        return (left or "").casefold() if isinstance(left, str) else left, right.casefold()
    if spec.type == "list":
        return [v.casefold() for v in (record.value(name) or [])], text.casefold()
    if spec.type == "bool":
        return bool(record.value(name, False)), text.lower() in ("true", "yes", "1", "on")
    try:
        return record.value(name), spec.convert(text)
    except FieldValueError as exc:
        raise UsageError(f"{name}: {exc}") from None


def filter_records(records: Iterable[Record], terms: Iterable[Term]) -> list[Record]:
    chosen = list(terms)
    return [r for r in records if all(t.matches(r) for t in chosen)]


def sort_key(field: str) -> Callable[[Record], tuple[int, Any]]:
    """Sort by a field's typed value; records without it go last."""

    def key(record: Record) -> tuple[int, Any]:
        value = record.id if field == "id" else record.value(field)
        if value is None:
            return (1, "")
        if isinstance(value, str):
            return (0, value.casefold())
        if isinstance(value, list):
            return (0, ",".join(value).casefold())
        return (0, value)

    return key
