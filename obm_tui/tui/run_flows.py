"""Flows of processes and runs: start a run (from a process, or from the record it is about), tick
a step, draft a step's email. Each asks what it needs, runs the service (services.runs) in a
worker and tells what happened; the engine's rules stay in the services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from obm_tui.model.display import clean
from obm_tui.model.records import Record
from obm_tui.tui.tasks import run_blocking

if TYPE_CHECKING:
    from obm_tui.services.runs import RunOutcome, Started
    from obm_tui.tui.app import ObmApp


def open_run(app: ObmApp, path: str) -> None:
    """The run view (its checklist, worked from the keyboard)."""
    from obm_tui.tui.screens.run import RunScreen

    if app.vault.index.by_path(path) is None:
        app.notify(f"{path} is not in the vault (any more).", title="Not found", severity="warning", markup=False)
        return
    app.push_screen(RunScreen(path))


def subject_kind(process: Record) -> str:
    """The kind of record a process is about ("none" for a process about nothing)."""
    return str(process.value("subject") or "none")


def start_run_of(app: ObmApp, process: Record) -> None:
    """Start a run of `process`; first choose its subject (fuzzy) when it is about a record."""
    from obm_tui.tui.dialogs.pick_record import PickRecordDialog

    kind = subject_kind(process)
    if kind == "none":
        _start(app, process.id, None)
        return
    records = [r for r in app.vault.records(kind) if r.readable]
    if not records:
        app.notify(f"{process.title} is about a {kind}, and there is none yet.", title="Nothing to start it for",
                   severity="warning", markup=False)
        return
    app.push_screen(PickRecordDialog(f"Start {process.title} for which {kind}?", records),
                    lambda path: path and _start(app, process.id, path))


def processes_about(app: ObmApp, kind: str) -> list[Record]:
    """The readable processes whose runs are about a record of `kind`, by title."""
    found = [p for p in app.vault.records("process") if p.readable and subject_kind(p) == kind]
    return sorted(found, key=lambda p: p.title.casefold())


def start_for_subject(app: ObmApp, subject: Record) -> None:
    """From a record's view: choose a process about its kind, start a run of it for the record."""
    from obm_tui.tui.dialogs.choice import ChoiceDialog

    processes = processes_about(app, subject.kind)
    if not processes:
        app.notify(f"No process is about a {subject.kind} (subject: {subject.kind} in a process).",
                   title="No process", severity="warning", markup=False)
        return
    options = [(p.id, f"{p.title}  ({p.id})") for p in processes]
    app.push_screen(ChoiceDialog(f"Start which process for {subject.title}?", options),
                    lambda process_id: process_id and _start(app, process_id, subject.path))


def open_run_of(app: ObmApp, process_id: str, subject_path: str | None) -> Record | None:
    """An open run of the process about the record (or about nothing), if there is one."""
    from obm_tui.services.run_files import OPEN, runs_of

    subject = app.vault.index.by_path(subject_path) if subject_path else None
    runs = runs_of(app.vault, process_id, subject.id if subject is not None else None)
    if subject is None:
        runs = [r for r in runs if not r.text("subject")]
    return next((r for r in reversed(runs) if str(r.data.get("status") or "active") in OPEN), None)


def _start(app: ObmApp, process_id: str, subject_path: str | None) -> None:
    """Start the run, unless one is open already for the same record: then that one opens."""
    from obm_tui.services.runs import start_run

    def work() -> Started | Record:
        found = open_run_of(app, process_id, subject_path)
        return found if found is not None else start_run(app.vault, process_id, subject_path, app.now().date())

    run_blocking(app, work, done=lambda result: _started(app, result), label="Starting the run")


def _started(app: ObmApp, result: Started | Record) -> None:
    if isinstance(result, Record):
        app.notify(clean(f"{result.title} is still open (started {result.text('started')}): here it is. "
                         "Cancel it (status: cancelled) to start another."), title="Already running", markup=False)
        open_run(app, result.path)
        return
    app.note_changes([result.record.path])
    app.refresh_status()
    title = "Run started" if result.created else "Already started today"
    app.notify(clean(result.message), title=title, markup=False)
    open_run(app, result.record.path)


def tick(app: ObmApp, run: Record, step_id: str, ticked: bool) -> None:
    """Tick (or untick) a step; the engine applies its actions; the message says what happened."""
    from obm_tui.services.runs import tick as tick_step

    run_blocking(app, lambda: tick_step(app.vault, run.path, step_id, ticked=ticked, now=app.now()),
                 done=lambda outcome: told(app, run, outcome), label="Ticking the step" if ticked else "Unticking")


def told(app: ObmApp, run: Record, outcome: RunOutcome) -> None:
    """Tell what processing a run did: its commit message, or why it was not processed."""
    app.note_changes([run.path, *outcome.paths])
    app.refresh_status()
    if outcome.error:
        app.notify(clean(outcome.error, keep_newlines=True), title=f"Run {run.id} not processed", severity="error",
                   markup=False, timeout=10)
        return
    warned = "\n- " in outcome.message  # the engine's warnings and what unticking could not undo
    app.notify(clean(outcome.message, keep_newlines=True), title="Run", severity="warning" if warned else "information",
               markup=False, timeout=10 if warned else 5)
    if outcome.pending:
        app.notify("Git is busy (index.lock). The change is saved on disk and will be committed later.",
                   title="Commit delayed", severity="warning", markup=False)


def draft(app: ObmApp, run: Record, step_id: str) -> None:
    """The step's email, filled in with the run's subject, in a dialog (never sent)."""
    from obm_tui.services.runs import draft_for_step
    from obm_tui.tui.dialogs.draft import DraftDialog

    run_blocking(app, lambda: draft_for_step(app.vault, run.path, step_id, app.now().date()),
                 done=lambda d: app.push_screen(DraftDialog(d, f"{run.id}-{step_id}")), label="Filling in the email")
