"""Runs as screens and the agenda see them: every step's state on a day, the "Checklist steps"
section of the agenda, and the process and run checks of `obm check`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from obm_tui.model.checklist import Checklist
from obm_tui.model.errors import FormatError, ObmError, Problem
from obm_tui.model.records import Record
from obm_tui.model.run_agenda import Agenda, RunSnapshot, build_agenda
from obm_tui.model.run_agenda import AgendaItem as StepItem
from obm_tui.model.run_engine import (
    RunStatus,
    StepView,
    evaluate,
    parse_run,
    run_status,
)
from obm_tui.services.agenda import AgendaItem
from obm_tui.services.calendar import business_calendar
from obm_tui.services.facts import VaultFacts
from obm_tui.services.run_files import OPEN, RunContext, process_def, run_context
from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.store import Vault

SECTION = "Checklist steps"


@dataclass(frozen=True)
class RunView:
    """A run on a day: its steps' states, its status and progress, and what it is about."""

    record: Record
    context: RunContext
    checklist: Checklist
    views: tuple[StepView, ...]
    status: RunStatus

    @property
    def subject_title(self) -> str:
        found = self.context.subject_record
        return found.title if found is not None else (self.context.subject.id if self.context.subject else "")


def run_view(vault: Vault, run: Record, today: date, facts: VaultFacts | None = None) -> RunView:
    """Read a run's file and work out every step's state on `today`."""
    ctx = run_context(vault, run)
    checklist, data = _read(vault, run, ctx.subject_kind)
    views = evaluate(checklist, today=today, started=ctx.started, facts=facts or VaultFacts(vault),
                     subject=ctx.subject, calendar=business_calendar(vault))
    current = str(data.get("status") or "active")
    status = run_status(views, current) if views else RunStatus(current, 0, 0)
    if data.get("stopped") is not None and current not in OPEN:  # ended by the process's stop_when
        status = RunStatus(current, status.done, status.total, status.finished)
    return RunView(run, ctx, checklist, tuple(views), status)


def _read(vault: Vault, run: Record, subject_kind: str | None) -> tuple[Checklist, Mapping[str, Any]]:
    """A run's checklist and front matter; parsed once per version of the file (vault.derived: the
    agenda of a big vault is rebuilt often and mostly from unchanged runs)."""
    def parse(raw: bytes) -> tuple[Checklist, Mapping[str, Any]]:
        doc = read_document(raw)
        return parse_run(doc.body, subject_kind=subject_kind, path=run.path, first_line=doc.body_line), doc.data

    return vault.derived.get(run, f"checklist as {subject_kind}", parse)


def open_runs(vault: Vault) -> list[Record]:
    """Runs whose status is active or waiting (readable ones), by id."""
    return sorted((r for r in vault.records("run") if r.readable and str(r.data.get("status") or "active") in OPEN),
                  key=lambda r: r.id)


def run_agenda(vault: Vault, today: date, *, days: int = 0) -> Agenda:
    """The steps of every open run: overdue, due (today to `days` later), waiting, ready."""
    facts = VaultFacts(vault)
    snapshots = []
    for run in open_runs(vault):
        try:
            view = run_view(vault, run, today, facts)
        except (FormatError, ObmError):
            continue
        subject = view.context.subject.id if view.context.subject else ""
        snapshots.append(RunSnapshot(run.id, run.title, view.status.status, view.views, subject))
    return build_agenda(snapshots, today, horizon_days=days)


def steps_agenda(vault: Vault, now: datetime, *, days: int = 0) -> list[AgendaItem]:
    """The "Checklist steps" section of the agenda (registered in `agenda.SOURCES`)."""
    today = now.date()
    agenda = run_agenda(vault, today, days=days)
    paths = {r.id: r.path for r in open_runs(vault)}
    items = [_item(i, 0, paths, today) for i in agenda.overdue]
    items += [_item(i, 1 if i.due == today else 2, paths, today) for i in agenda.due]
    items += [_item(i, 3, paths, today) for i in agenda.waiting]
    items += [_item(i, 2, paths, today) for i in agenda.ready]
    return items


def _item(step: StepItem, urgency: int, paths: dict[str, str], today: date) -> AgendaItem:
    return AgendaItem(SECTION, urgency, step.due, f"{step.text} — {step.run_title}", paths.get(step.run_id, ""),
                      step_detail(step, today))


def step_detail(step: StepItem, today: date) -> str:
    """`2d overdue; waiting on send, invoice.status = paid` — when, and what is in the way."""
    parts = []
    if step.due is not None:
        delta = (step.due - today).days
        parts.append(f"{-delta}d overdue" if delta < 0
                     else "due today" if delta == 0 else f"due {step.due.isoformat()}")
    if step.waiting_on:
        parts.append(f"waiting on {step.waiting_text}")
    elif step.state == "ready":
        parts.append("ready")
    return "; ".join(parts)


def check_runs(vault: Vault, records: list[Record]) -> list[Problem]:
    """Mistakes in processes (what `obm run start` refuses) and in runs' own copies (what stops a
    tick from being processed), as `path:line: reason`."""
    problems: list[Problem] = []
    for record in records:
        if not record.readable or record.kind not in ("process", "run"):
            continue
        try:
            problems += _problems_of(vault, record)
        except (FormatError, ObmError):
            continue  # the file-level problem is already listed
    return problems


def _problems_of(vault: Vault, record: Record) -> list[Problem]:
    if record.kind == "process":
        return list(process_def(vault, record).problems)
    doc = vault.read_document(record)
    ctx = run_context(vault, record)
    return list(parse_run(doc.body, subject_kind=ctx.subject_kind, path=record.path, first_line=doc.body_line).problems)
