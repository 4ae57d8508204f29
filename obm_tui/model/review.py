"""The owner's review of a period: its figures per system, the holes found, what to do next.

The values only — no files, no git, no clock. `services/review.py` gathers the inputs (the index,
the bodies it needs, one read of the history) and calls the figure functions of
`model/review_figures.py` (clients, processes, customer care, sales and stock, money),
`model/review_team.py` (the team, from the commit authors) and the hole rules of
`model/review_holes.py`; `services/review_render.py` writes a Review as Markdown, JSON and HTML.
Definitions and thresholds: docs/review.md.

Every figure names the records behind it (`refs`, vault-relative paths) and carries its value in
the previous period of the same length, so a reader sees the change and can open what it counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from obm_tui.model.errors import UsageError
from obm_tui.model.records import Record

# A figure's unit: "" a count, "days", "hours", "%" (a share, 0-100), or a currency code ("USD").
COUNT, DAYS, HOURS, PERCENT = "", "days", "hours", "%"
Number = int | Decimal


@dataclass(frozen=True, slots=True)
class Period:
    """The days `start`…`end`, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise UsageError(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def __contains__(self, day: object) -> bool:
        if isinstance(day, datetime):
            day = day.date()
        return isinstance(day, date) and self.start <= day <= self.end

    def label(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class Figure:
    """One number of a section: `value` in this period, `previous` in the one before (None when
    it does not apply, e.g. a median of nothing), with the records behind this period's value."""

    key: str  # stable, for JSON and tests: "clients.won", "money.invoiced.USD"
    label: str  # in business words: "Clients won"
    value: Number | None
    previous: Number | None = None
    unit: str = COUNT
    refs: tuple[str, ...] = ()  # vault-relative paths of the records counted
    note: str = ""  # one line more, e.g. "of 12 runs finished"

    @property
    def change(self) -> Number | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[str, ...]
    refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Table:
    """A breakdown under a section: tickets by tag, units by product, the team by author."""

    key: str
    title: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # clients, processes, care, stock, money, team
    title: str
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    note: str = ""  # e.g. "no orders in the vault"


@dataclass(frozen=True, slots=True)
class NextAction:
    """What to do about a hole: start `process` about `subject` (a run), or, with no process, a
    task (`title`, due `due`) written to the review's "Next steps"."""

    title: str
    process: str | None = None  # a process id
    subject: str | None = None  # a vault-relative path
    due: date | None = None


@dataclass(frozen=True, slots=True)
class Hole:
    """Something the systems did not do, found by a documented rule, with its evidence."""

    rule: str  # the rule's name in docs/review.md and `[review]`: "decline-not-followed"
    title: str  # one line in business words
    detail: str  # why: the evidence in words (amounts, days, counts)
    refs: tuple[str, ...]  # the records that show it
    action: NextAction


@dataclass(frozen=True)
class Review:
    period: Period
    previous: Period
    title: str
    prepared_for: str = ""
    prepared_by: str = ""
    head: str = ""  # the commit the review was made from ("" in a vault with no commits)
    made: datetime | None = None  # that commit's time: the review's only clock
    sections: tuple[Section, ...] = ()
    holes: tuple[Hole, ...] = ()


# ----- what the figures and the rules are computed from --------------------------------------

@dataclass(frozen=True, slots=True)
class FileChange:
    """One commit's change to one record file (history, oldest first). `before` and `after` are
    the front matter on either side, read only for the kinds the review follows
    (`History.followed`); None otherwise, and for a side where the file did not exist."""

    when: datetime  # the commit's author date, aware
    sha: str
    author: str
    email: str
    status: str  # A, M or D (renames are a D and an A)
    path: str
    kind: str | None  # the record kind of the path, None for other files
    message: str
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class History:
    """The history read for a review: every change to a file from `since` to `until` (the
    period and the one before it), in one pass of git. Nothing before `since` is read."""

    since: datetime
    until: datetime
    changes: tuple[FileChange, ...] = ()
    commits: int = 0
    followed: frozenset[str] = frozenset()  # kinds whose changes carry `before`/`after`

    def of(self, path: str) -> list[FileChange]:
        return [c for c in self.changes if c.path == path]

    def transitions(self, kind: str, name: str) -> list[tuple[FileChange, Any, Any]]:
        """(change, old value, new value) of field `name` of records of `kind` (a followed
        kind), oldest first; a new file's old value and a deleted one's new value are None."""
        found = []
        for change in self.changes:
            if change.kind != kind:
                continue
            old = change.before.get(name) if change.before is not None else None
            new = change.after.get(name) if change.after is not None else None
            if old != new:
                found.append((change, old, new))
        return found


@dataclass(frozen=True)
class ReviewSettings:
    """`[review]` of the config: the thresholds of the hole rules (docs/review.md). The rules'
    owner adds fields here; every field has a default, and a bad value is a problem named, not
    a stop."""

    late_step_days: int = 3  # a step done (or still open) this many days after its due day
    always_late_share: Decimal = Decimal("0.5")  # a step late in at least this share of runs
    rate_factor: Decimal = Decimal(2)  # a product or program's ticket/refund rate ≥ this × the others'
    rate_minimum: int = 3  # and at least this many tickets or refunds
    task_days: int = 7  # a task's due day: this many days after the review is made
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewInputs:
    """Everything a figure or a rule may read. `records` is by kind and includes archived
    records (a record archived in the period still counts in it). `body` reads a record's body
    (kept per file version by the service); `tz` is the vault's time zone."""

    period: Period
    previous: Period
    today: date
    records: Mapping[str, Sequence[Record]]
    history: History
    settings: ReviewSettings
    config: Mapping[str, Any]  # the raw config (`[care]`, `[stock]`, `[finance]`… for their settings)
    currency: str
    tz: Any  # tzinfo
    body: Callable[[Record], str] = field(default=lambda record: "")

    def of(self, kind: str) -> Sequence[Record]:
        return self.records.get(kind, ())
