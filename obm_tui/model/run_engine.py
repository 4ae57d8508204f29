"""The step engine: a run's body in, its new body, effects and messages out. Pure: no clock, no I/O.

Where a step stands is written on its own line (docs/processes.md, "How a tick is read"):

    [ ]  no done::   not done               [x]  done::     done, actions applied
    [x]  no done::   a tick to process      [ ]  done::     an untick to process
    applied:: D      actions were applied on D; never apply them again in this run

`process_ticks` turns every unprocessed tick or untick into line edits plus Effect values, so
reading the same file again finds nothing to do: actions are applied exactly once per run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from obm_tui.model.actions import Effect, cannot_undo, to_effect
from obm_tui.model.calendar import WEEKENDS_OFF, BusinessCalendar
from obm_tui.model.checklist import (
    Checklist,
    ProcessDef,
    ProcessProblems,
    Step,
    parse_checklist,
)
from obm_tui.model.conditions import Facts, Ref
from obm_tui.model.conditions import evaluate as evaluate_condition
from obm_tui.model.errors import Problem
from obm_tui.model.inline_fields import remove_field, set_field, split_ending
from obm_tui.model.inline_fields import set_box as set_line_box
from obm_tui.model.recurrence import run_id

DONE, READY, BLOCKED, WAITING = "done", "ready", "blocked", "waiting"


@dataclass(frozen=True, slots=True)
class StepView:
    """A step as the agenda and the screens see it on a given day."""

    step: Step
    state: str  # done, ready, blocked (on steps) or waiting (on a condition)
    due: date | None = None
    overdue: bool = False
    waiting_on_steps: tuple[str, ...] = ()
    waiting_on: tuple[str, ...] = ()  # conditions not met yet, as written
    pending: bool = False  # a tick or untick the engine has not processed yet

    @property
    def id(self) -> str:
        return self.step.id


@dataclass(frozen=True, slots=True)
class RunStatus:
    """A run's status, progress and finishing day."""

    status: str  # active, waiting, done or cancelled
    done: int
    total: int
    finished: date | None = None

    @property
    def progress(self) -> str:
        return f"{self.done}/{self.total}"


@dataclass(frozen=True)
class TickResult:
    """What processing a run's ticks did: its new body, the effects to apply, and what to say."""

    body: str
    effects: tuple[Effect, ...] = ()
    messages: tuple[str, ...] = ()  # warnings and what unticking cannot undo
    ticked: tuple[Step, ...] = ()
    unticked: tuple[Step, ...] = ()
    resolved: tuple[tuple[str, date], ...] = ()  # due dates set: (step id, date)

    @property
    def changed(self) -> bool:
        return bool(self.ticked or self.unticked or self.resolved)

    def summary(self, run_id: str) -> str:
        """One commit message line, in business words."""
        parts = [f'ticked "{s.text}"' for s in self.ticked]
        parts += [f'unticked "{s.text}"' for s in self.unticked]
        parts += [effect.describe() for effect in self.effects]
        parts += [f"{step_id} due {day.isoformat()}" for step_id, day in self.resolved]
        return f"run {run_id}: " + "; ".join(parts) if parts else f"run {run_id}: no change"

    def commit_message(self, run_id: str) -> str:
        """The summary line, then the warnings and what unticking could not undo, one per line."""
        if not self.messages:
            return self.summary(run_id)
        return self.summary(run_id) + "\n\n" + "\n".join(f"- {m}" for m in self.messages) + "\n"


@dataclass
class _Edit:
    """The body's lines while they are being changed."""

    lines: list[str]
    effects: list[Effect] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def change(self, step: Step, edit: Callable[[str], str]) -> None:
        text, ending = split_ending(self.lines[step.index])
        self.lines[step.index] = edit(text) + ending


def require_ok(checklist: Checklist | ProcessDef) -> None:
    """Raise ProcessProblems when a process or run has mistakes: it must not run."""
    if checklist.problems:
        raise ProcessProblems(tuple(checklist.problems))


def render_run_body(process: ProcessDef, started: date, calendar: BusinessCalendar = WEEKENDS_OFF) -> str:
    """A new run's own copy of the process's body: boxes cleared, state fields dropped, every step
    given its id, and due dates that count from the start resolved. Refused when it has mistakes."""
    require_ok(process)
    edit = _Edit(list(process.checklist.lines))
    for step in process.checklist.steps:
        edit.change(step, partial(_fresh_line, step=step, started=started, calendar=calendar))
    return "".join(edit.lines)


