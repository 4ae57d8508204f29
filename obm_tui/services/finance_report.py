"""The finance reports: every figure of model/finance_figures.py for a range of months, out of the
vault's index (and the products' ledgers, kept per file version by `vault.derived`).

One `FinanceReport` feeds `obm finance report|revenue|mrr|aging|cash|margin|declines` and the
app's Finance screen; `table(report, figure)` is each figure as a header and rows of text (the
CSV and JSON of the CLI, the numbers view of the screen), amounts written as the records write
them (`1500.00`), never grouped, never converted. Definitions: docs/finances.md, "Reports".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from obm_tui.model import finance_figures as ff
from obm_tui.model import ledger
from obm_tui.model.errors import ObmError, UsageError
from obm_tui.model.finance import (
    Event,
    Facts,
    FinanceSettings,
    Skipped,
    collect,
    finance_settings,
)
from obm_tui.model.ledger import Movement
from obm_tui.model.money import format_amount
from obm_tui.model.records import Record
from obm_tui.vault.frontmatter import read_body
from obm_tui.vault.loader import gc_paused
from obm_tui.vault.store import Vault

T = TypeVar("T")
FIGURES = ("revenue", "mrr", "aging", "cash", "margin", "declines")
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])\Z")
DEFAULT_MONTHS = 12  # with no range: the last twelve months, this one included


@dataclass(frozen=True)
class FinanceReport:
    """The figures of the months `first`…`last`; aging and the run rate are as of `as_of`."""

    first: str
    last: str
    as_of: date
    revenue: list[ff.RevenueMonth] = field(default_factory=list)
    mrr: list[ff.MrrMonth] = field(default_factory=list)
    run_rate: dict[str, Decimal] = field(default_factory=dict)
    aging: list[ff.AgingRow] = field(default_factory=list)
    cash: list[ff.CashMonth] = field(default_factory=list)
    margin: list[ff.MarginMonth] = field(default_factory=list)
    declines: list[ff.DeclineMonth] = field(default_factory=list)
    skipped: tuple[Skipped, ...] = ()
    problems: tuple[str, ...] = ()  # [finance] values that could not be used


def month_arg(text: str, what: str) -> str:
    """A month typed by a person (`2026-11`); UsageError in their words otherwise."""
    value = text.strip()
    if not MONTH_RE.match(value):
        raise UsageError(f"{what} must be a month like 2026-11, got {text!r}")
    return value


def months_range(today: date, month: str | None = None, first: str | None = None,
                 last: str | None = None) -> tuple[str, str]:
    """`--month` alone, or `--from`/`--to` (either may be left out), else the last twelve months."""
    if month is not None and (first is not None or last is not None):
        raise UsageError("give either --month or --from/--to, not both")
    if month is not None:
        one = month_arg(month, "--month")
        return one, one
    end = month_arg(last, "--to") if last is not None else ff.month_of(today)
    if first is not None:
        start = month_arg(first, "--from")
    else:
        start = end
        for _ in range(DEFAULT_MONTHS - 1):
            start = ff.month_of(date(int(start[:4]), int(start[5:7]), 1) - timedelta(days=1))
    if start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    return start, end


def settings_of(vault: Vault) -> FinanceSettings:
    return finance_settings(vault.config.section("finance"), vault.config.currency)


def product_movements(vault: Vault, record: Record) -> tuple[Movement, ...]:
    """A product's ledger rows (parsed once per version of its file, shared with the stock screens)."""
    try:
        parsed = vault.derived.get(record, "ledger", lambda raw: ledger.parse(read_body(raw)))
    except ObmError:
        return ()
    return parsed.movements


MONEY_KINDS = frozenset({"invoice", "bill", "expense", "payment"})


