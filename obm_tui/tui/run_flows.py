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


def _start(app: ObmApp, process_id: str, subject_path: str | None) -> None:
    from obm_tui.services.runs import start_run

    run_blocking(app, lambda: start_run(app.vault, process_id, subject_path, app.now().date()),
                 done=lambda started: _started(app, started), label="Starting the run")


def _started(app: ObmApp, started: Started) -> None:
    app.note_changes([started.record.path])
    app.refresh_status()
    title = "Run started" if started.created else "Already started today"
    app.notify(clean(started.message), title=title, markup=False)
    open_run(app, started.record.path)


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
