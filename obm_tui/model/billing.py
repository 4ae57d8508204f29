"""Recurring billing: the invoices that bill themselves (docs/finances.md, "Recurring billing").

A **plan** says what to bill, how often and from when: a client's retainer (`billing` RRULE, `rate`,
`billing_start` else `since`, `billing_end`, `currency`) or a template invoice (`recurrence`, its
amount, title, currency and client; it starts on its `issued` day, else its `created` day).

Each occurrence of the rule is a **period**: its day (the invoice's `issued`) and its label (the
invoice's `period`): `2026` for a yearly rule, `2026-12` for a monthly one, the day itself
(`2026-12-07`) for weekly and daily rules, and for a yearly or monthly rule that fires more than once
in a year or month. The invoice's id is `INV-<yymmdd of the day>-<3 Crockford characters of a hash
of the client id and the label>`, so every clone makes the same invoice for the same period.

Everything here is counted from the plan's start, never from the clock: `due_periods` is a pure
function of the plan, the day and the labels already billed. Pure: no file, git or clock.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rruleset

from obm_tui.model.fields import FieldValueError, to_date, to_int, to_link
from obm_tui.model.ids import CROCKFORD, serial_id
from obm_tui.model.money import MoneyError, currency_code, parse_amount
from obm_tui.model.records import Record
from obm_tui.model.recurrence import RecurrenceError, parse_rule

MAX_AT_ONCE = 36  # invoices one plan may make in one pass; more is a mistake (a start years ago)
ID_ATTEMPTS = 8  # candidate ids per period when another client's invoice holds the first
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_STYLE_PROBE = 60  # occurrences looked at to see whether a monthly or yearly rule fires twice a period
_FREQ_RE = re.compile(r"FREQ\s*=\s*([A-Za-z]+)", re.IGNORECASE)
_TITLE_TAIL_RE = re.compile(r"\s+[—-]\s+[^—]*$")


class BillingError(ValueError):
    """A plan that cannot bill: `where` is the file and field, `reason` says why in the user's words."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


@dataclass(frozen=True)
class Plan:
    """What one client or template invoice bills, how often, from when."""

    source: str  # the record's path: clients/aisha-khan.md or invoices/INV-260701-B5M.md
    field: str  # the field holding the rule: "billing" or "recurrence"
    rule: str
    client: str  # the client's id
    title: str  # the start of each invoice's title: the client's name, or the template's title
    amount: Decimal
    currency: str
    start: date
    end: date | None = None
    template: str = ""  # the template invoice's id
    terms: int | None = None  # the client's payment_terms (None: the vault's)

    @property
    def where(self) -> str:
        return f"{self.source} {self.field}"


@dataclass(frozen=True, order=True)
class Period:
    """One occurrence of a plan: the invoice's `issued` day and its `period` label."""

    day: date
    label: str

    def words(self, style: str) -> str:
        """`December 2026`, `2026`, or `7 December 2026` (a weekly or daily period)."""
        if style == "year":
            return str(self.day.year)
        if style == "month":
            return f"{MONTHS[self.day.month - 1]} {self.day.year}"
        return f"{self.day.day} {MONTHS[self.day.month - 1]} {self.day.year}"


# ----- plans --------------------------------------------------------------------------------------

def client_plan(client: Record, default_currency: str) -> Plan | None:
    """The retainer of a client with `billing`, or None; BillingError names the field that is wrong."""
    rule = _text(client.data.get("billing"))
    if not rule:
        return None
    where = f"{client.path} billing"
    _check_rule(where, rule)
    currency = _currency(client.path, client.data.get("currency"), default_currency)
    raw_rate = client.data.get("rate")
    if raw_rate is None or _text(raw_rate) == "":
        raise BillingError(where, "a retainer needs a rate (obm set "
                                  f"{client.id} rate=1500.00): the amount of each invoice")
    amount = _amount(f"{client.path} rate", raw_rate, currency)
    start = _day(client, "billing_start") or _day(client, "since")
    if start is None:
        raise BillingError(where, f"no billing_start (or since): set billing_start to the first day to bill "
                                  f"(obm set {client.id} billing_start=2026-12-01)")
    name = _text(client.data.get("name")) or client.id
    return Plan(client.path, "billing", rule, client.id, name, amount, currency, start,
                _day(client, "billing_end"), terms=_terms(client))


