"""Response clocks: business hours, pauses while pending, targets per priority.

Every function takes `now` and the time zone explicitly. Arithmetic is done in UTC: two
datetimes that share a tzinfo subtract as wall-clock times in Python, which is wrong across a
DST change, so every instant is converted to UTC before it is compared or subtracted.
See docs/customer-care.md, "Response clocks".
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from obm_tui.model.calendar import BusinessCalendar
from obm_tui.model.tickets import DONE_STATUSES

ZERO = timedelta(0)
MAX_SEARCH_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """When the clocks run. `always` means 24/7; otherwise `windows` on `days` (0 = Monday),
    except on `holidays` and on the business calendar's holidays (model/calendar.py)."""

    always: bool = True
    days: frozenset[int] = frozenset()
    windows: tuple[tuple[time, time], ...] = ()
    holidays: frozenset[date] = frozenset()
    calendar: BusinessCalendar | None = None

    def windows_on(self, day: date) -> tuple[tuple[time, time], ...]:
        """The opening windows of one local day (none on closed days and holidays)."""
        if day.weekday() not in self.days or day in self.holidays:
            return ()
        if self.calendar is not None and self.calendar.is_holiday(day):
            return ()
        return self.windows


ALWAYS = BusinessHours()


@dataclass(frozen=True, slots=True)
class Target:
    """The time allowed for the first response and for the resolution."""

    first_response: timedelta
    resolution: timedelta


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """The ticket moved to `status` at `at` (an aware datetime)."""

    at: datetime
    status: str


@dataclass(frozen=True, slots=True)
class TicketTimes:
    """What the clocks need from a ticket. Datetimes are aware (see `aware`)."""

    created: datetime
    priority: str = "normal"
    status: str = "new"
    first_response: datetime | None = None
    resolved: datetime | None = None


@dataclass(frozen=True, slots=True)
class Clock:
    """One clock of one ticket at `now`.

    `used` is the counted (business, unpaused) time; `remaining` is target - used (negative
    when overdue). `running` is false while paused or once stopped. `due` is when it breaches
    if it keeps running (only for a running clock with time left).
    """

    name: str
    target: timedelta
    used: timedelta
    remaining: timedelta
    breached: bool
    breaching_soon: bool
    running: bool
    stopped: bool
    due: datetime | None = None


@dataclass(frozen=True, slots=True)
class SlaSettings:
    """The clock settings from `.obm/config.toml` (see sla_config.load_care_config)."""

    tz: tzinfo = UTC
    hours: BusinessHours = ALWAYS
    targets: dict[str, Target] = field(default_factory=dict)
    breaching_soon: timedelta = timedelta(hours=2)
    pause_on: frozenset[str] = frozenset({"pending"})

    def target(self, priority: str) -> Target:
        """The target of a priority (normal's when the priority is unknown)."""
        return self.targets.get(priority) or self.targets.get("normal") or DEFAULT_TARGETS["normal"]


DEFAULT_TARGETS: dict[str, Target] = {
    "urgent": Target(timedelta(hours=1), timedelta(hours=8)),
    "high": Target(timedelta(hours=4), timedelta(hours=24)),
    "normal": Target(timedelta(hours=8), timedelta(hours=40)),
    "low": Target(timedelta(hours=24), timedelta(hours=80)),
}


def aware(value: datetime, tz: tzinfo) -> datetime:
    """A naive datetime read as local time in `tz`; an aware one as it is."""
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the clocks; use sla.aware(value, tz) first")
    return value.astimezone(UTC)


def _local_days(start: datetime, end: datetime, tz: tzinfo) -> Iterable[date]:
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _window_span(day: date, window: tuple[time, time], tz: tzinfo) -> tuple[datetime, datetime]:
    opens = datetime.combine(day, window[0], tzinfo=tz).astimezone(UTC)
    closes = datetime.combine(day, window[1], tzinfo=tz).astimezone(UTC)
    return opens, closes


