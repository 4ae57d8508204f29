"""The owner's review of a period, built from the vault and its git history only.

`build_review` gathers the inputs once — the index by kind (archived records included), bodies
kept per file version, one read of the history covering the period and the one before it — and
runs the figures (model/review_figures.py, model/review_team.py) and the hole rules
(model/review_holes.py). The same vault at the same commit gives the same review: the only clock
is the HEAD commit's time, and `today` is only a default for the period. Docs: docs/review.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta

from obm_tui.model import review_figures, review_holes, review_team
from obm_tui.model.errors import ObmError
from obm_tui.model.records import Record
from obm_tui.model.review import History, Period, Review, ReviewInputs, Section
from obm_tui.vault.frontmatter import read_body
from obm_tui.vault.git_history import read_history
from obm_tui.vault.store import Vault

DEFAULT_DAYS = 30  # with no review before: the last thirty days
FOLLOWED = ("client",)  # kinds whose field changes the history reads (their front matter at each change)

SectionFunction = Callable[[ReviewInputs], Section]
SECTIONS: tuple[SectionFunction, ...] = (
    review_figures.clients, review_figures.processes, review_figures.care, review_figures.stock,
    review_figures.money, review_team.team,
)


def default_period(vault: Vault, today: date, since: date | None = None, until: date | None = None) -> Period:
    """`--since`/`--until` as given; a missing start is the day after the last review's period
    (else thirty days before the end), a missing end is today."""
    end = until or today
    if since is None:
        ends = [d for r in vault.records("review") if isinstance(d := r.data.get("period_end"), date) and d < end]
        since = max(ends) + timedelta(days=1) if ends else end - timedelta(days=DEFAULT_DAYS - 1)
    return Period(since, end)


def body_reader(vault: Vault) -> Callable[[Record], str]:
    """A record's body, read once per version of its file ("" when it cannot be read now)."""
    def body(record: Record) -> str:
        try:
            return vault.derived.get(record, "body", lambda raw: read_body(raw))
        except ObmError:
            return ""
    return body


def review_inputs(vault: Vault, period: Period, today: date, history: History | None = None) -> ReviewInputs:
    previous = period.previous()
    tz = vault.config.tz
    if history is None:
        since = datetime.combine(previous.start, time(0), tz)
        until = datetime.combine(period.end + timedelta(days=1), time(0), tz)
        history = read_history(vault.git, since, until, FOLLOWED)
    by_kind: dict[str, list[Record]] = {}
    for record in vault.records(archived=True):
        by_kind.setdefault(record.kind, []).append(record)
    return ReviewInputs(period, previous, today, by_kind, history,
                        review_holes.review_settings(vault.config.section("review")), vault.config.raw,
                        vault.config.currency, tz, body_reader(vault))


def build_review(vault: Vault, period: Period, today: date, *, title: str = "", prepared_for: str = "",
                 prepared_by: str = "", sections: Sequence[SectionFunction] = SECTIONS) -> Review:
    inputs = review_inputs(vault, period, today)
    head = vault.git.head() or ""
    made = vault.git.log(limit=1)[0].when if head else None
    return Review(period, inputs.previous, title or f"Review {period.label()}", prepared_for, prepared_by,
                  head, made, tuple(section(inputs) for section in sections), review_holes.find_holes(inputs))
