"""`obm import mail`: .eml files, folders of them and mbox files -> tickets, in ONE commit.

One ticket per thread; a thread that refers to a message already in a ticket is appended to that
ticket's conversation; messages already in the vault (a ticket's `message_id`, or a
`<!-- message-id: … -->` line) are skipped as duplicates. Every message gets a report line.
The parsing is `importers/mail.py`; the rules are docs/customer-care.md, "Mail import".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from obm_tui.importers.mail import (
    MailMessage,
    MailProblem,
    Thread,
    plan_import,
    read_mail,
    role_of,
)
from obm_tui.model import conversation, ids
from obm_tui.model.errors import FormatError, ObmError
from obm_tui.model.kinds import KINDS
from obm_tui.model.records import Record, validate
from obm_tui.model.tickets import Moves, status_after
from obm_tui.services.records import require_readable
from obm_tui.services.tickets import care_config, local_now, read_ticket, safe_text
from obm_tui.vault.batch import Edit, NewFile, write_many
from obm_tui.vault.frontmatter import MAX_FILE_BYTES, MAX_FRONT_MATTER_BYTES
from obm_tui.vault.frontmatter_edit import WriteError, new_document
from obm_tui.vault.store import Vault

MAIL_SUFFIXES = (".eml", ".mbox", ".mbx")
MAX_BODY_BYTES = MAX_FILE_BYTES - MAX_FRONT_MATTER_BYTES  # what a ticket's conversation may grow to
_ID_LINE_RE = re.compile(r"^<!--[ \t]*message-id:[ \t]*(.*?)[ \t]*-->[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class MailLine:
    """One line of the report: where, what happened (new, added, duplicate, warning, problem), text."""

    source: str
    status: str
    text: str

    def __str__(self) -> str:
        return f"{self.source}: {self.text}" if self.source else self.text


@dataclass(frozen=True)
class MailImport:
    """What an import did (or, with dry_run, would do)."""

    lines: tuple[MailLine, ...]
    new_tickets: tuple[str, ...] = ()
    replies: int = 0  # messages added to tickets that existed before this import
    duplicates: int = 0
    problems: int = 0
    message: str = ""
    commit: str | None = None
    pending: bool = False
    dry_run: bool = False
    new_messages: int = 0  # the messages of the new tickets (a thread of 5 is 1 ticket, 5 messages)


@dataclass
class _Draft:
    """A ticket being built or extended: its body, its fields, its status."""

    ticket_id: str
    body: str
    status: str
    fields: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, Any] = field(default_factory=dict)


def read_paths(paths: Sequence[Path]) -> tuple[list[MailMessage], list[MailProblem]]:
    """Every message in the files and folders given (folders: their .eml/.mbox files, recursively)."""
    messages: list[MailMessage] = []
    problems: list[MailProblem] = []
    for path in paths:
        for source, name in _files(path, problems):
            try:
                data = source.read_bytes()
            except OSError as exc:
                problems.append(MailProblem(name, f"cannot be read ({exc.strerror or exc})"))
                continue
            found, bad = read_mail(data, name)
            messages += found
            problems += bad
    return messages, problems


def _files(path: Path, problems: list[MailProblem]) -> list[tuple[Path, str]]:
    if path.is_dir():
        found = [p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in MAIL_SUFFIXES
                 and not any(part.startswith(".") for part in p.relative_to(path).parts)]
        if not found:
            problems.append(MailProblem(str(path), "no .eml or .mbox files in this folder"))
        return [(p, str(p.relative_to(path.parent))) for p in found]
    if not path.exists():
        problems.append(MailProblem(str(path), "no such file or folder"))
        return []
    return [(path, path.name)]


def known_messages(vault: Vault) -> dict[str, str]:
    """Every message key already in the vault -> the id of the ticket that holds it."""
    known: dict[str, str] = {}
    for record in vault.records("ticket", archived=True):
        raw_id = record.data.get("message_id")
        if isinstance(raw_id, str) and raw_id.strip():
            known.setdefault(raw_id.strip(), record.id)
        try:
            body = vault.read_body(record)
        except ObmError:
            continue
        if "message-id:" in body:
            for found in _ID_LINE_RE.findall(body):
                known.setdefault(found, record.id)
    return known


def own_addresses(vault: Vault) -> set[str]:
    """The business's own addresses (`[business] email`, `[care] addresses`): their mail is `(agent)`."""
    business, care = vault.config.section("business"), vault.config.section("care")
    found = [business.get("email"), *(care.get("addresses") or [])]
    return {str(a).strip().lower() for a in found if isinstance(a, str) and a.strip()}


