"""Runs of processes: start one, tick a step, process ticks made in any editor, start recurring runs.

Every tick is ONE commit holding the run file and every record its actions touched, with the
engine's message (`run <id>: ticked "…"; tag … added to client …`). The run's `status` and
`finished` follow its steps.

Why a tick cannot be applied twice, even after a crash: a step's actions are applied when the run
file shows `[x]` without `done::`, and the same write that applies them adds `done::` to the run.
All files of a tick go through `vault.batch.write_many`, which writes new files first, then the
changed records in the order given — the effects' records first, the run file last — and puts the
old bytes back if a write fails. If the process dies between two of those writes, the run file
still has no `done::`, so the tick is processed again next time; that is harmless because every
effect is idempotent (see `run_effects`: tags are added only when absent, `set` writes the same
value, created records and started runs have ids derived from the tick, so they are found, not
made twice). The opposite order (run file first) could lose an action for good. The commit comes
after all writes; if it cannot be made, the files are on disk and are committed later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from obm_tui.model.checklist import Checklist, ProcessProblems, Step, parse_stop
from obm_tui.model.conditions import Condition, Facts, Ref
from obm_tui.model.conditions import evaluate as holds
from obm_tui.model.errors import ObmError, UsageError
from obm_tui.model.merge import DELETED
from obm_tui.model.records import Record
from obm_tui.model.recurrence import due_occurrences
from obm_tui.model.run_engine import (
    RunStatus,
    TickResult,
    evaluate,
    parse_run,
    process_ticks,
    run_status,
    set_box,
)
from obm_tui.services.calendar import business_calendar
from obm_tui.services.drafts import Draft, email_draft
from obm_tui.services.facts import VaultFacts
from obm_tui.services.run_effects import EffectPlan, PlannedFacts, plan_effects
from obm_tui.services.run_files import (
    OPEN,
    RunContext,
    load_process,
    new_run,
    process_def,
    resolve_subject,
    run_context,
    run_exists,
    run_ref_of,
    runs_of,
)
from obm_tui.vault.batch import Edit, write_many
from obm_tui.vault.store import Vault, _digest


@dataclass(frozen=True)
class Started:
    """A run that was started now (`created`) or had been started already."""

    record: Record
    created: bool
    message: str
    commit: str | None = None
    pending: bool = False


@dataclass(frozen=True)
class RunOutcome:
    """What processing one run did: its commit message, new status, and the files written."""

    run_id: str
    path: str
    message: str
    status: str = ""
    commit: str | None = None
    paths: tuple[str, ...] = ()
    error: str = ""
    pending: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.paths)


# ----- starting ---------------------------------------------------------------------------------

def start_run(vault: Vault, process_ref: str, subject_ref: str | None, today: date, *,
              extra: Mapping[str, str] | None = None, because: str = "") -> Started:
    """Start a run of a process (for a record) on `today`; one commit `run <id>: started (…)`,
    followed by ` — <because>` when given (the rule that started it).

    Refused (ProcessProblems, with `path:line` reasons) when the process has mistakes. The same
    process, subject and day always give the same file: if it exists, it is returned as is.
    """
    _, process = load_process(vault, process_ref)
    subject = resolve_subject(vault, process, subject_ref)
    made = new_run(vault, process, subject, today, extra)
    existing = run_exists(vault, made.path)
    if existing is not None:
        return Started(existing, False, f"run {made.id}: already started")
    whom = f" for {subject.title}" if subject is not None else ""
    message = f"run {made.id}: started ({process.title}{whom})" + (f" — {because}" if because else "")
    result = vault.create(made.path, made.front_matter, made.body, message)
    return Started(result.record, True, message, result.commit, result.pending)


# ----- ticking ----------------------------------------------------------------------------------

def find_run(vault: Vault, ref: str) -> Record:
    """A run by id, path or unique id prefix — or, failing that, by a part of its id such as the
    subject (`marco-bianchi`), open runs first."""
    try:
        return vault.find(ref, "run")
    except UsageError:
        wanted = ref.strip().casefold()
        runs = [r for r in vault.records("run") if wanted and wanted in r.id.casefold()]
        open_ones = [r for r in runs if str(r.data.get("status") or "active") in OPEN]
        for found in (open_ones, runs):
            if len(found) == 1:
                return found[0]
        if runs:
            names = ", ".join(r.id for r in (open_ones or runs)[:5])
            raise UsageError(f"{ref!r} matches several runs: {names}") from None
        raise

def find_step(checklist: Checklist, ref: str) -> Step:
    """A step by id, unique id prefix, or 1-based number; UsageError listing the steps otherwise."""
    ref = ref.strip()
    steps = checklist.steps
    exact = [s for s in steps if s.id == ref]
    if exact:
        return exact[0]
    if ref.isdigit() and 1 <= int(ref) <= len(steps):
        return steps[int(ref) - 1]
    prefixed = [s for s in steps if s.id.startswith(ref.casefold())] if ref else []
    if len(prefixed) == 1:
        return prefixed[0]
    listed = ", ".join(s.id for s in steps) or "none"
    what = "matches several steps" if prefixed else "is not a step of this run"
    raise UsageError(f"{ref!r} {what} (steps: {listed}; or a number 1-{len(steps)})")


def tick(vault: Vault, run_ref: str, step_ref: str, *, ticked: bool = True, now: datetime) -> RunOutcome:
    """Tick (or untick) one step and process the run: box, `done::`, actions, status — one commit."""
    run = find_run(vault, run_ref)
    doc = vault.read_document(run)
    if str(doc.data.get("status") or "") == "cancelled":
        raise UsageError(f"run {run.id} is cancelled; set its status to active to tick its steps")
    step = find_step(parse_run(doc.body), step_ref)
    if step.ticked == ticked:
        outcome = process_run(vault, run, now)
        state = "ticked" if ticked else "not ticked"
        return outcome or RunOutcome(run.id, run.path, f'run {run.id}: "{step.text}" is already {state}',
                                     str(doc.data.get("status") or "active"))
    outcome = process_run(vault, run, now, body=set_box(doc.body, step.id, ticked))
    assert outcome is not None  # the box changed, so there is something to write
    return outcome


def process_run(vault: Vault, run: Record, now: datetime, *, body: str | None = None,
                facts: VaultFacts | None = None) -> RunOutcome | None:
    """Process a run's unprocessed ticks and unticks (of `body`, else of the file) and apply their
    actions; bring `status`/`finished` up to date. None when there is nothing to write.

    Refused (ProcessProblems, ObmError) with nothing written when the run's copy has mistakes or an
    action cannot be applied; the ticks stay unprocessed until it is fixed.
    """
    doc = vault.read_document(run)
    current = str(doc.data.get("status") or "active")
    if current == "cancelled":
        return None
    fresh = replace(run, data=doc.data, digest=_digest(doc.raw))
    ctx = run_context(vault, fresh)
    text = doc.body if body is None else body
    today = now.date()
    facts = facts or VaultFacts(vault)
    checklist = parse_run(text, subject_kind=ctx.subject_kind, path=run.path, first_line=doc.body_line)
    if body is None and not _pending(checklist) and (checklist.problems or current not in OPEN):
        return None  # nothing to process (`obm check` lists mistakes; a finished run is left as it is)
    calendar = business_calendar(vault)
    auto = _ticked_by_facts(checklist, RunFacts(facts, run.id), ctx, today) if current in OPEN else []
    for step in auto:
        text = set_box(text, step.id, True)
    result = process_ticks(text, today=today, started=ctx.started, run_id=run.id, subject=ctx.subject,
                           facts=facts, subject_kind=ctx.subject_kind, path=run.path, first_line=doc.body_line,
                           calendar=calendar)
    plan = plan_effects(vault, result.effects, run=run, subject=ctx.subject_record, today=today)
    views = evaluate(parse_run(result.body, subject_kind=ctx.subject_kind), today=today, started=ctx.started,
                     facts=PlannedFacts(facts, plan), subject=ctx.subject, calendar=calendar)
    status = run_status(views, current) if views else RunStatus(current, 0, 0)
    stop = _stop_reason(ctx, PlannedFacts(facts, plan), today) if status.status in OPEN else None
    if stop is not None:
        status = RunStatus(stop[0], status.done, status.total, today)
    changes = _status_changes(doc.data, status, stop[1] if stop else None)
    if not result.changed and text == doc.body and not changes:
        return None
    why = f"stopped ({ctx.subject}: {stop[1].text})" if stop is not None and "stopped" in changes else ""
    message = _message(run.id, result, plan, current, status.status, why)
    if auto:
        message = message.rstrip("\n") + ("\n" if "\n- " in message else "\n\n") + "\n".join(
            f'- "{s.text}" ticked by obm: {_met(s, RunFacts(facts, run.id), ctx, today)}' for s in auto) + "\n"
    items = [*plan.items(), Edit(fresh, changes, body=result.body if result.body != doc.body else None,
                                 base_body=doc.body)]
    batch = write_many(vault, items, message)
    paths = tuple(r.path for r in batch.records)
    return RunOutcome(run.id, run.path, message, status.status, batch.commit, paths, pending=batch.pending)


class RunFacts:
    """Facts for one run's `tick_when::`: a kind other than the subject's means the records made by
    or linked to THIS run (their `run` field), so an old purchase order of the same product, made
    for an earlier shortage, never ticks a new run's steps."""

    def __init__(self, base: Facts, run_id: str) -> None:
        self.base, self.run = base, Ref("run", run_id)

    def record(self, kind: str, record_id: str) -> Mapping[str, Any] | None:
        return self.base.record(kind, record_id)

    def linked(self, kind: str, to: Ref) -> Sequence[Mapping[str, Any]]:
        return self.base.linked(kind, self.run)


