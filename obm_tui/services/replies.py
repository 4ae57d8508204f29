"""Canned replies: `templates/replies/<name>.md`, the vault's own folder first, then obm's.

A reply template has front matter (`title`, optional `status` the ticket moves to) and its text
in the body, with `${variables}` (docs/customer-care.md, "Canned replies").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from obm_tui.model.errors import FormatError, UsageError, ValidationError
from obm_tui.model.tickets import STATUSES
from obm_tui.services.templates import data_dir
from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.paths import inside
from obm_tui.vault.store import Vault

REPLIES = "templates/replies"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


@dataclass(frozen=True, slots=True)
class ReplyTemplate:
    """One canned reply: its name (the file name), title, status to move to, and text."""

    name: str
    title: str
    status: str | None
    text: str
    path: str  # where it was read (shown to the user)


def reply_folders(vault: Vault) -> list[Path]:
    """The folders searched, in order: the vault's own, then obm's shipped templates."""
    folders = [vault.root / REPLIES]
    try:
        folders.append(data_dir("templates") / "replies")
    except FileNotFoundError:
        pass
    return folders


def find_reply(vault: Vault, name: str) -> ReplyTemplate:
    """The canned reply called `name` (UsageError naming the ones there are)."""
    stem = name.removesuffix(".md")
    if not _NAME_RE.match(stem):
        raise UsageError(f"{name!r} is not a reply name (letters, digits, '.', '_' and '-')")
    for folder in reply_folders(vault):
        path = folder / f"{stem}.md"
        if path.is_file() and _safe(vault, folder, path):
            return read_reply(path, stem)
    known = ", ".join(t.name for t in list_replies(vault)) or "none"
    raise UsageError(f"no canned reply {stem!r}; there are: {known}")


def _safe(vault: Vault, folder: Path, path: Path) -> bool:
    """A vault's own template must not be a symlink leading out of the vault."""
    return folder != vault.root / REPLIES or inside(vault.root, path)


def read_reply(path: Path, name: str) -> ReplyTemplate:
    """Read one reply file; ValidationError when it cannot be used."""
    try:
        doc = read_document(path.read_bytes())
    except FormatError as exc:
        raise ValidationError(f"{path}: line {exc.line}: {exc.reason}") from None
    except OSError as exc:
        raise ValidationError(f"{path}: cannot be read ({exc.strerror})") from None
    status = doc.data.get("status")
    if status is not None and status not in STATUSES:
        raise ValidationError(f"{path}: status must be one of {', '.join(STATUSES)}, got {status!r}")
    title = doc.data.get("title")
    return ReplyTemplate(name, str(title) if title else name, status, doc.body.strip("\n"), str(path))


def list_replies(vault: Vault) -> list[ReplyTemplate]:
    """Every canned reply by name (a vault's own one hides obm's of the same name)."""
    found: dict[str, ReplyTemplate] = {}
    for folder in reply_folders(vault):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.md")):
            if path.stem in found or not _NAME_RE.match(path.stem) or not _safe(vault, folder, path):
                continue
            try:
                found[path.stem] = read_reply(path, path.stem)
            except ValidationError:
                continue
    return sorted(found.values(), key=lambda t: t.name)
