"""Customer-care use cases: open a ticket, reply (typed or canned), add a note or a customer's
message, move the status. One action, one write, one commit in business words.

`now` is always passed in: a naive datetime in the vault's time zone (as `records.now_in`
gives), or an aware one. Formats: docs/customer-care.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from obm_tui.model import conversation
from obm_tui.model.care_config import CareConfig, load_care_config
from obm_tui.model.errors import FormatError, UsageError, ValidationError
from obm_tui.model.fields import FieldValueError, to_link
from obm_tui.model.merge import DELETED
from obm_tui.model.records import Record
from obm_tui.model.reflow import reflow
from obm_tui.model.template_text import business_hint, refuse_unfilled
from obm_tui.model.tickets import move as move_status
from obm_tui.model.tickets import status_after
from obm_tui.services.records import new_record, require_readable
from obm_tui.services.replies import ReplyTemplate, find_reply
from obm_tui.vault.frontmatter import Document
from obm_tui.vault.frontmatter_edit import WriteError
from obm_tui.vault.git_config import FALLBACK_IDENTITY
from obm_tui.vault.store import SaveResult, Vault


@dataclass(frozen=True)
class MessageResult:
    """What adding a message did: the save, the status before and after, and the reply's
    variables that had no value (left in the text as written; only with `force`)."""

    save: SaveResult
    before: str
    after: str
    unknown: tuple[str, ...] = ()

    @property
    def record(self) -> Record:
        return self.save.record


def care_config(vault: Vault) -> CareConfig:
    """The vault's clock settings and message moves (bad values fall back to their defaults)."""
    return load_care_config(vault.config.raw)


def local_now(vault: Vault, now: datetime) -> datetime:
    """`now` as a naive local time to the minute (aware values are converted to the vault's zone)."""
    if now.tzinfo is not None:
        now = now.astimezone(vault.config.tz).replace(tzinfo=None)
    return now.replace(second=0, microsecond=0)


def agent_name(vault: Vault) -> str:
    """Who is replying: the vault's [author], else the git user, else [business].manager."""
    if vault.config.author:
        return vault.config.author[0]
    identity = vault.git.identity
    if identity and identity != FALLBACK_IDENTITY and identity[0] != FALLBACK_IDENTITY[0]:
        return str(identity[0])
    return vault.config.manager or "agent"


def find_ticket(vault: Vault, ref: str) -> Record:
    """A ticket by id (or unique prefix, path, link); refuses one whose file does not parse."""
    return require_readable(vault.find(ref, "ticket"))


def read_ticket(vault: Vault, record: Record) -> Document:
    """The ticket's file as it is now (ConflictError if it no longer parses)."""
    return vault.read_for_edit(record)


def client_of(vault: Vault, fields: Mapping[str, Any]) -> Record | None:
    """The client record a ticket links to, if any and if it exists."""
    raw = fields.get("client")
    if not raw:
        return None
    try:
        return vault.index.get("client", to_link(raw))
    except FieldValueError:
        return None


_CONFLICT_LINE_RE = re.compile(r"^(?=(?:<<<<<<<|>>>>>>>)(?: |$))", re.MULTILINE)


def safe_text(text: str) -> str:
    """Message text that cannot make the file unreadable: a line that would read as a git
    conflict marker (`<<<<<<< HEAD`) gets a backslash in front; NUL becomes U+FFFD."""
    return _CONFLICT_LINE_RE.sub("\\\\", text.replace("\x00", "\ufffd"))


def customer_name(vault: Vault, fields: Mapping[str, Any]) -> str:
    """The name a customer's messages are signed with: customer, client's name, email."""
    client = client_of(vault, fields)
    for value in (fields.get("customer"), client.title if client else None, fields.get("email")):
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return "customer"


# ----- new ticket ----------------------------------------------------------------------------

def new_ticket(vault: Vault, subject: str, pairs: Mapping[str, str], *, now: datetime,
               message: str | None = None) -> SaveResult:
    """Open a ticket from a subject and `field=value` text; the first message, when given, is
    the customer's. One commit (`ticket T-…: created (subject)`)."""
    pairs = dict(pairs)
    if pairs.get("client", "").strip():
        link = pairs["client"].strip().removeprefix("[[").removesuffix("]]").split("|")[0]
        pairs["client"] = vault.find(link, "client").id
    when = local_now(vault, now)
    body = ""
    if message is not None:
        if not message.strip():
            raise ValidationError("the first message is empty")
        author = customer_name(vault, {key: pairs.get(key) for key in ("customer", "email", "client")})
        body = "\n" + conversation.render_message(when, author, "customer", safe_text(message), vault.config.tz)
    return new_record(vault, "ticket", subject, pairs, body=body, when=when)


# ----- messages ------------------------------------------------------------------------------

def reply(vault: Vault, ref: str, *, now: datetime, text: str | None = None, template: str | None = None,
          status: str | None = None, force: bool = False, agent: str | None = None) -> MessageResult:
    """An agent's reply, typed (`text`) or canned (`template`). The status moves as configured,
    or to `status` (or the template's status) when given. Unknown template variables refuse
    the reply, naming them, unless `force`."""
    if (text is None) == (template is None):
        raise UsageError("give the reply's text or a canned reply's name (one of the two)")
    record = find_ticket(vault, ref)
    agent = agent or agent_name(vault)
    unknown: tuple[str, ...] = ()
    label = ""
    if template is not None:
        canned = find_reply(vault, template)
        text, unknown = fill_reply(vault, record, canned, agent, now)
        if not force:
            refuse_unfilled(f"the reply {canned.name!r}", unknown, reply_hint(record),
                            "fill them in, or send it anyway with --force")
        status = status or canned.status
        label = f" ({canned.name})"
    result = add_message(vault, record, "agent", text or "", now=now, author=agent, status=status,
                         verb=f"replied{label}")
    return MessageResult(result.save, result.before, result.after, unknown)


