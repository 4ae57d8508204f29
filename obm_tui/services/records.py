"""Record use cases shared by the CLI and the TUI: create, change, list, delete, archive."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from obm_tui.model import ids
from obm_tui.model.errors import UsageError, ValidationError
from obm_tui.model.fields import FieldValueError, to_date
from obm_tui.model.inputs import parse_input, to_raw
from obm_tui.model.kinds import Kind, kind_named
from obm_tui.model.merge import DELETED
from obm_tui.model.messages import change_message, created_message, deleted_message
from obm_tui.model.records import Record
from obm_tui.services.templates import record_template_body
from obm_tui.vault.store import SaveResult, Vault


def require_kind(name: str) -> Kind:
    kind = kind_named(name)
    if kind is None:
        from obm_tui.model.kinds import KINDS

        raise UsageError(f"unknown kind {name!r}; kinds are: {', '.join(KINDS)}")
    return kind


def require_readable(record: Record) -> Record:
    """The record, if its file parses; else a ValidationError saying why (it is never written)."""
    if not record.readable:
        raise ValidationError(f"{record.path} does not parse; fix it in an editor first ({record.problems[0].reason})")
    return record


def now_in(vault: Vault) -> datetime:
    return datetime.now(ZoneInfo(vault.config.timezone)).replace(second=0, microsecond=0, tzinfo=None)


def parse_assignments(kind: Kind, pairs: Mapping[str, str]) -> dict[str, Any]:
    """`{"status": "current"}` typed by a person -> raw values, or ValidationError naming the field."""
    parsed: dict[str, Any] = {}
    for name, text in pairs.items():
        if name in ("type", "id"):
            raise ValidationError(f"{name} cannot be changed (it names the file)")
        if not name or not name.replace("_", "").replace("-", "").isalnum():
            raise ValidationError(f"{name!r} is not a field name (letters, digits, _ and -)")
        try:
            value = parse_input(kind.field(name), text)
        except FieldValueError as exc:
            raise ValidationError(f"{kind.name} {name}: {exc}") from None
        parsed[name] = DELETED if value is None else value
    return parsed


def new_record(vault: Vault, kind_name: str, title: str, pairs: Mapping[str, str] | None = None, *,
               body: str | None = None, when: datetime | None = None) -> SaveResult:
    """Create a record of a kind from a title and `field=value` pairs; one commit."""
    kind = require_kind(kind_name)
    if not title.strip():
        raise ValidationError(f"a new {kind.name} needs a title")
    title = _checked_title(kind, title)
    when = when or now_in(vault)
    fields = {k: v for k, v in parse_assignments(kind, pairs or {}).items() if v is not DELETED}
    record_id, stem = make_id(vault, kind, title.strip(), fields, _event_day(kind, fields) or when)
    data = _initial_fields(kind, record_id, title.strip(), fields, when)
    problems = _check_fields(kind, data)
    if problems:
        raise ValidationError("; ".join(problems))
    rel = f"{kind.folder}/{stem}.md"
    text = body if body is not None else record_template_body(kind.name)
    return vault.create(rel, data, text, created_message(kind.name, record_id, title.strip()))


def same_name(vault: Vault, kind_name: str, title: str) -> Record | None:
    """The record a new one of this title would have taken its id from (a name-id kind: clients,
    processes…), archived or not; None when the name is free or the kind's ids are not names."""
    kind = require_kind(kind_name)
    if kind.id_style != "slug" or not title.strip():
        return None
    wanted = ids.slug(title.strip()).casefold()
    return next((r for r in vault.records(kind.name, archived=True) if r.id.casefold() == wanted), None)


def name_note(taken: Record, made: Record) -> str:
    """Why the new record got another id than its name: in the user's words, with the way back."""
    how = "an archived" if taken.data.get("archived") is True else "another"
    text = f"{taken.id} is the id of {how} {taken.kind}, {taken.title}: the new one is {made.id}"
    if taken.data.get("archived") is True:
        text += f" (to bring the archived one back instead: obm archive --undo {taken.id})"
    return text


EVENT_DAY_FIELDS = {"expense": "date"}  # an event id names the day it happened, not the day it was typed


def _event_day(kind: Kind, fields: Mapping[str, Any]) -> datetime | None:
    """The day in an event id: the record's own day (an expense's `date`) when it has one."""
    name = EVENT_DAY_FIELDS.get(kind.name)
    raw = fields.get(name) if name else None
    try:
        return datetime.combine(to_date(raw), time()) if raw else None
    except FieldValueError:
        return None


