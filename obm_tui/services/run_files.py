"""Reading processes and runs from the vault for the engine: the process's definition, a run's
subject (the run file only links it by id; its kind comes from the process), and a new run's file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from obm_tui.model import ids
from obm_tui.model.checklist import (
    SUBJECT_KINDS,
    ProcessDef,
    ProcessProblems,
    parse_process,
)
from obm_tui.model.conditions import Facts, Ref
from obm_tui.model.errors import UsageError
from obm_tui.model.fact_values import link_target
from obm_tui.model.records import Record
from obm_tui.model.run_engine import NewRun, evaluate, parse_run, run_status
from obm_tui.model.run_engine import start_run as engine_start_run
from obm_tui.services.calendar import business_calendar
from obm_tui.services.facts import VaultFacts, find_record
from obm_tui.services.process_needs import refuse_missing_needs
from obm_tui.vault.store import Vault

OPEN = ("active", "waiting")


def process_def(vault: Vault, record: Record) -> ProcessDef:
    """A process record's definition, with problems located at `path:line`."""
    doc = vault.read_document(record)
    return parse_process(doc.body, doc.data, path=record.path, first_line=doc.body_line)


def load_process(vault: Vault, ref: str) -> tuple[Record, ProcessDef]:
    """A process by id (or unique prefix) and its definition; ProcessProblems when it has mistakes."""
    record = vault.find(ref, "process")
    if not record.readable:
        raise UsageError(f"{record.path} does not parse: {record.problems[0]}")
    process = process_def(vault, record)
    if process.problems:
        raise ProcessProblems(process.problems)
    return record, process if process.id else replace(process, id=record.id)


def resolve_subject(vault: Vault, process: ProcessDef, ref: str | None) -> Record | None:
    """The record a new run of `process` is about (None for a process about nothing)."""
    if process.subject == "none":
        if ref:
            raise UsageError(f"process {process.id} is not about a record (subject: none); start it without --for")
        return None
    if not ref:
        raise UsageError(f"process {process.id} is about a {process.subject}: say which one (--for <id>)")
    return vault.find(ref, process.subject)


def run_ref_of(data: Mapping[str, Any], key: str) -> str:
    """The id a run's `process` or `subject` field links to ('' when absent)."""
    value = data.get(key)
    return link_target(value) or (str(value).strip() if isinstance(value, str) else "")


@dataclass(frozen=True)
class RunContext:
    """What the engine needs about a run besides its body."""

    subject: Ref | None
    subject_kind: str | None  # "none" for a run about nothing; None when it cannot be known
    started: date | None
    process: Record | None
    subject_record: Record | None


def run_context(vault: Vault, run: Record) -> RunContext:
    """The run's subject (kind resolved through its process), start day and process record."""
    process = find_record(vault, "process", run_ref_of(run.data, "process"))
    started = run.value("started")
    started = started.date() if isinstance(started, datetime) else started
    subject_id = run_ref_of(run.data, "subject")
    if not subject_id:
        return RunContext(None, "none", started, process, None)
    kind = str(process.data.get("subject") or "") if process is not None else ""
    record = find_record(vault, kind, subject_id) if kind in SUBJECT_KINDS else None
    if record is None:
        record = _any_kind(vault, subject_id)
    if record is None:
        known = kind if kind in SUBJECT_KINDS and kind != "none" else None
        return RunContext(Ref(known, subject_id) if known else None, known, started, process, None)
    return RunContext(Ref(record.kind, record.id), record.kind, started, process, record)


def _any_kind(vault: Vault, record_id: str) -> Record | None:
    for kind in SUBJECT_KINDS[1:]:
        found = find_record(vault, kind, record_id)
        if found is not None:
            return found
    return None


def new_run(vault: Vault, process: ProcessDef, subject: Record | None, started: date,
            extra: Mapping[str, str] | None = None, facts: Facts | None = None) -> NewRun:
    """The file of a new run: the engine's, with the sample vault's lower-case id
    (`2026-11-06-restock-product-cal-2027`), `extra` fields, and its status from the start.
    ValidationError, naming each field and how to set it, when the subject lacks a field the
    process's templates need (services/process_needs.py)."""
    refuse_missing_needs(vault, process, subject, started)
    ref = Ref(subject.kind, subject.id) if subject is not None else None
    try:
        calendar = business_calendar(vault)
        made = engine_start_run(process, started, ref, subject.title if subject is not None else "", calendar)
        run_id = ids.run_id(started, process.id, subject.id if subject is not None else None)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    meta: dict[str, str] = {**made.front_matter, "id": run_id}
    kind = subject.kind if subject is not None else "none"
    views = evaluate(parse_run(made.body, subject_kind=kind), today=started, started=started,
                     facts=facts or VaultFacts(vault), subject=ref, calendar=calendar)
    meta["status"] = run_status(views).status if views else "active"
    meta |= dict(extra or {})
    return NewRun(run_id, f"runs/{run_id}.md", meta, made.body)


def run_exists(vault: Vault, path: str) -> Record | None:
    """The run already at `path` (in the index), or a placeholder when only the file exists."""
    found = vault.index.by_path(path)
    if found is not None:
        return found
    if (vault.root / path).exists():
        return Record("run", path.rsplit("/", 1)[-1][:-3], path, {})
    return None


def runs_of(vault: Vault, process_id: str, subject_id: str | None = None) -> list[Record]:
    """Every run of a process (for one subject, if given), oldest first."""
    folded = process_id.casefold()
    found = [r for r in vault.records("run", archived=True)
             if run_ref_of(r.data, "process").casefold() == folded
             and (subject_id is None or run_ref_of(r.data, "subject").casefold() == subject_id.casefold())]
    return sorted(found, key=lambda r: (r.text("started"), r.id))
