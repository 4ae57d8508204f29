"""What the rules have seen: the checkpoint (`.obm/rules-checkpoint`) and the versions of records since.

A rule reacts to a *change*: the moment its `when` starts to hold for a record. To see every
change — made by obm, by another editor, by a plain `git commit`, or merged in by a sync — a
pass reads the history since the commit it last looked at (the checkpoint), restricted to the
folders of the kinds the rules watch, then the blobs of just the paths found there:

    versions(path) = [at the checkpoint] + [after each commit since that touched it] + [now]

"now" is the index (the working tree), so an edit not yet committed counts too. The checkpoint
is this clone's own (git-ignored, never committed; see docs/architecture.md "Rules see changes").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from obm_tui.model.errors import FormatError
from obm_tui.model.kinds import KINDS
from obm_tui.vault.atomic import write_atomic
from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.store import RULES_CHECKPOINT, Vault

CHECKPOINT = RULES_CHECKPOINT
_HEADER = "# obm: the rules have looked at the history up to this commit (this clone's own; not committed)\n"


_RETRY_HEADER = "# a rule saw these changes but could not start its run yet; tried again at every pass\n"
_RETRY = "retry"


@dataclass(frozen=True)
class Retry:
    """A change a rule saw whose run could not start (a field missing…): `retry <process> <path> <commit>`."""

    process: str
    path: str
    commit: str


def read_checkpoint(vault: Vault) -> str | None:
    """The commit the rules looked at last, or None (a new clone, a vault obm never ran rules in)."""
    lines = _lines(vault)
    sha = lines[0] if lines and not lines[0].startswith(_RETRY + " ") else ""
    return sha if sha and all(c in "0123456789abcdef" for c in sha) else None


def read_retries(vault: Vault) -> list[Retry]:
    """The changes seen whose runs are still to start (written by the last pass)."""
    found = []
    for line in _lines(vault):
        parts = line.split()
        if len(parts) == 4 and parts[0] == _RETRY:
            found.append(Retry(parts[1], parts[2], parts[3]))
    return found


def _lines(vault: Vault) -> list[str]:
    try:
        text = (vault.root / CHECKPOINT).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def write_checkpoint(vault: Vault, sha: str, retries: Sequence[Retry] = ()) -> None:
    """Remember that the rules have looked at everything up to `sha`, and what is still to start.
    (Paths with spaces cannot be retried: record paths are slugs, never spaced.)"""
    text = _HEADER + sha + "\n"
    kept = [r for r in retries if " " not in r.path]
    if kept:
        text += _RETRY_HEADER + "".join(f"{_RETRY} {r.process} {r.path} {r.commit}\n" for r in kept)
    write_atomic(vault.root / CHECKPOINT, text.encode("utf-8"))


@dataclass(frozen=True)
class Version:
    """One version of a record file: its front matter (None: absent or unreadable) and where it is from."""

    data: Mapping[str, Any] | None
    commit: str  # the commit that made it (for "now": HEAD)


def history_since(vault: Vault, since: str, kinds: Iterable[str]) -> dict[str, list[str]] | None:
    """{path: [commits that touched it, oldest first]} since `since`, for records of `kinds`;
    None when `since` is not a commit here (a rewritten history)."""
    folders = sorted({KINDS[kind].folder for kind in kinds})
    commits = vault.git.commits_since(since, folders)
    if commits is None:
        return None
    wanted = tuple(f"{folder}/" for folder in folders)
    touched: dict[str, list[str]] = {}
    for sha, paths in commits:
        for path in paths:
            if path.startswith(wanted) and path.endswith(".md") and path.count("/") == 1:
                touched.setdefault(path, []).append(sha)
    return touched


def versions(vault: Vault, path: str, since: str, commits: Sequence[str], head: str) -> list[Version]:
    """Every version of `path`: at `since`, after each of `commits`, and now (the index)."""
    found = [Version(_data(vault.git.file_at(since, path)), since)]
    found += [Version(_data(vault.git.file_at(sha, path)), sha) for sha in commits]
    record = vault.index.by_path(path)
    found.append(Version(record.data if record is not None and record.readable else None, head))
    return found


def _data(raw: bytes | None) -> Mapping[str, Any] | None:
    if raw is None:
        return None
    try:
        return read_document(raw).data
    except (FormatError, KeyError, ValueError, AttributeError, TypeError):  # as the loader: never stop a pass
        return None
