"""Commit messages in business words: `client fred-smith: status onboarding -> current`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MAX_VALUE = 40


def show_value(value: Any) -> str:
    """A value as it reads in a message: short, one line."""
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = ", ".join(str(v) for v in value) or "(none)"
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def subject(kind: str, record_id: str) -> str:
    return f"{kind} {record_id}"


def change_message(kind: str, record_id: str, before: Mapping[str, Any], changes: Mapping[str, Any],
                   deleted: Sequence[str] = (), body_changed: bool = False) -> str:
    """One line naming each changed field with its old and new value."""
    parts = [_field_change(name, before.get(name), value) for name, value in changes.items()]
    parts += [f"{name} removed" for name in deleted]
    if body_changed:
        parts.append("notes edited")
    return f"{subject(kind, record_id)}: {', '.join(parts) or 'saved'}"


def _field_change(name: str, old: Any, new: Any) -> str:
    if old is None:
        return f"{name} set to {show_value(new)}"
    return f"{name} {show_value(old)} -> {show_value(new)}"


def created_message(kind: str, record_id: str, title: str) -> str:
    return f"{subject(kind, record_id)}: created ({show_value(title)})"


def deleted_message(kind: str, record_id: str) -> str:
    return f"{subject(kind, record_id)}: deleted"


def external_message(changes: Sequence[str], limit: int = 5) -> str:
    """Files another program changed, each in the words of obm's own messages (`vault/outside.py`)."""
    shown = "; ".join(changes[:limit])
    more = f" and {len(changes) - limit} more" if len(changes) > limit else ""
    return f"external edit: {shown}{more}"
