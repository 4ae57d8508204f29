"""History values (Commit, Change) and the parser for `git log -z --name-status` output."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime

# One commit header: RS, then fields separated by US; %B is last and cannot hold a NUL.
LOG_FORMAT = "%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%B%x1f"


@dataclass(frozen=True, slots=True)
class Change:
    """One path a commit touched: status letter (A, M, D, R, C, T), path, and the old path of a rename."""

    status: str
    path: str
    old_path: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.old_path} -> {self.path}" if self.old_path else f"{self.status} {self.path}"


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit as history shows it. `message` is the subject line; `body` the rest."""

    sha: str
    author: str
    email: str
    when: datetime
    message: str
    body: str
    changes: tuple[Change, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        """The paths the commit touched (new names for renames), in git's order."""
        return tuple(change.path for change in self.changes)


def parse_log(raw: bytes) -> list[Commit]:
    """Commits from `git log -z --format=LOG_FORMAT --name-status` output."""
    tokens = raw.split(b"\0")
    commits: list[Commit] = []
    header: bytes | None = None
    changes: list[Change] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token.startswith(b"\x1e"):
            if header is not None:
                commits.append(_commit(header, changes))
            header, changes = token, []
        elif token.strip(b"\n"):
            status = token.strip(b"\n").decode("ascii", "replace")
            count = 2 if status[:1] in ("R", "C") else 1
            paths = [os.fsdecode(p) for p in tokens[index : index + count]]
            index += count
            changes.append(Change(status[:1], paths[-1], paths[0] if count == 2 else None))
    if header is not None:
        commits.append(_commit(header, changes))
    return commits


def _commit(header: bytes, changes: list[Change]) -> Commit:
    sha, author, email, when, text = header[1:].split(b"\x1f", 4)
    message = text[:-1] if text.endswith(b"\x1f") else text
    subject, _, body = message.decode("utf-8", "replace").partition("\n")
    return Commit(
        sha=sha.decode("ascii"),
        author=author.decode("utf-8", "replace"),
        email=email.decode("utf-8", "replace"),
        when=datetime.fromisoformat(when.decode("ascii")),
        message=subject.strip(),
        body=body.strip("\n"),
        changes=tuple(changes),
    )


def git_date(value: date | datetime | str) -> str:
    """A value for `--since` / `--until`: ISO 8601 for dates and datetimes, strings as given."""
    return value.isoformat() if isinstance(value, date) else str(value)
