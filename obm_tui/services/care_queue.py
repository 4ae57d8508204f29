"""The care queue and its numbers: open tickets with their clocks, most urgent first, and the
stats of a period. (The Today screen's "Tickets" section, built on the queue, is in
`agenda_sources.py`.)

Clocks come from each ticket's conversation (its status history pauses them while pending), so
only open tickets' bodies are read. `now` is naive local time (or aware), as everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from obm_tui.model import care_metrics, conversation
from obm_tui.model.care_config import CareConfig
from obm_tui.model.errors import ObmError, Problem
from obm_tui.model.fields import FieldValueError
from obm_tui.model.records import Record
from obm_tui.model.sla import Clock, aware, clocks, describe_clock
from obm_tui.model.tickets import is_open
from obm_tui.services.tickets import care_config, customer_name, local_now
from obm_tui.vault.frontmatter import read_body
from obm_tui.vault.store import Vault


@dataclass(frozen=True)
class QueueEntry:
    """One open ticket in the queue with its two clocks at `now`."""

    record: Record
    customer: str
    first_response: Clock
    resolution: Clock

    @property
    def next_clock(self) -> Clock:
        """The clock that matters now: the first response until it is met, then the resolution."""
        return self.resolution if self.first_response.stopped else self.first_response

    @property
    def urgency(self) -> tuple[int, timedelta]:
        """Sort key: running clocks before paused ones, least time left (most overdue) first."""
        clock = self.next_clock
        return (0 if clock.running else 1, min(clock.remaining, self.resolution.remaining))

    def as_json(self) -> dict[str, Any]:
        """Plain data for `--json`."""
        return {
            "id": self.record.id, "path": self.record.path, "subject": self.record.title,
            "status": self.record.text("status") or "new", "priority": self.record.text("priority") or "normal",
            "customer": self.customer, "assignee": self.record.text("assignee"),
            "first_response": _clock_json(self.first_response), "resolution": _clock_json(self.resolution),
        }


def _clock_json(clock: Clock) -> dict[str, Any]:
    return {"state": describe_clock(clock), "remaining_minutes": int(clock.remaining.total_seconds() // 60),
            "breached": clock.breached, "breaching_soon": clock.breaching_soon, "running": clock.running,
            "stopped": clock.stopped, "due": clock.due.isoformat() if clock.due else None}


def ticket_clocks(vault: Vault, record: Record, now: datetime,
                  config: CareConfig | None = None) -> tuple[Clock, Clock]:
    """(first response, resolution) clocks of one ticket at `now`, from its conversation.

    Raises FieldValueError (a bad `created`…) or ObmError (the file no longer parses or is gone)."""
    config = config or care_config(vault)
    tz = config.settings.tz
    summary = care_metrics.summarize(record.data, tz)
    talk = _talk(vault, record, tz)
    events = conversation.history(talk.messages, summary.created, config.moves)
    first = summary.first_response or talk.first_reply
    times = care_metrics.TicketSummary(summary.id, summary.created, summary.status, summary.priority,
                                       first_response=first, resolved=summary.resolved).times
    return clocks(times, events, aware(local_now(vault, now), tz), config.settings)


@dataclass(frozen=True)
class _Talk:
    """What the clocks need from a conversation: its messages without their text, and the first
    reply. Kept per version of the ticket's file (vault.derived), so a queue rebuilt after one
    edit reads one file."""

    messages: tuple[conversation.Message, ...]
    first_reply: datetime | None


def _talk(vault: Vault, record: Record, tz: tzinfo) -> _Talk:
    def read(raw: bytes) -> _Talk:
        messages = conversation.parse(read_body(raw), tz).messages
        return _Talk(tuple(replace(m, text="") for m in messages), _first_reply(messages))

    return vault.derived.get(record, f"clock messages in {tz}", read)


def _first_reply(messages: Iterable[conversation.Message]) -> datetime | None:
    """The first agent message with text (a status-only heading is not a response)."""
    return next((m.at for m in messages if m.role == "agent" and m.text.strip()), None)


def queue(vault: Vault, now: datetime) -> tuple[list[QueueEntry], list[Problem]]:
    """Open tickets (new, open, pending) with their clocks, most urgent first, and the tickets
    that could not be read (shown as problems, never dropped silently)."""
    config = care_config(vault)
    entries: list[QueueEntry] = []
    problems: list[Problem] = []
    for record in vault.records("ticket"):
        if not is_open(str(record.data.get("status") or "new")):
            continue
        try:
            first, resolution = ticket_clocks(vault, record, now, config)
        except (ObmError, ValueError) as exc:  # a bad field (FieldValueError), a gone file, hours never open
            problems.append(Problem(record.path, 0, str(exc)))
            continue
        entries.append(QueueEntry(record, customer_name(vault, record.data), first, resolution))
    entries.sort(key=lambda e: (e.urgency, e.record.id))
    return entries, problems


# ----- stats ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stats:
    """The numbers of a period (days `period.start`..`period.end` in the vault's time zone)."""

    period: care_metrics.Period
    open_table: dict[str, dict[str, int]]
    median_first_response: timedelta | None
    median_resolution: timedelta | None
    per_customer: list[tuple[str, int]]
    oldest_open: list[care_metrics.TicketSummary]
    created: int
    problems: list[Problem]

    def as_json(self) -> dict[str, Any]:
        """Plain data for `--json` (durations in minutes)."""
        return {
            "since": self.period.start.isoformat(), "until": self.period.end.isoformat(),
            "created": self.created, "open": self.open_table,
            "median_first_response_minutes": _minutes(self.median_first_response),
            "median_resolution_minutes": _minutes(self.median_resolution),
            "per_customer": [{"customer": c, "tickets": n} for c, n in self.per_customer],
            "oldest_open": [{"id": t.id, "created": t.created.isoformat(), "status": t.status,
                             "priority": t.priority} for t in self.oldest_open],
            "problems": [str(p) for p in self.problems],
        }


def _minutes(span: timedelta | None) -> int | None:
    return None if span is None else int(span.total_seconds() // 60)


def stats(vault: Vault, now: datetime, since: date | None = None, until: date | None = None) -> Stats:
    """Open tickets by status x priority (now), and for the period (default: the last 30 days):
    median first response and resolution in business time, tickets per customer, oldest open."""
    config = care_config(vault)
    tz = config.settings.tz
    until = until or local_now(vault, now).date()
    since = since or until - timedelta(days=29)
    period = care_metrics.Period(since, until)
    summaries: list[care_metrics.TicketSummary] = []
    problems: list[Problem] = []
    names: dict[str, str] = {}
    for record in vault.records("ticket", archived=True):
        try:
            summaries.append(care_metrics.summarize(record.data, tz))
        except FieldValueError as exc:
            problems.append(Problem(record.path, 0, str(exc)))
            continue
        names.setdefault(summaries[-1].customer, customer_name(vault, record.data))
    hours = config.settings.hours
    return Stats(
        period, care_metrics.open_by_status_and_priority(summaries),
        care_metrics.median_first_response(summaries, period, tz, hours),
        care_metrics.median_resolution(summaries, period, tz, hours),
        [(names.get(key, key), count) for key, count in care_metrics.tickets_per_customer(summaries, period, tz)],
        care_metrics.oldest_open(summaries), sum(1 for s in summaries if period.contains(s.created, tz)), problems,
    )
