"""The Textual app. Kept small: screens live in screens/, dialogs in dialogs/, widgets in widgets/,
flows shared by screens in flows.py, every key in actions.py, styles in obm.tcss."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.signal import Signal
from textual.worker import Worker, get_current_worker

from obm_tui.model.month_close import CLOSED_MONTH_NOTE
from obm_tui.model.records import Record
from obm_tui.tui import flows
from obm_tui.tui.actions import bindings
from obm_tui.tui.automation import Automation
from obm_tui.tui.clock import Clock, vault_clock
from obm_tui.tui.messages import StatusChanged, VaultChanged
from obm_tui.tui.palette import ActionsProvider, RecordsProvider
from obm_tui.tui.settings import Settings, load_settings, save_theme
from obm_tui.tui.tasks import show_error
from obm_tui.tui.widgets.status_bar import StatusInfo
from obm_tui.vault.store import Vault

BUSY_AFTER = 0.2  # seconds before work in progress shows a spinner
RETRY_PENDING = 5.0  # seconds between retries of commits that git was too busy to make

LISTS: dict[str, tuple[tuple[str, ...], str]] = {
    "clients": (("client",), "Clients"),
    "processes": (("process", "run"), "Processes & runs"),
    "tickets": (("ticket",), "Tickets"),
    "stock": (("product", "purchase-order"), "Stock"),
    "declines": (("decline",), "Declined payments"),
    "invoices": (("invoice",), "Invoices"),
    "payments": (("payment",), "Payments (unmatched)"),
}


def _screen(name: str) -> Any:
    from obm_tui.tui.screens.finance import FinanceScreen
    from obm_tui.tui.screens.history import HistoryScreen
    from obm_tui.tui.screens.problems import ProblemsScreen
    from obm_tui.tui.screens.records import RecordsScreen
    from obm_tui.tui.screens.today import TodayScreen

    if name in LISTS:
        from obm_tui.tui.screens.work_screens import WORK_SCREENS

        screen = WORK_SCREENS.get(name, RecordsScreen)
        return lambda: screen(*LISTS[name])
    return {"today": TodayScreen, "history": HistoryScreen, "problems": ProblemsScreen, "finance": FinanceScreen}[name]


class ObmApp(App[None]):
    """obm: the business's systems, over a vault of Markdown files."""

    TITLE = "obm"
    CSS_PATH = "obm.tcss"
    BINDINGS = bindings("app")
    MODES: ClassVar[dict[str, Any]] = {name: _screen(name) for name in ("today", *LISTS, "history", "problems",
                                                                             "finance")}
    COMMANDS = App.COMMANDS | {RecordsProvider, ActionsProvider}

    def __init__(self, vault: Vault, *, clock: Clock | None = None, settings: Settings | None = None,
                 watch: bool = True, automate: bool = True) -> None:
        super().__init__()
        gc.freeze()  # the loaded index is long-lived: keep the collector from walking it on every pause
        self.vault = vault
        self.now: Clock = clock or vault_clock(vault)
        self.settings = settings if settings is not None else load_settings()
        self.watch_files = watch
        self.status = StatusInfo(path=_short(vault.root))
        self.status_signal: Signal[StatusInfo] = Signal(self, "status")
        self._changed: set[str] = set()
        self._changed_all = False
        self._changed_lock = threading.Lock()
        self._busy: dict[int, tuple[str, float]] = {}
        self._busy_workers: dict[int, Worker[Any]] = {}  # a token ends with its worker, whatever happens
        self._busy_next = 0
        self._watcher: Any = None
        self._record_screen: Any = None  # the RecordScreen reused by open_record
        self._started: set[str] = set()  # start-up work done (see start_up_done)
        self._frozen = False
        self.finance_kept: Any = None  # (index version, the last finance report) (screens/finance.py)
        self.automation = Automation(self) if automate else None

    # ----- start and stop ----------------------------------------------------------------------
    def on_mount(self) -> None:
        self.sub_title = self.vault.config.business_name
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        if self.settings.theme and self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.theme_changed_signal.subscribe(self, lambda theme: save_theme(theme.name))
        for problem in self.settings.problems:
            self.notify(problem, title="Your settings", severity="warning", markup=False)
        self.vault.listeners.append(self._saved_by_obm)
        self.switch_mode("today")
        self._commit_on_start()
        self.set_interval(0.1, self._busy_tick)
        if self.watch_files:
            self._watch_vault()
        if self.automation is not None:
            self.automation.start()

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        if self._saved_by_obm in self.vault.listeners:
            self.vault.listeners.remove(self._saved_by_obm)
        if self.automation is not None:
            self.automation.stop()

    @work(thread=True, group="startup", exit_on_error=False, name="Committing edits made meanwhile")
    def _commit_on_start(self) -> None:
        """Commit what was queued or edited while obm was closed — after the first frame, not before."""
        try:
            if not self.watch_files:  # else the watcher does it, once it is on
                self._verify_trusted_cache()
            with self.vault.write_lock:  # one writer at a time
                self.vault.commit_pending()
                self.vault.commit_external_edits()
            self.vault.git.housekeeping()  # pack loose objects of earlier sessions (git gc goes on in the background)
        except Exception as exc:  # noqa: BLE001 - git busy: the edits stay on disk; the status bar says so
            self.call_from_thread(show_error, self, exc)
        self.call_from_thread(self.refresh_status)

    # ----- vault changes -----------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="watch", exit_on_error=False, name="Watching the vault")
    def _watch_vault(self) -> None:
        from obm_tui.vault.watch import VaultWatcher

        worker = get_current_worker()
        self._watcher = VaultWatcher(self.vault)
        self._watcher.start()
        try:
            self._verify_trusted_cache()  # now: a file changed from here on is an event
            self._watcher.run_forever(self._applied, cancelled=lambda: worker.is_cancelled)
        finally:
            self._watcher.stop()

    def _verify_trusted_cache(self) -> None:
        """From a worker: compare the files with the cache the first frame was drawn from
        (run_app opens with `trust_cache`), and show what differed."""
        from obm_tui.vault.refresh import verify_trusted

        if self.vault.unverified is None:
            self.call_from_thread(self.start_up_done, "verified")
            return
        try:
            with self.vault.write_lock:  # a reload never interleaves with a save
                reloaded = verify_trusted(self.vault)
        except Exception as exc:  # noqa: BLE001 - the index stays as cached; the watcher still runs
            self.call_from_thread(show_error, self, exc)
            return
        if reloaded.changed:
            self.note_changes(reloaded.changed)
        self.call_from_thread(self.start_up_done, "verified")

    def start_up_done(self, part: str) -> None:
        """Once the first agenda is built and the files are compared with the cache, what exists
        now is long-lived (the index, the values kept from bodies, the agenda): collect once and
        freeze it all, so later collections walk only what is made afterwards (at 100k records
        a full collection walked ~200k objects: 150–250 ms pauses in the middle of keystrokes)."""
        self._started.add(part)
        if self._started >= {"agenda", "verified"} and not self._frozen:
            self._frozen = True
            self.call_after_refresh(_collect_and_freeze)
            self.call_after_refresh(self._warm_finance)

    @work(thread=True, exclusive=True, group="finance-warm", exit_on_error=False, name="Finance figures")
    def _warm_finance(self) -> None:
        """Once start-up work is done: the Finance screen's figures, so `0` shows them at once
        (the screen works them out again when it opens; docs/architecture.md, "Finance figures")."""
        from obm_tui.tui.screens.finance import work_out

        try:
            kept = work_out(self.vault, self.now().date())
        except Exception:  # noqa: BLE001 - the Finance screen says what is wrong when it is opened
            return
        self.call_from_thread(setattr, self, "finance_kept", kept)

    def _applied(self, applied: Any) -> None:
        """From the watcher thread: what another program changed (already in the index)."""
        if applied.changed or applied.config:
            self.note_changes(applied.changed, everything=applied.config or applied.rescanned)
        if applied.external and self.automation is not None:
            self.automation.external_change(applied.external)  # ticks made there, then the rules
        if applied.commit or applied.git or applied.error:
            self.post_message(StatusChanged())
        if applied.error is not None:
            self.call_from_thread(show_error, self, applied.error)

    def _saved_by_obm(self, paths: list[str]) -> None:
        self.note_changes(paths)
        self.post_message(StatusChanged())

    def note_changes(self, paths: Iterable[str], *, everything: bool = False) -> None:
        """Thread-safe: remember changed paths and wake the UI once for all of them."""
        with self._changed_lock:
            self._changed.update(paths)
            self._changed_all = self._changed_all or everything
        self.post_message(VaultChanged())

    def on_vault_changed(self, _message: VaultChanged) -> None:
        self._warn_closed_months()
        with self._changed_lock:
            paths, everything = self._changed, self._changed_all
            self._changed, self._changed_all = set(), False
        if not paths and not everything:
            return
        for screen in self.screen_stack:
            refresh = getattr(screen, "refresh_data", None)
            if refresh is not None and screen.is_mounted:
                refresh(None if everything else set(paths))

    def _warn_closed_months(self) -> None:
        """A save that changed a closed month's money (vault/store.py says so in its commit and
        leaves a note): the same warning here as the CLI prints."""
        notes = self.vault.notes
        for note in [n for n in notes if n.startswith(CLOSED_MONTH_NOTE)]:
            notes.remove(note)
            self.notify(note, title="Closed month", severity="warning", markup=False)

    def action_sync(self) -> None:
        """Fetch, merge and push (services/sync.py), in a worker; the result as a notification."""
        from obm_tui.services.sync import sync
        from obm_tui.tui.tasks import run_blocking

        def synced(result: Any) -> None:
            self.note_changes(result.changed)
            self.notify(result.summary(), title="Synced", markup=False,
                        severity="warning" if result.kept else "information")
            self.refresh_status()

        run_blocking(self, lambda: sync(self.vault), label="Syncing", done=synced)

    def action_rescan(self) -> None:
        from obm_tui.tui.tasks import run_blocking
        from obm_tui.vault.refresh import rescan

        run_blocking(self, lambda: rescan(self.vault), label="Reloading the vault",
                     done=lambda reloaded: self.note_changes(reloaded.changed, everything=True))

    # ----- status bar --------------------------------------------------------------------------
    def on_status_changed(self, _message: StatusChanged) -> None:
        self.refresh_status()

    @work(thread=True, exclusive=True, group="status", exit_on_error=False, name="Reading git status")
    def refresh_status(self) -> None:
        info = _git_status(self.vault, self.status)
        self.call_from_thread(self._set_status, info)

    def _set_status(self, info: StatusInfo) -> None:
        self.status = info.with_busy(self.status.busy)
        self.status_signal.publish(self.status)
        if info.pending:
            self.set_timer(RETRY_PENDING, self.refresh_status)

    def busy_start(self, label: str) -> int:
        self._busy_next += 1
        self._busy[self._busy_next] = (label, time.monotonic())
        return self._busy_next

    def busy_with(self, token: int, worker: Worker[Any]) -> None:
        """The work of `token` runs in `worker`: a worker cancelled before its thread started (a
        newer one of an exclusive group, a closed screen) never calls `busy_end`, and its label
        would spin in the status bar until quit — `_busy_tick` drops it once the worker is over."""
        if token in self._busy:
            self._busy_workers[token] = worker

    def busy_end(self, token: int) -> None:
        self._busy.pop(token, None)
        self._busy_workers.pop(token, None)
        self._busy_tick()

    def _busy_tick(self) -> None:
        for token, worker in list(self._busy_workers.items()):
            if worker.is_finished or worker.is_cancelled:
                self.busy_end(token)
                return
        now = time.monotonic()
        slow = [label for label, since in self._busy.values() if now - since >= BUSY_AFTER]
        label = slow[0] if slow else ""
        if label != self.status.busy:
            self.status = self.status.with_busy(label)
            self.status_signal.publish(self.status)

    # ----- navigation --------------------------------------------------------------------------
    def action_open_main(self, name: str) -> None:
        """A number key: the tab as it was left (its last record, if one was open); pressed again
        on that tab, back to its list."""
        if self.current_mode != name:
            self.switch_mode(name)
            return
        if isinstance(self.screen, ModalScreen):
            return  # a dialog is answered or closed first
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def open(self, path: str) -> None:
        """The screen made for the record's kind: a run its checklist, a ticket its conversation,
        any other record (and a file that does not read) its fields. Every way of opening a record
        comes here; `open_record` is the fields view itself (a run's or ticket's `f`)."""
        from obm_tui.tui import care_flows, run_flows

        record = self.vault.index.by_path(path)
        if record is not None and record.readable and record.kind == "run":
            run_flows.open_run(self, path)
        elif record is not None and record.readable and record.kind == "ticket":
            care_flows.open_ticket(self, path)
        else:
            self.open_record(path)

    def open_record(self, path: str) -> None:
        from obm_tui.tui.screens.record import RecordScreen

        if self.vault.index.by_path(path) is None:
            self.notify(f"{path} is not in the vault (any more).", title="Not found", severity="warning", markup=False)
            return
        kept = self._record_screen
        if kept is not None and not self._in_a_stack(kept):
            kept.retarget(path)  # no new widgets: composing a screen was half the time of opening a record
            self.push_screen(kept)
            return
        screen = RecordScreen(path)
        if kept is None:
            self.install_screen(screen, name="record")  # kept when popped, to be pushed again for the next record
            self._record_screen = screen
        self.push_screen(screen)

    def _in_a_stack(self, screen: Screen[Any]) -> bool:
        """True when the screen is open in some mode (then a record opened from it needs another)."""
        return any(screen in stack for stack in self._screen_stacks.values())

    def open_history(self, path: str | None = None) -> None:
        from obm_tui.tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(path))

    def action_show_help(self) -> None:
        from obm_tui.tui.screens.help import HelpScreen

        active = {b.binding.id for b in self.screen.active_bindings.values() if b.binding.id}
        self.push_screen(HelpScreen(active, self.settings.keymap))

    # Flows shared by screens and the palette (see flows.py).
    def new_record(self, kind: str) -> None:
        flows.new_record(self, kind)

    def edit_in_editor(self, path: str, line: int = 0) -> None:
        flows.edit_in_editor(self, path, line)

    def archive_or_delete(self, record: Record) -> None:
        flows.archive_or_delete(self, record)