def _business_on(day: date, start: datetime, end: datetime, hours: BusinessHours, tz: tzinfo) -> timedelta:
    """Business time of one local day that falls between two UTC instants."""
    total = ZERO
    for window in hours.windows_on(day):
        opens, closes = _window_span(day, window, tz)
        lo, hi = max(opens, start), min(closes, end)
        if hi > lo:
            total += hi - lo
    return total


class _DayTotals:
    """Running totals of business time per local day for one (hours, time zone), grown on demand,
    so a span of years costs two lookups instead of a walk over every day (a ticket left open for
    two years was 700 days of window arithmetic each time its clock was shown). Each day's total is
    worked out with the same window arithmetic as a short span, so DST days and holidays count
    exactly as they do there."""

    def __init__(self, hours: BusinessHours, tz: tzinfo, first: date) -> None:
        self.hours, self.tz, self.base = hours, tz, first
        self.before: list[timedelta] = [ZERO]  # before[i]: business time of days base .. base+i-1

    def whole_days(self, first: date, last: date) -> timedelta:
        """Business time of the whole local days first..last (first >= base)."""
        self._grow_to(last)
        return self.before[(last - self.base).days + 1] - self.before[(first - self.base).days]

    def _grow_to(self, last: date) -> None:
        while len(self.before) <= (last - self.base).days + 1:
            day = self.base + timedelta(days=len(self.before) - 1)
            self.before.append(self.before[-1] + _business_on(day, _EARLIEST, _LATEST, self.hours, self.tz))


_EARLIEST, _LATEST = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
_TOTALS: dict[tuple[BusinessHours, tzinfo], _DayTotals] = {}
_TOTALS_LOCK = threading.Lock()
SHORT_SPAN_DAYS = 7  # spans up to a week are walked day by day


def _whole_days(first: date, last: date, hours: BusinessHours, tz: tzinfo) -> timedelta:
    with _TOTALS_LOCK:  # the agenda's sources run in threads
        totals = _TOTALS.get((hours, tz))
        if totals is None or first < totals.base:
            totals = _TOTALS[(hours, tz)] = _DayTotals(hours, tz, first - timedelta(days=366))
        return totals.whole_days(first, last)


