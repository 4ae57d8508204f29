"""The runs' part of the agenda: which steps are overdue, due, waiting (and on what) or ready.

Pure: it takes each run's step views (from `run_engine.evaluate`) and the day, and sorts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from obm_tui.model.run_engine import BLOCKED, DONE, WAITING, StepView

CLOSED = ("done", "cancelled")


@dataclass(frozen=True, slots=True)
class RunSnapshot:
    """One run as the agenda needs it."""

    run_id: str
    title: str
    status: str
    views: tuple[StepView, ...]
    subject: str = ""  # the subject's id, when the run has one


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One step on the agenda."""

    run_id: str
    run_title: str
    step_id: str
    text: str
    line: int
    due: date | None
    state: str  # ready, blocked or waiting
    waiting_on: tuple[str, ...]  # step ids and conditions, as written
    role: str = ""
    subject: str = ""

    @property
    def waiting_text(self) -> str:
        """`send, invoice.status = paid` — what the step waits on, for a column."""
        return ", ".join(self.waiting_on)


@dataclass(frozen=True, slots=True)
class Agenda:
    """The four lists; each step of an open run is in exactly one of them."""

    overdue: tuple[AgendaItem, ...] = ()
    due: tuple[AgendaItem, ...] = ()
    waiting: tuple[AgendaItem, ...] = ()
    ready: tuple[AgendaItem, ...] = ()


def build_agenda(runs: Iterable[RunSnapshot], today: date, *, horizon_days: int = 0) -> Agenda:
    """Overdue: ready and due before today. Due: ready and due from today to `horizon_days` later.
    Waiting: on a step or a condition, whatever its date. Ready: nothing in the way, due later or
    never. Done and cancelled runs are left out."""
    buckets: dict[str, list[AgendaItem]] = {"overdue": [], "due": [], "waiting": [], "ready": []}
    last_day = today + timedelta(days=horizon_days)
    for run in runs:
        if run.status in CLOSED:
            continue
        for view in run.views:
            if view.state != DONE:
                buckets[_bucket(view, today, last_day)].append(_item(run, view))
    ordered = {name: tuple(sorted(items, key=_order)) for name, items in buckets.items()}
    return Agenda(**ordered)


def _bucket(view: StepView, today: date, last_day: date) -> str:
    """A step that waits (on a step or a condition) is "waiting" even when its date has passed:
    nobody can act on it now, so it is not counted as overdue or due (its date is still shown)."""
    if view.state in (BLOCKED, WAITING):
        return "waiting"
    if view.due is not None and view.due < today:
        return "overdue"
    if view.due is not None and view.due <= last_day:
        return "due"
    return "ready"


def _item(run: RunSnapshot, view: StepView) -> AgendaItem:
    step = view.step
    return AgendaItem(
        run_id=run.run_id,
        run_title=run.title,
        step_id=step.id,
        text=step.text,
        line=step.line,
        due=view.due,
        state=view.state,
        waiting_on=(*view.waiting_on_steps, *view.waiting_on),
        role=step.role,
        subject=run.subject,
    )


def _order(item: AgendaItem) -> tuple[date, str, int]:
    return (item.due or date.max, item.run_id, item.line)
