"""User flows shared by several screens and the palette: new, editor, archive/delete, save a field.

Each flow asks what it needs in a dialog, runs the service in a worker and reports back; the
domain rules stay in the services.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obm_tui.model.records import Record
from obm_tui.services import records as svc
from obm_tui.tui.tasks import run_blocking
from obm_tui.vault.refresh import reload_paths
from obm_tui.vault.store import FieldConflictError, SaveResult

if TYPE_CHECKING:
    from obm_tui.tui.app import ObmApp

LINE_EDITORS = {"vi", "vim", "nvim", "nano", "emacs", "micro", "hx", "kak", "joe", "mg", "ne"}


def new_record(app: ObmApp, kind: str) -> None:
    """Ask for a title (and optional fields), create the record from its template, open it."""
    from obm_tui.tui.dialogs.new_record import NewRecordDialog

    def create(answer: tuple[str, dict[str, str]] | None) -> None:
        if answer is None:
            return
        title, pairs = answer
        taken = svc.same_name(app.vault, kind, title)
        if taken is not None and taken.data.get("archived") is True:
            _restore_or_new(app, taken, lambda: make(title, pairs, taken))
        else:
            make(title, pairs, taken)

    def make(title: str, pairs: dict[str, str], taken: Record | None) -> None:
        run_blocking(app, lambda: svc.new_record(app.vault, kind, title, pairs, when=app.now()),
                     done=lambda result: _created(app, result, taken), label=f"Creating the {kind}")

    app.push_screen(NewRecordDialog(kind), create)


def _restore_or_new(app: ObmApp, taken: Record, make: Callable[[], None]) -> None:
    """The name is an archived record's: bring that one back, or make a second one knowingly."""
    from obm_tui.tui.dialogs.choice import ChoiceDialog

    def chosen(answer: str | None) -> None:
        if answer == "new":
            make()
        elif answer == "restore":
            run_blocking(app, lambda: svc.archive_record(app.vault, taken.path, archived=False),
                         done=lambda result: _restored(app, result), label=f"Restoring {taken.id}")

    app.push_screen(ChoiceDialog(f"{taken.title} is an archived {taken.kind} ({taken.id})", [
        ("restore", f"Bring back {taken.title} ({taken.id})"),
        ("new", f"Make a new {taken.kind} with this name (another id)"),
    ], initial="restore"), chosen)


def _restored(app: ObmApp, result: SaveResult) -> None:
    app.note_changes([result.record.path])
    app.notify(f"{result.record.kind} {result.record.id} restored", title="Restored", markup=False)
    _pending_note(app, result)
    app.open(result.record.path)


def _created(app: ObmApp, result: SaveResult, taken: Record | None = None) -> None:
    app.note_changes([result.record.path])
    note = f": {svc.name_note(taken, result.record)}" if taken is not None else ""
    app.notify(f"{result.record.kind} {result.record.id} created{note}", title="Created", markup=False,
               timeout=12 if note else 4)
    _pending_note(app, result)
    app.open(result.record.path)


def _pending_note(app: ObmApp, result: SaveResult) -> None:
    if result.pending:
        app.notify("Git is busy (index.lock). The change is saved on disk and will be committed later.",
                   title="Commit delayed", severity="warning", markup=False)
    app.refresh_status()


def settle_kept(app: ObmApp, path: str, *, take: bool, done: Callable[[], Any] | None = None) -> None:
    """Discard a version kept by a conflict, or take it instead of its record: one commit."""
    from obm_tui.services import conflicts

    def finished(_sha: str | None) -> None:
        app.note_changes([path, conflicts.record_of_kept(path)])
        app.refresh_status()
        app.notify(f"{path} {'taken' if take else 'discarded'}", title="Conflict resolved", markup=False)
        if done is not None:
            done()

    run_blocking(app, lambda: (conflicts.take if take else conflicts.discard)(app.vault, path), done=finished,
                 label="Resolving the conflict")