def template_plan(invoice: Record, client: Record | None, default_currency: str) -> Plan | None:
    """The plan of a template invoice (one with `recurrence`), or None; BillingError if it cannot bill."""
    rule = _text(invoice.data.get("recurrence"))
    if not rule:
        return None
    where = f"{invoice.path} recurrence"
    _check_rule(where, rule)
    try:
        client_id = to_link(invoice.data.get("client"))
    except FieldValueError as exc:
        raise BillingError(f"{invoice.path} client", str(exc)) from None
    fallback = _text(client.data.get("currency")) if client is not None else ""
    currency = _currency(invoice.path, invoice.data.get("currency") or fallback or None, default_currency)
    amount = _amount(f"{invoice.path} amount", invoice.data.get("amount"), currency)
    start = _day(invoice, "issued") or _day(invoice, "created")
    if start is None:
        raise BillingError(where, "a template invoice starts on its issued (or created) day: set issued")
    if invoice.data.get("status") == "draft":
        start += timedelta(days=1)  # a draft bills nothing itself: its first period is after the day it was made
    title = _TITLE_TAIL_RE.sub("", invoice.title).strip() or invoice.title
    return Plan(invoice.path, "recurrence", rule, client_id, title, amount, currency, start,
                template=invoice.id, terms=_terms(client) if client is not None else None)


def _check_rule(where: str, rule: str) -> None:
    try:
        made = parse_rule(rule)
    except RecurrenceError as exc:
        raise BillingError(where, str(exc)) from None
    if not isinstance(made, rrule):
        raise BillingError(where, f'"{rule}": write one RRULE (like FREQ=MONTHLY;BYMONTHDAY=1)')


def _currency(path: str, raw: Any, default: str) -> str:
    try:
        return currency_code(_text(raw) if raw else default)
    except MoneyError as exc:
        raise BillingError(f"{path} currency", str(exc)) from None


def _amount(where: str, raw: Any, currency: str) -> Decimal:
    try:
        amount = parse_amount(_text(raw), currency)
    except MoneyError as exc:
        raise BillingError(where, str(exc)) from None
    if amount <= 0:
        raise BillingError(where, f"an invoice is for more than 0, got {_text(raw)}")
    return amount


def _day(record: Record, name: str) -> date | None:
    raw = record.data.get(name)
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return raw.date()
    try:
        return to_date(_text(raw)[:10])
    except FieldValueError as exc:
        raise BillingError(f"{record.path} {name}", str(exc)) from None


def _terms(client: Record) -> int | None:
    raw = client.data.get("payment_terms")
    if raw is None or raw == "":
        return None
    try:
        days = to_int(raw)
    except FieldValueError as exc:
        raise BillingError(f"{client.path} payment_terms", str(exc)) from None
    if days < 0:
        raise BillingError(f"{client.path} payment_terms", f"a number of days (0 or more), got {days}")
    return days


def _text(raw: Any) -> str:
    return "" if raw is None else str(raw).strip()


# ----- periods ------------------------------------------------------------------------------------

def _rule(plan: Plan) -> rrule:
    return _rule_of(plan.rule, plan.start)


@lru_cache(maxsize=256)
def _rule_of(text: str, start: date) -> rrule:
    made = parse_rule(text, start)
    assert isinstance(made, rrule)  # _check_rule refused a set
    return made


def label_style(plan: Plan) -> str:
    """"year", "month" or "day": how the plan's periods are labelled (see the module's doc)."""
    return _style_of(plan.rule, plan.start)


@lru_cache(maxsize=256)
def _style_of(text: str, start: date) -> str:
    match = _FREQ_RE.search(text)
    freq = match.group(1).upper() if match else ""
    style = {"YEARLY": "year", "MONTHLY": "month"}.get(freq, "day")
    if style == "day":
        return style
    labels = [_label(day, style) for day in _days(_rule_of(text, start), _STYLE_PROBE)]
    return style if len(labels) == len(set(labels)) else "day"


