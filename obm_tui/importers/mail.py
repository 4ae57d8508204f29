"""Reading mail exports (.eml files, mbox files) into threads, one ticket per thread.

Pure: bytes in, values out; nothing here opens a file or raises at the user. A message that
cannot be read becomes a MailProblem; a message with odd parts is imported with `warnings`.
Threading follows Message-ID / In-Reply-To / References (never the subject). See
docs/customer-care.md, "Mail import".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from obm_tui.importers.html_text import html_to_text
from obm_tui.model.fields import FieldValueError, email_address, one_line, to_email

_FROM_LINE_RE = re.compile(rb"^From (?:\S*@\S*|-|MAILER-DAEMON)(?: [^\r\n]*)?\r?\n", re.M)
_ESCAPED_FROM_RE = re.compile(rb"^>(>*From )", re.M)
_ID_RE = re.compile(r"<([^<>]*)>")
_PREFIX_RE = re.compile(r"^\s*(?:(?:re|fwd?|aw|sv|antw|vs)(?:\[\d+\])?\s*:\s*)+", re.I)
_EPOCH = datetime.min.replace(tzinfo=UTC)
# Limits of one message (docs/customer-care.md, "Mail import"); a message past one is refused alone.
MAX_HEADER_BYTES = 64 * 1024  # one header field, folded lines included (Python's parser is slow on huge ones)
MAX_ID = 998  # characters in a Message-ID (RFC 5322's line length)
MAX_IDS = 1000  # ids in In-Reply-To or References
MAX_TEXT = 1_000_000  # characters of a message's text


@dataclass(frozen=True, slots=True)
class MailMessage:
    """One message, decoded. `key` identifies it across imports (Message-ID or a content hash)."""

    key: str
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    from_name: str
    from_addr: str
    date: datetime | None
    text: str
    attachments: tuple[str, ...] = ()
    source: str = ""
    warnings: tuple[str, ...] = ()
    from_raw: str = ""  # the From header as text when it holds no address (`xxxxx@xxxxx`)

    @property
    def sender(self) -> str:
        """The sender's name, else address, else the From text, else `unknown sender`."""
        return self.from_name or self.from_addr or self.from_raw or "unknown sender"


@dataclass(frozen=True, slots=True)
class MailProblem:
    """A message that could not be read: where, and why."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}" if self.source else self.reason


@dataclass(frozen=True, slots=True)
class Thread:
    """Messages that refer to each other, oldest first. `key` is the first message's key."""

    messages: tuple[MailMessage, ...]

    @property
    def key(self) -> str:
        return self.messages[0].key

    @property
    def subject(self) -> str:
        """The first message's subject without Re:/Fwd: prefixes."""
        return clean_subject(self.messages[0].subject)

    @property
    def ids(self) -> frozenset[str]:
        """Every id the thread's messages have or refer to."""
        ids: set[str] = set()
        for message in self.messages:
            ids.update((message.key, *message.in_reply_to, *message.references))
        return frozenset(ids)


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What a mail import will do: new tickets, messages for existing tickets, what it skips."""

    new_threads: tuple[Thread, ...] = ()
    additions: Mapping[str, tuple[MailMessage, ...]] = field(default_factory=dict)
    duplicates: tuple[MailMessage, ...] = ()
    problems: tuple[MailProblem, ...] = ()


def clean_subject(subject: str) -> str:
    """`Re: Fwd: Mug` -> `Mug`; an empty subject -> `(no subject)`."""
    text = " ".join(_PREFIX_RE.sub("", subject).split())
    return text or "(no subject)"


def message_ids(text: str) -> tuple[str, ...]:
    """Every `<id>` in a header value, whitespace inside removed, in order, without repeats."""
    found: list[str] = []
    for raw in _ID_RE.findall(text):
        ident = "".join(raw.split())
        if ident and f"<{ident}>" not in found:
            found.append(f"<{ident}>")
    return tuple(found)


def content_key(data: bytes) -> str:
    """`sha256:` + 16 hex digits of the message bytes with LF line endings."""
    return "sha256:" + hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()[:16]


def _header(message: EmailMessage, name: str, warnings: list[str]) -> str:
    try:
        values = message.get_all(name) or []
        return " ".join(str(value) for value in values)
    except Exception as exc:  # noqa: BLE001 - a malformed header must not stop the import
        warnings.append(f"unreadable {name} header ({type(exc).__name__})")
        return ""


def _sender(message: EmailMessage, warnings: list[str]) -> tuple[str, str, str]:
    """(name, address, raw): the address only when `email_address` calls it one (the rule of the
    `email` field); otherwise the header's text is `raw`, kept on the ticket as `from`."""
    raw = " ".join(_header(message, "From", warnings).split())
    if not raw:
        warnings.append("no From: the customer is unknown")
        return "", "", ""
    pairs = [(n, a) for n, a in getaddresses([raw]) if n or a]
    name, addr = (" ".join(pairs[0][0].split()), pairs[0][1].strip()) if pairs else ("", "")
    if email_address(addr):
        return name, addr.lower(), ""
    as_sent = next((" ".join(str(v).split()) for k, v in message.raw_items() if k.lower() == "from"), raw)
    kept = raw if "=?" in as_sent or not as_sent else as_sent  # encoded words: the decoded text
    warnings.append(f"From {kept[:80]!r} holds no address mail can reach: kept as text (from)")
    return name, "", kept