def _ticked_by_facts(checklist: Checklist, facts: Facts, ctx: RunContext, today: date) -> list[Step]:
    """The steps not ticked yet whose `tick_when::` holds now: obm ticks them (as a person would)."""
    if ctx.subject is None:
        return []
    return [step for step in checklist.steps if not step.ticked and step.done is None and step.applied is None
            and _met(step, facts, ctx, today)]


def _met(step: Step, facts: Facts, ctx: RunContext, today: date) -> str:
    """The first `tick_when::` condition of the step that holds ('' when none does)."""
    return next((c.text for c in step.tick_when if holds(c, facts, ctx.subject, today).holds), "")


def _pending(checklist: Checklist) -> bool:
    return any(step.ticked != (step.done is not None) for step in checklist.steps)


def _stop_reason(ctx: RunContext, facts: Facts, today: date) -> tuple[str, Condition] | None:
    """(the status to end as, the condition that holds) when the process's `stop_when` holds for
    the run's subject; None otherwise (no rule, no subject, or a rule with mistakes: `obm check`)."""
    if ctx.process is None or ctx.subject is None:
        return None
    rule, reasons = parse_stop(ctx.process.data, ctx.subject_kind)
    if rule is None or reasons:
        return None
    met = next((c for c in rule.conditions if holds(c, facts, ctx.subject, today).holds), None)
    return (rule.stop_as, met) if met is not None else None


