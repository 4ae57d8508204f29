"""The month close: what blocks closing a month, the month's figures, and which closed months a
change to a money record touches (docs/finances.md, "Month close").

Pure: records in, values out. services/month_close.py writes `closes/<month>.md`; the vault's
write road (vault/store.py) asks `closed_months_changed` before every commit, so any change to a
closed month's money says so in its commit message, whichever command or screen made it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from obm_tui.model import finance
from obm_tui.model.errors import ValidationError
from obm_tui.model.fields import day_or_none, link_target
from obm_tui.model.finance import Event, FinanceSettings, waits_for_a_link
from obm_tui.model.money import Totals
from obm_tui.model.records import Record

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})\Z")
MONEY_KINDS = frozenset({"invoice", "bill", "expense", "payment"})
FOLLOWED_UP = ("recovered", "lost")
SUMMARY_COLUMNS = ("invoiced", "received", "expenses", "bills", "receivables")
CLOSED_MONTH_NOTE = "this change alters the books of closed month"  # how the write road's warning starts


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month: `2026-11`, its first and last day."""

    name: str
    first: date
    last: date

    def holds(self, day: date | None) -> bool:
        return day is not None and self.first <= day <= self.last


def month(text: str) -> Month:
    """`2026-11` -> Month; ValidationError in the user's words otherwise."""
    found = MONTH_RE.match(str(text).strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValidationError(f"expected a month like 2026-11, got {str(text)[:20]!r}")
    first = date(int(found.group(1)), int(found.group(2)), 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Month(f"{first:%Y-%m}", first, last)


@dataclass(frozen=True, slots=True)
class Blocker:
    """One thing that stops the close: the file, and why."""

    path: str
    why: str


def _day(record: Record, name: str) -> date | None:
    return day_or_none(record.data.get(name))
def _link(raw: object) -> str:
    return link_target(raw)
def blockers(records: Iterable[Record], when: Month, dunning_process: str, default_currency: str) -> list[Blocker]:
    """Every reason the month cannot be closed yet, by file."""
    records = list(records)
    found: list[Blocker] = []
    billed = {_link(r.data.get("purchase_order")) for r in records if r.kind == "bill"}
    followed = {_link(r.data.get("subject")) for r in records
                if r.kind == "run" and _link(r.data.get("process")) == dunning_process}
    for r in records:
        if r.data.get("archived") is True:
            continue
        if r.kind == "invoice" and str(r.data.get("status") or "draft") == "draft" and (
                when.holds(_day(r, "issued")) or str(r.data.get("period") or "") == when.name):
            found.append(Blocker(r.path, "still a draft: send it (or void it)"))
        elif r.kind == "payment" and waits_for_a_link(r) and when.holds(_day(r, "date")):
            found.append(Blocker(r.path, "a payment not matched: put it on its invoice, or mark it ignored"))
        elif r.kind == "purchase-order" and str(r.data.get("status")) == "received" and when.holds(
                _day(r, "received")) and r.id not in billed:
            found.append(Blocker(r.path, "received with no bill: record the supplier's bill (obm new bill … "
                                         f"purchase_order=[[{r.id}]])"))
        elif r.kind == "decline" and when.holds(_day(r, "declined")) and str(r.data.get("status") or "new") not in \
                FOLLOWED_UP and r.id not in followed:
            found.append(Blocker(r.path, f"not followed up: no {dunning_process} run, and not recovered or lost"))
    for skipped in finance.collect(records, default_currency).skipped:
        found.append(Blocker(skipped.path, f"its money cannot be read: {skipped.reason}"))
    return sorted(found, key=lambda b: b.path)


def summary(events: Iterable[Event], when: Month, settings: FinanceSettings) -> dict[str, Totals]:
    """The month's figures per currency: invoiced, received, expenses, bills (each in the month)
    and the receivables at its end."""
    figures = {name: Totals() for name in SUMMARY_COLUMNS}
    kinds = {finance.INVOICED: "invoiced", finance.RECEIVED: "received", finance.EXPENSE: "expenses",
             finance.BILLED: "bills"}
    receivable = settings.account("receivable")
    for event in events:
        if event.day > when.last:
            continue
        if event.day >= when.first and event.kind in kinds:
            figures[kinds[event.kind]].add(event.amount, event.currency)
        for leg in finance.postings(event, settings):
            if leg.account == receivable:
                figures["receivables"].add(leg.amount, leg.currency)
    return figures


def currencies(figures: Mapping[str, Totals]) -> list[str]:
    return sorted({code for totals in figures.values() for code in totals})


def closed_months(records: Iterable[Record]) -> frozenset[str]:
    """The months a `close` record says are closed."""
    found = set()
    for r in records:
        if r.kind == "close" and r.readable and r.data.get("closed") not in (None, ""):
            try:
                found.add(month(str(r.data.get("month") or r.id)).name)
            except ValidationError:
                continue
    return frozenset(found)


def closed_months_changed(before: Record | None, after: Record | None, closed: frozenset[str],
                          default_currency: str) -> list[str]:
    """The closed months whose money a change of one record alters (its events dated in them
    differ before and after: an amount, a payment row, a date moved in or out)."""
    if not closed:
        return []
    kinds = {r.kind for r in (before, after) if r is not None}
    if not kinds & MONEY_KINDS:
        return []

    def dated(record: Record | None) -> Counter[Event]:
        if record is None:
            return Counter()
        events = finance.collect([record], default_currency).events
        return Counter(e for e in events if f"{e.day:%Y-%m}" in closed)

    old, new = dated(before), dated(after)
    if old == new:
        return []
    return sorted({f"{e.day:%Y-%m}" for e in (old - new) + (new - old)})