def _date(message: EmailMessage, warnings: list[str]) -> datetime | None:
    raw = _header(message, "Date", warnings)
    if not raw:
        warnings.append("no Date: placed in file order")
        return None
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        warnings.append(f"unreadable Date {raw!r}: placed in file order")
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _decode(part: EmailMessage, warnings: list[str]) -> str:
    """A text part's content; an unknown charset is read as UTF-8, bad bytes become U+FFFD."""
    try:
        content = part.get_content()
        return content if isinstance(content, str) else content.decode("utf-8", errors="replace")
    except LookupError:
        charset = part.get_content_charset() or ""
        warnings.append(f"unknown character set {charset!r}: read as UTF-8")
    except Exception as exc:  # noqa: BLE001 - a broken encoding must not stop the import
        warnings.append(f"text part could not be decoded cleanly ({type(exc).__name__})")
    payload = part.get_payload(decode=True)
    return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def _text(message: EmailMessage, warnings: list[str]) -> str:
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except Exception:  # noqa: BLE001
        body = None
    if body is None:
        warnings.append("no text part")
        return ""
    text = _decode(body, warnings)  # type: ignore[arg-type]
    if body.get_content_subtype() == "html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def _attachments(message: EmailMessage) -> tuple[str, ...]:
    names = []
    try:
        for part in message.iter_attachments():
            names.append(part.get_filename() or part.get_content_type())
    except Exception:  # noqa: BLE001 - attachments are listed by name only; never fatal
        pass
    return tuple(names)


def parse_message(data: bytes, source: str = "") -> MailMessage | MailProblem:
    """One message's bytes (an .eml file, or one mbox entry) -> MailMessage or MailProblem."""
    if not data.strip():
        return MailProblem(source, "empty message")
    oversized = oversized_header(data)
    if oversized:
        return MailProblem(source, oversized)
    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
    except Exception as exc:  # noqa: BLE001
        return MailProblem(source, f"not readable as mail ({type(exc).__name__})")
    if not message.keys():
        return MailProblem(source, "not an email: no header lines")
    warnings: list[str] = []
    ids = message_ids(_header(message, "Message-ID", warnings))
    if not ids:
        warnings.append("no Message-ID: recognised by its content on re-import")
    name, addr, raw_from = _sender(message, warnings)
    parsed = MailMessage(
        key=ids[0] if ids else content_key(data), message_id=ids[0] if ids else None,
        in_reply_to=message_ids(_header(message, "In-Reply-To", warnings)),
        references=message_ids(_header(message, "References", warnings)),
        subject=" ".join(_header(message, "Subject", warnings).split()),
        from_name=name, from_addr=addr, date=_date(message, warnings),
        text=_text(message, warnings), attachments=_attachments(message), source=source,
        warnings=tuple(warnings), from_raw=raw_from,
    )
    odd = odd_field(parsed)
    return MailProblem(source, odd) if odd else parsed


def oversized_header(data: bytes) -> str:
    """Why a header field is too large to read ('' when none is): checked on the bytes, before parsing."""
    end = min((i for i in (data.find(b"\n\n"), data.find(b"\r\n\r\n")) if i >= 0), default=len(data))
    name, size = b"", 0
    for line in data[:end].splitlines():
        if line[:1] in (b" ", b"\t"):
            size += len(line)
        else:
            name, size = line.split(b":", 1)[0].strip()[:40], len(line)
        if size > MAX_HEADER_BYTES:
            return f"the {name.decode('ascii', 'replace')} header is larger than {MAX_HEADER_BYTES // 1024} KB"
    return ""


