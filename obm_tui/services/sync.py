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

from dataclasses import dataclass

from obm_tui.model.errors import UsageError, VaultError
from obm_tui.vault.atomic import write_atomic
from obm_tui.vault.git_process import one_line
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

    def summary(self) -> str:
        parts = [f"{self.remote}/{self.branch}:",
                 f"pulled {self.pulled} commit(s)" if self.pulled else "nothing to pull",
                 f"pushed {self.pushed}" if self.pushed else "nothing to push"]
        text = " ".join(parts[:1]) + " " + ", ".join(parts[1:])
        if self.kept:
            text += f"; {len(self.kept)} field conflict(s) kept ours, theirs in {CONFLICT_DIR}/ (see obm check)"
        if self.renamed:
            text += f"; {len(self.renamed)} record(s) created in both clones kept as two: {', '.join(self.renamed)}"
        return text


def sync(vault: Vault, remote: str | None = None) -> SyncResult:
    """Commit outside edits, then fetch, merge and push the current branch."""
    git = vault.git
    branch = git.branch()
    if branch is None:
        raise UsageError("HEAD is detached: check out a branch to sync")
    remote = remote or _remote_of(vault, branch)
    with vault.write_lock:
        vault.commit_pending()
        vault.commit_external_edits()
        result = _pull_and_push(vault, remote, branch)
    git.housekeeping()  # a merge brings objects; git gc goes on in the background
    return result


def _pull_and_push(vault: Vault, remote: str, branch: str) -> SyncResult:
    for _attempt in range(PUSH_ATTEMPTS):
        result = _pull(vault, remote, branch)
        known = _has_remote_branch(vault, remote, branch)
        ahead = _count(vault, f"{remote}/{branch}..HEAD" if known else "HEAD")
        if not ahead:
            return result
        done = vault.git.run_sync(["push", "--porcelain", remote, f"HEAD:refs/heads/{branch}"], ok=(0, 1))
        if done.returncode == 0:
            return SyncResult(remote, branch, result.pulled, ahead, result.changed, result.kept, result.renamed)
    raise VaultError(f"could not push to {remote}: it keeps changing; sync again in a moment")


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
    merged = git.run_sync(["merge", "--no-edit", "-m", f"sync: merged {remote}/{branch}",
                           f"{remote}/{branch}"], ok=range(256))
    if merged.returncode != 0:
        if not (git.git_dir / "MERGE_HEAD").exists():  # the merge never started (e.g. local changes in the way)
            said = one_line(merged.stderr + merged.stdout)
            raise VaultError(f"sync stopped, nothing changed: git merge said: {said}")
        stuck = _unmerged(vault)
        git.run_sync(["merge", "--abort"], ok=range(256))
        _undo_set_aside(vault)
        raise VaultError(f"sync stopped, nothing changed: git could not merge {', '.join(stuck) or 'the changes'} "
                         "(a file that does not read as a record on one side); fix it, then sync again")
    changed = _diff_names(vault, before) if before else ()
    reload_paths(vault, changed)
    kept, renamed = _commit_set_aside(vault)
    return SyncResult(remote, branch, behind, 0, changed, kept, renamed)


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
