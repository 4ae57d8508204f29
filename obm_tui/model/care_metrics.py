"""Queue views and metrics over tickets: open by status x priority, median first response and
resolution over a period, tickets per customer, oldest open.

Tickets come in as `TicketSummary` values; `summarize` builds one from raw front matter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from obm_tui.model.fields import FieldValueError, to_datetime, to_link
from obm_tui.model.kinds import PRIORITIES
from obm_tui.model.sla import ALWAYS, BusinessHours, TicketTimes, aware, elapsed_business_time
from obm_tui.model.tickets import OPEN_STATUSES, STATUSES


@dataclass(frozen=True, slots=True)
class TicketSummary:
    """What the metrics need of one ticket. Datetimes are aware."""

    id: str
    created: datetime
    status: str = "new"
    priority: str = "normal"
    customer: str = ""
    first_response: datetime | None = None
    resolved: datetime | None = None

    @property
    def times(self) -> TicketTimes:
        """The clock inputs of this ticket."""
        return TicketTimes(self.created, self.priority, self.status, self.first_response, self.resolved)


@dataclass(frozen=True, slots=True)
class Period:
    """Days `start` to `end`, both included, in the vault's time zone."""

    start: date
    end: date

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[first instant, first instant after) as aware datetimes."""
        return (datetime.combine(self.start, time(), tzinfo=tz),
                datetime.combine(self.end + timedelta(days=1), time(), tzinfo=tz))

    def contains(self, moment: datetime, tz: tzinfo) -> bool:
        """True when `moment` falls on one of the period's local days."""
        lo, hi = (edge.astimezone(UTC) for edge in self.bounds(tz))
        return lo <= moment.astimezone(UTC) < hi


def _optional_time(raw: Any, tz: tzinfo) -> datetime | None:
    return None if raw in (None, "") else aware(to_datetime(raw), tz)


def customer_key(fields: Mapping[str, Any]) -> str:
    """Who a ticket is from: the client's id, else the email (lower case), else the name."""
    for name in ("client", "email", "customer"):
        raw = fields.get(name)
        if isinstance(raw, str) and raw.strip():
            if name == "client":
                try:
                    return to_link(raw)
                except FieldValueError:
                    continue
            return raw.strip().lower() if name == "email" else " ".join(raw.split())
    return ""


def summarize(fields: Mapping[str, Any], tz: tzinfo) -> TicketSummary:
    """Raw ticket front matter -> TicketSummary. Raises FieldValueError naming the field."""
    def read(name: str, convert: Any) -> Any:
        try:
            return convert(fields.get(name))
        except FieldValueError as exc:
            raise FieldValueError(f"{name}: {exc}") from None

    created = read("created", lambda raw: aware(to_datetime(raw), tz))
    status = str(fields.get("status") or "new")
    priority = str(fields.get("priority") or "normal")
    return TicketSummary(
        id=str(fields.get("id") or ""), created=created, status=status, priority=priority,
        customer=customer_key(fields),
        first_response=read("first_response", lambda raw: _optional_time(raw, tz)),
        resolved=read("resolved", lambda raw: _optional_time(raw, tz)),
    )


def open_by_status_and_priority(tickets: Iterable[TicketSummary]) -> dict[str, dict[str, int]]:
    """{status: {priority: count}} for new, open and pending tickets (every cell present)."""
    table = {s: {p: 0 for p in PRIORITIES} for s in STATUSES if s in OPEN_STATUSES}
    for ticket in tickets:
        if ticket.status in table:
            row = table[ticket.status]
            row[ticket.priority] = row.get(ticket.priority, 0) + 1
    return table


def _median(spans: list[timedelta]) -> timedelta | None:
    if not spans:
        return None
    ordered = sorted(spans)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def median_first_response(
    tickets: Iterable[TicketSummary], period: Period, tz: tzinfo, hours: BusinessHours = ALWAYS
) -> timedelta | None:
    """Median time to first response of the tickets created in the period (answered ones)."""
    spans = [elapsed_business_time(t.created, t.first_response, hours, tz)
             for t in tickets if t.first_response is not None and period.contains(t.created, tz)]
    return _median(spans)


def median_resolution(
    tickets: Iterable[TicketSummary], period: Period, tz: tzinfo, hours: BusinessHours = ALWAYS
) -> timedelta | None:
    """Median time to resolution of the tickets resolved in the period."""
    spans = [elapsed_business_time(t.created, t.resolved, hours, tz)
             for t in tickets if t.resolved is not None and t.status not in OPEN_STATUSES
             and period.contains(t.resolved, tz)]
    return _median(spans)


def tickets_per_customer(
    tickets: Iterable[TicketSummary], period: Period | None = None, tz: tzinfo | None = None
) -> list[tuple[str, int]]:
    """(customer, tickets) most first, then by name; only tickets created in the period if given."""
    counts = Counter(
        t.customer or "(unknown)" for t in tickets
        if period is None or tz is None or period.contains(t.created, tz)
    )
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def oldest_open(tickets: Iterable[TicketSummary], limit: int = 10) -> list[TicketSummary]:
    """The open tickets (new, open, pending) created longest ago, oldest first."""
    waiting = [t for t in tickets if t.status in OPEN_STATUSES]
    return sorted(waiting, key=lambda t: (t.created, t.id))[:limit]
