"""The figures of the finance reports, worked out of the money events (model/finance.py) and, for
what events do not carry, the records (an invoice's `period` and `due`, a client's status and
retainer, a product's price and costs, a decline's outcome).

Every figure is per currency: a row has one currency and nothing adds two. Amounts are Decimal at
the currency's scale. Months are `YYYY-MM` strings. Pure: no files, no clock (the day a figure is
"as of" is an argument). The definitions are in docs/finances.md, "Reports".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from obm_tui.model.fields import FieldValueError, day_or_none, link_target, to_money
from obm_tui.model.finance import (
    BILL_PAID,
    EXPENSE,
    FEE,
    INVOICED,
    PAYOUT,
    RECEIVED,
    REFUND,
    UNAPPLIED,
    WRITTEN_OFF,
    Event,
    FinanceSettings,
    Skipped,
    record_currency,
)
from obm_tui.model.ids import sku_key
from obm_tui.model.ledger import Movement
from obm_tui.model.money import MoneyError, exact, rounded
from obm_tui.model.purchase import parse_lines
from obm_tui.model.records import Record

ZERO = Decimal(0)
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])")


@lru_cache(maxsize=16384)
def month_of(day: date) -> str:
    """`2026-11` (kept per day: a report asks it of every event, and the days are few)."""
    return f"{day.year:04d}-{day.month:02d}"


def month_end(month: str) -> date:
    year, number = int(month[:4]), int(month[5:7])
    first_next = date(year + (number == 12), number % 12 + 1, 1)
    return first_next - timedelta(days=1)


def next_month(month: str) -> str:
    return month_of(month_end(month) + timedelta(days=1))


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included."""
    found: list[str] = []
    month = first
    while month <= last:
        found.append(month)
        month = next_month(month)
    return found


def _link(raw: object) -> str:
    return link_target(raw)
def _day(raw: object) -> date | None:
    return day_or_none(raw)
def _ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if whole == 0 else (part / whole).quantize(Decimal("0.0001"))


# ----- revenue -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RevenueMonth:
    """Invoiced: invoices issued that month (drafts and voids are not). Received: payments on
    invoices that month, less refunds on them (a payment not on an invoice yet is in `cash`)."""

    month: str
    currency: str
    invoiced: Decimal
    received: Decimal


def revenue(events: Iterable[Event]) -> list[RevenueMonth]:
    return revenue_and_cash(events)[0]


# ----- cash ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CashMonth:
    """Money in and out in a month. `net` = received − refunded − bills paid − expenses − fees;
    payouts move money from the processor to the bank and are shown apart (not in `net`)."""

    month: str
    currency: str
    received: Decimal = ZERO  # payments on invoices, and charges or credits not on one yet
    refunded: Decimal = ZERO  # refunds, on an invoice or not
    bills_paid: Decimal = ZERO
    expenses: Decimal = ZERO
    fees: Decimal = ZERO
    payouts: Decimal = ZERO

    @property
    def money_in(self) -> Decimal:
        return self.received - self.refunded

    @property
    def money_out(self) -> Decimal:
        return self.bills_paid + self.expenses + self.fees

    @property
    def net(self) -> Decimal:
        return self.money_in - self.money_out


_CASH_FIELD = {UNAPPLIED: "received", REFUND: "refunded", BILL_PAID: "bills_paid", EXPENSE: "expenses",
               FEE: "fees", PAYOUT: "payouts"}


def cash(events: Iterable[Event]) -> list[CashMonth]:
    return revenue_and_cash(events)[1]


