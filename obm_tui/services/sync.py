"""`obm sync`: share the vault through its git remote — fetch, merge, push.

The merge is git's, with obm's merge driver for record files (vault/merge_driver.py): fields
merge one by one, counters by delta, a field both sides changed keeps ours and theirs is kept in
`.obm/conflicts/`. When git cannot merge a file (one side does not read as a record), the merge
is undone and nothing changes: the person fixes that file and syncs again. Edits made outside
obm are committed first, so nothing uncommitted is ever merged over.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote

from obm_tui.model.errors import UsageError, VaultError
from obm_tui.vault import git_leftovers, interrupted
from obm_tui.vault.git_process import GitLockedError, error_for, one_line
from obm_tui.vault.paths import CONFLICT_DIR
from obm_tui.vault.refresh import reload_paths
from obm_tui.vault.store import Vault

PUSH_ATTEMPTS = 2  # a push refused because the remote moved meanwhile: fetch, merge, push again


@dataclass(frozen=True)
class SyncResult:
    """What a sync did."""

    remote: str
    branch: str
    pulled: int = 0  # commits merged in from the remote
    pushed: int = 0  # commits the remote did not have
    changed: tuple[str, ...] = ()  # files the merge changed here
    kept: tuple[str, ...] = ()  # versions kept in .obm/conflicts/ by this merge
    recovered: tuple[str, ...] = ()  # what an interrupted sync or a dead git had left, and what was done

    def summary(self) -> str:
        parts = [f"{self.remote}/{self.branch}:",
                 f"pulled {self.pulled} commit(s)" if self.pulled else "nothing to pull",
                 f"pushed {self.pushed}" if self.pushed else "nothing to push"]
        text = " ".join(parts[:1]) + " " + ", ".join(parts[1:])
        if self.kept:
            text += f"; {len(self.kept)} field conflict(s) kept ours, theirs in {CONFLICT_DIR}/ (see obm check)"
        if self.recovered:
            text += f"; first {'; '.join(self.recovered)}"
        return text


def sync(vault: Vault, remote: str | None = None) -> SyncResult:
    """Commit outside edits, then fetch, merge and push the current branch."""
    git = vault.git
    branch = git.branch()
    if branch is None:
        raise UsageError("HEAD is detached: check out a branch to sync")
    remote = remote or _remote_of(vault, branch)
    with vault.write_lock:
        recovered = _recover(vault)
        vault.commit_pending()
        vault.commit_external_edits()
        result = _pull_and_push(vault, remote, branch)
    git.housekeeping()  # a merge brings objects; git gc goes on in the background
    return replace(result, recovered=(*recovered, *result.recovered))


def _recover(vault: Vault) -> tuple[str, ...]:
    """Finish or undo what an interrupted sync left (vault/interrupted.py), clear what a git killed
    during a fetch or push left (stale ref locks), and reload the files that changed."""
    done = interrupted.recover(vault.root, vault.git) + interrupted.clear_leftovers(vault.root, vault.git)
    if done:
        reload_paths(vault, vault.git.changed_paths())
    opened, vault.recovered = vault.recovered, []
    return (*opened, *done)


def _pull_and_push(vault: Vault, remote: str, branch: str) -> SyncResult:
    notes: list[str] = []
    for _attempt in range(PUSH_ATTEMPTS):
        result = replace(_pull(vault, remote, branch), recovered=tuple(notes))
        known = _has_remote_branch(vault, remote, branch)
        ahead = _count(vault, f"{remote}/{branch}..HEAD" if known else "HEAD")
        if not ahead:
            return result
        done = vault.git.run_sync(["push", "--porcelain", remote, f"HEAD:refs/heads/{branch}"], ok=(0, 1))
        if done.returncode == 0:
            return replace(result, pushed=ahead)
        notes += _why_not_pushed(vault, remote, done)
    raise VaultError(f"could not push to {remote}: it keeps changing; sync again in a moment")


def _why_not_pushed(vault: Vault, remote: str, push: subprocess.CompletedProcess[bytes]) -> list[str]:
    """A push refused because the remote moved is tried again, so is one a dead git's lock in a
    remote on this machine stopped (the lock cleared); any other failure says git's reason."""
    said = push.stdout + push.stderr
    if b"[rejected]" in said and (b"fetch first" in said or b"non-fast-forward" in said):
        return []
    cleared = _clear_local_remote(vault, remote)
    if cleared:
        return [f"{remote}: {line}" for line in cleared]
    reasons = [line.split(b"\t")[-1] for line in push.stdout.splitlines() if line.startswith(b"!")]
    raise VaultError(f"could not push to {remote}: {one_line(b''.join(reasons[:1]) or push.stderr)}")


def _clear_local_remote(vault: Vault, remote: str) -> list[str]:
    """Clear what a dead git left in a remote that is a folder on this machine (no git running in it)."""
    url = vault.git.read(["config", "--get", f"remote.{remote}.url"], ok=(0, 1)).stdout.decode().strip()
    path = Path(unquote(url.removeprefix("file://"))) if url.startswith(("/", "file:///")) else None
    if path is None or not (path / "HEAD").is_file():
        return []
    cleared, _running = git_leftovers.clear(path, path, wait=git_leftovers.STALE_AFTER + 1)
    return [f"cleared {item.describe(path)}" for item in cleared]