def import_mail(vault: Vault, paths: Sequence[Path], *, now: datetime, dry_run: bool = False) -> MailImport:
    """Import the mail in `paths`: new tickets, messages added to tickets, duplicates skipped,
    a report line per message, and one commit for everything (none with `dry_run`)."""
    messages, problems = read_paths(paths)
    known = known_messages(vault)
    plan = plan_import(messages, known, problems)
    builder = _Builder(vault, local_now(vault, now))
    lines: list[MailLine] = [MailLine(p.source, "problem", f"not imported: {p.reason}") for p in plan.problems]
    for message in plan.duplicates:
        where = known.get(message.key)
        lines.append(MailLine(message.source, "duplicate", f"duplicate, skipped (already in {where})" if where
                              else "duplicate, skipped (twice in this import)"))
    made = [(group, file) for group in plan.new_threads if (file := builder.new_ticket(group, lines)) is not None]
    new_files = [file for _, file in made]
    new_messages = sum(len(group.messages) for group, _ in made)
    edits: list[Edit] = []
    replies = unreadable = 0
    for ticket_id, added in sorted(plan.additions.items()):
        try:
            edits.append(builder.extend(vault.find(ticket_id, "ticket"), added, lines))
            replies += len(added)
        except ObmError as exc:  # the ticket's file no longer parses: never written; the rest goes in
            lines += [MailLine(m.source, "problem", f"not added to {ticket_id}: {exc.message}") for m in added]
            unreadable += len(added)
    for message in messages:
        lines += [MailLine(message.source, "warning", f"warning: {w}") for w in message.warnings]
    lines = _in_file_order(lines, messages, problems)
    problems_count = len(plan.problems) + unreadable + builder.refused
    summary = _summary(len(new_files), new_messages, replies, len(plan.duplicates), problems_count)
    result = MailImport(tuple(lines), tuple(f.data["id"] for f in new_files), replies, len(plan.duplicates),
                        problems_count, summary, dry_run=dry_run, new_messages=new_messages)
    if dry_run or not (new_files or edits):
        return result
    written = write_many(vault, [*new_files, *edits], summary)
    return replace(result, commit=written.commit, pending=written.pending)


def _in_file_order(lines: list[MailLine], messages: Sequence[MailMessage],
                   problems: Sequence[MailProblem]) -> list[MailLine]:
    """Report lines grouped by message, in the order the messages were read."""
    order = {source: n for n, source in enumerate(dict.fromkeys(
        [m.source for m in messages] + [p.source for p in problems]))}
    return sorted(lines, key=lambda line: order.get(line.source, len(order)))


def _summary(new: int, new_messages: int, replies: int, duplicates: int, problems: int) -> str:
    """`import mail: 1 new ticket with 5 messages, 2 replies added, …`; the messages of new tickets
    are named when a ticket holds more than one (`9 new tickets` is nine messages)."""
    tickets = f"{new} new ticket{'s' if new != 1 else ''}"
    if new_messages != new:
        tickets += f" with {new_messages} messages"
    parts = [tickets, f"{replies} repl{'ies' if replies != 1 else 'y'} added",
             f"{duplicates} duplicate{'s' if duplicates != 1 else ''} skipped"]
    if problems:
        parts.append(f"{problems} not imported")
    return "import mail: " + ", ".join(parts)


