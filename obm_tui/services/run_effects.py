"""A tick's effects (tag, set, create, start) turned into file writes for one commit.

`plan_effects` reads nothing but the index and the templates, and returns the new files and the
field changes (merged per record: "tag add" and "set status" on one client are one edit). Every
effect is idempotent, so processing the same tick again after a crash cannot apply it twice:

- a tag is added only when absent, removed only when present; `set` writes the same value;
- `create` gives the new record an id derived from the effect's key (run, step, action number), so
  it lands on the same file on every attempt and every clone, and is not created when it exists;
- `start` names the new run by day, process and subject, so an existing run is not started again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from obm_tui.model import ids
from obm_tui.model.actions import (
    AddTag,
    CreateRecord,
    Effect,
    RemoveTag,
    SendInvoice,
    SetField,
    StartBilling,
    StartRun,
)
from obm_tui.model.billing import BillingError
from obm_tui.model.calendar import BusinessCalendar
from obm_tui.model.conditions import Facts, Ref
from obm_tui.model.durations import DurationError, parse_duration
from obm_tui.model.errors import UsageError, ValidationError
from obm_tui.model.fact_values import as_texts
from obm_tui.model.fields import FieldValueError
from obm_tui.model.inputs import parse_input
from obm_tui.model.kinds import KIND_BY_FOLDER, KINDS, Kind
from obm_tui.model.merge import DELETED
from obm_tui.model.records import Record, validate
from obm_tui.model.template_text import refuse_unfilled
from obm_tui.services.billing import billing_start_for
from obm_tui.services.calendar import business_calendar
from obm_tui.services.drafts import fill_data, find_template, template_values, where_to_set
from obm_tui.services.facts import find_record
from obm_tui.services.run_files import load_process, new_run, run_exists, run_ref_of
from obm_tui.vault.batch import Edit, NewFile
from obm_tui.vault.store import Vault

INVOICE_TERMS = timedelta(days=14)  # `due` of a created invoice whose template sets none


@dataclass
class EffectPlan:
    """New files and field changes to write in one commit, and notes for the commit message."""

    new_files: list[NewFile] = field(default_factory=list)
    edits: dict[str, tuple[Record, dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def items(self) -> list[NewFile | Edit]:
        """New files first, then the edits (the run's own edit is added after these by the caller)."""
        return [*self.new_files, *(Edit(record, changes) for record, changes in self.edits.values() if changes)]

    def paths(self) -> set[str]:
        return {f.rel for f in self.new_files} | set(self.edits)

    def current(self, record: Record) -> dict[str, Any]:
        """The record's fields with the changes planned so far."""
        changes = self.edits.get(record.path, (record, {}))[1]
        data = {**record.data, **changes}
        return {k: v for k, v in data.items() if v is not DELETED}

    def change(self, record: Record, name: str, value: Any) -> None:
        self.edits.setdefault(record.path, (record, {}))[1][name] = value


def plan_effects(vault: Vault, effects: Sequence[Effect], *, run: Record, subject: Record | None,
                 today: date) -> EffectPlan:
    """The writes that apply `effects`; UsageError/ValidationError (nothing written) when one cannot apply."""
    plan = EffectPlan()
    for effect in effects:
        if isinstance(effect, (AddTag, RemoveTag, SetField)):
            _subject_change(vault, plan, effect)
        elif isinstance(effect, CreateRecord):
            _create(vault, plan, effect, run, subject, today)
        elif isinstance(effect, StartRun):
            _start(vault, plan, effect, subject, today)
        elif isinstance(effect, SendInvoice):
            _send(vault, plan, effect, run, subject, today)
        elif isinstance(effect, StartBilling):
            _start_billing(vault, plan, effect, run, today)
    return plan


def _subject_change(vault: Vault, plan: EffectPlan, effect: AddTag | RemoveTag | SetField) -> None:
    record = find_record(vault, effect.subject.kind, effect.subject.id)
    if record is None:
        raise UsageError(f"{effect.describe()}: there is no {effect.subject}; the tick was not processed")
    if not record.readable:
        raise UsageError(f"{effect.describe()}: {record.path} does not parse; fix it first")
    data = plan.current(record)
    if isinstance(effect, SetField):
        plan.change(record, effect.field, _raw_value(record.schema, effect))
        return
    tags = as_texts(data.get("tags"))
    present = any(t.casefold() == effect.tag.casefold() for t in tags)
    if isinstance(effect, AddTag) and not present:
        plan.change(record, "tags", [*tags, effect.tag])
    elif isinstance(effect, RemoveTag) and present:
        plan.change(record, "tags", [t for t in tags if t.casefold() != effect.tag.casefold()])


def _raw_value(kind: Kind, effect: SetField) -> Any:
    if effect.value == "":
        return DELETED
    try:
        return parse_input(kind.field(effect.field), effect.value)
    except FieldValueError as exc:
        raise ValidationError(f"{effect.describe()}: {exc}; the tick was not processed") from None


# ----- create <kind> from <template> ---------------------------------------------------------------

def _create(vault: Vault, plan: EffectPlan, effect: CreateRecord, run: Record, subject: Record | None,
            today: date) -> None:
    kind = KINDS[effect.kind]
    template = find_template(vault, effect.template, "records")
    unknown: list[str] = []
    values = template_values(vault, subject, today)
    data = {str(k): fill_data(v, values, unknown) for k, v in template.data.items() if k not in ("type", "id")}
    body = fill_data(template.body, values, unknown)
    article = "an" if kind.name[0] in "aeiou" else "a"
    refuse_unfilled(f"template {effect.template} (to create {article} {kind.name})", unknown, where_to_set(subject),
                    "the tick was not processed")
    data = _resolve_dates(kind, data, today, business_calendar(vault))
    if subject is not None:
        data.setdefault(subject.kind, f"[[{subject.id}]]")
    data["run"] = f"[[{run.id}]]"
    if kind.name == "invoice":
        data.setdefault("issued", today.isoformat())
        data.setdefault("due", (today + INVOICE_TERMS).isoformat())
        client_currency = str(subject.data.get("currency") or "").strip() if subject is not None else ""
        if client_currency and subject is not None and subject.kind == "client":
            data.setdefault("currency", client_currency.upper())  # the books read an invoice in its own
    title = str(data.get(kind.title_field) or f"{effect.template} for {subject.title if subject else run.id}")
    data[kind.title_field] = title
    if kind.name == "purchase-order" and subject is not None and _use_open_order(vault, plan, subject, run):
        return
    found = _existing(vault, kind, effect, run, title, data, today)
    if isinstance(found, Record):
        plan.notes.append(f"{kind.name} {found.id} was created by this step before; not created again")
        return
    record_id, stem = found
    full = {"type": kind.name, "id": record_id, **data, "created": today.isoformat()}
    _refuse_invalid(kind, full, stem, effect.template, unknown)
    plan.new_files.append(NewFile(f"{kind.folder}/{stem}.md", full, body))
    plan.notes.append(f"{kind.name} {record_id} created ({kind.folder}/{stem}.md)")


OPEN_ORDER = ("draft", "ordered", "partial")


def _use_open_order(vault: Vault, plan: EffectPlan, product: Record, run: Record) -> bool:
    """A restock run's `create purchase-order` when an open order already holds the product (drafted
    by hand with `obm po new`, say): the run takes that order (its `run` field links it, so the
    order's status ticks the run's `tick_when::` steps) and no second draft is made. An order that
    belongs to another run is left to it."""
    for order in sorted(vault.records("purchase-order"), key=lambda r: r.id):
        if str(order.data.get("status") or "draft") not in OPEN_ORDER or not _holds_sku(order, product):
            continue
        owner = run_ref_of(order.data, "run")
        if owner.casefold() == run.id.casefold():
            plan.notes.append(f"purchase-order {order.id} is this run's already; not created again")
            return True
        if not owner:
            plan.change(order, "run", f"[[{run.id}]]")
            plan.notes.append(f"purchase-order {order.id} holds {product.id} already: linked to this run, "
                              "not created again")
            return True
    return False


def _holds_sku(order: Record, product: Record) -> bool:
    lines = order.data.get("lines")
    wanted = {product.id.casefold(), str(product.data.get("sku") or product.id).casefold()}
    return isinstance(lines, list) and any(
        isinstance(line, Mapping) and str(line.get("sku") or "").casefold() in wanted for line in lines)


def _refuse_invalid(kind: Kind, data: Mapping[str, Any], stem: str, template: str, unknown: list[str]) -> None:
    """Never create a record that would be a problem: say which template value is missing."""
    problems = [reason for _, reason in validate(kind, data, stem)]
    if problems:
        missing = f" (nothing to fill in for {', '.join('${' + n + '}' for n in unknown)})" if unknown else ""
        article = "an" if kind.name[0] in "aeiou" else "a"
        raise ValidationError(f"cannot create {article} {kind.name} from template {template}: "
                              f"{'; '.join(problems)}{missing}")


def _resolve_dates(kind: Kind, data: dict[str, Any], today: date, calendar: BusinessCalendar) -> dict[str, Any]:
    """Date fields written `today` or `+14d` in a template become dates counted from the tick's day."""
    out = dict(data)
    for name, value in data.items():
        spec = kind.field(name)
        if spec is None or spec.type not in ("date", "datetime") or not isinstance(value, str):
            continue
        text = value.strip()
        if text.lower() == "today":
            out[name] = today.isoformat()
        elif text.startswith("+"):
            try:
                out[name] = parse_duration(text).add_to(today, calendar).isoformat()
            except DurationError as exc:
                raise ValidationError(f"template field {name}: {exc}") from None
    return out


def _existing(vault: Vault, kind: Kind, effect: CreateRecord, run: Record, title: str,
              data: Mapping[str, Any], today: date) -> Record | tuple[str, str]:
    """The record this effect made before (matched by id and its `run` link), or a free (id, stem)."""
    for attempt in range(8):
        record_id, stem = _made_id(kind, effect.key if not attempt else f"{effect.key}#{attempt}", title, data, today)
        found = find_record(vault, kind.name, record_id)
        if found is None:
            return record_id, stem
        if run_ref_of(found.data, "run").casefold() == run.id.casefold() or kind.id_style == "sku":
            return found
    raise UsageError(f"could not find a free id for a new {kind.name}")


def _made_id(kind: Kind, key: str, title: str, data: Mapping[str, Any], today: date) -> tuple[str, str]:
    suffix = _suffix(key)
    if kind.id_style == "serial":
        record_id = ids.serial_id(kind.id_prefix, today, suffix)
        return record_id, (f"{record_id}-{ids.slug(title, 40)}" if kind.name == "ticket" else record_id)
    if kind.id_style == "event":
        record_id = ids.event_id(today, title, suffix)
        return record_id, record_id
    if kind.id_style == "sku":
        record_id = ids.sku_id(str(data.get("sku") or title))
        return record_id, record_id
    record_id = f"{ids.slug(title, 50)}-{suffix.lower()}"
    return record_id, record_id


def _suffix(key: str) -> str:
    """Three Crockford base-32 characters from the effect's key: the same on every clone."""
    number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big")
    return "".join(ids.CROCKFORD[(number >> (5 * i)) & 31] for i in range(3))


# ----- start <process> --------------------------------------------------------------------------

def _start(vault: Vault, plan: EffectPlan, effect: StartRun, subject: Record | None, today: date) -> None:
    _, process = load_process(vault, effect.process)
    if process.subject == "none":
        subject = None
    elif subject is None or subject.kind != process.subject:
        about = f"{subject.kind} records" if subject is not None else "nothing"
        raise UsageError(f"{effect.describe()}: process {process.id} is about a {process.subject}, "
                         f"this run is about {about}; the tick was not processed")
    made = new_run(vault, process, subject, today)
    if run_exists(vault, made.path) is not None or made.path in plan.paths():
        plan.notes.append(f"run {made.id} exists already; not started again")
        return
    plan.new_files.append(NewFile(made.path, made.front_matter, made.body))


# ----- send invoice -----------------------------------------------------------------------------

def _send(vault: Vault, plan: EffectPlan, effect: SendInvoice, run: Record, subject: Record | None,
          today: date) -> None:
    """Mark sent (status, `issued` today, `due` after the terms) the invoice this tick creates, else the
    one this run created before, else the subject's newest draft; once: a sent one is left as it is."""
    from obm_tui.services.invoices import client_terms, refuse_unfilled_invoice, sent_fields

    client = subject if subject is not None and subject.kind == "client" else None
    for index in range(len(plan.new_files) - 1, -1, -1):
        made = plan.new_files[index]
        if made.rel.startswith("invoices/") and str(made.data.get("status") or "draft") == "draft":
            due = today + timedelta(days=client_terms(vault, client))
            data = {**made.data, "status": "sent", "issued": today.isoformat(), "due": due.isoformat()}
            plan.new_files[index] = NewFile(made.rel, data, made.body)
            plan.notes.append(f"invoice {data.get('id')} sent, due {due.isoformat()}")
            return
    invoices = [r for r in vault.records("invoice") if r.readable]
    mine = sorted((r for r in invoices if run_ref_of(r.data, "run").casefold() == run.id.casefold()),
                  key=lambda r: (str(r.data.get("created") or ""), r.id))
    if mine:
        record = mine[-1]
        status = str(plan.current(record).get("status") or "draft")
        if status != "draft":
            plan.notes.append(f"invoice {record.id} is {status} already; not sent again")
            return
    else:
        target = f"[[{subject.id}]]".casefold() if subject is not None else None
        drafts = sorted((r for r in invoices if target and str(r.data.get("client") or "").casefold() == target
                         and str(r.data.get("status") or "draft") == "draft"),
                        key=lambda r: (str(r.data.get("created") or r.data.get("issued") or ""), r.id))
        if not drafts:
            whom = f" or of {subject.kind} {subject.id}" if subject is not None else ""
            raise UsageError(f"{effect.describe()}: there is no draft invoice of this run{whom} to send; "
                             "the tick was not processed")
        record = drafts[-1]
    refuse_unfilled_invoice(vault, record)
    for name, value in sent_fields(vault, record, today).items():
        plan.change(record, name, value)
    plan.notes.append(f"invoice {record.id} sent, due {plan.current(record)['due']}")
# ----- start billing ------------------------------------------------------------------------------

def _start_billing(vault: Vault, plan: EffectPlan, effect: StartBilling, run: Record, today: date) -> None:
    record = find_record(vault, effect.subject.kind, effect.subject.id)
    if record is None or not record.readable:
        raise UsageError(f"{effect.describe()}: there is no readable {effect.subject}; the tick was not processed")
    data = plan.current(record)
    if str(data.get("billing") or "").strip():
        plan.notes.append(f"client {record.id} bills already ({data['billing']}); billing not changed")
        return
    try:
        rule, start = billing_start_for(vault, data, record.path, run.id, today)
    except BillingError as exc:
        raise ValidationError(f"{effect.describe()}: {exc}; the tick was not processed") from None
    plan.change(record, "billing", rule)
    plan.change(record, "billing_start", start.isoformat())
    plan.notes.append(f"client {record.id}: billing {rule} from {start.isoformat()}")


class PlannedFacts:
    """Facts as they will be once a plan is written (so a run's status counts the tick's own effects)."""

    def __init__(self, base: Facts, plan: EffectPlan) -> None:
        self.base = base
        self.changed: dict[tuple[str, str], dict[str, Any]] = {
            (record.kind, record.id.casefold()): plan.current(record) for record, _ in plan.edits.values()
        }
        self.new = [(KIND_BY_FOLDER[f.rel.split('/', 1)[0]].name, dict(f.data)) for f in plan.new_files]

    def record(self, kind: str, record_id: str) -> Mapping[str, Any] | None:
        key = (kind, record_id.casefold())
        if key in self.changed:
            return self.changed[key]
        made = next((d for k, d in self.new if k == kind and str(d.get("id", "")).casefold() == key[1]), None)
        return made if made is not None else self.base.record(kind, record_id)

    def linked(self, kind: str, to: Ref) -> Sequence[Mapping[str, Any]]:
        found = [self.changed.get((kind, str(d.get("id", "")).casefold()), d) for d in self.base.linked(kind, to)]
        target = f"[[{to.id}]]".casefold()
        found += [d for k, d in self.new if k == kind and any(str(v).casefold() == target for v in d.values())]
        return found

