"""Records: immutable values read from the vault's files, and their validation against kinds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from obm_tui.model.errors import Problem
from obm_tui.model.fields import FieldValueError
from obm_tui.model.kinds import KINDS, Kind


@dataclass(frozen=True, slots=True)
class Record:
    """One record file as loaded: its front matter (raw, as the strict YAML reader gives it)
    and where it came from. Bodies are not kept here; they are read from disk on demand."""

    kind: str
    id: str
    path: str  # relative to the vault, posix separators
    data: Mapping[str, Any]
    problems: tuple[Problem, ...] = ()
    digest: bytes = b""  # hash of the file's bytes when loaded (the stale check compares it)
    stat: tuple[int, int, int] = (0, 0, 0)  # (mtime_ns, size, inode) when loaded
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def schema(self) -> Kind:
        return KINDS[self.kind]

    @property
    def title(self) -> str:
        value = self.data.get(self.schema.title_field)
        return value if isinstance(value, str) and value else self.id

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def readable(self) -> bool:
        """False when the file itself did not parse (then it is never written by the app)."""
        return not any(p.reason.startswith(UNREADABLE) for p in self.problems)

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def value(self, name: str, default: Any = None) -> Any:
        """The typed value of a field (date, Decimal, int, …), or `default` if absent or bad."""
        spec = self.schema.field(name)
        raw = self.data.get(name)
        if raw is None:
            raw = spec.default if spec else None
            if raw is None:
                return default
        if spec is None:
            return raw
        try:
            return spec.convert(raw)
        except FieldValueError:
            return default

    def text(self, name: str) -> str:
        """A field as display text ('' when absent); lists joined with commas."""
        raw = self.data.get(name)
        if raw is None:
            return ""
        if isinstance(raw, bool):
            return "true" if raw else "false"
        if isinstance(raw, list):
            return ", ".join(str(item) for item in raw)
        return str(raw)


UNREADABLE = "unreadable: "


def validate(kind: Kind, data: Mapping[str, Any], stem: str) -> list[tuple[str | None, str]]:
    """Schema problems of one record as (field or None, reason). Empty when valid."""
    found: list[tuple[str | None, str]] = []
    if data.get("type") != kind.name:
        found.append(("type", f"type must be {kind.name!r} in {kind.folder}/, got {data.get('type')!r}"))
    record_id = data.get("id")
    if not isinstance(record_id, str) or not record_id:
        found.append(("id", "id is missing"))
    elif not id_matches_file(kind, record_id, stem):
        found.append(("id", f"id {record_id!r} does not match the file name {stem!r}"))
    for spec in kind.all_fields:
        raw = data.get(spec.name)
        if raw is None:
            if spec.required and spec.name not in ("type", "id"):
                found.append((spec.name, f"{spec.name} is required"))
            continue
        try:
            spec.convert(raw)
        except FieldValueError as exc:
            found.append((spec.name, f"{spec.name}: {exc}"))
    return found


def id_matches_file(kind: Kind, record_id: str, stem: str) -> bool:
    """The file name is the id; serial kinds may add `-<slug>` after it (`T-261123-K7Q-refund`)."""
    if stem == record_id:
        return True
    return kind.id_style == "serial" and stem.startswith(record_id + "-")
