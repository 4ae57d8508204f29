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
    unreadable_row,
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
_KEPT: WeakKeyDictionary[Vault, dict[str, tuple[bytes, str, tuple[Event, ...], tuple[Skipped, ...]]]] = (
    WeakKeyDictionary())


def vault_facts(vault: Vault, records: Sequence[Record], currency: str) -> Facts:
    """`model.finance.collect` of the records, each record's events kept per version of its file
    (its digest), as `vault.derived` keeps values of bodies: after a change only the changed
    records are read again. The same events as one `collect` of them all, record by record (the
    figures do not depend on their order, so they are not sorted by day)."""
    kept = _KEPT.setdefault(vault, {})
    events: list[Event] = []
    skipped: list[Skipped] = []
    for record in records:
        if record.kind not in MONEY_KINDS:
            continue
        got = kept.get(record.path)
        if got is None or not record.digest or got[0] != record.digest or got[1] != currency:
            facts = collect([record], currency)
            got = (record.digest, currency, facts.events, facts.skipped)
            if record.digest:
                kept[record.path] = got
        events.extend(got[2])
        skipped.extend(got[3])
    if len(kept) > 2 * len(records) + 1000:  # records gone: drop what was kept of them
        live = {r.path for r in records}
        for path in [p for p in kept if p not in live]:
            del kept[path]
    return Facts(tuple(events), tuple(skipped))


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


def unreadable_payments(records: Sequence[Record]) -> dict[str, Skipped]:
    """Invoices and bills with a payment row obm cannot read (`model.finance.unreadable_row`)."""
    found = (unreadable_row(record) for record in records)
    return {skip.path: skip for skip in found if skip is not None}


def finance_report(vault: Vault, first: str, last: str, today: date,
                   figures: Sequence[str] = FIGURES) -> FinanceReport:
    """The figures asked for (all by default), for the months `first`…`last`. The collector is
    paused meanwhile, as for a load: the report makes many short-lived objects and no cycles."""
    with gc_paused():
        return _report(vault, first, last, today, figures)


def _report(vault: Vault, first: str, last: str, today: date, figures: Sequence[str]) -> FinanceReport:
    records = vault.records()
    by_kind: dict[str, list[Record]] = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)

    def of(*kinds: str) -> list[Record]:
        return [r for kind in kinds for r in by_kind.get(kind, ())]

    currency = vault.config.currency
    settings = settings_of(vault)
    money = of(*MONEY_KINDS)
    bad_rows = unreadable_payments(money)
    facts = vault_facts(vault, [r for r in money if r.path not in bad_rows], currency)
    as_of = min(ff.month_end(last), today)
    skipped = [*facts.skipped, *bad_rows.values()]

    def inside(month: str) -> bool:
        return first <= month <= last

    # revenue and cash need only the events of the months shown; MRR (by period, which may be
    # billed late) and aging (every event up to its day) need them all
    start, end = ff.month_end(first).replace(day=1), ff.month_end(last)
    shown = [e for e in facts.events if start <= e.day <= end]
    found: dict[str, object] = {}
    if "revenue" in figures:
        found["revenue"] = [r for r in ff.revenue(shown) if inside(r.month)]
    if "mrr" in figures:
        found["mrr"] = [r for r in ff.mrr(facts.events, of("invoice", "client")) if inside(r.month)]
        rates, bad = ff.run_rate(of("client"), as_of, currency)
        found["run_rate"] = rates
        skipped.extend(bad)
    if "aging" in figures:
        found["aging"] = ff.aging(facts.events, of("invoice", "client"), settings, as_of)
    if "cash" in figures:
        found["cash"] = [r for r in ff.cash(shown) if inside(r.month)]
    if "margin" in figures:
        products = [(r, product_movements(vault, r)) for r in of("product") if r.readable]
        costs = ff.cost_history(of("purchase-order"), lambda r: _kept(vault, "costs", r, ff.order_costs))
        rows, bad = ff.margin(products, costs, currency, start, end)  # the months shown only
        found["margin"] = [r for r in rows if inside(r.month)]
        skipped.extend(bad)
    if "declines" in figures:
        rows_d, bad = ff.declines(of("decline"), currency,
                                  lambda r, c: _kept(vault, f"decline {c}", r, lambda x: ff.decline_fact(x, c)))
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