@dataclass(frozen=True, slots=True)
class _RecordFacts:
    """What the report keeps of one money record, per version of its file (its digest)."""

    digest: bytes
    currency: str
    events: tuple[Event, ...]
    skipped: tuple[Skipped, ...]
    owed: ff.Owed | None  # an invoice's, for aging
    recurring: tuple[ff.Recurring, ...]  # a recurring invoice's, for MRR


@dataclass(frozen=True)
class MoneyFacts:
    events: list[Event]
    skipped: list[Skipped]
    owed: list[ff.Owed]
    recurring: list[ff.Recurring]


_KEPT: WeakKeyDictionary[Vault, dict[str, _RecordFacts]] = WeakKeyDictionary()


def _record_facts(record: Record, currency: str) -> _RecordFacts:
    facts = collect([record], currency)
    owed = ff.owed_of(facts.events) if record.kind == "invoice" else None
    return _RecordFacts(record.digest, currency, facts.events, facts.skipped, owed,
                        ff.recurring_of(record, facts.events))


def money_facts(vault: Vault, records: Sequence[Record], currency: str) -> MoneyFacts:
    """`model.finance.collect` of the money records, and what aging and MRR need of each invoice,
    kept per version of each file (its digest), as `vault.derived` keeps values of bodies: after a
    change only the changed records are read again. The events are those of one `collect` of them
    all, record by record (the figures do not depend on their order, so they are not sorted)."""
    kept = _KEPT.setdefault(vault, {})
    found = MoneyFacts([], [], [], [])
    for record in records:
        if record.kind not in MONEY_KINDS:
            continue
        got = kept.get(record.path)
        if got is None or not record.digest or got.digest != record.digest or got.currency != currency:
            got = _record_facts(record, currency)
            if record.digest:
                kept[record.path] = got
        found.events.extend(got.events)
        if got.skipped:
            found.skipped.extend(got.skipped)
        if got.owed is not None:
            found.owed.append(got.owed)
        if got.recurring:
            found.recurring.extend(got.recurring)
    if len(kept) > 2 * len(records) + 1000:  # records gone: drop what was kept of them
        live = {r.path for r in records}
        for path in [p for p in kept if p not in live]:
            del kept[path]
    return found


def vault_facts(vault: Vault, records: Sequence[Record], currency: str) -> Facts:
    """The events of `money_facts`: those of `collect(records)`, kept per version of each file."""
    found = money_facts(vault, records, currency)
    return Facts(tuple(found.events), tuple(found.skipped))


_VALUES: WeakKeyDictionary[Vault, dict[tuple[str, str], tuple[bytes, Any]]] = WeakKeyDictionary()


def _kept(vault: Vault, name: str, record: Record, compute: Callable[[Record], T]) -> T:
    """`compute(record)`, kept per version of the record's file (front matter only: no file is read)."""
    kept = _VALUES.setdefault(vault, {})
    got = kept.get((name, record.path))
    if got is not None and record.digest and got[0] == record.digest:
        return got[1]
    value = compute(record)
    if record.digest:
        kept[(name, record.path)] = (record.digest, value)
    return value


def _decline_facts(vault: Vault, records: Sequence[Record], currency: str) -> list[ff.DeclineFact | Skipped]:
    """`decline_fact` of each decline, kept per version of its file."""
    kept = _VALUES.setdefault(vault, {})
    name = f"decline {currency}"
    found = []
    for record in records:
        got = kept.get((name, record.path))
        if got is None or not record.digest or got[0] != record.digest:
            got = (record.digest, ff.decline_fact(record, currency))
            if record.digest:
                kept[(name, record.path)] = got
        if got[1] is not None:
            found.append(got[1])
    return found


@dataclass
class _Margins:
    """The products' margins of one window, kept per version of each product's file, while the
    purchase orders (their unit costs) stay as they were."""

    orders: tuple[tuple[str, bytes], ...] = ()
    costs: ff.CostHistory = field(default_factory=ff.CostHistory)
    products: dict[tuple[str, str, date, date], tuple[bytes, ff.MarginSums, tuple[Skipped, ...]]] = field(
        default_factory=dict)