def revenue_and_cash(events: Iterable[Event]) -> tuple[list[RevenueMonth], list[CashMonth]]:
    """Both figures in one pass over the events (the report asks for both)."""
    invoiced: dict[tuple[str, str], list[Decimal]] = {}
    moved: dict[tuple[str, str], dict[str, Decimal]] = {}
    for event in events:
        kind = event.kind
        if kind == INVOICED or kind == RECEIVED:
            key = (month_of(event.day), event.currency)
            row = invoiced.setdefault(key, [ZERO, ZERO])
            if kind == INVOICED:
                row[0] += event.amount
                continue
            row[1] += event.amount
            name, amount = ("received", event.amount) if event.amount >= 0 else ("refunded", -event.amount)
        elif kind in _CASH_FIELD:
            key = (month_of(event.day), event.currency)
            name, amount = _CASH_FIELD[kind], event.amount
        else:
            continue
        sums = moved.setdefault(key, {})
        sums[name] = sums.get(name, ZERO) + amount
    return ([RevenueMonth(m, c, rounded(i, c), rounded(r, c)) for (m, c), (i, r) in sorted(invoiced.items())],
            [CashMonth(m, c, **{k: rounded(v, c) for k, v in row.items()}) for (m, c), row in sorted(moved.items())])


# ----- receivables aging ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AgingRow:
    """What a client owes in one currency on a day, by days past the due day; `credit` is what
    invoices were paid beyond their amount (below 0). `total` is all of it: the receivable."""

    client: str
    currency: str
    buckets: tuple[Decimal, ...]  # in BUCKETS order
    credit: Decimal
    invoices: tuple[str, ...]

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO) + self.credit


def bucket_of(days_past_due: int) -> int:
    """0: not due yet (or due today); then 1–30, 31–60, 61–90 and over 90 days past due."""
    if days_past_due <= 0:
        return 0
    if days_past_due <= 30:
        return 1
    if days_past_due <= 60:
        return 2
    return 3 if days_past_due <= 90 else 4


def due_day(invoice: Record, issued: date, terms: Mapping[str, int], settings: FinanceSettings) -> date:
    """The invoice's `due`, else its issue day plus the client's `payment_terms` (else `[finance]`)."""
    due = _day(invoice.data.get("due"))
    if due is not None:
        return due
    days = terms.get(_link(invoice.data.get("client")), settings.payment_terms)
    return issued + timedelta(days=days)


def client_terms(records: Iterable[Record]) -> dict[str, int]:
    """Client id -> its own `payment_terms` (those that have a usable one)."""
    found = {}
    for record in records:
        if record.kind == "client":
            raw = record.data.get("payment_terms")
            if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= 3650:
                found[record.id] = raw
    return found


_OWED_KINDS = frozenset({INVOICED, RECEIVED, WRITTEN_OFF})


@dataclass(frozen=True, slots=True)
class Owed:
    """One invoice's events as aging needs them (what it was invoiced, paid and written off):
    `final` is its balance after them all and `last` the day of the latest, so that an invoice
    settled by the day asked about is passed over without adding anything up."""

    events: tuple[Event, ...]
    final: Decimal
    last: date


def owed_of(events: Iterable[Event]) -> Owed | None:
    """The invoiced, received and written-off events among `events` (one invoice's), or None."""
    mine = tuple(e for e in events if e.kind in _OWED_KINDS)
    if not mine:
        return None
    final = sum((e.amount if e.kind == INVOICED else -e.amount for e in mine), ZERO)
    return Owed(mine, final, max(e.day for e in mine))


def aging(events: Iterable[Event], records: Iterable[Record], settings: FinanceSettings, as_of: date) -> list[AgingRow]:
    """Each client's receivable on `as_of` (events of later days are not counted), by age.
    An invoice's balance is its amount less its payments and what was written off."""
    records = list(records)
    by_invoice: dict[str, list[Event]] = {}
    for event in events:
        if event.kind in _OWED_KINDS:
            by_invoice.setdefault(event.record, []).append(event)
    owed = [o for o in map(owed_of, by_invoice.values()) if o is not None]
    return aging_of(owed, {r.id: r for r in records if r.kind == "invoice"}, client_terms(records), settings, as_of)