def note(vault: Vault, ref: str, text: str, *, now: datetime, agent: str | None = None) -> MessageResult:
    """An internal note: never sent, never a response, never moves the status."""
    record = find_ticket(vault, ref)
    return add_message(vault, record, "note", text, now=now, author=agent or agent_name(vault), verb="note added")


def customer_message(vault: Vault, ref: str, text: str, *, now: datetime, author: str | None = None) -> MessageResult:
    """A message from the customer (by phone, chat…); moves the status as configured."""
    record = find_ticket(vault, ref)
    if record.data.get("status") == "closed":
        raise ValidationError(f"ticket {record.id} is closed: a new message starts a follow-up ticket "
                              f"(obm ticket new \"…\" --message …)")
    author = author or customer_name(vault, record.data)
    return add_message(vault, record, "customer", text, now=now, author=author, verb="customer wrote")


def set_status(vault: Vault, ref: str, status: str, *, now: datetime, agent: str | None = None) -> MessageResult:
    """Move the status with a status-only heading (`### … — Sam (agent) → resolved`)."""
    record = find_ticket(vault, ref)
    current = str(record.data.get("status") or "new")
    move_status(current, status)  # TransitionError names the allowed moves
    if status == current:
        raise ValidationError(f"ticket {record.id} is {current} already")
    return add_message(vault, record, "agent", "", now=now, author=agent or agent_name(vault),
                       status=status, verb="", allow_empty=True)


def add_message(vault: Vault, record: Record, role: str, text: str, *, now: datetime, author: str,
                status: str | None = None, verb: str, allow_empty: bool = False) -> MessageResult:
    """Append one message to a ticket's conversation and update its fields, in one commit."""
    if not allow_empty and not text.strip():
        raise ValidationError(f"the {'note' if role == 'note' else 'message'} is empty")
    current = str(record.data.get("status") or "new")
    if current == "closed" and role == "agent" and not allow_empty:
        raise ValidationError(f"ticket {record.id} is closed: reopen is not possible; start a follow-up ticket")
    after = _status_after(current, role, vault, status)
    when = local_now(vault, now)
    doc = read_ticket(vault, record)
    marker = after if after != current else None
    body = conversation.append(doc.body, when, author, role, safe_text(text), vault.config.tz, status=marker)
    changes = _field_changes(record, role, current, after, when, text)
    message = _commit_message(record.id, verb, current, after)
    try:
        save = vault.update(record, changes, message, body=body, base_body=doc.body)
    except (FormatError, WriteError) as exc:  # the new text itself would not read back
        raise ValidationError(f"ticket {record.id}: the message cannot be saved: {exc.message}") from None
    return MessageResult(save, current, after)


def _status_after(current: str, role: str, vault: Vault, explicit: str | None) -> str:
    return status_after(current, role, care_config(vault).moves, explicit)  # TransitionError names the moves


def _field_changes(record: Record, role: str, before: str, after: str, when: datetime,
                   text: str) -> dict[str, Any]:
    stamp = when.isoformat(timespec="minutes")
    changes: dict[str, Any] = {}
    if after != before:
        changes["status"] = after
    if role == "agent" and text.strip() and not record.data.get("first_response"):
        changes["first_response"] = stamp
    if after == "resolved" or (after == "closed" and not record.data.get("resolved")):
        if after != before:
            changes["resolved"] = stamp
    elif after in ("new", "open", "pending") and record.data.get("resolved"):
        changes["resolved"] = DELETED  # reopened: no longer resolved
    return changes


def _commit_message(ticket_id: str, verb: str, before: str, after: str) -> str:
    moved = f"status {before} -> {after}" if after != before else ""
    parts = "; ".join(part for part in (verb, moved) if part)
    return f"ticket {ticket_id}: {parts}"


def reply_hint(record: Record) -> Callable[[str], str]:
    """Where to give a canned reply's variable a value, in the user's words."""
    fields = {"customer": "customer", "customer.first_name": "customer", "customer.email": "email"}

    def where(name: str) -> str:
        if name == "agent":
            return "set [author] name in .obm/config.toml, or git config user.name"
        if name in fields or name.startswith("ticket."):
            return f"obm set {record.id} {fields.get(name) or name.removeprefix('ticket.')}=…"
        return business_hint(name) or "not a variable of canned replies (docs/customer-care.md)"
    return where


def fill_reply(vault: Vault, record: Record, canned: ReplyTemplate, agent: str,
          now: datetime) -> tuple[str, tuple[str, ...]]:
    fields = dict(record.data)
    client = client_of(vault, fields)
    if client is not None and not fields.get("email") and client.data.get("email"):
        fields["email"] = client.data["email"]
    variables = vault.config.business_values() | conversation.reply_variables(
        fields, customer=customer_name(vault, fields) if fields.get("customer") or client else None,
        agent=agent, business=vault.config.business_name, today=local_now(vault, now).date(),
    )
    rendered = conversation.render_reply(reflow(canned.text), variables)  # paragraphs, as a mail client shows
    return rendered.text, rendered.unknown
