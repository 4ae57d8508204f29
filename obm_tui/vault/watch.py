"""Watching the vault folder: files changed by other programs reach the index within a second.

Every save style is seen (truncate+write, temp+rename as vim and VS Code do, a new inode): the
watcher does not trust event types, it collects the record paths an event names (source and
destination of a move) and re-reads them. Events are debounced into batches; a batch that names
many files (a `git pull`, a checkout, an overflowing event queue) becomes one rescan, so the index
equals a fresh scan afterwards. The app's own writes (`vault.own_writes`) are ignored, so a save
causes no reload loop and no second commit. No Textual here: the TUI runs `run_forever` (or
`next_batch` + `apply`) in one worker and turns results into messages.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirModifiedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers.api import BaseObserver

from obm_tui.model.errors import ObmError
from obm_tui.model.kinds import KINDS
from obm_tui.vault.config import CONFIG_PATH
from obm_tui.vault.paths import kind_of_path
from obm_tui.vault.refresh import is_own_write, reload_paths, rescan
from obm_tui.vault.store import Vault

DEBOUNCE = 0.08  # seconds of quiet that end a batch
MAX_DELAY = 0.4  # a batch never waits longer than this after its first event
STORM = 200  # paths in one batch above which the whole vault is rescanned
STORM_QUIET = 0.3  # a storm (pull, checkout) ends after this much quiet and when git's index.lock is gone
STORM_CAP = 10.0  # … or after this long, whatever happens
STALE_LOCK = 5.0  # an index.lock older than this is not "git busy" but a leftover
_GIT_NAMES = ("HEAD", "packed-refs")


@dataclass(frozen=True)
class Batch:
    """The paths (vault-relative) that events named during one quiet period."""

    paths: frozenset[str] = frozenset()
    rescan: bool = False  # too many events, or a folder appeared/vanished: compare everything
    git: bool = False  # HEAD or a branch moved (a commit, checkout or pull outside obm)


@dataclass(frozen=True)
class Applied:
    """What applying a batch did: record paths reloaded, the external-edit commit, any error."""

    changed: tuple[str, ...] = ()
    external: tuple[str, ...] = ()  # paths changed by another program (not obm's own writes)
    commit: str | None = None
    config: bool = False
    git: bool = False
    rescanned: bool = False
    error: ObmError | None = None

    @property
    def worth_telling(self) -> bool:
        return bool(self.changed or self.commit or self.config or self.git or self.error)


@dataclass
class _Collector:
    paths: set[str] = field(default_factory=set)
    rescan: bool = False
    git: bool = False
    first: float = 0.0
    last: float = 0.0


class VaultWatcher:
    """Watches the record folders, `.obm/` and git's HEAD; hands out debounced batches."""

    def __init__(self, vault: Vault, *, debounce: float = DEBOUNCE, max_delay: float = MAX_DELAY,
                 storm: int = STORM, commit: bool = True) -> None:
        self.vault = vault
        self.root = vault.root
        self.debounce = debounce
        self.max_delay = max_delay
        self.storm = storm
        self.commit = commit
        self._lock = threading.Lock()
        self._pending = _Collector()
        self._wake = threading.Event()
        self._batches: queue.SimpleQueue[Batch | None] = queue.SimpleQueue()
        self._observer: BaseObserver | None = None
        self._watched: set[Path] = set()
        self._stopping = threading.Event()
        self._timer: threading.Thread | None = None
        self.commit_failed = False  # the last external-edit commit could not be made (retry later)

    # ----- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Start watching (a watchdog observer thread and a debounce thread)."""
        from watchdog.observers import Observer

        observer = Observer()
        self._observer = observer
        for folder in self._folders():
            self._watch(folder)
        observer.start()
        self._timer = threading.Thread(target=self._debounce_loop, name="obm-watch-debounce", daemon=True)
        self._timer.start()

    def stop(self) -> None:
        """Stop watching; `next_batch` then returns None."""
        self._stopping.set()
        self._wake.set()
        self._batches.put(None)
        observer = self._observer
        if observer is not None:
            observer.stop()
            observer.join(timeout=2)
        if self._timer is not None:
            self._timer.join(timeout=2)

    def _folders(self) -> list[Path]:
        wanted = [self.root, self.root / ".obm", self.root / ".git", self.root / ".git" / "refs" / "heads"]
        wanted += [self.root / kind.folder for kind in KINDS.values()]
        return [p for p in wanted if p.is_dir()]

    def _watch(self, folder: Path) -> None:
        if folder in self._watched or self._observer is None:
            return
        try:
            self._observer.schedule(_Handler(self), str(folder), recursive=False,
                                    event_filter=list(_CHANGE_EVENTS))
        except OSError:
            return  # the folder vanished meanwhile; the next rescan notices
        self._watched.add(folder)

    # ----- events -> batches -----------------------------------------------------------------
    def notice(self, absolute: str, event_type: str = "modified") -> None:
        """Record one path named by an event (called from the observer thread)."""
        rel = self._relative(absolute)
        if rel is None:
            return
        with self._lock:
            pending = self._pending
            if not self._route(rel, event_type, pending):
                return  # not ours (a temp file, git's own files): it must not delay the batch either
            now = time.monotonic()
            pending.first = pending.first or now
            pending.last = now
        self._wake.set()

    def _relative(self, absolute: str) -> str | None:
        try:
            rel = Path(absolute).relative_to(self.root).as_posix()
        except ValueError:
            return None
        return rel if rel != "." else None

    def _route(self, rel: str, event_type: str, pending: _Collector) -> bool:
        """Add what the path means to the batch; False when it means nothing to obm."""
        if rel.startswith(".git/"):
            name = rel[5:]
            moved = name in _GIT_NAMES or name.startswith("refs/heads/")
            pending.git = pending.git or moved
            return moved
        if rel == CONFIG_PATH or kind_of_path(rel) is not None:
            pending.paths.add(rel)
            pending.rescan = pending.rescan or len(pending.paths) > self.storm
            return True
        if "/" not in rel and event_type != "modified" and any(k.folder == rel for k in KINDS.values()):
            pending.rescan = True  # a record folder appeared, vanished or was renamed
            self._watch(self.root / rel)
            return True
        return False

    def _debounce_loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            pending: _Collector | None = None
            while not self._stopping.is_set():
                with self._lock:
                    pending = self._pending
                    now = time.monotonic()
                    if pending.first and self._ready(pending, now):
                        self._pending = _Collector()
                        self._wake.clear()
                        break
                    if not pending.first:
                        self._wake.clear()
                        pending = None
                        break
                time.sleep(min(self.debounce / 2, 0.02))
            if pending is not None and not self._stopping.is_set():
                self._batches.put(Batch(frozenset(pending.paths), pending.rescan, pending.git))

    def _ready(self, pending: _Collector, now: float) -> bool:
        """A batch goes after a short quiet (max_delay at most) — but not while git is busy writing
        (a pull or checkout in progress), and a storm only after a longer quiet: one reload each."""
        if now - pending.first >= STORM_CAP:
            return True
        if self._git_busy():
            return False
        if pending.rescan:
            return now - pending.last >= max(self.debounce, STORM_QUIET)
        return now - pending.last >= self.debounce or now - pending.first >= self.max_delay

    def _git_busy(self) -> bool:
        """git holds its index lock, and not a stale one (a stale lock must not delay every reload)."""
        try:
            age = time.time() - (self.root / ".git" / "index.lock").stat().st_mtime
        except OSError:
            return False
        return age < STALE_LOCK

    def next_batch(self, timeout: float | None = None) -> Batch | None:
        """The next batch of events (blocking up to `timeout` s); None on timeout or after stop."""
        try:
            return self._batches.get(timeout=timeout)
        except queue.Empty:
            return None

    # ----- applying a batch --------------------------------------------------------------------
    def apply(self, batch: Batch) -> Applied:
        """Reload what the batch names (or rescan), then commit the external edits."""
        reloaded = self.reload(batch)
        return self.commit_reloaded(reloaded)

    def reload(self, batch: Batch) -> Applied:
        """Bring the index up to date with the batch (no git): what changed, and by whom."""
        with self.vault.write_lock:
            if batch.rescan:
                for kind in KINDS.values():
                    if (self.root / kind.folder).is_dir():
                        self._watch(self.root / kind.folder)
                reloaded = rescan(self.vault)
                external = reloaded.changed
            else:
                external = tuple(p for p in sorted(batch.paths) if not is_own_write(self.vault, p))
                reloaded = reload_paths(self.vault, external)
        return Applied(reloaded.changed, tuple(external), None, reloaded.config, batch.git, batch.rescan)

    def commit_reloaded(self, reloaded: Applied) -> Applied:
        """Commit the files another program changed, by their exact paths (no `git status` sweep)."""
        paths = [p for p in reloaded.external if kind_of_path(p) is not None or p == CONFIG_PATH]
        with self.vault.write_lock:
            commit, error = self._commit_external(paths)
        return Applied(reloaded.changed, reloaded.external, commit, reloaded.config, reloaded.git,
                       reloaded.rescanned, error)

    def retry(self) -> Applied | None:
        """Retry a commit that failed earlier (git was busy); None when nothing waits."""
        if not self.commit_failed:
            return None
        with self.vault.write_lock:
            commit, error = self._commit_external(None)
        return Applied(commit=commit, error=error)

    def _commit_external(self, paths: list[str] | None) -> tuple[str | None, ObmError | None]:
        """Commit `paths` as an external edit; None (a retry): every changed record file."""
        if not self.commit or (paths is not None and not paths and not self.commit_failed):
            return None, None
        try:
            self.vault.commit_pending()
            if paths and not self.commit_failed:
                sha = self.vault.commit_outside(paths)
            else:
                sha = self.vault.commit_external_edits()
        except ObmError as exc:
            self.commit_failed = True
            return None, exc
        except Exception as exc:  # noqa: BLE001 - keep watching; retry later
            self.commit_failed = True
            return None, ObmError(f"external edits are saved on disk but not committed yet: {exc}",
                                  title="Commit delayed")
        self.commit_failed = False
        return sha, None

    def run_forever(self, on_applied: Callable[[Applied], None], *, retry_every: float = 5.0,
                    cancelled: Callable[[], bool] = lambda: False) -> None:
        """Loop: wait for a batch, reload and report it at once, then commit and report that."""
        while not self._stopping.is_set() and not cancelled():
            batch = self.next_batch(timeout=retry_every)
            if batch is None:
                if self._stopping.is_set():
                    return
                applied = self.retry()
                if applied is not None and applied.worth_telling:
                    on_applied(applied)
                continue
            reloaded = self.reload(batch)
            if reloaded.worth_telling:
                on_applied(reloaded)
            committed = self.commit_reloaded(reloaded)
            if committed.commit or committed.error:
                on_applied(Applied(commit=committed.commit, error=committed.error))


_CHANGES = frozenset({"moved", "deleted", "created", "modified", "closed"})  # not opened/read/attrib
# Asked of the OS (inotify's mask): without a filter every file obm or git only reads (opening a
# record, `git status` reading .git) woke a watchdog thread twice, which took the GIL from the UI
# (measured: opening a record at 100k, 65 ms without the watcher, 108 ms with it).
_CHANGE_EVENTS = (FileModifiedEvent, FileCreatedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
                  DirModifiedEvent, DirCreatedEvent, DirDeletedEvent, DirMovedEvent)


class _Handler(FileSystemEventHandler):
    """A watchdog event handler that only forwards the paths a change event names."""

    def __init__(self, watcher: VaultWatcher) -> None:
        super().__init__()
        self.watcher = watcher

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGES:
            return
        for attr in ("src_path", "dest_path"):
            path = getattr(event, attr, "")
            if path:
                self.watcher.notice(os.fsdecode(path), event.event_type)