def odd_field(message: MailMessage) -> str:
    """Why a message's fields cannot go into a ticket ('' when they can)."""
    checks = (("Subject", message.subject, one_line), ("From name", message.from_name, one_line),
              ("From address", message.from_addr, to_email), ("From", message.from_raw, one_line))
    for what, value, check in checks:
        try:
            if value:
                check(value)
        except FieldValueError as exc:
            return f"{what}: {exc}"
    ids = (message.key, *message.in_reply_to, *message.references)
    if any(len(ident) > MAX_ID for ident in ids):
        return f"a Message-ID longer than {MAX_ID} characters"
    if max(len(message.in_reply_to), len(message.references)) > MAX_IDS:
        return f"more than {MAX_IDS:,} ids in In-Reply-To or References"
    if len(message.text) > MAX_TEXT:
        return f"the text is longer than {MAX_TEXT:,} characters ({len(message.text):,})"
    return ""


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox, split on `From ` lines that start the file or follow a blank
    line and name a sender (`From a@b …`, `From - …`, `From MAILER-DAEMON …`); `>From `
    quoting (mboxrd) is undone."""
    starts = [m.start() for m in _FROM_LINE_RE.finditer(data)
              if m.start() == 0 or data[:m.start()].endswith((b"\n\n", b"\r\n\r\n"))]
    if not starts:
        return [data] if data.strip() else []
    chunks = [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)], strict=True)]
    return [_ESCAPED_FROM_RE.sub(rb"\1", _FROM_LINE_RE.sub(b"", chunk, count=1)) for chunk in chunks]


def is_mbox(data: bytes) -> bool:
    """True when the bytes start with an mbox `From ` line."""
    return data.lstrip(b"\r\n").startswith(b"From ")


def read_mail(data: bytes, source: str = "") -> tuple[list[MailMessage], list[MailProblem]]:
    """An .eml file or an mbox file -> its messages and its problems (never raises)."""
    chunks = split_mbox(data.lstrip(b"\r\n")) if is_mbox(data) else [data]
    messages: list[MailMessage] = []
    problems: list[MailProblem] = []
    for number, chunk in enumerate(chunks, start=1):
        where = f"{source}: message {number}" if len(chunks) > 1 else source
        parsed = parse_message(chunk, where)
        (problems if isinstance(parsed, MailProblem) else messages).append(parsed)  # type: ignore[arg-type]
    if not chunks:
        problems.append(MailProblem(source, "empty file"))
    return messages, problems


class _Groups:
    """Union-find over message ids."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, ident: str) -> str:
        root = self.parent.setdefault(ident, ident)
        while root != self.parent[root]:
            root = self.parent[root]
        while ident != root:
            following = self.parent[ident]
            self.parent[ident] = root
            ident = following
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _when(message: MailMessage) -> datetime:
    return message.date.astimezone(UTC) if message.date else _EPOCH


def _order(messages: Iterable[MailMessage]) -> list[MailMessage]:
    """By date (undated ones first), then in the order given."""
    indexed = sorted(enumerate(messages), key=lambda pair: (_when(pair[1]), pair[0]))
    return [message for _, message in indexed]


def thread(messages: Iterable[MailMessage]) -> list[Thread]:
    """Group messages into threads, oldest thread first; a repeated key is kept once."""
    groups = _Groups()
    unique: dict[str, MailMessage] = {}
    for message in messages:
        if message.key in unique:
            continue
        unique[message.key] = message
        for ident in (*message.in_reply_to, *message.references):
            groups.join(message.key, ident)
    by_root: dict[str, list[MailMessage]] = {}
    for message in unique.values():
        by_root.setdefault(groups.find(message.key), []).append(message)
    threads = [Thread(tuple(_order(group))) for group in by_root.values()]
    return sorted(threads, key=lambda t: _when(t.messages[0]))


def plan_import(
    messages: Iterable[MailMessage], known: Mapping[str, str], problems: Collection[MailProblem] = ()
) -> ImportPlan:
    """Decide a re-importable import. `known` maps message keys/ids already in the vault to
    their ticket id. Known messages (and repeats within the import) are duplicates; a thread
    that refers to a known id goes to that ticket; any other thread is a new ticket."""
    new: list[Thread] = []
    additions: dict[str, list[MailMessage]] = {}
    duplicates: list[MailMessage] = []
    batch: dict[str, MailMessage] = {}
    for message in messages:
        if message.key in known or message.key in batch:
            duplicates.append(message)
        else:
            batch[message.key] = message
    for group in thread(batch.values()):
        tickets = sorted({known[i] for i in group.ids if i in known})
        if tickets:
            additions.setdefault(tickets[0], []).extend(group.messages)
        else:
            new.append(group)
    return ImportPlan(tuple(new), {k: tuple(v) for k, v in additions.items()}, tuple(duplicates), tuple(problems))


def role_of(message: MailMessage, own_addresses: Collection[str]) -> str:
    """`agent` when the business sent it (its address is one of `own_addresses`), else `customer`."""
    own = {address.lower() for address in own_addresses}
    return "agent" if message.from_addr and message.from_addr in own else "customer"
