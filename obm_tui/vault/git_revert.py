"""Undoing one commit for some paths: plan every file first, then write them all or none.

For each path the plan compares three versions: before the commit, after it, and now (HEAD,
which must equal the work tree). When nothing changed the path since, the old version comes
back as it was; otherwise `git merge-file` replays the undo line by line, and any overlap with
a later change is a ConflictError before a single byte is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from obm_tui.model.errors import ConflictError, UsageError, VaultError
from obm_tui.vault import git_tree
from obm_tui.vault.atomic import write_atomic
from obm_tui.vault.git_process import Runner
from obm_tui.vault.git_tree import Entry


class _Repo(Protocol):
    def head(self) -> str | None: ...
    def parent_of(self, commit: str) -> str | None: ...
    def blob_at(self, commit: str | None, rel: bytes) -> Entry | None: ...
    def read_blob(self, entry: Entry) -> bytes: ...
    def worktree_entry(self, rel: bytes) -> Entry | None: ...


@dataclass(frozen=True, slots=True)
class Step:
    """Write `data` to `rel` (None: delete it); `executable` keeps the exec bit of the old version."""

    rel: bytes
    data: bytes | None
    executable: bool = False


def plan_revert(
    repo: _Repo, run: Runner, commit: str, touched: Mapping[bytes, str], rels: Sequence[bytes]
) -> list[Step]:
    """The file writes that undo `commit` for `rels`; ConflictError / UsageError when it cannot."""
    parent, head = repo.parent_of(commit), repo.head()
    steps = []
    for rel in dict.fromkeys(rels):
        if rel not in touched:
            raise UsageError(f"{os.fsdecode(rel)} did not change in commit {commit[:10]}.")
        versions = (repo.blob_at(parent, rel), repo.blob_at(commit, rel), repo.blob_at(head, rel))
        step = _plan_one(repo, run, commit, rel, versions)
        if step is not None:
            steps.append(step)
    return steps


def _plan_one(
    repo: _Repo, run: Runner, commit: str, rel: bytes, versions: tuple[Entry | None, Entry | None, Entry | None]
) -> Step | None:
    before, after, now = versions
    name = os.fsdecode(rel)
    if _oid(repo.worktree_entry(rel)) != _oid(now):
        raise ConflictError(f"{name} has changes that are not committed yet; commit them before undoing {commit[:10]}.")
    if any(e is not None and e.mode not in (git_tree.FILE_MODE, git_tree.EXEC_MODE) for e in versions):
        raise VaultError(f"{name} is not a regular file in every version; undo it with git itself.")
    if _oid(now) == _oid(before):
        return None
    if _oid(now) == _oid(after):
        data = repo.read_blob(before) if before is not None else None
    elif before is None or after is None or now is None:
        raise ConflictError(f"Cannot undo {commit[:10]} for {name}: the file was added, removed or recreated since.")
    else:
        data = merge_file(run, repo.read_blob(now), repo.read_blob(after), repo.read_blob(before))
        if data is None:
            raise ConflictError(f"Cannot undo {commit[:10]} for {name}: a later change touched the same lines.")
    source = before or now
    return Step(rel, data, source is not None and source.mode == git_tree.EXEC_MODE)


def merge_file(run: Runner, ours: bytes, base: bytes, theirs: bytes) -> bytes | None:
    """`git merge-file -p`: the merged bytes, or None when the changes overlap (or are binary)."""
    with tempfile.TemporaryDirectory(prefix="obm-merge-") as folder:
        names = []
        for label, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(folder) / label
            path.write_bytes(data)
            names.append(str(path))
        done = run.run(["merge-file", "-p", "-q", *names], ok=range(0, 256), cwd=Path(folder))
    return done.stdout if done.returncode == 0 else None


@contextmanager
def write_plan(root: Path, steps: Sequence[Step]) -> Iterator[None]:
    """Apply the steps to the work tree; if anything fails inside the block, put every file back."""
    originals: list[tuple[Path, bytes | None, int | None]] = []
    try:
        for step in steps:
            path = root / os.fsdecode(step.rel)
            originals.append(_snapshot(path))
            _apply(path, step)
        yield
    except BaseException:
        for path, data, mode in reversed(originals):
            _restore(path, data, mode)
        raise


def _snapshot(path: Path) -> tuple[Path, bytes | None, int | None]:
    try:
        return path, path.read_bytes(), path.stat().st_mode & 0o777
    except FileNotFoundError:
        return path, None, None


def _apply(path: Path, step: Step) -> None:
    if step.data is None:
        path.unlink(missing_ok=True)
        return
    write_atomic(path, step.data)
    mode = path.stat().st_mode
    path.chmod(mode | 0o111 if step.executable else mode & ~0o111)


def _restore(path: Path, data: bytes | None, mode: int | None) -> None:
    if data is None:
        path.unlink(missing_ok=True)
        return
    write_atomic(path, data)
    if mode is not None:
        path.chmod(mode)


def _oid(entry: Entry | None) -> bytes | None:
    return entry.oid if entry is not None else None
