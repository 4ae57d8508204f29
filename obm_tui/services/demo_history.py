"""The demo's history: the sample vault committed as the summer and autumn happened, so that its
`git log` tells the story of DESIGN.md and a review of the summer finds what the hand-written one
says (docs/review.md: the review reads created and changed times from git, never from mtimes).

Each record is committed, as it is now, at the moment its own fields say it came to be (`created`,
else the kind's day: a ticket's first message, a run's `started`, an invoice's `issued` …); what
existed before the story begins is one first commit. The clients' lives are told in more than one
commit (`CLIENT_LIVES`: a lead won, a client paused, one who finished), each change with the
message the app would write. Authors: the record's owner or assignee, else Mia (the manager);
`obm` for what obm does by itself (recurring runs, payments imported from Stripe). The history is
written in one `git fast-import`, with set author and committer dates: the same sample gives the
same commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from obm_tui.model.errors import ObmError
from obm_tui.model.fields import FieldValueError, to_date, to_datetime
from obm_tui.model.messages import change_message, created_message
from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.git import Git
from obm_tui.vault.paths import kind_of_path

ZONE = ZoneInfo("America/New_York")  # the sample business's zone (its config)
BEGINS = datetime(2026, 5, 29, 17, 30, tzinfo=ZONE)  # Fred's last day before the summer
PEOPLE = {"Mia Torres": "mia@fredsmith.coach", "Fred Smith": "fred@fredsmith.coach", "obm": "obm@localhost"}
MANAGER = "Mia Torres"
DAY_FIELD = {"ticket": "opened", "run": "started", "invoice": "issued", "bill": "issued", "expense": "date",
             "payment": "date", "decline": "declined", "purchase-order": "ordered", "close": "closed",
             "client": "since"}

# Earlier lives of clients: (when, the fields as they were then), oldest first; the file as it is
# now is committed last, at its `since` or the moment given with None.
CLIENT_LIVES: dict[str, list[tuple[str, dict[str, Any] | None]]] = {
    "aisha-khan": [("2026-06-08 10:12", {"status": "lead", "since": None}),
                   ("2026-06-10 09:05", {"status": "onboarding", "since": None})],
    "lucia-fernandez": [("2026-07-08 14:20", {"status": "lead", "since": None})],
    "olivia-grant": [("2026-07-09 11:00", {"status": "lead", "archived": None}),
                     ("2026-07-15 09:10", {"status": "onboarding", "archived": None}),
                     ("2026-07-24 16:40", None)],
    "james-whitfield": [("2026-06-30 17:00", None)],  # paused for his busy season
    "tom-becker": [("2026-08-28 15:30", None)],  # finished his coaching in August
    "sophie-martin": [("2026-11-05 10:00", {"status": "lead"}), ("2026-11-12 09:00", None)],
    "marco-bianchi": [("2026-11-09 13:15", {"status": "lead"}), ("2026-11-16 09:00", None)],
}
# Before the story the clients above that were clients then were current.
BEFORE: dict[str, dict[str, Any]] = {"james-whitfield": {"status": "current"}, "tom-becker": {"status": "current"}}


@dataclass(frozen=True)
class Step:
    when: datetime
    author: str
    files: Mapping[str, bytes]
    message: str


def _moment(value: Any, fallback: datetime) -> datetime:
    """A front-matter day or time (text, as the strict reader gives it) in the business's zone."""
    if isinstance(value, str) and value.strip():
        try:
            value = to_datetime(value) if "T" in value or " " in value.strip() else to_date(value)
        except FieldValueError:
            return fallback
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=ZONE)
    if isinstance(value, date):
        return datetime.combine(value, time(9, 0), ZONE)
    return fallback


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def _with_fields(raw: bytes, fields: Mapping[str, Any]) -> bytes:
    """The file with front-matter lines of `fields` set (None: the line removed); the sample's
    lines are plain `name: value`."""
    text = raw.decode("utf-8")
    head, sep, body = text[4:].partition("\n---\n")
    lines = head.split("\n")
    for name, value in fields.items():
        pattern = re.compile(rf"^{re.escape(name)}:")
        found = [i for i, line in enumerate(lines) if pattern.match(line)]
        if value is None:
            lines = [line for i, line in enumerate(lines) if i not in found]
        elif found:
            lines[found[0]] = f"{name}: {value}"
        else:
            lines.append(f"{name}: {value}")
    return ("---\n" + "\n".join(lines) + sep + body).encode("utf-8")


