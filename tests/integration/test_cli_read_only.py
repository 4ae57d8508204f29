"""A vault this process may only read (chmod -R a-w, a read-only mount): every read command works,
every write command is refused in one line, and opening writes nothing at all.

Tests run as root, for whom chmod stops nothing: the `obm` process then gives up the capabilities
that let root ignore file modes (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER — dropped from
its bounding set before exec), so each write meets a real PermissionError, as it would for a user.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.demo_copy import demo_master, sample_copy  # noqa: F401 (fixtures)

OBM = str(Path(sys.executable).parent / "obm")
_PR_CAPBSET_DROP = 24
_DAC_CAPABILITIES = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER


def _drop_file_mode_override() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in _DAC_CAPABILITIES:
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _as_a_user() -> Callable[[], None] | None:
    return _drop_file_mode_override if os.geteuid() == 0 else None


def _chmod_tree(root: Path, writable: bool) -> None:
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files, ""]:
            path = Path(folder, name)
            if path.is_symlink():
                continue
            mode = path.stat().st_mode
            path.chmod(mode | stat.S_IWUSR if writable else mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under the vault (.git too) with a digest of its bytes."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            found[os.path.relpath(Path(folder, name), root) + "/"] = ""
        for name in files:
            path = Path(folder, name)
            found[os.path.relpath(path, root)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _obm(vault: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([OBM, "--vault", str(vault), *args], capture_output=True, text=True, timeout=120,
                          preexec_fn=_as_a_user())


@pytest.fixture
def read_only_vault(sample_copy: Path) -> Iterator[Path]:  # noqa: F811
    """The sample vault as a fresh clone left by others: no cache, no merge driver registered, a
    stray temp file, a record edited outside obm — every one of them something opening would write."""
    shutil.rmtree(sample_copy / ".obm" / "cache", ignore_errors=True)
    subprocess.run(["git", "-C", str(sample_copy), "config", "--remove-section", "merge.obm"],
                   capture_output=True)  # absent or not, opening would register it
    (sample_copy / ".git" / "info" / "attributes").unlink(missing_ok=True)
    stray = sample_copy / "clients" / ".~obm-aisha-khan.md.0a1b2c"
    stray.write_text("half a save")
    os.utime(stray, (0, 0))
    with (sample_copy / "clients" / "ben-carter.md").open("a") as handle:
        handle.write("\nAn edit made in another editor.\n")
    _chmod_tree(sample_copy, writable=False)
    probe = subprocess.run([sys.executable, "-c", f"open({str(sample_copy / 'probe')!r}, 'w')"],
                           capture_output=True, preexec_fn=_as_a_user())
    try:
        if probe.returncode == 0:
            pytest.skip("this machine lets the test process write a chmod a-w folder")
        yield sample_copy
    finally:
        _chmod_tree(sample_copy, writable=True)


READS = [("list", "clients"), ("list", "tickets", "--json"), ("show", "aisha-khan"), ("log", "-n", "3"),
         ("check",), ("agenda",), ("ticket", "queue"), ("ticket", "stats"), ("stock", "forecast"),
         ("run", "list"), ("ticket", "replies")]
WRITES = [("set", "aisha-khan", "status=past"), ("new", "client", "Ann Lee"), ("archive", "aisha-khan"),
          ("ticket", "note", "T-261116-V7E", "called back"), ("stock", "ship", "MUG-CLASSIC", "1"), ("tick",),
          ("po", "new", "Clay & Kiln Mugs", "MUG-CLASSIC=10"), ("delete", "aisha-khan", "--yes")]


def test_read_commands_work_and_write_commands_are_refused(read_only_vault: Path) -> None:
    before = _snapshot(read_only_vault)
    for args in READS:
        done = _obm(read_only_vault, *args)
        assert done.returncode == 0 and (done.stdout + done.stderr).strip(), (args, done.stderr)
        assert "error" not in done.stderr, (args, done.stderr)
    assert "An edit made in another editor." in _obm(read_only_vault, "show", "ben-carter").stdout
    for args in WRITES:
        done = _obm(read_only_vault, *args)
        assert done.returncode == 1, (args, done.stderr)
        assert done.stderr == (f"obm: the vault is read-only ({read_only_vault}: no permission to write);"
                               " nothing was changed\n"), args
    assert _snapshot(read_only_vault) == before


def test_a_folder_that_cannot_be_written_is_one_line(sample_copy: Path) -> None:  # noqa: F811
    """The vault looks writable but one kind's folder is not: the save stops in one line."""
    clients = sample_copy / "clients"
    clients.chmod(0o555)
    try:
        before = _snapshot(sample_copy / "clients")
        done = _obm(sample_copy, "set", "aisha-khan", "status=past")
    finally:
        clients.chmod(0o755)
    if done.returncode == 0:
        pytest.skip("this machine lets the test process write a chmod a-w folder")
    assert done.returncode == 3 and done.stderr.startswith(f"obm: cannot write {clients}/") and \
        done.stderr.endswith(": permission denied\n") and done.stderr.count("\n") == 1
    assert _snapshot(sample_copy / "clients") == before
