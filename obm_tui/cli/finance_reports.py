"""`obm finance report` and one command per figure: `obm finance revenue|mrr|aging|cash|margin|declines`.
Each takes `--month 2026-11` or `--from`/`--to`, and `--json` or `--csv`. Service:
services/finance_report.py; definitions: docs/finances.md, "Reports"."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

import click

from obm_tui.cli.app import opened
from obm_tui.cli.finance import finance
from obm_tui.cli.out import say, say_json

TITLES = {
    "revenue": "Revenue by month (invoiced, and received on invoices)",
    "mrr": "Monthly recurring revenue (recurring invoices by period) and its movement",
    "aging": "Receivables by client and days past due",
    "cash": "Cash in and out by month",
    "margin": "Gross margin of physical products (shipped units)",
    "declines": "Declined payments by month",
}


def _options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed((
        click.option("--month", metavar="YYYY-MM", help="One month (2026-11)."),
        click.option("--from", "first", metavar="YYYY-MM", help="First month (default: 11 months before --to)."),
        click.option("--to", "last", metavar="YYYY-MM", help="Last month (default: this month)."),
        click.option("--json", "as_json", is_flag=True, help="JSON out (amounts as strings)."),
        click.option("--csv", "as_csv", is_flag=True, help="CSV out, one header row."),
    )):
        command = option(command)
    return command


def _run(ctx: click.Context, figures: Sequence[str], month: str | None, first: str | None, last: str | None,
         as_json: bool, as_csv: bool) -> None:
    from obm_tui.model.errors import UsageError
    from obm_tui.services.finance_report import finance_report, months_range
    from obm_tui.services.records import now_in

    if as_json and as_csv:
        raise UsageError("give --json or --csv, not both")
    with opened(ctx, change=False) as vault:
        today = now_in(vault).date()
        start, end = months_range(today, month, first, last)
        report = finance_report(vault, start, end, today, figures)
    if as_json:
        from obm_tui.services.finance_report import as_json as report_json

        say_json(report_json(report, figures))
    elif as_csv:
        _csv(report, figures)
    else:
        _text(report, figures)


def _csv(report: Any, figures: Sequence[str]) -> None:
    from obm_tui.services.finance_report import table

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if len(figures) == 1:
        header, rows = table(report, figures[0])
        writer.writerow(header)
        writer.writerows(rows)
    else:  # the whole report: one long table
        writer.writerow(("figure", "row", "currency", "measure", "value"))
        for figure in figures:
            header, rows = table(report, figure)
            for row in rows:
                for name, value in zip(header[2:], row[2:], strict=True):
                    writer.writerow((figure, row[0], row[1], name, value))
            if figure == "mrr":
                for code, rate in report.run_rate.items():
                    writer.writerow(("run_rate", report.as_of.isoformat(), code, "run_rate", str(rate)))
    say(buffer.getvalue().rstrip("\n"))
    _left_out(report, err=True)


def _text(report: Any, figures: Sequence[str]) -> None:
    from obm_tui.model.money import shown
    from obm_tui.services.finance_report import table

    span = report.first if report.first == report.last else f"{report.first} to {report.last}"
    say(f"Finances, {span} (receivables and run rate as of {report.as_of.isoformat()})")
    for figure in figures:
        header, rows = table(report, figure)
        say()
        say(TITLES[figure])
        if figure == "mrr" and report.run_rate:
            say("  retainers billing now: " + ", ".join(f"{shown(v, c)} a month" for c, v in report.run_rate.items()))
        if not rows:
            say("  (none)")
            continue
        widths = [max([len(h)] + [len(r[n]) for r in rows]) for n, h in enumerate(header)]
        right = [n >= 2 for n in range(len(header))]
        if figure == "aging":
            right[-1] = False

        def line(cells: Sequence[str], widths: list[int] = widths, right: list[bool] = right) -> str:
            return "  " + "  ".join(c.rjust(w) if r else c.ljust(w)
                                    for c, w, r in zip(cells, widths, right, strict=True)).rstrip()

        say(line(header))
        for row in rows:
            say(line(row))
    _left_out(report, err=False)


def _left_out(report: Any, *, err: bool) -> None:
    if report.skipped:
        if not err:
            say()
        say("Left out (their money cannot be read; fix them to count them):", err=err)
        for item in report.skipped:
            say(f"  {item.path}: {item.reason}", err=err)
    for problem in report.problems:
        say(f"note: {problem}", err=True)


@finance.command("report")
@_options
@click.pass_context
def report_command(ctx: click.Context, month: str | None, first: str | None, last: str | None, as_json: bool,
                   as_csv: bool) -> None:
    """Every figure: revenue, MRR, aging, cash, margin, declines (obm finance report --month 2026-11)."""
    from obm_tui.services.finance_report import FIGURES

    _run(ctx, FIGURES, month, first, last, as_json, as_csv)


def _figure(name: str, doc: str) -> None:
    @_options
    @click.pass_context
    def command(ctx: click.Context, month: str | None, first: str | None, last: str | None, as_json: bool,
                as_csv: bool) -> None:
        _run(ctx, (name,), month, first, last, as_json, as_csv)

    command.__doc__ = doc
    finance.command(name)(command)


_figure("revenue", "Invoiced and received on invoices, by month and currency.")
_figure("mrr", "Monthly recurring revenue from recurring invoices, its movement, and the retainers' run rate.")
_figure("aging", "What each client owes, by days past due (current, 1-30, 31-60, 61-90, 90+), at the range's end.")
_figure("cash", "Cash in and out by month: received, refunded, bills paid, expenses, fees, payouts.")
_figure("margin", "Gross margin of physical products: shipped units at price against unit cost, by month.")
_figure("declines", "Declined payments by month: at risk, recovered, lost, recovery rate, median days to recover.")
