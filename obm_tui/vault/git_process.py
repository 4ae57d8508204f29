"""Running git safely: hardened command lines, one-line errors, persistent helper processes.

A vault may come from anywhere, and git runs code named in a repository's `.git/config`
(fsmonitor, hooks, pagers, editors, filters, external diffs, signing programs). Every git
process started here gets `-c` overrides that switch those off (the list is `git_programs`), a
scrubbed environment, and an empty hooks folder of our own. What `-c` cannot switch off is
handled by `git_config.audit_config`.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, TypeVar

from obm_tui.model.errors import VaultError
from obm_tui.vault.git_leftovers import describe_lock
from obm_tui.vault.git_programs import fixed_overrides

T = TypeVar("T")
TIMEOUT = 120.0
NO_GIT = "git is not installed (or not on PATH); obm needs git to keep the vault's history."
_SAFE_CONFIG = (
    *fixed_overrides(),  # every program-naming setting git_programs switches off for good
    "core.useBuiltinFSMonitor=false",
    "color.ui=false",
    "core.quotePath=false",
    "i18n.commitEncoding=UTF-8",
    "i18n.logOutputEncoding=UTF-8",
)
_KEEP_ENV = {"GIT_EXEC_PATH", "GIT_CONFIG_GLOBAL"}
_DROP_ENV = {"PAGER", "EDITOR", "VISUAL", "SSH_ASKPASS", "LANGUAGE"}
_FIXED_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_LITERAL_PATHSPECS": "1",
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_OPTIONAL_LOCKS": "0",  # reads never take index.lock (Git.changed_paths opts back in)
    "GIT_PAGER": "cat",
    "GIT_EDITOR": "true",
    "GIT_SEQUENCE_EDITOR": "true",
    "LC_ALL": "C",
}
_LOCK_RE = re.compile(r"Unable to create '([^']+\.lock)': File exists")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_hooks_lock = threading.Lock()
_hooks_dir: list[str] = []


class GitLockedError(VaultError):
    """Another git process holds a lock file (index.lock, HEAD.lock, a ref lock) of the vault."""

    title = "Git is busy"

    def __init__(self, lock: str, message: str | None = None, holder: str = "is held by another git program") -> None:
        self.lock = lock
        self.holder = holder  # or: was left by a git program that is no longer running; run `obm doctor` …
        super().__init__(message or f"{lock} {holder}.")


def git_executable() -> str:
    """The git program on PATH, or VaultError when git is not installed."""
    exe = shutil.which("git")
    if exe is None:
        raise VaultError(NO_GIT)
    return exe


def empty_hooks_dir() -> str:
    """An empty folder of our own for `core.hooksPath`, recreated if it was removed or filled."""
    with _hooks_lock:
        if _hooks_dir and _is_empty_dir(_hooks_dir[0]):
            return _hooks_dir[0]
        path = tempfile.mkdtemp(prefix="obm-no-hooks-")
        _hooks_dir[:] = [path]
        atexit.register(_remove_dir, path)
        return path


def _is_empty_dir(path: str) -> bool:
    try:
        return not os.listdir(path)
    except OSError:
        return False


def _remove_dir(path: str) -> None:
    with contextlib.suppress(OSError):
        os.rmdir(path)


def safe_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without GIT_* and pager/editor variables, plus our fixed values."""
    env = {
        key: value
        for key, value in os.environ.items()
        if (not key.startswith("GIT_") or key in _KEEP_ENV) and key not in _DROP_ENV
    }
    env.update(_FIXED_ENV)
    if extra:
        env.update(extra)
    return env


def safe_config_args(extra: Iterable[str] = ()) -> list[str]:
    """`-c key=value` pairs for every hardening override (and `extra` ones)."""
    args: list[str] = []
    for item in (*_SAFE_CONFIG, f"core.hooksPath={empty_hooks_dir()}", *extra):
        args += ["-c", item]
    return args