def _days(rule: rrule | rruleset, most: int) -> list[date]:
    found: list[date] = []
    for when in rule:
        found.append(when.date())
        if len(found) >= most:
            break
    return found


def _label(day: date, style: str) -> str:
    if style == "year":
        return f"{day.year:04d}"
    if style == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def periods(plan: Plan, up_to: date) -> Iterator[Period]:
    """Every period of the plan from its start to `up_to` (and not after its end), oldest first."""
    style = label_style(plan)
    last = min(up_to, plan.end) if plan.end else up_to
    for when in _rule(plan):
        day = when.date()
        if day > last:
            return
        yield Period(day, _label(day, style))


def due_periods(plan: Plan, today: date, already_billed: Iterable[str]) -> list[Period]:
    """The periods to bill on `today`, oldest first: every period up to today that is not billed
    and comes after the newest one billed (a period skipped before it is left alone), each once.
    BillingError when more than MAX_AT_ONCE would be made at once."""
    billed = set(already_billed)
    style = label_style(plan)
    mine = [label for label in billed if _is_label(label, style)]
    newest = max(mine) if mine else ""
    due = [p for p in periods(plan, today) if p.label not in billed and p.label > newest]
    if len(due) > MAX_AT_ONCE:
        hint = ("set billing_start to the first day to bill" if plan.field == "billing"
                else "set the template's issued day to the first period to bill")
        raise BillingError(plan.where, f'"{plan.rule}" would make {len(due)} invoices at once ({due[0].label} to '
                                       f"{due[-1].label}; at most {MAX_AT_ONCE}): {hint}")
    return due


def _is_label(label: str, style: str) -> bool:
    return len(label) == {"year": 4, "month": 7, "day": 10}[style] and label[:4].isdigit()


def period_of(plan: Plan, day: date) -> Period | None:
    """The period `day` falls in (from its period's day to the next one's), or None before the start."""
    found = _rule(plan).before(datetime.combine(day, time()), inc=True)
    if found is None:
        return None
    return Period(found.date(), _label(found.date(), label_style(plan)))


def next_period(plan: Plan, today: date) -> Period | None:
    """The first period after `today` (None when the rule or the plan has ended)."""
    found = _rule(plan).after(datetime.combine(today, time()), inc=False)
    if found is None or (plan.end is not None and found.date() > plan.end):
        return None
    return Period(found.date(), _label(found.date(), label_style(plan)))


def first_period_after_month(where: str, rule: str, day: date) -> date:
    """The first day `rule` bills on or after the first day of the month after `day`'s: where a
    retainer starts once the onboarding invoice has billed its month."""
    _check_rule(where, rule)
    first = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    found = next(iter(_rule_of(rule, first)), None)
    if found is None:
        raise BillingError(where, f'"{rule}" has no day after {first.isoformat()}')
    return found.date()


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    """The day it is in the vault's time zone at `instant` (a naive instant is the zone's own time)."""
    return instant.astimezone(zone).date() if instant.tzinfo is not None else instant.date()


# ----- the invoice ---------------------------------------------------------------------------------

def id_candidates(client_id: str, period: Period) -> list[str]:
    """The invoice ids a period may take, in order: the first unless another client's invoice holds it."""
    return [serial_id("INV", period.day, _suffix(f"{client_id.casefold()}\n{period.label}" + (f"\n{n}" if n else "")))
            for n in range(ID_ATTEMPTS)]


def _suffix(key: str) -> str:
    number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big")
    return "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in range(3))


def invoice_id(plan: Plan, period: Period, holders: Mapping[str, str]) -> str | None:
    """The id for the period's invoice, or None when it exists already. `holders` maps the casefolded
    id of every invoice to its client's casefolded id: an id another client's invoice holds passes to
    the next candidate (the same on every clone that has that invoice). BillingError when all are taken."""
    for candidate in id_candidates(plan.client, period):
        holder = holders.get(candidate.casefold())
        if holder is None:
            return candidate
        if holder == plan.client.casefold():
            return None
    raise BillingError(plan.where, f"no free invoice id for period {period.label}")


def invoice_title(plan: Plan, period: Period) -> str:
    """`Aisha Khan — December 2026`."""
    return f"{plan.title} — {period.words(label_style(plan))}"