@dataclass(frozen=True)
class NewRun:
    """Everything a new run file holds. The same inputs give the same file on every computer."""

    id: str
    path: str  # relative to the vault
    front_matter: dict[str, str]  # in the order to write it
    body: str


def start_run(
    process: ProcessDef, started: date, subject: Ref | None = None, subject_title: str = "",
    calendar: BusinessCalendar = WEEKENDS_OFF,
) -> NewRun:
    """A new run of `process` for `subject` (None for a process about nothing), started on `started`
    (for a recurring run: the occurrence's day). Refused (ProcessProblems) when the process has mistakes."""
    body = render_run_body(process, started, calendar)
    new_id = run_id(started, process.id, subject.id if subject else None)
    title = (f"{process.title} — {subject_title or subject.id}" if subject
             else f"{process.title} — {started.isoformat()}")
    meta = {"type": "run", "id": new_id, "title": title, "process": f"[[{process.id}]]"}
    if subject is not None:
        meta["subject"] = f"[[{subject.id}]]"
    meta |= {"status": "active", "started": started.isoformat()}
    return NewRun(new_id, f"runs/{new_id}.md", meta, body)


def _fresh_line(text: str, step: Step, started: date, calendar: BusinessCalendar) -> str:
    text = remove_field(remove_field(set_line_box(text, False), "done"), "applied")
    if not step.id_written:
        text = set_field(text, "id", step.id)
    due = step.due.resolve(started, {}, calendar) if step.due else None
    return set_field(text, "due", due.isoformat()) if due else text


def parse_run(body: str, *, subject_kind: str | None = None, path: str = "", first_line: int = 1) -> Checklist:
    """A run's checklist with its state (ticks, done::, applied::, resolved due dates)."""
    return parse_checklist(body, subject_kind=subject_kind, path=path, first_line=first_line)


def done_dates(run: Checklist) -> dict[str, date]:
    """Step id -> the day its tick was processed, for steps that are done."""
    return {s.id: s.done for s in run.steps if s.ticked and s.done is not None}


def evaluate(
    run: Checklist, *, today: date, started: date | None = None, facts: Facts | None = None,
    subject: Ref | None = None, calendar: BusinessCalendar = WEEKENDS_OFF,
) -> list[StepView]:
    """Every step's state on `today`: done, ready, blocked on steps or waiting on a condition."""
    done = done_dates(run)
    ticked = {s.id for s in run.steps if s.ticked}
    return [_view(step, ticked, done, today, started, facts, subject, calendar) for step in run.steps]


def _view(
    step: Step, ticked: set[str], done: Mapping[str, date], today: date, started: date | None,
    facts: Facts | None, subject: Ref | None, calendar: BusinessCalendar,
) -> StepView:
    due = step.due.resolve(started, done, calendar) if step.due else None
    pending = step.ticked != (step.done is not None)
    if step.ticked:
        return StepView(step, DONE, due, False, pending=pending)
    overdue = due is not None and due < today
    blocked = tuple(ref for ref in step.after if ref not in ticked)
    if blocked:
        return StepView(step, BLOCKED, due, overdue, waiting_on_steps=blocked, pending=pending)
    unmet = tuple(c.text for c in step.when if not evaluate_condition(c, facts, subject, today).holds)
    state = WAITING if unmet else READY
    return StepView(step, state, due, overdue, waiting_on=unmet, pending=pending)


def run_status(views: list[StepView], current: str = "active") -> RunStatus:
    """done when every step is ticked; waiting when no step is ready; cancelled stays cancelled."""
    done = sum(1 for v in views if v.state == DONE)
    total = len(views)
    if current == "cancelled":
        return RunStatus("cancelled", done, total)
    if done == total:
        days = [v.step.done for v in views if v.step.done is not None]
        finished = max(days) if days and len(days) == total else None
        return RunStatus("done", done, total, finished)
    status = "active" if any(v.state == READY for v in views) else "waiting"
    return RunStatus(status, done, total)


def set_box(body: str, step_id: str, ticked: bool) -> str:
    """The body with one step's box ticked or cleared (as an editor would); nothing else changes."""
    run = parse_checklist(body)
    step = run.step(step_id)
    if step is None:
        raise KeyError(step_id)
    edit = _Edit(list(run.lines))
    edit.change(step, lambda t: set_line_box(t, ticked))
    return "".join(edit.lines)


