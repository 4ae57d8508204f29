"""Processes and runs: the written processes with how often each ran and how long a run takes on
average; the runs with their progress, the next due date (overdue ones stand out) and the next
step (or what it waits on). `r` starts a run of a process; enter on a run opens its checklist.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from obm_tui.model.records import Record
from obm_tui.services.run_views import RunView
from obm_tui.tui import run_flows
from obm_tui.tui.actions import bindings
from obm_tui.tui.screens.run import when_text
from obm_tui.tui.screens.worklist import ExtraColumn, Extras, WorkListScreen
from obm_tui.tui.widgets.virtual_table import VirtualTable

PROCESS_COLUMNS = (ExtraColumn("runs", "RUNS", right=True), ExtraColumn("open", "OPEN", right=True),
                   ExtraColumn("average", "AVG TIME", right=True), ExtraColumn("last", "LAST RUN"))
RUN_COLUMNS = (ExtraColumn("title", "RUN", flex=True), ExtraColumn("progress", "DONE", right=True),
               ExtraColumn("due", "NEXT DUE"), ExtraColumn("next", "NEXT STEP", flex=True))
RUN_HIDDEN = ("id", "process", "subject", "assignee")


def process_extras(screen: ProcessesScreen) -> Extras:
    """Runs, open runs, mean time and last start of every process (from the index)."""
    from obm_tui.services.process_stats import process_stats, stats_for

    table = process_stats(screen.vault)
    cells, keys = {}, {}
    for process in screen.vault.records("process", archived=True):
        s = stats_for(table, process)
        last = s.last_started.isoformat() if s.last_started else ""
        cells[process.path] = (str(s.runs), str(s.open), s.average_text, last)
        keys[process.path] = (s.runs, s.open, s.average_days, s.last_started)
    return Extras(PROCESS_COLUMNS, "title", cells=cells, keys=keys)


def next_step(view: RunView) -> str:
    """The step to do next: an overdue or ready one, else what the run waits on."""
    todo = [v for v in view.views if v.state != "done"]
    ready = [v for v in todo if v.state == "ready"]
    if ready:
        first = min(ready, key=lambda v: (not v.overdue, v.due or date.max))
        return first.step.text
    waiting = [v for v in todo if v.state == "waiting"]
    if waiting:
        return f"waiting: {waiting[0].step.text} (on {'; '.join(waiting[0].waiting_on)})"
    return ""


def run_cells(view: RunView, today: date) -> tuple[tuple[str, ...], str, tuple[object, ...]]:
    """A run's cells, row style and sort keys."""
    todo = [v for v in view.views if v.state != "done" and v.due is not None]
    first = min(todo, key=lambda v: v.due or date.max) if todo else None
    due = f"{first.due.isoformat()} ({when_text(first, today)})" if first is not None and first.due else ""
    overdue = first is not None and first.overdue
    style = "overdue" if overdue else "due" if first is not None and first.due == today else ""
    progress = view.status.progress
    fraction = view.status.done / view.status.total if view.status.total else 1.0
    title = view.record.title
    return ((title, progress, due, next_step(view)), style,
            (title.casefold(), fraction, (0, first.due) if first and first.due else (1, date.max), next_step(view)))


def run_extras(screen: ProcessesScreen) -> Extras:
    """Progress, next due date and next step of every open run (each one's file is read)."""
    from obm_tui.model.errors import ObmError
    from obm_tui.services.facts import VaultFacts
    from obm_tui.services.run_views import open_runs, run_view

    vault, today = screen.vault, screen.obm.now().date()
    facts = VaultFacts(vault)
    cells: dict[str, tuple[str, ...]] = {}
    styles, keys = {}, {}
    for run in vault.records("run", archived=True):  # closed runs: their title and finishing day
        finished = run.text("finished")
        cells[run.path] = (run.title, "", "", f"finished {finished}" if finished else "")
        keys[run.path] = (run.title.casefold(), 1.0 if finished else None, (2, date.max), None)
    for run in open_runs(vault):
        try:
            view = run_view(vault, run, today, facts)
        except ObmError as exc:
            cells[run.path] = (run.title, "?", "", f"cannot be read: {exc.message}")
            styles[run.path] = "problem"
            continue
        cells[run.path], styles[run.path], keys[run.path] = run_cells(view, today)
    return Extras(RUN_COLUMNS, "", hide=RUN_HIDDEN, cells=cells, styles=styles, keys=keys)


class ProcessesScreen(WorkListScreen):
    """Processes (with their numbers) and runs (with their progress); `t` switches."""

    BINDINGS = bindings("processes")
    DEFAULT_SORT: ClassVar[dict[str, tuple[str, bool]]] = {"process": ("id", False), "run": ("due", False)}

    def extras_layout(self, kind: str) -> Extras:
        return Extras(PROCESS_COLUMNS, "title") if kind == "process" else Extras(RUN_COLUMNS, "", hide=RUN_HIDDEN)

    def compute_extras(self, kind: str) -> Extras:
        return process_extras(self) if kind == "process" else run_extras(self)

    def refresh_data(self, paths: set[str] | None) -> None:
        super().refresh_data(paths)
        if paths is not None and self.kind.name == "run" and not any(p.startswith("runs/") for p in paths):
            self.recompute()  # a paid invoice or a signed contract changes what runs wait on

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        record = self.vault.index.by_path(event.key)
        if record is not None and record.kind == "run" and record.readable:
            event.prevent_default()  # the checklist, not the record's fields
            run_flows.open_run(self.obm, record.path)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "start_run":
            return self.kind.name == "process"
        return super().check_action(action, parameters)

    def action_start_run(self) -> None:
        record: Record | None = self.current
        if record is not None and record.kind == "process":
            run_flows.start_run_of(self.obm, record)
