"""A ticket's body as a conversation: parse messages, append one, render canned replies.

The format is specified in docs/customer-care.md ("Conversation format"): one level-3 heading
per message, `### 2026-11-20 10:14 — Sam (agent) → pending`, newest last. Parsing never raises:
what cannot be read becomes a Problem (path left empty, line 1-based within the body).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from obm_tui.model.errors import Problem
from obm_tui.model.sla import StatusEvent, aware
from obm_tui.model.template_text import unfilled
from obm_tui.model.tickets import DEFAULT_MOVES, ROLES, STATUSES, Moves, TransitionError, status_after

HEADING_START_RE = re.compile(r"^###[ \t]+\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}")
HEADING_RE = re.compile(
    r"^###[ \t]+(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
    r"(?P<offset>Z|[+-]\d{2}:?\d{2})?[ \t]+(?:\u2014|\u2013|--|-)[ \t]+(?P<rest>\S.*?)[ \t]*$"  # em/en dash
)
_STATUS_RE = re.compile(r"^(?P<rest>.*?)[ \t]+(?:→|->)[ \t]*(?P<status>\w+)$")
_ROLE_RE = re.compile(r"^(?P<author>.*?)[ \t]*\((?P<role>customer|agent|note)\)$")
_MESSAGE_ID_RE = re.compile(r"^<!--[ \t]*message-id:[ \t]*(?P<id>.*?)[ \t]*-->[ \t]*$")


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a conversation. `at` is aware; `line` is the heading's 1-based body line."""

    at: datetime
    author: str
    role: str
    text: str
    status: str | None = None
    message_id: str | None = None
    line: int = 0
    explicit_role: bool = True

    @property
    def internal(self) -> bool:
        """True for internal notes (never sent to the customer)."""
        return self.role == "note"


@dataclass(frozen=True, slots=True)
class Conversation:
    """A parsed body: the text before the first message, the messages, and what was wrong.

    A message's text has no blank lines at its start or end (see `render_message`).
    """

    preamble: str
    messages: tuple[Message, ...]
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class _Heading:
    at: datetime
    author: str
    role: str
    status: str | None
    explicit_role: bool


def _lines(body: str) -> list[str]:
    return [line[:-1] if line.endswith("\r") else line for line in body.split("\n")]


def _offset(text: str) -> tzinfo:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_heading(line: str, tz: tzinfo) -> _Heading | str:
    """A message heading -> its parts, or the reason it cannot be read."""
    match = HEADING_RE.match(line)
    if not match:
        return "a message heading needs a date, a time, a dash and an author: ### 2026-11-20 10:14 — Jane Doe"
    try:
        local = datetime.fromisoformat(f"{match['date']}T{match['time'].zfill(5)}")
    except ValueError:
        return f"impossible date or time {match['date']} {match['time']}"
    at = local.replace(tzinfo=_offset(match["offset"])) if match["offset"] else aware(local, tz)
    rest, status = match["rest"], None
    status_match = _STATUS_RE.match(rest)
    if status_match:
        rest, status = status_match["rest"], status_match["status"].lower()
        if status not in STATUSES:
            return f"unknown status {status!r} after the arrow: expected one of {', '.join(STATUSES)}"
    role_match = _ROLE_RE.match(rest)
    author = role_match["author"] if role_match else rest
    role = role_match["role"] if role_match else "customer"
    return _Heading(at, author.strip(), role, status, role_match is not None)


def _escapable(line: str) -> bool:
    """Lines that would be misread as a heading or a message-id (backslashes aside)."""
    bare = line.lstrip("\\")
    return bool(HEADING_START_RE.match(bare) or _MESSAGE_ID_RE.match(bare))


def _escape(line: str) -> str:
    return "\\" + line if _escapable(line) else line


def _unescape(line: str) -> str:
    return line[1:] if line.startswith("\\") and _escapable(line) else line


def _trim(lines: list[str]) -> list[str]:
    """Without the blank (whitespace-only) lines at the start and the end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _message(heading: _Heading, line_no: int, lines: list[str]) -> Message:
    message_id = None
    lines = _trim(lines)
    if lines and (found := _MESSAGE_ID_RE.match(lines[0])):
        message_id, lines = found["id"] or None, _trim(lines[1:])
    text = "\n".join(_unescape(line) for line in lines)
    return Message(heading.at, heading.author, heading.role, text, heading.status, message_id,
                   line_no, heading.explicit_role)


def parse(body: str, tz: tzinfo) -> Conversation:
    """Split a ticket body into its preamble and messages (oldest first, as written)."""
    preamble: list[str] = []
    messages: list[Message] = []
    problems: list[Problem] = []
    current: tuple[_Heading, int] | None = None
    chunk: list[str] = []
    for number, line in enumerate(_lines(body), start=1):
        heading = parse_heading(line, tz) if HEADING_START_RE.match(line) else None
        if isinstance(heading, str):
            problems.append(Problem("", number, heading))
        if not isinstance(heading, _Heading):
            chunk.append(line)
            continue
        if current is None:
            preamble = chunk
        else:
            messages.append(_message(current[0], current[1], chunk))
        current, chunk = (heading, number), []
    if current is None:
        preamble = chunk
    else:
        messages.append(_message(current[0], current[1], chunk))
    return Conversation("\n".join(preamble), tuple(messages), tuple(problems))


def _clean(text: str) -> str:
    return " ".join(text.split())


def format_time(at: datetime, tz: tzinfo) -> str:
    """`2026-11-20 10:14` in `tz`, with the offset only when that local time is ambiguous."""
    local = aware(at, tz).astimezone(tz)
    text = local.strftime("%Y-%m-%d %H:%M")
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        offset = local.strftime("%z")
        text += f"{offset[:3]}:{offset[3:]}"
    return text


def render_heading(at: datetime, author: str, role: str, tz: tzinfo, status: str | None = None) -> str:
    """The heading line of a message (no line ending)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    name = _clean(author) or "unknown"
    marker = f" → {status}" if status else ""
    return f"### {format_time(at, tz)} — {name} ({role}){marker}"