def process_ticks(
    body: str, *, today: date, started: date | None = None, run_id: str = "", subject: Ref | None = None,
    facts: Facts | None = None, subject_kind: str | None = None, path: str = "", first_line: int = 1,
    calendar: BusinessCalendar = WEEKENDS_OFF,
) -> TickResult:
    """Process every unprocessed tick and untick of a run; resolve the due dates now known.

    Refused (ProcessProblems) when the run's checklist has mistakes. Processing the result again
    changes nothing and yields no effect.
    """
    run = parse_checklist(body, subject_kind=subject_kind, path=path, first_line=first_line)
    require_ok(run)
    edit = _Edit(list(run.lines))
    ticked = [s for s in run.steps if s.ticked and s.done is None]
    _require_subject(ticked, subject, path)
    unticked = [s for s in run.steps if not s.ticked and s.done is not None]
    for step in ticked:
        _process_tick(edit, step, run, today, run_id, subject, calendar)
    for step in unticked:
        _process_untick(edit, step, run, subject)
    edit.messages[:0] = _early_warnings(ticked, run, today, facts, subject)
    resolved = _resolve_due(edit, run, ticked, unticked, started, today, calendar)
    return TickResult(
        "".join(edit.lines), tuple(edit.effects), tuple(edit.messages), tuple(ticked), tuple(unticked), resolved
    )


def _require_subject(ticked: list[Step], subject: Ref | None, path: str) -> None:
    """Refuse, before changing anything, ticks whose actions need a subject the run lacks."""
    if subject is not None:
        return
    problems = tuple(
        Problem(path, step.line, f'do:: "{action}": this run has no subject, so there is nothing to change')
        for step in ticked
        if step.applied is None
        for action in step.actions
        if action.needs_subject
    )
    if problems:
        raise ProcessProblems(problems)


def _process_tick(
    edit: _Edit, step: Step, run: Checklist, today: date, run_id: str, subject: Ref | None, calendar: BusinessCalendar
) -> None:
    if step.applied is not None:
        if step.actions:
            edit.messages.append(
                f'"{step.text}": its actions were applied on {step.applied.isoformat()}; not applied again'
            )
    else:
        for number, action in enumerate(step.actions, 1):
            key = f"{run_id}/{step.id}/{number}"
            effect = to_effect(action, key=key, step=step.id, subject=subject, today=today, calendar=calendar)
            edit.effects.append(effect)
    edit.change(step, lambda t: set_field(remove_field(t, "applied"), "done", today.isoformat()))


def _process_untick(edit: _Edit, step: Step, run: Checklist, subject: Ref | None) -> None:
    applied = step.applied or step.done
    keep_applied = bool(step.actions) and applied is not None

    def untick_line(text: str) -> str:
        text = remove_field(text, "done")
        return set_field(text, "applied", applied.isoformat()) if keep_applied and applied else text

    edit.change(step, untick_line)
    edit.messages += [f'unticked "{step.text}": {cannot_undo(a, subject)}' for a in step.actions]
    later = [s.id for s in run.steps if step.id in s.after and s.ticked]
    if later:
        edit.messages.append(f'unticked "{step.text}": {", ".join(later)} came after it and stay done')


def _early_warnings(
    ticked: list[Step], run: Checklist, today: date, facts: Facts | None, subject: Ref | None
) -> list[str]:
    """Ticking a step that still waited is allowed; the commit says so."""
    finished = set(done_dates(run)) | {s.id for s in ticked}
    messages = []
    for step in ticked:
        before = [ref for ref in step.after if ref not in finished]
        if before:
            messages.append(f'"{step.text}" was ticked before {", ".join(before)} was done')
        unmet = [c.text for c in step.when if not evaluate_condition(c, facts, subject, today).holds]
        if unmet and facts is not None:
            messages.append(f'"{step.text}" was ticked while waiting for {"; ".join(unmet)}')
    return messages


def _resolve_due(
    edit: _Edit, run: Checklist, ticked: list[Step], unticked: list[Step], started: date | None, today: date,
    calendar: BusinessCalendar,
) -> tuple[tuple[str, date], ...]:
    gone = {s.id for s in unticked}
    done = {s.id: s.done for s in run.steps if s.done is not None and s.id not in gone}
    done.update({s.id: today for s in ticked})
    resolved = []
    for step in run.steps:
        if step.due is None or step.due.fixed is not None:
            continue
        day = step.due.resolve(started, done, calendar)
        if day is not None:
            edit.change(step, partial(set_field, key="due", value=day.isoformat()))
            resolved.append((step.id, day))
    return tuple(resolved)