def _author(kind: str | None, data: Mapping[str, Any], recurring: set[str]) -> str:
    if kind == "run" and str(data.get("process") or "").strip("[]\" ") in recurring:
        return "obm"
    if kind == "payment" and data.get("source") == "stripe":
        return "obm"
    for name in ("author", "owner", "assignee"):
        value = str(data.get(name) or "").split("#")[0].strip()
        if value in PEOPLE:
            return value
    return MANAGER


def story(root: Path) -> list[Step]:
    """The steps of the demo's history, oldest first (every file of `root`, the last step of
    each file committing it as it is now)."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and ".git" not in p.relative_to(root).parts)
    first: dict[str, bytes] = {}
    steps: list[Step] = []
    parsed: dict[str, tuple[str | None, Mapping[str, Any], bytes]] = {}
    for path in files:
        rel = path.relative_to(root).as_posix()
        raw = path.read_bytes()
        of_path = kind_of_path(rel)
        try:
            data: Mapping[str, Any] = read_document(raw).data if of_path is not None else {}
        except (ObmError, ValueError):  # an unreadable sample file is committed at the start
            data = {}
        parsed[rel] = (of_path.name if of_path else None, data, raw)
    recurring = {rel.split("/")[-1][:-3] for rel, (k, d, _) in parsed.items() if k == "process" and d.get("recurrence")}
    for rel, (kind, data, raw) in parsed.items():
        record_id = rel.split("/")[-1][:-3]
        day = _moment(data.get(DAY_FIELD.get(kind or "", "")), BEGINS)
        when = day if kind == "client" else _moment(data.get("created"), day)
        lives = CLIENT_LIVES.get(record_id, []) if kind == "client" else []
        if kind == "client" and record_id in BEFORE:
            first[rel] = _with_fields(raw, BEFORE[record_id])
        elif when <= BEGINS and not lives:
            first[rel] = raw
            continue
        author = _author(kind, data, recurring)
        before: Mapping[str, Any] = read_document(first[rel]).data if rel in first else {}
        for moment, fields in lives:
            version = raw if fields is None else _with_fields(raw, fields)
            now = read_document(version).data
            steps.append(Step(_at(moment), author, {rel: version}, _message(kind, record_id, before, now)))
            before = now
        if lives and lives[-1][1] is None:
            continue
        last = max(when, steps[-1].when + timedelta(minutes=1)) if lives else when
        steps.append(Step(last, author, {rel: raw}, _message(kind, record_id, before, read_document(raw).data
                                                              if kind else {})))
    start = Step(BEGINS, MANAGER, first, "the vault as Fred left it: the business's systems, written down")
    return [start, *sorted(steps, key=lambda s: (s.when, sorted(s.files)))]


def _message(kind: str | None, record_id: str, before: Mapping[str, Any], now: Mapping[str, Any]) -> str:
    if kind is None:
        return f"{record_id}: written"
    if not before:
        return created_message(kind, record_id, str(now.get("title") or now.get("name") or now.get("subject")
                                                    or now.get("customer") or now.get("payee") or record_id))
    changed = {k: v for k, v in now.items() if before.get(k) != v}
    gone = [k for k in before if k not in now]
    return change_message(kind, record_id, before, changed, gone)


def fast_import_stream(steps: list[Step], ref: str) -> bytes:
    """`git fast-import` commands committing `steps` on `ref`."""
    out = bytearray()
    for number, step in enumerate(steps):
        stamp = f"{int(step.when.timestamp())} {step.when.strftime('%z')}"
        who = f"{step.author} <{PEOPLE.get(step.author, 'obm@localhost')}>"
        message = step.message.encode("utf-8")
        out += f"commit {ref}\nmark :{number + 1}\nauthor {who} {stamp}\ncommitter {who} {stamp}\n".encode()
        out += b"data %d\n%s\n" % (len(message), message)
        if number:
            out += f"from :{number}\n".encode()
        for rel, data in sorted(step.files.items()):
            out += f"M 100644 inline {rel}\n".encode() + b"data %d\n%s\n" % (len(data), data)
        out += b"\n"
    return bytes(out + b"done\n")


def write_demo_history(git: Git, root: Path) -> None:
    ref = git.read(["symbolic-ref", "HEAD"]).stdout.decode().strip() or "refs/heads/main"
    git.import_history(fast_import_stream(story(root), ref))