def aging_of(owed: Iterable[Owed], invoices: Mapping[str, Record], terms: Mapping[str, int],
             settings: FinanceSettings, as_of: date) -> list[AgingRow]:
    """`aging` of invoices already read into `Owed` (kept per version of their file by the report)."""
    balance: dict[str, Decimal] = {}
    about: dict[str, tuple[str, str, date]] = {}  # invoice id -> (currency, client, issued)
    for one in owed:
        if one.last <= as_of and not one.final:
            continue  # settled by then: it adds nothing
        for event in one.events:
            if event.day > as_of:
                continue
            key = event.record
            if event.kind == INVOICED:
                balance[key] = balance.get(key, ZERO) + event.amount
                about[key] = (event.currency, event.party, event.day)
            else:
                balance[key] = balance.get(key, ZERO) - event.amount
                if key not in about:
                    about[key] = (event.currency, event.party, event.day)
    rows: dict[tuple[str, str], tuple[list[Decimal], list[Decimal], list[str]]] = {}
    for invoice_id in sorted(k for k, v in balance.items() if v):
        owed_now = balance[invoice_id]
        currency, client, issued = about[invoice_id]
        buckets, credit, ids = rows.setdefault((client, currency), ([ZERO] * len(BUCKETS), [ZERO], []))
        ids.append(invoice_id)
        if owed_now < 0:
            credit[0] += owed_now
            continue
        record = invoices.get(invoice_id)
        due = due_day(record, issued, terms, settings) if record is not None else issued
        buckets[bucket_of((as_of - due).days)] += owed_now
    return [AgingRow(client, c, tuple(rounded(b, c) for b in buckets), rounded(credit[0], c), tuple(ids))
            for (client, c), (buckets, credit, ids) in sorted(rows.items())]


# ----- monthly recurring revenue -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MrrMonth:
    """MRR of a month: the recurring invoices (those with a `period`) for a period in that month.
    Its movement from the month before, client by client: `new` (nothing the month before),
    `expansion` and `contraction` (more or less than the month before), `churned` and `paused`
    (nothing this month; paused when the client's status is `paused`). start + every movement = mrr."""

    month: str
    currency: str
    mrr: Decimal
    start: Decimal = ZERO
    new: Decimal = ZERO
    expansion: Decimal = ZERO
    contraction: Decimal = ZERO
    churned: Decimal = ZERO
    paused: Decimal = ZERO
    clients: int = 0


def _period_month(raw: object, fallback: date) -> str:
    match = _MONTH_RE.match(str(raw or "").strip())
    return match.group(0) if match else month_of(fallback)


@dataclass(frozen=True, slots=True)
class Recurring:
    """What MRR needs of a recurring invoice: its client's amount for the month of its period."""

    currency: str
    month: str
    client: str
    amount: Decimal


def recurring_of(record: Record, events: Iterable[Event]) -> tuple[Recurring, ...]:
    """The invoice's billing for its `period` (none for an invoice with no period, or not issued)."""
    period = record.data.get("period") if record.kind == "invoice" else None
    if not str(period or "").strip():
        return ()
    return tuple(Recurring(e.currency, _period_month(period, e.day), e.party, e.amount)
                 for e in events if e.kind == INVOICED and e.record == record.id)


def client_status(records: Iterable[Record]) -> dict[str, str]:
    return {r.id: str(r.data.get("status") or "lead") for r in records if r.kind == "client"}


def mrr(events: Iterable[Event], records: Iterable[Record]) -> list[MrrMonth]:
    """Month by month, per currency, from the first month with a recurring invoice to the last."""
    records = list(records)
    periods = {r.id: r for r in records if r.kind == "invoice" and str(r.data.get("period") or "").strip()}
    billed = [Recurring(e.currency, _period_month(periods[e.record].data.get("period"), e.day), e.party, e.amount)
              for e in events if e.kind == INVOICED and e.record in periods]
    return mrr_of(billed, client_status(records))


