"""One writer at a time, across threads and processes.

Every change (a save, an import, a rule's effects, a revert, journal recovery, the watcher's
commit of outside edits) holds `Vault.write_lock` from its plan to its commit. Inside one process
that is a re-entrant thread lock; the outermost holder also takes an OS lock (`fcntl.flock`) on
`.obm/write.lock`, so two obm processes (the app and a CLI command, two commands, a rule runner)
never interleave. The lock is released by the OS when a process dies, however it dies.

Reads take no lock. A vault where the lock file cannot be created (read-only) is written without
it: the write itself then fails with the filesystem's reason.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from obm_tui.model.errors import VaultError

try:
    import fcntl
except ImportError:  # not on Windows: the thread lock only
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".obm/write.lock"
LOCK_WAIT = 60.0  # seconds another process's change is waited for before giving up


class WriteLock:
    """A re-entrant lock: a thread lock here, `flock` on `.obm/write.lock` for other processes.

    `on_acquire` runs each time the outermost holder has taken it (the vault finishes an
    interrupted change there, before any new one is planned)."""

    def __init__(self, root: Path, wait: float = LOCK_WAIT) -> None:
        self.path = root / LOCK_FILE
        self.wait = wait
        self.on_acquire: Callable[[], None] | None = None
        self._thread = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def __enter__(self) -> WriteLock:
        self._thread.acquire()
        try:
            self._depth += 1
            if self._depth == 1:
                self._fd = _take(self.path, self.wait)
                if self.on_acquire is not None:
                    self.on_acquire()
        except BaseException:
            self._leave()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._leave()

    def _leave(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            os.close(self._fd)  # closing the only descriptor releases the flock
            self._fd = None
        self._thread.release()


def _take(path: Path, wait: float) -> int | None:
    """The locked descriptor of `path`; None when it cannot be created (a read-only vault)."""
    if fcntl is None:
        return None
    try:
        path.parent.mkdir(exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        return None
    deadline = time.monotonic() + wait
    delay = 0.002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() + delay > deadline:
                os.close(fd)
                raise VaultError(
                    f"Another obm is still changing the vault ({LOCK_FILE} held for {wait:.0f} s); "
                    "nothing was changed. Try again when it has finished."
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