def _status_changes(data: Mapping[str, object], status: RunStatus,
                    stopped: Condition | None = None) -> dict[str, object]:
    changes: dict[str, object] = {}
    if str(data.get("status") or "active") != status.status:
        changes["status"] = status.status
    if stopped is not None:
        if changes:  # it stops now: the day, and why (a run that stopped before keeps its day)
            changes["finished"] = status.finished.isoformat() if status.finished else DELETED
            changes["stopped"] = stopped.text
        return changes
    if data.get("stopped") is not None:
        changes["stopped"] = DELETED  # the subject left its final state: the run goes on
    if status.status == "done" and status.finished is not None:
        if str(data.get("finished") or "") != status.finished.isoformat():
            changes["finished"] = status.finished.isoformat()
    elif status.status != "done" and data.get("finished") is not None:
        changes["finished"] = DELETED
    return changes


def _message(run_id: str, result: TickResult, plan: EffectPlan, before: str, after: str, why: str = "") -> str:
    """The engine's commit message, with what obm made and the run's new status below it."""
    if not result.changed:
        return f"run {run_id}: {why + '; ' if why else ''}status {before} -> {after}"
    extra = list(plan.notes) + ([f"run {before} -> {after}" + (f", {why}" if why else "")] if before != after else [])
    message = result.commit_message(run_id)
    if not extra:
        return message
    joiner = "" if result.messages else "\n"
    return message.rstrip("\n") + joiner + "\n" + "\n".join(f"- {line}" for line in extra) + "\n"


# ----- ticks from anywhere ---------------------------------------------------------------------

def process_pending_runs(vault: Vault, now: datetime, paths: Iterable[str] | None = None) -> list[RunOutcome]:
    """Process every run with unprocessed ticks or unticks (made in any editor, or pulled with git),
    and bring open runs' status up to date. One commit per run that changed. `paths`, when given,
    limits the closed runs looked at to those files (open runs are always looked at).

    A run that cannot be processed is reported (`error`) and left as it is; the others go on.
    """
    wanted = set(paths) if paths is not None else None
    facts = VaultFacts(vault)
    outcomes = []
    for run in sorted(vault.records("run", archived=True), key=lambda r: r.id):
        status = str(run.data.get("status") or "active")
        if status == "cancelled" or not run.readable:
            continue
        if status not in OPEN and wanted is not None and run.path not in wanted:
            continue
        outcome = _process_safely(vault, run, now, facts)
        if outcome is not None:
            outcomes.append(outcome)
            facts = VaultFacts(vault) if outcome.changed else facts
    return outcomes


