"""Reading a process's (or a run's) checklist: steps, their attributes, and the mistakes in them.

A step is a task item at the start of a line (`- [ ] text [id:: x] [after:: y] ...`). Every
other line is the user's and is kept as it is. The same reader serves a process file and a run's
copy of it; a run's lines also carry the state the engine wrote (`done::`, `applied::`, dates).
The syntax is the public contract of docs/processes.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from obm_tui.model.actions import Action, ActionError, parse_action, split_actions
from obm_tui.model.conditions import Condition, ConditionError, parse_condition
from obm_tui.model.durations import DueRule, DurationError, parse_due
from obm_tui.model.errors import ObmError, Problem
from obm_tui.model.ids import slug_words
from obm_tui.model.inline_fields import (
    find_fields,
    is_ticked,
    split_ending,
    strip_fields,
    task_box,
    task_text,
)
from obm_tui.model.recurrence import RecurrenceError, check_rule

SUBJECT_KINDS = ("none", "client", "ticket", "product", "decline", "invoice", "purchase-order")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_SINGLE = ("id", "due", "done", "applied", "role", "email")
_ALIASES = {"dependson": "after", "assignee": "role"}
_MAX_SLUG = 48


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a checklist. `line` is 1-based in the file; `index` is 0-based in the body."""

    id: str
    text: str
    line: int
    index: int
    box: str = " "
    id_written: bool = True
    after: tuple[str, ...] = ()
    when: tuple[Condition, ...] = ()
    tick_when: tuple[Condition, ...] = ()  # obm ticks the step itself once any of these holds
    due: DueRule | None = None
    actions: tuple[Action, ...] = ()
    role: str = ""
    email: str = ""
    done: date | None = None  # run state: the app processed a tick on this day
    applied: date | None = None  # run state: actions applied, then unticked

    @property
    def ticked(self) -> bool:
        return is_ticked(self.box)


@dataclass(frozen=True)
class Checklist:
    """The steps of a body, in order, and the problems found reading them."""

    lines: tuple[str, ...]  # the body's lines, each with its line ending
    steps: tuple[Step, ...]
    problems: tuple[Problem, ...] = ()

    def step(self, step_id: str) -> Step | None:
        """The step with this id, or None."""
        return next((s for s in self.steps if s.id == step_id), None)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ProcessDef:
    """A process file: its front matter's meaning and its checklist."""

    id: str
    title: str
    subject: str  # a kind name, or "none"
    checklist: Checklist
    recurrence: str = ""
    owner: str = ""
    problems: tuple[Problem, ...] = field(default=())
    stop: StopRule | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


STOP_AS = ("done", "cancelled")


@dataclass(frozen=True)
class StopRule:
    """`stop_when:` in a process's front matter: a run ends (as `stop_as`) once any condition holds
    about its subject, whichever steps are left."""

    conditions: tuple[Condition, ...]
    stop_as: str = "done"


def parse_stop(meta: Mapping[str, Any], subject: str | None) -> tuple[StopRule | None, list[str]]:
    """The process's stop rule (None without `stop_when`) and the reasons it cannot be read."""
    raw = meta.get("stop_when")
    stop_as = str(meta.get("stop_as") or "done").strip()
    reasons = [] if stop_as in STOP_AS else [f'stop_as: "{stop_as}" is not one of {", ".join(STOP_AS)}']
    if raw is None or raw == "" or raw == []:
        return None, reasons
    if subject == "none":
        return None, [*reasons, "stop_when: this process has no subject (subject: none), "
                                "so there is nothing to ask about"]
    texts = raw if isinstance(raw, list) else [raw]
    conditions = []
    for text in texts:
        try:
            conditions.append(parse_condition(str(text)))
        except ConditionError as exc:
            reasons.append(f"stop_when: {exc}")
    rule = StopRule(tuple(conditions), stop_as if stop_as in STOP_AS else "done")
    return (rule if conditions and not reasons else None), reasons