def mrr_of(billings: Iterable[Recurring], status: Mapping[str, str],
           first: str | None = None, last: str | None = None) -> list[MrrMonth]:
    """`mrr` of the recurring invoices' billings (kept per version of their file by the report);
    with `first` and `last`, the months between them (and the one before `first`, their start)."""
    since = month_of(month_end(first).replace(day=1) - timedelta(days=1)) if first else ""
    billed: dict[str, dict[str, dict[str, Decimal]]] = {}  # currency -> month -> client -> amount
    for one in billings:
        if one.month < since or (last and one.month > last):
            continue
        by_client = billed.setdefault(one.currency, {}).setdefault(one.month, {})
        by_client[one.client] = by_client.get(one.client, ZERO) + one.amount
    found: list[MrrMonth] = []
    for currency in sorted(billed):
        months = billed[currency]
        before: dict[str, Decimal] = {}
        for month in months_between(min(months), max(months)):
            now = {k: v for k, v in months.get(month, {}).items() if v}
            moves = dict.fromkeys(("new", "expansion", "contraction", "churned", "paused"), ZERO)
            for client in set(before) | set(now):
                old, cur = before.get(client, ZERO), now.get(client, ZERO)
                if not old:
                    moves["new"] += cur
                elif not cur:
                    moves["paused" if status.get(client) == "paused" else "churned"] -= old
                elif cur > old:
                    moves["expansion"] += cur - old
                elif cur < old:
                    moves["contraction"] += cur - old
            found.append(MrrMonth(month, currency, rounded(sum(now.values(), ZERO), currency),
                                  rounded(sum(before.values(), ZERO), currency),
                                  **{k: rounded(v, currency) for k, v in moves.items()}, clients=len(now)))
            before = now
    return found


_FREQ_RE = re.compile(r"FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)", re.I)
_INTERVAL_RE = re.compile(r"INTERVAL=(\d+)", re.I)
_PER_MONTH = {"DAILY": Decimal(365) / 12, "WEEKLY": Decimal(52) / 12, "MONTHLY": Decimal(1),
              "YEARLY": Decimal(1) / 12}


def run_rate(records: Iterable[Record], as_of: date,
             default_currency: str) -> tuple[dict[str, Decimal], tuple[Skipped, ...]]:
    """The retainers billing on `as_of`, per currency, as a month's worth: each client with a
    `billing` rule and a `rate`, status `current` or `onboarding`, within `billing_start`…`billing_end`
    (a weekly retainer counts 52/12 of its rate, a yearly one 1/12)."""
    sums: dict[str, Decimal] = {}
    skipped: list[Skipped] = []
    for record in records:
        rule = str(record.data.get("billing") or "") if record.kind == "client" else ""
        if not rule.strip() or str(record.data.get("status") or "lead") not in ("current", "onboarding"):
            continue
        start, end = _day(record.data.get("billing_start")), _day(record.data.get("billing_end"))
        if (start is not None and start > as_of) or (end is not None and end < as_of):
            continue
        freq = _FREQ_RE.search(rule)
        interval = _INTERVAL_RE.search(rule)
        try:
            currency = record_currency(record, default_currency)
            rate = exact(to_money(record.data.get("rate")), currency)
        except (MoneyError, FieldValueError) as exc:
            skipped.append(Skipped(record.path, f"rate: {exc}"))
            continue
        if freq is None:
            skipped.append(Skipped(record.path, f"billing {rule!r} has no FREQ"))
            continue
        monthly = rate * _PER_MONTH[freq.group(1).upper()] / max(int(interval.group(1)) if interval else 1, 1)
        sums[currency] = sums.get(currency, ZERO) + monthly
    return {c: rounded(v, c) for c, v in sorted(sums.items())}, tuple(skipped)


# ----- gross margin of physical products ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MarginMonth:
    """Products shipped in a month: `sales` = units × the product's `price`; `cost` = units × the
    unit cost (the latest purchase-order line for the SKU ordered by then, else the product's
    `unit_cost`)."""

    month: str
    currency: str
    units: int
    sales: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.sales - self.cost

    @property
    def margin_rate(self) -> Decimal | None:
        return _ratio(self.margin, self.sales)