def one_line(stderr: bytes, fallback: str = "unknown error") -> str:
    """git's stderr reduced to one printable line: the first fatal/error line, else the first line."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    chosen = next((ln for ln in lines if ln.startswith(("fatal:", "error:"))), lines[0] if lines else fallback)
    if chosen.startswith(("fatal:", "error:")):
        chosen = chosen.split(":", 1)[1].strip()
    chosen = _CONTROL_RE.sub("?", chosen)
    return chosen if len(chosen) <= 300 else chosen[:297] + "..."


def error_for(command: str, stderr: bytes) -> VaultError:
    """The VaultError (or GitLockedError) that describes a failed git command."""
    text = stderr.decode("utf-8", "replace")
    locked = _LOCK_RE.search(text)
    if locked:
        return GitLockedError(locked.group(1), holder=describe_lock(locked.group(1)))
    return VaultError(f"git {command} failed: {one_line(stderr)}")


class Runner:
    """Runs hardened one-off git commands against one repository (or none, for init)."""

    def __init__(self, root: Path | None, git_dir: Path | None, overrides: Sequence[str] = ()) -> None:
        self.exe = git_executable()
        self.root = root
        self.git_dir = git_dir
        self.overrides = list(overrides)

    def argv(self, args: Sequence[str]) -> list[str]:
        """The full command line for git `args`."""
        where: list[str] = []
        if self.git_dir is not None:
            where += [f"--git-dir={self.git_dir}"]
        if self.root is not None:
            where += [f"--work-tree={self.root}"]
        return [self.exe, "--no-pager", *where, *safe_config_args(self.overrides), *args]

    def run(
        self,
        args: Sequence[str],
        *,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        ok: Sequence[int] = (0,),
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        """Run git `args`; raise VaultError with git's own one-line reason unless the status is in `ok`.

        git runs in its own session, so a Ctrl+C at the terminal does not reach it, and an
        exception here (KeyboardInterrupt in the main thread) waits for it to finish instead of
        killing it: a killed `update-index` or `update-ref` would leave a lock file behind.
        """
        argv = self.argv(args)
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=safe_env(env),
                cwd=cwd or self.root,
                start_new_session=True,
            )
        except (FileNotFoundError, NotADirectoryError):
            folder = cwd or self.root
            if folder is not None and not folder.is_dir():
                raise VaultError(f"{folder} is not a folder.") from None
            raise VaultError(NO_GIT) from None
        out, err = _finish(proc, input, args[0])
        if proc.returncode not in ok:
            raise error_for(args[0], err)
        return subprocess.CompletedProcess(argv, proc.returncode, out, err)

    def out(self, args: Sequence[str], *, input: bytes | None = None, env: Mapping[str, str] | None = None) -> bytes:
        """stdout of a successful git command."""
        return self.run(args, input=input, env=env).stdout


def _finish(proc: subprocess.Popen[bytes], input: bytes | None, command: str) -> tuple[bytes, bytes]:
    try:
        return proc.communicate(input, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise VaultError(f"git {command} took longer than {TIMEOUT:.0f} s and was stopped.") from None
    except BaseException:
        with contextlib.suppress(Exception):
            proc.communicate(timeout=TIMEOUT)  # let git finish and release its locks, then re-raise
        raise


class ProcessDied(Exception):
    """A persistent helper ended; `reason` is its last words on stderr, if any."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Persistent:
    """A long-running git helper (`cat-file --batch`, `hash-object --stdin-paths`).

    One request at a time (callers hold a lock). If the helper was killed from outside, the
    request is retried once on a fresh helper; if it died of an error of its own, that error
    is raised as a VaultError.
    """

    def __init__(self, runner: Runner, args: Sequence[str]) -> None:
        self._runner = runner
        self._args = list(args)
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    def call(self, request: bytes, read: Callable[[IO[bytes]], T]) -> T:
        """Send `request`, parse the answer with `read` (which raises ProcessDied on EOF)."""
        for attempt in (1, 2):
            proc = self._ensure()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(request)
                proc.stdin.flush()
                return read(proc.stdout)
            except (BrokenPipeError, ProcessDied, ValueError, OSError):
                reason = self._reap()
                if reason or attempt == 2:
                    raise VaultError(f"git {self._args[0]} failed: {reason or 'the helper process ended'}") from None
        raise AssertionError("unreachable")

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self._reap()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - open while the helper lives
        try:
            self._proc = subprocess.Popen(
                self._runner.argv(self._args),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                cwd=self._runner.root,
                env=safe_env(),
                start_new_session=True,
            )
        except FileNotFoundError:
            raise VaultError(NO_GIT) from None
        return self._proc

    def _reap(self) -> str:
        """Stop the helper (if any) and return the error it printed."""
        proc, err = self._proc, self._stderr
        self._proc, self._stderr = None, None
        if proc is not None:
            _stop(proc)
        if err is None:
            return ""
        err.seek(0)
        text = err.read()
        err.close()
        return one_line(text, fallback="") if text.strip() else ""

    def close(self) -> None:
        """Stop the helper cleanly."""
        self._reap()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    for stream in (proc.stdin, proc.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def read_line(stream: IO[bytes]) -> bytes:
    """One answer line without its newline; ProcessDied at end of stream."""
    line = stream.readline()
    if not line.endswith(b"\n"):
        raise ProcessDied("")
    return line[:-1]


def read_object(stream: IO[bytes]) -> tuple[str, str, bytes] | None:
    """One `cat-file --batch` answer: (oid, type, content), or None for a missing object."""
    header = read_line(stream)
    if header.endswith((b" missing", b" ambiguous")):
        return None
    oid, kind, size = header.decode("ascii").split(" ")
    body = stream.read(int(size) + 1)
    if len(body) != int(size) + 1:
        raise ProcessDied("")
    return oid, kind, body[:-1]