_MARGINS: WeakKeyDictionary[Vault, _Margins] = WeakKeyDictionary()


def _margin(vault: Vault, products: Sequence[Record], orders: Sequence[Record], currency: str,
            start: date, end: date) -> tuple[list[ff.MarginMonth], list[Skipped]]:
    kept = _MARGINS.setdefault(vault, _Margins())
    versions = tuple((r.path, r.digest) for r in orders)
    if versions != kept.orders or not all(d for _, d in versions):
        kept.orders, kept.products = versions, {}
        kept.costs = ff.cost_history(orders, lambda r: _kept(vault, "costs", r, ff.order_costs))
    sums: list[ff.MarginSums] = []
    skipped: list[Skipped] = []
    for record in products:
        key = (record.path, currency, start, end)
        got = kept.products.get(key)
        if got is None or not record.digest or got[0] != record.digest:
            got = (record.digest, *ff.product_margin(record, product_movements(vault, record), kept.costs,
                                                     currency, start, end))
            if record.digest:
                kept.products[key] = got
        if got[1]:
            sums.append(got[1])
        skipped.extend(got[2])
    if len(kept.products) > 8 * len(products) + 1000:  # many windows asked for: start again
        kept.products = {}
    return ff.margin_of(sums, currency), skipped


def finance_report(vault: Vault, first: str, last: str, today: date,
                   figures: Sequence[str] = FIGURES) -> FinanceReport:
    """The figures asked for (all by default), for the months `first`…`last`. The collector is
    paused meanwhile, as for a load: the report makes many short-lived objects and no cycles."""
    with gc_paused():
        return _report(vault, first, last, today, figures)


def _report(vault: Vault, first: str, last: str, today: date, figures: Sequence[str]) -> FinanceReport:
    fetched: dict[str, list[Record]] = {}

    def of(*kinds: str) -> list[Record]:
        for kind in kinds:
            if kind not in fetched:
                fetched[kind] = vault.records(kind)
        return fetched[kinds[0]] if len(kinds) == 1 else [r for kind in kinds for r in fetched[kind]]

    currency = vault.config.currency
    settings = settings_of(vault)
    facts = money_facts(vault, of(*MONEY_KINDS), currency)
    as_of = min(ff.month_end(last), today)
    skipped = list(facts.skipped)

    def inside(month: str) -> bool:
        return first <= month <= last

    # revenue and cash need only the events of the months shown; MRR (by period, which may be
    # billed late) and aging (every event up to its day) need them all
    start, end = ff.month_end(first).replace(day=1), ff.month_end(last)
    shown = [e for e in facts.events if start <= e.day <= end]
    found: dict[str, object] = {}
    revenue, cash = ff.revenue_and_cash(shown) if {"revenue", "cash"} & set(figures) else ([], [])
    if "revenue" in figures:
        found["revenue"] = [r for r in revenue if inside(r.month)]
    if "mrr" in figures:
        rows_m = ff.mrr_of(facts.recurring, ff.client_status(of("client")), first, last)
        found["mrr"] = [r for r in rows_m if inside(r.month)]
        rates, bad = ff.run_rate(of("client"), as_of, currency)
        found["run_rate"] = rates
        skipped.extend(bad)
    if "aging" in figures:
        invoices = {r.id: r for r in of("invoice")}
        found["aging"] = ff.aging_of(facts.owed, invoices, ff.client_terms(of("client")), settings, as_of)
    if "cash" in figures:
        found["cash"] = [r for r in cash if inside(r.month)]
    if "margin" in figures:
        products = [r for r in of("product") if r.readable]
        rows, bad_products = _margin(vault, products, of("purchase-order"), currency, start, end)
        found["margin"] = [r for r in rows if inside(r.month)]  # the months shown only
        skipped.extend(bad_products)
    if "declines" in figures:
        facts_d = _decline_facts(vault, of("decline"), currency)
        rows_d, bad = ff.declines(facts_d, currency, lambda fact, _: fact)  # type: ignore[arg-type,return-value]
        found["declines"] = [r for r in rows_d if inside(r.month)]
        skipped.extend(bad)
    return FinanceReport(first, last, as_of, skipped=tuple(sorted(set(skipped), key=lambda s: s.path)),
                         problems=settings.problems, **found)  # type: ignore[arg-type]