def process_runs_of(vault: Vault, record: Record, now: datetime) -> list[RunOutcome]:
    """Bring up to date the run a record belongs to (its `run` link), after the record changed —
    a purchase order's new status ticks its restock run's `tick_when::` steps. One commit if it changed."""
    fresh = vault.index.by_path(record.path) or record
    run = vault.index.get("run", run_ref_of(fresh.data, "run")) if run_ref_of(fresh.data, "run") else None
    if run is None or not run.readable:
        return []
    outcome = _process_safely(vault, run, now, VaultFacts(vault))
    return [outcome] if outcome is not None and (outcome.changed or outcome.error) else []


def process_runs_about(vault: Vault, paths: Iterable[str], now: datetime) -> list[RunOutcome]:
    """After a change to the records at `paths` (an obm command's): bring up to date the open runs
    about them — whose subject is one of them, or that one of them belongs to (its `run` link) —
    so a decline set to `recovered` ends its follow-up run at once (the process's `stop_when`) and
    a paid invoice wakes the step that waits on it. One commit per run that changed; `obm tick`
    and the app look at every open run."""
    changed = [r for p in paths if (r := vault.index.by_path(p)) is not None and r.kind != "run"]
    subjects = {r.id.casefold() for r in changed}
    linked = {run_ref_of(r.data, "run").casefold() for r in changed} - {""}
    if not subjects:
        return []
    facts = VaultFacts(vault)
    outcomes = []
    for run in sorted(vault.records("run"), key=lambda r: r.id):
        if not run.readable or str(run.data.get("status") or "active") not in OPEN:
            continue
        if run_ref_of(run.data, "subject").casefold() not in subjects and run.id.casefold() not in linked:
            continue
        outcome = _process_safely(vault, run, now, facts)
        if outcome is not None and (outcome.changed or outcome.error):
            outcomes.append(outcome)
            facts = VaultFacts(vault) if outcome.changed else facts
    return outcomes


def _process_safely(vault: Vault, run: Record, now: datetime, facts: VaultFacts) -> RunOutcome | None:
    try:
        return process_run(vault, run, now, facts=facts)
    except ProcessProblems as exc:
        return RunOutcome(run.id, run.path, f"run {run.id}: not processed", error=exc.message)
    except ObmError as exc:
        return RunOutcome(run.id, run.path, f"run {run.id}: not processed", error=exc.message)


# ----- recurring processes ---------------------------------------------------------------------

def tick_recurring(vault: Vault, today: date) -> list[Started]:
    """Start the due run of every recurring process: the latest occurrence on or before `today`
    that is newer than its newest run (missed ones are not piled up). The same on every clone."""
    started = []
    for record in sorted(vault.records("process"), key=lambda r: r.id):
        if not record.data.get("recurrence") or not record.readable:
            continue
        try:
            process = process_def(vault, record)
        except ObmError:
            continue
        if process.problems or process.subject != "none":
            continue
        for day in due_occurrences(process.recurrence, today=today, dtstart=_created(record),
                                   after=_newest_start(vault, record.id)):
            started.append(start_run(vault, record.id, None, day))
    return started


def _created(record: Record) -> date | None:
    value = record.value("created")
    return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else None


def _newest_start(vault: Vault, process_id: str) -> date | None:
    days = [_day(r.value("started")) for r in runs_of(vault, process_id)]
    known = [d for d in days if d is not None]
    return max(known) if known else None


def _day(value: object) -> date | None:
    return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else None


# ----- email drafts -----------------------------------------------------------------------------

def draft_for_step(vault: Vault, run_ref: str, step_ref: str, today: date) -> Draft:
    """The email of a step (`email::`), filled in with the run's subject. Never sent."""
    run = find_run(vault, run_ref)
    step = find_step(parse_run(vault.read_body(run)), step_ref)
    if not step.email:
        raise UsageError(f'step {step.id} ("{step.text}") has no email:: template')
    return email_draft(vault, step.email, run_context(vault, run).subject_record, today)