@dataclass(frozen=True, slots=True)
class CostHistory:
    """A SKU's unit costs from purchase orders, oldest first: (day, cost)."""

    by_sku: Mapping[str, tuple[tuple[date, Decimal], ...]] = field(default_factory=dict)

    def cost_on(self, sku: str, day: date) -> Decimal | None:
        best = None
        for since, cost in self.by_sku.get(sku_key(sku), ()):
            if since <= day:
                best = cost
        return best


def order_costs(record: Record) -> tuple[tuple[date, str, Decimal], ...]:
    """(day, SKU key, unit cost) of each line of a purchase order that was ordered (not a draft
    or cancelled), by its `ordered` day (else `received`)."""
    if record.kind != "purchase-order" or str(record.data.get("status") or "draft") in ("draft", "cancelled"):
        return ()
    day = _day(record.data.get("ordered")) or _day(record.data.get("received"))
    if day is None:
        return ()
    lines, _ = parse_lines(record.data.get("lines"))
    return tuple((day, sku_key(line.sku), line.unit_cost) for line in lines if line.unit_cost is not None)


def cost_history(orders: Iterable[Record],
                 costs: Callable[[Record], tuple[tuple[date, str, Decimal], ...]] = order_costs) -> CostHistory:
    """Unit costs of the purchase orders that were ordered, by day (`costs` may keep `order_costs`
    per version of a file)."""
    found: dict[str, list[tuple[date, Decimal]]] = {}
    for record in orders:
        for day, sku, cost in costs(record):
            found.setdefault(sku, []).append((day, cost))
    return CostHistory({sku: tuple(sorted(costs, key=lambda c: c[0])) for sku, costs in found.items()})


MarginSums = dict[str, list[Any]]  # month -> [units, sales, cost], unrounded


def margin(products: Sequence[tuple[Record, Sequence[Movement]]], costs: CostHistory,
           currency: str, start: date | None = None, end: date | None = None
           ) -> tuple[list[MarginMonth], tuple[Skipped, ...]]:
    """Every `ship` row of every product's ledger (between `start` and `end` when given), by month
    (products are in the vault's currency). A product without a readable `price`, or a shipment
    with no unit cost, is named and left out."""
    found = [product_margin(record, movements, costs, currency, start, end) for record, movements in products]
    return margin_of([sums for sums, _ in found], currency), tuple(s for _, skipped in found for s in skipped)


def margin_of(per_product: Iterable[MarginSums], currency: str) -> list[MarginMonth]:
    """The products' sums (`product_margin`, kept per version of their file by the report) by month."""
    sums: MarginSums = {}
    for product in per_product:
        for month, (units, sales, cost) in product.items():
            row = sums.setdefault(month, [0, ZERO, ZERO])
            row[0] += units
            row[1] += sales
            row[2] += cost
    return [MarginMonth(m, currency, u, rounded(s, currency), rounded(c, currency))
            for m, (u, s, c) in sorted(sums.items())]


def product_margin(record: Record, movements: Sequence[Movement], costs: CostHistory, currency: str,
                   start: date | None = None, end: date | None = None) -> tuple[MarginSums, tuple[Skipped, ...]]:
    """One product's shipments between `start` and `end` by month, unrounded; what was left out."""
    ships = [m for m in movements if m.kind == "ship" and m.qty
             and (start is None or start <= m.day) and (end is None or m.day <= end)]
    if not ships:
        return {}, ()
    try:
        price = exact(to_money(record.data.get("price")), currency)
    except (MoneyError, FieldValueError) as exc:
        return {}, (Skipped(record.path, f"price: {exc}"),)
    own_cost = None
    if record.data.get("unit_cost") not in (None, ""):
        try:
            own_cost = to_money(record.data.get("unit_cost"))
        except FieldValueError as exc:
            return {}, (Skipped(record.path, f"unit_cost: {exc}"),)
    sums: MarginSums = {}
    missing = 0
    for move in ships:
        unit_cost = costs.cost_on(record.id, move.day)
        if unit_cost is None:
            unit_cost = own_cost
        if unit_cost is None:
            missing += 1
            continue
        units = -move.qty
        row = sums.setdefault(month_of(move.day), [0, ZERO, ZERO])
        row[0] += units
        row[1] += units * price
        row[2] += units * unit_cost
    if missing:
        return sums, (Skipped(record.path, f"{missing} shipment(s) with no unit cost (no unit_cost on the "
                                           "product, and no purchase order line for it before them)"),)
    return sums, ()