class _Builder:
    """Turns threads into new ticket files and additions into edits, with report lines."""

    def __init__(self, vault: Vault, now: datetime) -> None:
        self.vault = vault
        self.now = now
        self.tz = vault.config.tz
        self.moves: Moves = care_config(vault).moves
        self.own = own_addresses(vault)
        self.taken = vault.index.ids("ticket")
        self.refused = 0  # messages of threads that could not become a ticket

    def _local(self, message: MailMessage, previous: datetime | None) -> datetime:
        if message.date is None:
            return previous or self.now
        return message.date.astimezone(self.tz).replace(tzinfo=None, second=0, microsecond=0)

    def new_ticket(self, group: Thread, lines: list[MailLine]) -> NewFile | None:
        """The new ticket of a thread, or None when it cannot be one (its messages get a problem line)."""
        first = group.messages[0]
        created = self._local(first, None)
        ticket_id = self._fresh_id(created)
        customer = next((m for m in group.messages if role_of(m, self.own) == "customer"), first)
        fields: dict[str, Any] = {"type": "ticket", "id": ticket_id, "subject": group.subject, "status": "new",
                                  "priority": "normal", "channel": "email"}
        if customer.from_name or customer.from_addr or customer.from_raw:
            fields["customer"] = customer.from_name or customer.from_addr or customer.from_raw
        if customer.from_addr:
            fields["email"] = customer.from_addr
        elif customer.from_raw:  # not an address (`xxxxx@xxxxx`): kept, in a field that does not claim to be one
            fields["from"] = customer.from_raw
        fields["created"] = created.isoformat(timespec="minutes")
        fields["message_id"] = group.key
        draft = _Draft(ticket_id, "\n", "new", fields)
        self._append(draft, group.messages, created, first_opens=True)
        fields.update({k: v for k, v in draft.changes.items()})
        stem = f"{ticket_id}-{ids.slug(group.subject, 40)}"
        refusal = _refusal(fields, draft.body, stem)
        if refusal:
            lines += [MailLine(m.source, "problem", f"not imported: {refusal}") for m in group.messages]
            self.refused += len(group.messages)
            return None
        lines.append(MailLine(first.source, "new", f"new ticket {ticket_id} ({group.subject})"))
        lines += [MailLine(m.source, "added", f"added to new ticket {ticket_id}") for m in group.messages[1:]]
        return NewFile(f"tickets/{stem}.md", fields, draft.body)

    def extend(self, record: Record, added: Iterable[MailMessage], lines: list[MailLine]) -> Edit:
        doc = read_ticket(self.vault, require_readable(record))
        status = str(record.data.get("status") or "new")
        draft = _Draft(record.id, doc.body, status, dict(record.data))
        ordered = sorted(added, key=lambda m: (m.date is None, m.date.timestamp() if m.date else 0))
        self._append(draft, ordered, None, first_opens=False)
        if len(draft.body.encode("utf-8")) > MAX_BODY_BYTES:
            raise ObmError(f"the ticket would pass {MAX_FILE_BYTES // (1024 * 1024)} MB")
        note = " (the ticket is closed: consider a follow-up ticket)" if status == "closed" else ""
        lines += [MailLine(m.source, "added", f"added to {record.id}{note}") for m in ordered]
        return Edit(record, draft.changes, draft.body, doc.body)

    def _append(self, draft: _Draft, messages: Sequence[MailMessage], previous: datetime | None,
                *, first_opens: bool) -> None:
        for index, message in enumerate(messages):
            when = self._local(message, previous)
            previous = when
            role = role_of(message, self.own)
            after = draft.status if (first_opens and index == 0) else status_after(draft.status, role, self.moves)
            marker = after if after != draft.status else None
            draft.body = conversation.append(draft.body, when, message.sender, role, _text(message), self.tz,
                                             status=marker, message_id=message.key)
            if marker:
                draft.status = draft.changes["status"] = after
            if role == "agent" and not draft.fields.get("first_response") and "first_response" not in draft.changes:
                draft.changes["first_response"] = when.isoformat(timespec="minutes")

    def _fresh_id(self, created: datetime) -> str:
        for _ in range(100):
            candidate = ids.serial_id("T", created.date(), ids.random_suffix())
            if candidate.casefold() not in self.taken:
                self.taken.add(candidate.casefold())
                return candidate
        raise ObmError("could not find a free ticket id for that day")


def _refusal(fields: dict[str, Any], body: str, stem: str) -> str:
    """Why a new ticket cannot be written ('' when it can): a field its check refuses, or a file too big."""
    problems = [reason for _, reason in validate(KINDS["ticket"], fields, stem)]
    if problems:
        return problems[0]
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        return f"the ticket would pass {MAX_FILE_BYTES // (1024 * 1024)} MB"
    try:
        new_document(fields, body)
    except (FormatError, WriteError) as exc:
        return exc.message
    return ""


def _text(message: MailMessage) -> str:
    text = safe_text(message.text).strip("\n") or "(no text)"
    if message.attachments:
        text += "\n\nAttachments: " + ", ".join(message.attachments)
    return text