def elapsed_business_time(start: datetime, end: datetime, hours: BusinessHours, tz: tzinfo) -> timedelta:
    """Business time between two aware instants (zero when end <= start)."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return ZERO
    if hours.always:
        return end - start
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    if (last - first).days <= SHORT_SPAN_DAYS:
        return sum((_business_on(day, start, end, hours, tz) for day in _local_days(start, end, tz)), ZERO)
    middle = _whole_days(first + timedelta(days=1), last - timedelta(days=1), hours, tz)
    return _business_on(first, start, end, hours, tz) + middle + _business_on(last, start, end, hours, tz)


def add_business_time(start: datetime, amount: timedelta, hours: BusinessHours, tz: tzinfo) -> datetime:
    """The instant when `amount` of business time has passed after `start` (in UTC)."""
    start = _utc(start)
    if hours.always or amount <= ZERO:
        return start + max(amount, ZERO)
    if not hours.days or not hours.windows:
        raise ValueError("business hours have no open days or windows")
    left = amount
    day = start.astimezone(tz).date()
    for _ in range(MAX_SEARCH_DAYS):
        for window in hours.windows_on(day):
            opens, closes = _window_span(day, window, tz)
            lo = max(opens, start)
            if closes > lo:
                if closes - lo >= left:
                    return lo + left
                left -= closes - lo
        day += timedelta(days=1)
    raise ValueError("business hours are closed for years (check holidays)")


def paused_intervals(
    events: Sequence[StatusEvent], pause_on: Iterable[str]
) -> list[tuple[datetime, datetime | None]]:
    """Intervals spent in a pausing status, from a status history (open end = still paused)."""
    pausing = frozenset(pause_on)
    intervals: list[tuple[datetime, datetime | None]] = []
    since: datetime | None = None
    for event in sorted(events, key=lambda e: _utc(e.at)):
        if event.status in pausing and since is None:
            since = _utc(event.at)
        elif event.status not in pausing and since is not None:
            intervals.append((since, _utc(event.at)))
            since = None
    if since is not None:
        intervals.append((since, None))
    return intervals


def counted_time(
    start: datetime, end: datetime, pauses: Sequence[tuple[datetime, datetime | None]],
    hours: BusinessHours, tz: tzinfo,
) -> timedelta:
    """Business time from start to end, minus the business time inside the pauses."""
    start, end = _utc(start), _utc(end)
    total = elapsed_business_time(start, end, hours, tz)
    for p_start, p_end in pauses:
        lo, hi = max(p_start, start), min(p_end or end, end)
        total -= elapsed_business_time(lo, hi, hours, tz)
    return max(total, ZERO)


def resolved_at(ticket: TicketTimes, events: Sequence[StatusEvent]) -> datetime | None:
    """When a resolved or closed ticket was resolved: the field, else the history; None if open."""
    if ticket.status not in DONE_STATUSES:
        return None
    if ticket.resolved is not None:
        return ticket.resolved
    done = None
    for event in sorted(events, key=lambda e: _utc(e.at)):
        if event.status in DONE_STATUSES:
            done = done or event.at
        else:
            done = None
    return done


def _is_paused(pauses: Sequence[tuple[datetime, datetime | None]], now: datetime) -> bool:
    return any(lo <= now and (hi is None or now < hi) for lo, hi in pauses)


def _make_clock(
    name: str, target: timedelta, start: datetime, stop: datetime | None, now: datetime,
    pauses: Sequence[tuple[datetime, datetime | None]], settings: SlaSettings,
) -> Clock:
    end = min(_utc(stop), now) if stop is not None else now
    used = counted_time(start, end, pauses, settings.hours, settings.tz)
    remaining = target - used
    stopped = stop is not None and _utc(stop) <= now
    running = not stopped and not _is_paused(pauses, now)
    breached = remaining < ZERO
    soon = running and not breached and remaining <= settings.breaching_soon
    due = add_business_time(now, remaining, settings.hours, settings.tz) if running and not breached else None
    return Clock(name, target, used, remaining, breached, soon, running, stopped, due)


def clocks(
    ticket: TicketTimes, events: Sequence[StatusEvent], now: datetime, settings: SlaSettings
) -> tuple[Clock, Clock]:
    """(first response clock, resolution clock) of a ticket at `now`.

    Both start at `created`, count business time only, and pause while the ticket was in a
    `pause_on` status, or resolved or closed before a reopen. The first-response clock stops at the
    first response (or at resolution when there never was one).
    """
    now = _utc(now)
    target = settings.target(ticket.priority)
    pauses = paused_intervals(events, settings.pause_on | DONE_STATUSES)
    done = resolved_at(ticket, events)
    first_stop = ticket.first_response or done
    first = _make_clock("first response", target.first_response, ticket.created, first_stop, now, pauses, settings)
    resolution = _make_clock("resolution", target.resolution, ticket.created, done, now, pauses, settings)
    return first, resolution


def format_span(span: timedelta) -> str:
    """`1d 2h 05m`, `3h 10m`, `45m` (absolute value, minutes rounded down)."""
    minutes = int(abs(span).total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hrs, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hrs}h {mins:02d}m"
    return f"{hrs}h {mins:02d}m" if hrs else f"{mins}m"


def describe_clock(clock: Clock) -> str:
    """What the queue shows: `2h 10m left`, `overdue 1h 05m`, `paused, 3h left`, `met`."""
    if clock.stopped:
        return "missed" if clock.breached else "met"
    if clock.breached:
        return f"overdue {format_span(clock.remaining)}"
    left = f"{format_span(clock.remaining)} left"
    return left if clock.running else f"paused, {left}"