# ----- each figure as a table of text ---------------------------------------------------------

def _money(amount: Decimal, currency: str) -> str:
    return format_amount(amount, currency)


def _plain(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def table(report: FinanceReport, figure: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The figure's header and rows, every value as text (amounts unformatted: `1500.00`)."""
    m = _money
    if figure == "revenue":
        return (("month", "currency", "invoiced", "received"),
                [(r.month, r.currency, m(r.invoiced, r.currency), m(r.received, r.currency)) for r in report.revenue])
    if figure == "mrr":
        return (("month", "currency", "mrr", "start", "new", "expansion", "contraction", "churned", "paused",
                 "clients"),
                [(r.month, r.currency, *(m(v, r.currency) for v in (r.mrr, r.start, r.new, r.expansion,
                                                                    r.contraction, r.churned, r.paused)),
                  str(r.clients)) for r in report.mrr])
    if figure == "aging":
        return (("client", "currency", *ff.BUCKETS, "credit", "total", "invoices"),
                [(r.client, r.currency, *(m(b, r.currency) for b in r.buckets), m(r.credit, r.currency),
                  m(r.total, r.currency), " ".join(r.invoices)) for r in report.aging])
    if figure == "cash":
        return (("month", "currency", "received", "refunded", "bills_paid", "expenses", "fees", "net", "payouts"),
                [(r.month, r.currency, *(m(v, r.currency) for v in (r.received, r.refunded, r.bills_paid,
                                                                    r.expenses, r.fees, r.net, r.payouts)))
                 for r in report.cash])
    if figure == "margin":
        return (("month", "currency", "units", "sales", "cost", "margin", "margin_rate"),
                [(r.month, r.currency, str(r.units), m(r.sales, r.currency), m(r.cost, r.currency),
                  m(r.margin, r.currency), _plain(r.margin_rate)) for r in report.margin])
    if figure == "declines":
        return (("month", "currency", "count", "declined", "at_risk", "recovered", "lost", "recovery_rate",
                 "median_days"),
                [(r.month, r.currency, str(r.count), *(m(v, r.currency) for v in (r.declined, r.at_risk,
                                                                                  r.recovered, r.lost)),
                  _plain(r.recovery_rate), _plain(r.median_days)) for r in report.declines])
    raise UsageError(f"no figure {figure!r} (one of {', '.join(FIGURES)})")


_COUNTS = frozenset({"units", "count", "clients"})


def _json_cell(name: str, text: str) -> object:
    """Counts as numbers, a figure that has no value (a rate of nothing) as null, amounts as strings."""
    if name in _COUNTS:
        return int(text)
    return text if text != "" or name in ("invoices",) else None


def as_json(report: FinanceReport, figures: Sequence[str] = FIGURES) -> dict[str, object]:
    """The report as a JSON value: amounts as strings, each figure a list of objects."""
    value: dict[str, object] = {"from": report.first, "to": report.last, "as_of": report.as_of.isoformat()}
    for figure in figures:
        header, rows = table(report, figure)
        value[figure] = [{k: _json_cell(k, v) for k, v in zip(header, row, strict=True)} for row in rows]
        if figure == "mrr":
            value["run_rate"] = {c: _money(v, c) for c, v in report.run_rate.items()}
    value["skipped"] = [{"path": s.path, "reason": s.reason} for s in report.skipped]
    value["problems"] = list(report.problems)
    return value

