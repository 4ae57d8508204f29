"""Finance: the last twelve months at a glance (revenue as bars, MRR, receivables by age, cash,
declines), and every figure as a table one key away (`t`; `f` for the next figure).

The figures are services/finance_report.py's, worked out in a worker (never on the UI thread),
again whenever the vault changes. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from obm_tui.model.money import shown
from obm_tui.services.finance_report import FIGURES, FinanceReport, finance_report, months_range, table
from obm_tui.tui.actions import bindings
from obm_tui.tui.safe import join, plain, styled
from obm_tui.tui.screens.base import ObmScreen
from obm_tui.tui.tasks import run_blocking
from obm_tui.tui.widgets.key_bar import KeyBar, ScreenTabs
from obm_tui.tui.widgets.status_bar import StatusBar
from obm_tui.tui.widgets.virtual_table import Column, VirtualTable, natural_widths

if TYPE_CHECKING:
    from obm_tui.vault.store import Vault

BAR = 36  # cells of the longest bar
FIGURE_TITLES = {"revenue": "Revenue", "mrr": "MRR", "aging": "Receivables aging", "cash": "Cash",
                 "margin": "Gross margin", "declines": "Declines"}


class FigureSource:
    """One figure of the report as table rows."""

    def __init__(self, header: Sequence[str], rows: list[tuple[str, ...]]) -> None:
        self.rows = rows
        labels = tuple(h.upper().replace("_", " ") for h in header)
        widths = natural_widths(labels, rows[:300], cap=40)
        self.columns = [Column(h, label, w, right=n >= 2 and h != "invoices", flex=h == "invoices")
                        for n, (h, label, w) in enumerate(zip(header, labels, widths, strict=True))]
        self.pad = not any(c.flex for c in self.columns)
        if self.pad:  # the spare width goes to an empty last column, not to the last figure's
            self.columns.append(Column("pad", "", 0, flex=True))

    def __len__(self) -> int:
        return len(self.rows)

    def key(self, index: int) -> str:
        return f"{index}:{self.rows[index][0]}:{self.rows[index][1]}"

    def cells(self, index: int) -> tuple[str, ...]:
        return (*self.rows[index], "") if self.pad else self.rows[index]

    def style(self, index: int) -> str:
        return ""

    def index_of(self, key: str) -> int | None:
        number = key.split(":", 1)[0]
        return int(number) if number.isdigit() and int(number) < len(self.rows) else None


class FinanceScreen(ObmScreen):
    """The money of the last twelve months."""

    BINDINGS = bindings("finance")

    def compose(self) -> ComposeResult:
        yield ScreenTabs()
        yield Static(id="title", classes="screen-title")
        with VerticalScroll(id="overview"):
            yield Static("Working out the figures…", id="charts")
        yield VirtualTable(id="figures", empty_text="Nothing to show for these months.")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        self.report: FinanceReport | None = None
        self.figure = 0
        self.tables = False
        self._show_view()
        kept = self.obm.finance_kept
        if kept is not None and kept[1].last == months_range(self.obm.now().date())[1]:
            self._show(kept)  # worked out after start-up (or when last shown): drawn in the first frame
            if kept[0] == self.vault.index.version:
                self.mark_seen()  # nothing changed since
            else:  # worked out again after the first frame, not competing with it
                self.call_after_refresh(self.refresh_data, None)
            return
        self.refresh_data(None)

    def refresh_data(self, paths: set[str] | None) -> None:
        if paths is not None and not any(p.split("/", 1)[0] in _MONEY_FOLDERS for p in paths):
            self.mark_seen()
            return  # a ticket or a run changed: no figure moves
        self.mark_seen()
        today = self.obm.now().date()
        vault = self.vault
        run_blocking(self, lambda: work_out(vault, today), done=self._show, label="Working out the finances",
                     group="finance", exclusive=True)

    def _show(self, kept: tuple[int, FinanceReport]) -> None:
        """Show a report (with the index version it was worked out at) and keep it for next time."""
        self.obm.finance_kept = kept
        report = self.report = kept[1]
        self.query_one("#charts", Static).update(overview(report))
        self._show_table()

    def _title(self) -> None:
        report = self.report
        if report is None:
            return
        what = f"  ·  {FIGURE_TITLES[FIGURES[self.figure]]} (f: next figure)" if self.tables else ""
        title = join(styled("Finance  ", "bold"), plain(f"{report.first} to {report.last}"),
                     plain(f"  ·  receivables as of {report.as_of.isoformat()}"), styled(what, "bold"),
                     styled(f"  ·  {len(report.skipped)} record(s) left out", "$text-warning")
                     if report.skipped else plain(""))
        self.query_one("#title", Static).update(title)

    def _show_table(self) -> None:
        if self.report is None:
            return
        header, rows = table(self.report, FIGURES[self.figure])
        self.query_one(VirtualTable).set_source(FigureSource(header, rows), keep=False)
        self._title()

    def _show_view(self) -> None:
        self._title()
        self.query_one("#overview").display = not self.tables
        self.query_one(VirtualTable).display = self.tables
        if self.tables:
            self.query_one(VirtualTable).focus()
        else:
            self.query_one("#overview").focus()

    def action_toggle_tables(self) -> None:
        self.tables = not self.tables
        self._show_view()

    def action_next_figure(self) -> None:
        if not self.tables:
            self.tables = True
            self._show_view()
        else:
            self.figure = (self.figure + 1) % len(FIGURES)
        self._show_table()

    def action_refresh_finance(self) -> None:
        self.refresh_data(None)


def work_out(vault: Vault, today: date) -> tuple[int, FinanceReport]:
    """The screen's report, the last twelve months with this one, and the version of the index it
    was worked out from (run in a worker)."""
    version = vault.index.version
    first, last = months_range(today)
    return version, finance_report(vault, first, last, today)


_MONEY_FOLDERS = frozenset({"invoices", "bills", "expenses", "payments", "clients", "declines", "stock",
                            "purchase-orders", ".obm"})


def _bar(value: Decimal, largest: Decimal) -> str:
    if largest <= 0 or value <= 0:
        return ""
    eighths = int(value * BAR * 8 / largest)
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def overview(report: FinanceReport) -> Content:
    """The charts: text only, so it is quick to draw and reads the same in any terminal."""
    parts: list[Content | str] = []

    def heading(text: str) -> None:
        parts.append(styled(text, "bold $accent"))
        parts.append("\n")

    def line(*pieces: Content | str) -> None:
        parts.extend(pieces)
        parts.append("\n")

    currencies = sorted({r.currency for r in report.revenue})
    heading("Revenue received by month")
    if not currencies:
        line(plain("  no invoices in these months"))
    for currency in currencies:
        rows = [r for r in report.revenue if r.currency == currency]
        largest = max(max(r.received for r in rows), max(r.invoiced for r in rows))
        for r in rows:
            line(plain(f"  {r.month}  "), styled(_bar(r.received, largest).ljust(BAR + 1), "$success"),
                 plain(f" {shown(r.received, currency):>16}"), styled(f"  invoiced {shown(r.invoiced, currency)}",
                                                                      "$text-muted"))
    line()
    heading("Monthly recurring revenue")
    latest = {}
    for r in report.mrr:
        latest[r.currency] = r
    if not latest and not report.run_rate:
        line(plain("  no recurring invoices (invoices with a period) and no retainers"))
    for currency, r in sorted(latest.items()):
        line(plain(f"  {r.month}  {shown(r.mrr, currency)} from {r.clients} client(s): "
                   f"new {r.new}, expansion {r.expansion}, contraction {r.contraction}, churned {r.churned}, "
                   f"paused {r.paused}"))
    for currency, rate in report.run_rate.items():
        line(plain(f"  retainers billing now: {shown(rate, currency)} a month"))
    line()
    heading(f"Receivables on {report.as_of.isoformat()}")
    totals: dict[str, list[Decimal]] = {}
    for a in report.aging:
        sums = totals.setdefault(a.currency, [Decimal(0)] * 7)
        for n, value in enumerate((*a.buckets, a.credit)):
            sums[n] += value
        sums[6] += a.total
    if not totals:
        line(plain("  nothing owed"))
    for currency, sums in sorted(totals.items()):
        cells = "  ".join(f"{name} {shown(v, currency)}" for name, v in
                          zip(("current", "1-30", "31-60", "61-90", "90+"), sums[:5], strict=True))
        late = sum(sums[1:5], Decimal(0))
        line(plain(f"  {shown(sums[6], currency)} owed  ·  "), plain(cells),
             styled(f"  ·  {shown(late, currency)} late", "$text-error") if late > 0 else plain(""))
    line()
    heading("Cash this month")
    month_cash = [c for c in report.cash if c.month == report.last]
    if not month_cash:
        line(plain(f"  nothing in or out in {report.last}"))
    for c in month_cash:
        line(plain(f"  in {shown(c.money_in, c.currency)}  ·  out {shown(c.money_out, c.currency)}  ·  "
                   f"net {shown(c.net, c.currency)}  ·  payouts {shown(c.payouts, c.currency)}"))
    line()
    heading("Declined payments")
    if not report.declines:
        line(plain("  none in these months"))
    for currency in sorted({d.currency for d in report.declines}):
        rows_d = [d for d in report.declines if d.currency == currency]
        at_risk, recovered, lost = (sum((getattr(d, name) for d in rows_d), Decimal(0))
                                    for name in ("at_risk", "recovered", "lost"))
        recovery = f"{recovered * 100 / (recovered + lost):.0f}% recovered" if recovered + lost else "none settled yet"
        line(plain(f"  {shown(at_risk, currency)} at risk  ·  {shown(recovered, currency)} recovered  ·  "
                   f"{shown(lost, currency)} lost  ({recovery})"))
    if report.skipped:
        line()
        heading("Left out (their money cannot be read)")
        for item in report.skipped[:20]:
            line(styled(f"  {item.path}: {item.reason}", "$text-warning"))
        if len(report.skipped) > 20:
            line(plain(f"  … and {len(report.skipped) - 20} more (obm finance report lists them all)"))
    line()
    line(styled("t: the numbers as tables  ·  f: next figure", "$text-muted"))
    return join(*parts)