def _checked_title(kind: Kind, title: str) -> str:
    """The title, checked as its field's value (one line, within bounds) -> ValidationError."""
    try:
        return str(parse_input(kind.field(kind.title_field), title))
    except FieldValueError as exc:
        raise ValidationError(f"{kind.name} {kind.title_field}: {exc}") from None


def make_id(vault: Vault, kind: Kind, title: str, fields: Mapping[str, Any], when: datetime) -> tuple[str, str]:
    """(id, file stem) for a new record of `kind`, unique in this vault and across clones."""
    taken = vault.index.ids(kind.name)
    if kind.id_style == "sku":
        record_id = ids.sku_id(str(fields.get("sku") or title))
        if ids.sku_key(record_id) in taken:
            same = next((r.id for r in vault.records("product", archived=True)
                         if ids.sku_key(r.id) == ids.sku_key(record_id)), record_id)
            raise ValidationError(f"a product with SKU {ids.sku_text(same)} exists already (SKUs ignore case)")
        return record_id, record_id
    if kind.id_style == "serial":
        record_id = _fresh(lambda: ids.serial_id(kind.id_prefix, when.date(), ids.random_suffix()), taken)
        return record_id, (f"{record_id}-{ids.slug(title, 40)}" if kind.name == "ticket" else record_id)
    if kind.id_style == "event":
        record_id = _fresh(lambda: ids.event_id(when.date(), title, ids.random_suffix()), taken)
        return record_id, record_id
    if kind.id_style == "run":
        raise UsageError("runs are started from a process: obm run start <process> --for <record>")
    record_id = ids.unique(ids.slug(title), taken)
    return record_id, record_id


def _fresh(make: Any, taken: set[str]) -> str:
    for _ in range(100):
        candidate = make()
        if candidate.casefold() not in taken:
            return candidate
    raise UsageError("could not find a free id; too many records today")


def _initial_fields(kind: Kind, record_id: str, title: str, fields: dict[str, Any], when: datetime) -> dict[str, Any]:
    """Front matter of a new record: type, id, title, then the kind's fields in schema order
    (given or defaulted), then any extra fields given, then `created`."""
    data: dict[str, Any] = {"type": kind.name, "id": record_id, kind.title_field: title}
    if kind.id_style == "sku":
        data["sku"] = record_id
    for spec in kind.fields:
        if spec.name in data:
            continue
        if spec.name in fields:
            data[spec.name] = fields[spec.name]
        elif spec.default is not None:
            data[spec.name] = spec.default
    data.update({k: v for k, v in fields.items() if k not in data and k not in ("type", "id")})
    data.setdefault("created", to_raw(when))
    return data


def _check_fields(kind: Kind, data: Mapping[str, Any]) -> list[str]:
    problems = []
    for spec in kind.all_fields:
        if spec.required and data.get(spec.name) is None:
            article = "an" if kind.name[0] in "aeiou" else "a"
            problems.append(f"{spec.name} is required for {article} {kind.name} (add {spec.name}=…)")
    return problems


def set_fields(vault: Vault, ref: str, pairs: Mapping[str, str]) -> SaveResult:
    """Change fields of one record from `field=value` text; one commit in business words."""
    record = require_readable(vault.find(ref))
    changes = parse_assignments(record.schema, pairs)
    return update(vault, record, changes)


def update(vault: Vault, record: Record, changes: Mapping[str, Any], *, body: str | None = None,
           base_body: str | None = None, resolves: str = "") -> SaveResult:
    """Save raw field changes (DELETED removes) with a message naming each change. `resolves`: the
    version kept aside by a conflict this save settles, removed in the same commit."""
    real = {k: v for k, v in changes.items() if record.data.get(k, DELETED) != v}
    shown = {k: v for k, v in real.items() if v is not DELETED}
    deleted = [k for k, v in real.items() if v is DELETED]
    body_changed = body is not None and body != base_body
    message = change_message(record.kind, record.id, record.data, shown, deleted, body_changed)
    if resolves:
        message += f" (conflict resolved: {resolves} removed)"
    return vault.update(record, real, message, body=body if body_changed else None, base_body=base_body,
                        discard=(resolves,) if resolves else ())


def delete_record(vault: Vault, ref: str) -> str | None:
    record = vault.find(ref)
    return vault.delete(record, deleted_message(record.kind, record.id))


def archive_record(vault: Vault, ref: str, archived: bool = True) -> SaveResult:
    record = vault.find(ref)
    verb = "archived" if archived else "restored"
    result = vault.update(record, {"archived": True} if archived else {"archived": DELETED},
                          f"{record.kind} {record.id}: {verb}")
    return result
