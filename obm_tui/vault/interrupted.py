"""Finishing or undoing what an interrupted `obm sync` left: a merge killed half way.

`obm sync` writes MERGE_MARK in the git folder (the HEAD it merges into and the commit it merges)
before `git merge` and removes it after. A merge killed half way leaves files written and no
commit — and perhaps `MERGE_HEAD`, `index.lock` and `.merge_file_*` temps. While the mark is
there, the next open of the vault (before it commits any outside edit: a half-merged file
committed as an edit would count a counter's change twice) or the next sync undoes it: the
leftovers of the dead git are cleared (git_leftovers: only when no git runs), a merge git
stopped is aborted, the files the merge had written go back to HEAD — copies of them kept in
RECOVERED — and the next sync merges again. A merge whose commit was made is simply done.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from obm_tui.model.errors import VaultError
from obm_tui.vault import git_leftovers
from obm_tui.vault.git import Git

MERGE_MARK = "obm-sync-merge"
RECOVERED = ".obm/cache/interrupted-sync"  # git-ignored; what a half-done merge had written, just in case


def mark_merge(git: Git, before: str | None, target: str) -> None:
    """Note that obm sync is about to merge `target` into `before` (HEAD)."""
    path = git.git_dir / MERGE_MARK
    path.write_text(f"{before or '-'} {target}\n", encoding="ascii")


def unmark_merge(git: Git) -> None:
    (git.git_dir / MERGE_MARK).unlink(missing_ok=True)


def recover(root: Path, git: Git) -> list[str]:
    """Undo a merge an interrupted sync left half done; what was done, in words (empty: nothing to do)."""
    mark = git.git_dir / MERGE_MARK
    if not mark.exists():
        return []
    done = clear_leftovers(root, git)
    before, target = _read_mark(mark)
    if (git.git_dir / "MERGE_HEAD").exists():
        git.run_sync(["merge", "--abort"])
        done.append("undid the merge an interrupted sync had left unfinished")
    elif git.head() == before:
        done += _restore(root, git, before, target)
    mark.unlink(missing_ok=True)
    return done


def clear_leftovers(root: Path, git: Git) -> list[str]:
    """Clear the lock and temp files a dead git left (waiting until they are STALE_AFTER old);
    VaultError when a git program is running in the vault."""
    cleared, running = git_leftovers.clear(root, git.git_dir, wait=git_leftovers.STALE_AFTER + 1)
    if running:
        pid, command = running[0]
        raise VaultError(f"a git program is running in the vault (pid {pid}: {command[:80]}); "
                         "try again when it has finished")
    return [f"cleared {item.describe(root)}" for item in cleared]


def _read_mark(mark: Path) -> tuple[str | None, str]:
    parts = mark.read_text(encoding="ascii", errors="replace").split()
    if len(parts) != 2:
        return None, ""
    return (None if parts[0] == "-" else parts[0]), parts[1]


def _restore(root: Path, git: Git, before: str | None, target: str) -> list[str]:
    """Put the files the half-done merge wrote (those `target` changed) back as HEAD has them."""
    if before is None or not target:
        return []
    touched = set(_names(git, ["diff", "--name-only", "-z", "--no-renames", f"{before}...{target}", "--"]))
    written = sorted(touched & set(git.changed_paths()))
    if not written:
        return []
    kept = _keep_copies(root, written)
    in_head = set(_names(git, ["ls-tree", "-r", "-z", "--name-only", before, "--", *written]))
    if in_head:
        git.run_sync(["checkout", before, "--", *sorted(in_head)])
    new = [rel for rel in written if rel not in in_head]
    if new:
        git.run_sync(["rm", "-q", "--cached", "--ignore-unmatch", "--", *new])
        for rel in new:
            (root / rel).unlink(missing_ok=True)
    return [f"put back {len(written)} file(s) a half-done merge had written (copies in {kept})"]


def _keep_copies(root: Path, rels: list[str]) -> str:
    folder = f"{RECOVERED}/{time.strftime('%Y%m%d-%H%M%S')}"
    for rel in rels:
        source, target = root / rel, root / folder / rel
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return folder


def _names(git: Git, args: list[str]) -> list[str]:
    out = git.read(args).stdout
    return [name.decode("utf-8", "surrogateescape") for name in out.split(b"\0") if name]