def editor_command(app: ObmApp, path: Path, line: int = 0) -> list[str]:
    """The user's editor (settings, $VISUAL, $EDITOR, vi), at `line` when it understands `+N`."""
    chosen = app.settings.editor or os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    command = shlex.split(chosen)
    if line > 0 and Path(command[0]).name in LINE_EDITORS:
        command.append(f"+{line}")
    return [*command, str(path)]


def edit_in_editor(app: ObmApp, rel: str, line: int = 0) -> None:
    """Suspend the app, run the editor on the file, then reload it and commit the edit."""
    from textual.app import SuspendNotSupported

    command = editor_command(app, app.vault.root / rel, line)
    try:
        try:
            with app.suspend():
                subprocess.run(command, check=False)
        except SuspendNotSupported:  # headless (tests): run it without a terminal
            subprocess.run(command, check=False, stdin=subprocess.DEVNULL, capture_output=True)
    except OSError as exc:
        app.notify(f"Could not run {command[0]!r}: {exc.strerror}. Set $EDITOR or `editor` in your config.",
                   title="No editor", severity="error", markup=False)
        return
    app.refresh()
    run_blocking(app, lambda: _after_edit(app, rel), done=lambda changed: app.note_changes(changed),
                 label="Reading your edit")


def _after_edit(app: ObmApp, rel: str) -> list[str]:
    """Reload the edited file and commit it (unless the watcher already did, while obm was suspended)."""
    vault = app.vault
    with vault.write_lock:  # the watcher must not commit the same edit meanwhile
        changed = list(reload_paths(vault, [rel]).changed)
        record = vault.index.by_path(rel)
        what = f"{record.kind} {record.id}" if record is not None else rel
        vault.git.commit([rel], f"{what}: edited in the editor", author=vault.config.author)
    app.call_from_thread(app.refresh_status)
    return changed or [rel]


def archive_or_delete(app: ObmApp, record: Record, after: Callable[[str], Any] | None = None) -> None:
    """Confirm, then archive (kept, hidden) or delete (git keeps its history)."""
    from obm_tui.tui.dialogs.delete import DeleteDialog

    def chosen(answer: str | None) -> None:
        if answer == "archive":
            restore = record.data.get("archived") is True
            run_blocking(app, lambda: svc.archive_record(app.vault, record.path, archived=not restore),
                         done=lambda r: _done(app, record, "restored" if restore else "archived", after),
                         label="Archiving")
        elif answer == "delete":
            run_blocking(app, lambda: svc.delete_record(app.vault, record.path),
                         done=lambda sha: _done(app, record, "deleted", after), label="Deleting")

    app.push_screen(DeleteDialog(record), chosen)


def _done(app: ObmApp, record: Record, verb: str, after: Callable[[str], Any] | None) -> None:
    app.note_changes([record.path])
    app.refresh_status()
    app.notify(f"{record.kind} {record.id} {verb}", title=verb.capitalize(), markup=False)
    if after is not None:
        after(verb)


def save_field(app: ObmApp, base: Record, name: str, text: str, *, saved: Callable[[SaveResult], Any],
               conflict: Callable[[FieldConflictError], Any], failed: Callable[[Exception], Any],
               resolves: str = "") -> str:
    """Check `name = text` against the schema (returns the reason when it does not fit), then save.
    `resolves`: the version a conflict kept aside, removed in the same commit (it is settled)."""
    from obm_tui.model.errors import ValidationError

    try:
        changes = svc.parse_assignments(base.schema, {name: text})
    except ValidationError as exc:
        return exc.message

    def on_error(exc: Exception) -> bool:
        if isinstance(exc, FieldConflictError):
            conflict(exc)
            return True
        failed(exc)
        return False

    def on_saved(result: SaveResult) -> None:
        app.note_changes([result.record.path])
        _pending_note(app, result)
        saved(result)

    def work() -> SaveResult:
        try:
            return svc.update(app.vault, base, changes, resolves=resolves)
        except FieldConflictError:
            reload_paths(app.vault, [base.path])  # the dialog then compares with the file as it is now
            raise

    run_blocking(app, work, done=on_saved, failed=on_error, label=f"Saving {name}")
    return ""