def render_message(
    at: datetime, author: str, role: str, text: str, tz: tzinfo, *,
    status: str | None = None, message_id: str | None = None, newline: str = "\n",
) -> str:
    """A whole message block: heading, optional message-id comment, text; ends with a newline.

    The text loses its blank lines at the start and the end; its lines that would read as a
    heading or a message-id comment get a backslash in front (taken off again by `parse`).
    """
    lines = [render_heading(at, author, role, tz, status)]
    if message_id:
        lines.append(f"<!-- message-id: {_clean(message_id).replace('-->', '-- >')} -->")
    lines.extend(_escape(line) for line in _trim(_lines(text)))
    return newline.join(lines) + newline


def append(
    body: str, at: datetime, author: str, role: str, text: str, tz: tzinfo, *,
    status: str | None = None, message_id: str | None = None,
) -> str:
    """The body with one message added at the end; the existing text is kept byte for byte."""
    newline = "\r\n" if "\r\n" in body else "\n"
    block = render_message(at, author, role, text, tz, status=status, message_id=message_id, newline=newline)
    if body and not body.endswith("\n"):
        body += newline
    if body.strip() and not body.endswith(newline + newline):
        body += newline
    return body + block


def history(
    messages: Sequence[Message], created: datetime, moves: Moves = DEFAULT_MOVES, initial: str = "new"
) -> list[StatusEvent]:
    """The status history: `initial` at `created`, then every move a message made.

    A message's `→ status` marker wins; a message without one moves the status as configured.
    """
    events = [StatusEvent(created, initial)]
    status = initial
    for message in messages:
        try:
            after = message.status or status_after(status, message.role, moves)
        except TransitionError:
            after = status
        if after != status:
            events.append(StatusEvent(message.at, after))
        status = after
    return events


def first_response_at(messages: Sequence[Message]) -> datetime | None:
    """When the first agent reply (not a note) was written, if any."""
    return next((m.at for m in messages if m.role == "agent"), None)


class _ReplyTemplate(string.Template):
    idpattern = r"(?a:[_a-z][_a-z0-9]*(?:\.[_a-z][_a-z0-9]*)*)"
    flags = re.IGNORECASE


@dataclass(frozen=True, slots=True)
class RenderedReply:
    """A canned reply with its variables filled; `unknown` lists the variables left as written."""

    text: str
    unknown: tuple[str, ...] = ()


def render_reply(template: str, variables: Mapping[str, str]) -> RenderedReply:
    """Fill `$name`/`${name}` from `variables`; values go in literally. Names with no value (or an
    empty one) stay as written and are listed in `unknown` (the caller refuses: template_text)."""
    tpl = _ReplyTemplate(template)
    names = [m.group("named") or m.group("braced") for m in tpl.pattern.finditer(template)]
    unknown = unfilled([n for n in names if n], variables)
    return RenderedReply(tpl.safe_substitute({k: v for k, v in variables.items() if k not in unknown}), tuple(unknown))


def reply_variables(
    fields: Mapping[str, object], *, customer: str | None = None, agent: str = "",
    business: str = "", today: date | None = None,
) -> dict[str, str]:
    """The variables of a canned reply, from a ticket's front matter (raw strings are fine).

    `customer` overrides the name (pass the client's name when the ticket links a client).
    """
    if customer is None:
        customer = str(fields.get("customer") or fields.get("client") or "")
    customer = _clean(customer).removeprefix("[[").removesuffix("]]")
    variables = {
        "customer": customer,
        "customer.first_name": customer.split(" ")[0] if customer else "",
        "customer.email": str(fields.get("email") or ""),
        "agent": agent or str(fields.get("assignee") or ""),
        "business": business,
        "today": today.isoformat() if today else "",
    }
    for key in ("id", "subject", "priority", "status"):
        variables[f"ticket.{key}"] = str(fields.get(key) or "")
    return variables