def sync_state(vault: Vault) -> str:
    """What the status bar says, from the last fetch (no network, three local git reads):
    `origin: 2 to push, 1 to pull`, `synced with origin`, `no remote`."""
    git = vault.git
    branch = git.branch()
    if branch is None:
        return "detached: no sync"
    try:
        remote = _remote_of(vault, branch)
    except UsageError:
        return "no remote"
    counts = git.read(["rev-list", "--left-right", "--count", f"HEAD...refs/remotes/{remote}/{branch}", "--"],
                      ok=(0, 128))
    if counts.returncode != 0:
        return f"{remote}: not pushed yet"
    ahead, behind = (int(n) for n in counts.stdout.split())
    if not ahead and not behind:
        return f"synced with {remote}"
    parts = [f"{ahead} to push" if ahead else "", f"{behind} to pull" if behind else ""]
    return f"{remote}: {', '.join(p for p in parts if p)}"


def _pull(vault: Vault, remote: str, branch: str) -> SyncResult:
    git = vault.git
    git.run_sync(["fetch", "--quiet", remote])
    if not _has_remote_branch(vault, remote, branch):
        return SyncResult(remote, branch)  # the remote is empty or lacks this branch: push creates it
    behind = _count(vault, f"HEAD..{remote}/{branch}")
    if not behind:
        return SyncResult(remote, branch)
    kept_before = _kept(vault)
    before = git.head()
    _refuse_foreign_merge(vault)
    interrupted.mark_merge(git, before, _rev(vault, f"{remote}/{branch}"))
    merged = git.run_sync(["merge", "--no-edit", "-m", f"sync: merged {remote}/{branch}",
                           f"{remote}/{branch}"], ok=range(256))
    if merged.returncode != 0:
        _undo_failed_merge(vault, merged.stderr + merged.stdout)
    interrupted.unmark_merge(git)
    changed = _diff_names(vault, before) if before else ()
    reload_paths(vault, changed)
    return SyncResult(remote, branch, behind, 0, changed, tuple(sorted(_kept(vault) - kept_before)))


def _refuse_foreign_merge(vault: Vault) -> None:
    """A merge someone started in a terminal is theirs to finish: obm does not abort it."""
    if (vault.git.git_dir / "MERGE_HEAD").exists():
        raise VaultError("sync stopped, nothing changed: a git merge started outside obm is in progress in the vault; "
                         "finish it (git commit) or undo it (git merge --abort), then sync again")


def _undo_failed_merge(vault: Vault, said: bytes) -> None:
    """The merge stopped: undo what it did and say why (a lock, a file that does not read as a record, …)."""
    git = vault.git
    if not (git.git_dir / "MERGE_HEAD").exists():  # the merge never started (a lock, local changes in the way)
        interrupted.unmark_merge(git)
        failure = error_for("merge", said)
        if isinstance(failure, GitLockedError):
            raise VaultError(f"sync stopped, nothing changed: {failure.lock} {failure.holder}") from None
        raise VaultError(f"sync stopped, nothing changed: git merge said: {one_line(said)}")
    stuck = _unmerged(vault)
    git.run_sync(["merge", "--abort"], ok=range(256))
    interrupted.unmark_merge(git)
    if not stuck:
        raise VaultError(f"sync stopped, nothing changed: git merge said: {one_line(said)}")
    raise VaultError(f"sync stopped, nothing changed: git could not merge {', '.join(stuck)} "
                     "(a file that does not read as a record on one side); fix it, then sync again")


def _rev(vault: Vault, name: str) -> str:
    return vault.git.read(["rev-parse", "--verify", "--end-of-options", name]).stdout.decode("ascii").strip()


def _remote_of(vault: Vault, branch: str) -> str:
    remotes = vault.git.read(["remote"]).stdout.decode("utf-8", "replace").split()
    if not remotes:
        raise UsageError("this vault has no remote to sync with: add one with `git remote add origin <url>`")
    configured = vault.git.read(["config", "--get", f"branch.{branch}.remote"], ok=(0, 1)).stdout.decode().strip()
    if configured in remotes:
        return configured
    return "origin" if "origin" in remotes else remotes[0]


def _has_remote_branch(vault: Vault, remote: str, branch: str) -> bool:
    found = vault.git.read(["rev-parse", "--verify", "--quiet", f"refs/remotes/{remote}/{branch}"], ok=(0, 1))
    return found.returncode == 0


def _count(vault: Vault, span: str) -> int:
    return int(vault.git.read(["rev-list", "--count", span]).stdout.strip() or 0)


def _diff_names(vault: Vault, before: str) -> tuple[str, ...]:
    out = vault.git.read(["diff", "--name-only", "-z", before, "HEAD"]).stdout
    return tuple(sorted(name.decode("utf-8", "surrogateescape") for name in out.split(b"\0") if name))


def _unmerged(vault: Vault) -> list[str]:
    out = vault.git.read(["diff", "--name-only", "--diff-filter=U", "-z"]).stdout
    return sorted(name.decode("utf-8", "surrogateescape") for name in out.split(b"\0") if name)


def _kept(vault: Vault) -> set[str]:
    folder = vault.root / CONFLICT_DIR
    return {p.name for p in folder.glob("*.theirs.md")} if folder.is_dir() else set()
