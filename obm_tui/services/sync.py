"""`obm sync`: share the vault through its git remote — fetch, merge, push.

The merge is git's, with obm's merge driver for record files (vault/merge_driver.py): fields
merge one by one, counters by delta, ledgers row by row, a field both sides changed keeps ours
and theirs is kept in `conflicts/`; two different records created under one name are both kept
(theirs under a suffixed id). What the merge set aside is committed right after it, so every
clone sees it. When git cannot merge a file (one side does not read as a record), the merge
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
from obm_tui.vault.atomic import write_atomic
from obm_tui.vault.git_process import GitLockedError, error_for, one_line
from obm_tui.vault.merge_driver import RENAMED_NOTE
from obm_tui.vault.paths import CONFLICT_DIR, is_kept_version, kind_of_path
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
    kept: tuple[str, ...] = ()  # versions kept in conflicts/ by this merge
    renamed: tuple[str, ...] = ()  # theirs' records moved beside ours (one name, two records)
    recovered: tuple[str, ...] = ()  # what an interrupted sync or a dead git had left, and what was done
    rules: tuple[str, ...] = ()  # what the rule pass after the merge started (or could not), pushed with it

    def summary(self) -> str:
        parts = [f"{self.remote}/{self.branch}:",
                 f"pulled {self.pulled} commit(s)" if self.pulled else "nothing to pull",
                 f"pushed {self.pushed}" if self.pushed else "nothing to push"]
        text = " ".join(parts[:1]) + " " + ", ".join(parts[1:])
        if self.kept:
            text += f"; {len(self.kept)} field conflict(s) kept ours, theirs in {CONFLICT_DIR}/ (see obm check)"
        if self.renamed:
            text += f"; {len(self.renamed)} record(s) created in both clones kept as two: {', '.join(self.renamed)}"
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
        result = replace(result, rules=_apply_rules(vault))
        known = _has_remote_branch(vault, remote, branch)
        ahead = _count(vault, f"{remote}/{branch}..HEAD" if known else "HEAD")
        if not ahead:
            return result
        done = vault.git.run_sync(["push", "--porcelain", remote, f"HEAD:refs/heads/{branch}"], ok=(0, 1))
        if done.returncode == 0:
            return replace(result, pushed=ahead)
        notes += _why_not_pushed(vault, remote, done)
    raise VaultError(f"could not push to {remote}: it keeps changing; sync again in a moment")


def _apply_rules(vault: Vault) -> tuple[str, ...]:
    """The rule pass over what the merge brought (and anything else not yet looked at), before the
    push, so the runs it starts reach the other clones with this sync (services/rules.py)."""
    from obm_tui.services.records import now_in
    from obm_tui.services.rules import apply_rules

    said = []
    for start in apply_rules(vault, now_in(vault)):
        if start.error:
            said.append(f'note: rule "{start.rule}" for {start.record}: {start.error}')
        elif start.started is not None and start.started.created:
            said.append(start.started.message)
    return tuple(said)


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
    _forget_renamed(vault)
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
    kept, renamed = _commit_set_aside(vault)
    return SyncResult(remote, branch, behind, 0, changed, kept, renamed)


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
    _undo_set_aside(vault)
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


# ----- what a merge set aside: kept versions, and theirs' record when one name was two records -----

def _forget_renamed(vault: Vault) -> None:
    """A note left by an earlier merge (one obm sync did not finish) is not this merge's."""
    (vault.git.git_dir / RENAMED_NOTE).unlink(missing_ok=True)


def _undo_set_aside(vault: Vault) -> None:
    """After an undone merge, remove what its driver wrote beside it (git's abort leaves
    untracked files): the kept versions and theirs' moved records."""
    moved = [new_rel for _old, _new, new_rel in _renamed(vault)]
    out = vault.git.read(["ls-files", "--others", "--exclude-standard", "-z", "--", CONFLICT_DIR, *moved]).stdout
    for name in out.split(b"\0"):
        rel = name.decode("utf-8", "surrogateescape")
        if rel and (is_kept_version(rel) or rel in moved):
            (vault.root / rel).unlink(missing_ok=True)
    _forget_renamed(vault)


def _commit_set_aside(vault: Vault) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Commit what the merge driver wrote beside the merge (versions kept in conflicts/, theirs'
    records moved to a suffixed id, with theirs' new records' links to them): one commit right
    after the merge, so every clone sees it. (the kept names, the moved paths)"""
    moves = _renamed(vault)
    linked = _point_links_at_moved(vault, moves)
    kept = [p for p in vault.git.changed_paths() if is_kept_version(p)]
    moved = [new_rel for _old, _new, new_rel in moves]
    paths = sorted({*kept, *moved, *linked})
    if paths:
        vault.git.commit(paths, _set_aside_message(kept, moved, linked), author=vault.config.author)
        reload_paths(vault, paths)
    _forget_renamed(vault)
    return tuple(p.rpartition("/")[2] for p in kept), tuple(moved)


def _renamed(vault: Vault) -> list[tuple[str, str, str]]:
    try:
        text = (vault.git.git_dir / RENAMED_NOTE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    moves = [tuple(line.split("\t")) for line in text.splitlines()]
    return [(m[0], m[1], m[2]) for m in moves if len(m) == 3 and (vault.root / m[2]).is_file()]


def _point_links_at_moved(vault: Vault, moves: list[tuple[str, str, str]]) -> list[str]:
    """Records theirs added that link to a moved record's old id now link to its new id: they
    were written in the clone where that id was theirs' record. Returns the files changed."""
    if not moves:
        return []
    out = vault.git.read(["diff", "--name-only", "-z", "--diff-filter=A", "HEAD^1", "HEAD^2", "--"]).stdout
    added = [n.decode("utf-8", "surrogateescape") for n in out.split(b"\0") if n]
    changed = []
    for rel in added:
        if kind_of_path(rel) is None:
            continue
        raw = original = (vault.root / rel).read_bytes()
        for old_id, new_id, _path in moves:
            for opening in ("]]", "|"):
                raw = raw.replace(f"[[{old_id}{opening}".encode(), f"[[{new_id}{opening}".encode())
        if raw != original:
            write_atomic(vault.root / rel, raw)
            changed.append(rel)
    return changed


def _set_aside_message(kept: list[str], moved: list[str], linked: list[str]) -> str:
    parts = []
    if moved:
        links = f", {len(linked)} link(s) moved with them" if linked else ""
        parts.append(f"kept both records created under one name: theirs now {', '.join(moved)}{links}")
    if kept:
        parts.append(f"{len(kept)} version(s) kept aside in {CONFLICT_DIR}/ (see obm check)")
    return "sync: " + "; ".join(parts)