def _git_status(vault: Vault, old: StatusInfo) -> StatusInfo:
    """Branch, last commit and pending commits (retrying those first); runs in a worker."""
    git = vault.git
    failed = ""
    if vault.pending():
        try:
            with vault.write_lock:  # one writer at a time
                vault.commit_pending()
        except Exception as exc:  # noqa: BLE001 - still busy: say so, retry later
            failed = getattr(exc, "title", "commit failed")
    try:
        commits = git.log(limit=1)
        last = ""
        if commits:
            c = commits[0]
            last = f"{c.sha[:7]} {c.when.astimezone(vault.config.tz):%Y-%m-%d %H:%M} {c.message}"
        return StatusInfo(old.path, git.branch(), last, len(vault.pending()), failed, _sync_state(vault), old.busy)
    except Exception as exc:  # noqa: BLE001 - the status bar says what is wrong instead
        return StatusInfo(old.path, old.branch, old.last_commit, old.pending, f"git: {exc}", old.sync, old.busy)


def _sync_state(vault: Vault) -> str:
    from obm_tui.services.sync import sync_state

    try:
        return sync_state(vault)
    except Exception as exc:  # noqa: BLE001 - the status bar says what is wrong instead
        return f"sync: {exc}"


def _short(root: Path) -> str:
    home = Path.home()
    try:
        return "~/" + root.relative_to(home).as_posix()
    except ValueError:
        return str(root)


def _collect_and_freeze() -> None:
    gc.collect()
    gc.freeze()


def run_app(root: Path) -> None:
    """Open the vault and run the app until the user quits."""
    # The app commits outside edits, and compares the files with the cache, in workers after its first frame.
    vault = Vault.open(root, commit_external=False, trust_cache=True)
    try:
        ObmApp(vault).run()
    finally:
        vault.close()