class ProcessProblems(ObmError):
    """A process or run that cannot be run as written; the message lists every problem."""

    title = "Process has mistakes"

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def parse_process(body: str, meta: Mapping[str, Any], *, path: str = "", first_line: int = 1) -> ProcessDef:
    """A process from its body and front matter; `first_line` is the body's line in the file."""
    subject = str(meta.get("subject") or "none").strip()
    problems: list[Problem] = []
    if subject not in SUBJECT_KINDS:
        problems.append(Problem(path, 0, f'subject: "{subject}" is not one of {", ".join(SUBJECT_KINDS)}'))
    recurrence = str(meta.get("recurrence") or "").strip()
    if recurrence:
        try:
            check_rule(recurrence)
        except RecurrenceError as exc:
            problems.append(Problem(path, 0, f"recurrence: {exc}"))
    kind = subject if subject in SUBJECT_KINDS else None
    stop, reasons = parse_stop(meta, kind)
    problems += [Problem(path, 0, reason) for reason in reasons]
    checklist = parse_checklist(body, subject_kind=kind, path=path, first_line=first_line)
    if not checklist.steps:
        problems.append(Problem(path, 0, 'no steps: a process needs at least one task item "- [ ] ..."'))
    return ProcessDef(
        id=str(meta.get("id") or ""),
        title=str(meta.get("title") or meta.get("id") or ""),
        subject=subject,
        checklist=checklist,
        recurrence=recurrence,
        owner=str(meta.get("owner") or ""),
        problems=(*problems, *checklist.problems),
        stop=stop,
    )


def parse_checklist(
    body: str, *, subject_kind: str | None = None, path: str = "", first_line: int = 1
) -> Checklist:
    """The steps of a body. `subject_kind` "none" forbids conditions and subject actions;
    None skips the checks that need to know the subject."""
    lines = tuple(body.splitlines(keepends=True))
    problems: list[Problem] = []
    raw = [
        _read_step(index, text, subject_kind, Problems(problems, path, first_line + index))
        for index, text in _step_lines(lines)
    ]
    steps = _assign_ids(raw, [first_line + s.index for s in raw])
    problems += _check_ids(steps, path)
    problems += _check_references(steps, path)
    problems += _check_cycles(steps, path)
    problems.sort(key=lambda p: p.line)
    return Checklist(lines, tuple(steps), tuple(problems))


def _step_lines(lines: tuple[str, ...]) -> list[tuple[int, str]]:
    found, fence = [], ""
    for index, line in enumerate(lines):
        text, _ = split_ending(line)
        match = _FENCE_RE.match(text)
        if match and (not fence or match.group(1).startswith(fence)):
            fence = "" if fence else match.group(1)[0] * 3
        elif not fence and task_box(text) is not None:
            found.append((index, text))
    return found


@dataclass
class Problems:
    """Collects problems for one line."""

    sink: list[Problem]
    path: str
    line: int

    def add(self, reason: str) -> None:
        self.sink.append(Problem(self.path, self.line, reason))


def _read_step(index: int, text: str, subject_kind: str | None, problems: Problems) -> Step:
    values: dict[str, list[str]] = {}
    for found in find_fields(text):
        key = _ALIASES.get(found.key, found.key)
        values.setdefault(key, []).append(found.value)
    for key in _SINGLE:
        if len(values.get(key, [])) > 1:
            problems.add(f"two {key}:: fields on one step")
    first = {key: items[0] for key, items in values.items()}
    step_id = first.get("id", "")
    if step_id and not ID_RE.match(step_id):
        problems.add(f'id:: "{step_id}": use lowercase letters, digits and -')
    return Step(
        id=step_id,
        text=strip_fields(task_text(text)),
        line=problems.line,
        index=index,
        box=task_box(text) or " ",
        id_written=bool(step_id),
        after=tuple(_after(values.get("after", []))),
        when=tuple(_conditions(values.get("when", []), subject_kind, problems)),
        tick_when=tuple(_conditions(values.get("tick_when", []), subject_kind, problems, "tick_when")),
        due=_due(first.get("due"), problems),
        actions=tuple(_actions(values.get("do", []), subject_kind, problems)),
        role=first.get("role", ""),
        email=first.get("email", ""),
        done=_state_date("done", first.get("done"), problems),
        applied=_state_date("applied", first.get("applied"), problems),
    )