# ----- declines ------------------------------------------------------------------------------

OPEN_DECLINES = ("new", "contacted", "retrying")


@dataclass(frozen=True, slots=True)
class DeclineMonth:
    """The declines of a month (by their `declined` day): `declined` is all of their amounts,
    `at_risk` those still open (new, contacted, retrying), `recovered` and `lost` the others.
    `recovery_rate` = recovered / (recovered + lost), by amount; `median_days` from `declined` to
    `resolved` of the recovered ones that have a `resolved` day."""

    month: str
    currency: str
    count: int
    declined: Decimal
    at_risk: Decimal
    recovered: Decimal
    lost: Decimal
    median_days: Decimal | None

    @property
    def recovery_rate(self) -> Decimal | None:
        return _ratio(self.recovered, self.recovered + self.lost)


def median(values: Sequence[int]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return (Decimal(ordered[middle - 1]) + Decimal(ordered[middle])) / 2


@dataclass(frozen=True, slots=True)
class DeclineFact:
    """What the figures need of one decline."""

    month: str
    currency: str
    amount: Decimal
    status: str
    days: int | None  # from declined to resolved, for a recovered one with a resolved day


def decline_fact(record: Record, default_currency: str) -> DeclineFact | Skipped | None:
    """The decline's month, amount and outcome; Skipped when its money or day cannot be read;
    None for what is not a decline to count (archived, unreadable files are problems elsewhere)."""
    if record.kind != "decline" or not record.readable or record.data.get("archived") is True:
        return None
    day = _day(record.data.get("declined"))
    try:
        currency = record_currency(record, default_currency)
        amount = exact(to_money(record.data.get("amount")), currency)
    except (MoneyError, FieldValueError) as exc:
        return Skipped(record.path, f"amount: {exc}")
    if day is None:
        return Skipped(record.path, "declined: no day like 2026-11-04")
    status = str(record.data.get("status") or "new")
    resolved = _day(record.data.get("resolved")) if status == "recovered" else None
    days = (resolved - day).days if resolved is not None and resolved >= day else None
    return DeclineFact(month_of(day), currency, amount, status, days)


def declines(records: Iterable[Record], default_currency: str,
             fact: Callable[[Record, str], DeclineFact | Skipped | None] = decline_fact,
             ) -> tuple[list[DeclineMonth], tuple[Skipped, ...]]:
    """The declines by month (`fact` may keep `decline_fact` per version of a file)."""
    sums: dict[tuple[str, str], list[Any]] = {}
    skipped: list[Skipped] = []
    for record in records:
        got = fact(record, default_currency)
        if got is None:
            continue
        if isinstance(got, Skipped):
            skipped.append(got)
            continue
        row = sums.setdefault((got.month, got.currency), [0, ZERO, ZERO, ZERO, ZERO, []])
        row[0] += 1
        row[1] += got.amount
        if got.status == "recovered":
            row[3] += got.amount
            if got.days is not None:
                row[5].append(got.days)
        elif got.status == "lost":
            row[4] += got.amount
        else:
            row[2] += got.amount
    return ([DeclineMonth(m, c, n, rounded(d, c), rounded(r, c), rounded(rec, c), rounded(lost, c), median(days))
             for (m, c), (n, d, r, rec, lost, days) in sorted(sums.items())], tuple(skipped))