def _after(values: list[str]) -> list[str]:
    ids: list[str] = []
    for value in values:
        for part in re.split(r"[,\s]+", value):
            part = part.strip().strip("[]")
            if part and part not in ids:
                ids.append(part)
    return ids


def _conditions(values: list[str], subject_kind: str | None, problems: Problems,
                key: str = "when") -> list[Condition]:
    found = []
    for value in values:
        if subject_kind == "none":
            problems.add(f"{key}:: this process has no subject (subject: none), so there is nothing to ask about")
            continue
        try:
            found.append(parse_condition(value))
        except ConditionError as exc:
            problems.add(f"{key}:: {exc}")
    return found


def _due(value: str | None, problems: Problems) -> DueRule | None:
    if value is None:
        return None
    try:
        return parse_due(value)
    except DurationError as exc:
        problems.add(f"due:: {exc}")
        return None


def _actions(values: list[str], subject_kind: str | None, problems: Problems) -> list[Action]:
    found = []
    for value in values:
        for part in split_actions(value):
            try:
                found.append(parse_action(part, subject_kind))
            except ActionError as exc:
                problems.add(f"do:: {exc}")
    return found


def _state_date(key: str, value: str | None, problems: Problems) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.add(f'{key}:: "{value}" is not a date like 2026-11-20')
        return None


def _assign_ids(steps: list[Step], lines: list[int]) -> list[Step]:
    taken = {s.id for s in steps if s.id}
    out = []
    for position, step in enumerate(steps, 1):
        if step.id:
            out.append(step)
            continue
        base = slug_words(step.text, _MAX_SLUG) or f"step-{position}"  # the vault's one slug (model/ids.py)
        new_id, n = base, 2
        while new_id in taken:
            new_id, n = f"{base}-{n}", n + 1
        taken.add(new_id)
        out.append(replace(step, id=new_id, id_written=False))
    return out


def _check_ids(steps: list[Step], path: str) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for step in steps:
        if step.id_written and step.id in seen:
            problems.append(Problem(path, step.line, f'step id "{step.id}" is already used on line {seen[step.id]}'))
        seen.setdefault(step.id, step.line)
    return problems


def _check_references(steps: list[Step], path: str) -> list[Problem]:
    ids = {s.id for s in steps}
    problems = []
    for step in steps:
        for ref in step.after:
            if ref not in ids:
                problems.append(Problem(path, step.line, f'after:: "{ref}" is not a step of this process'))
        after = step.due.after if step.due else None
        if after is not None and after not in ids:
            problems.append(Problem(path, step.line, f'due:: "{after}" is not a step of this process'))
        elif after == step.id:
            problems.append(Problem(path, step.line, "due:: counts from the step itself, so it is never known"))
    return problems


def _check_cycles(steps: list[Step], path: str) -> list[Problem]:
    """Depth-first search without recursion (a long chain of steps must not overflow the stack)."""
    by_id = {s.id: s for s in steps}
    finished: set[str] = set()
    problems: list[Problem] = []
    for root in steps:
        if root.id in finished:
            continue
        trail, pending = [root.id], [iter(root.after)]
        while pending:
            ref = next(pending[-1], None)
            if ref is None:
                finished.add(trail.pop())
                pending.pop()
            elif ref in trail:
                circle = " → ".join([*trail[trail.index(ref) :], ref])
                problems.append(Problem(path, by_id[ref].line, f"steps wait for each other in a circle: {circle}"))
            elif ref in by_id and ref not in finished:
                trail.append(ref)
                pending.append(iter(by_id[ref].after))
    return problems
