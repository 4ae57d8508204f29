"""`obm export beancount|hledger|csv`: the books for the accountant (services/books.py); money out:
`obm finance pay-bill` and `obm finance expense` (services/bills.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from obm_tui.cli.app import EXIT_PROBLEMS, opened
from obm_tui.cli.finance import export, finance
from obm_tui.cli.out import say


def parse_day(value: str | None, option: str) -> date | None:
    """`--from 2026-11-01` as a date; a usage error in the user's words otherwise."""
    from obm_tui.model.errors import UsageError
    from obm_tui.model.fields import FieldValueError, to_date

    if value is None:
        return None
    try:
        return to_date(value)
    except FieldValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _export(ctx: click.Context, fmt: str, start: str | None, end: str | None, output: Path | None) -> None:
    from obm_tui.model.errors import UsageError
    from obm_tui.services.books import render, vault_books

    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    if first is not None and last is not None and last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    with opened(ctx, change=False) as vault:
        books = vault_books(vault, start=first, end=last)
    text = render(books, fmt)
    if output is None:
        say(text.rstrip("\n"))
    else:
        from obm_tui.vault.atomic import write_atomic

        try:
            write_atomic(output, text.encode("utf-8"))
        except OSError as exc:
            raise UsageError(f"-o {output}: cannot be written ({exc.strerror or exc})") from None
        say(f"wrote {len(books.transactions)} transactions to {output}", err=True)
    for skipped in books.skipped:
        say(f"obm: {skipped.path}: left out of the books: {skipped.reason}", err=True)
    if books.skipped:
        say(f"obm: {len(books.skipped)} record(s) left out; fix them and export again", err=True)
        ctx.exit(EXIT_PROBLEMS)


def _command(fmt: str, doc: str) -> None:
    @click.option("--from", "start", metavar="DATE", help="First day (opening balances before it).")
    @click.option("--to", "end", metavar="DATE", help="Last day (included).")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                  help="Write to FILE instead of the standard output.")
    @click.pass_context
    def command(ctx: click.Context, start: str | None, end: str | None, output: Path | None) -> None:
        _export(ctx, fmt, start, end, output)

    command.__doc__ = doc
    export.command(fmt)(command)


_command("beancount", "The books as a Beancount file: obm export beancount --from 2026-01-01 -o books.beancount")
_command("hledger", "The books as an hledger journal: obm export hledger --from 2026-01-01 -o books.journal")
_command("csv", "The books as CSV, one line per posting: obm export csv --to 2026-11-30 -o books.csv")


@finance.command("pay-bill")
@click.argument("ref", metavar="BILL")
@click.argument("amount")
@click.option("--date", "day", metavar="DATE", help="Day it was paid (default: today).")
@click.option("--method", default="", metavar="TEXT", help="How: bank, card …")
@click.option("--ref", "reference", default="", metavar="REF", help="The bank's or processor's reference.")
@click.pass_context
def pay_bill(ctx: click.Context, ref: str, amount: str, day: str | None, method: str, reference: str) -> None:
    """A payment on a supplier's bill: obm finance pay-bill BILL-261125-K3M 250.00 --method bank"""
    from obm_tui.services.bills import pay_bill as pay

    when = parse_day(day, "--date")
    with opened(ctx) as vault:
        result = pay(vault, ref, amount, day=when, method=method, reference=reference)
        say(vault.git.log(limit=1)[0].message if result.commit else f"saved {result.record.path}")


@finance.command("expense")
@click.argument("payee")
@click.argument("amount")
@click.option("--date", "day", metavar="DATE", help="Day it was paid (default: today).")
@click.option("--category", default="", metavar="NAME", help="Its category ([finance.categories] maps it).")
@click.option("--receipt", default="", metavar="PATH|URL", help="Where the receipt is.")
@click.option("--currency", default="", metavar="CODE", help="When not the vault's currency.")
@click.option("--paid-with", default="", metavar="TEXT", help="The card or account it was paid from.")
@click.pass_context
def expense(ctx: click.Context, payee: str, amount: str, day: str | None, category: str, receipt: str,
            currency: str, paid_with: str) -> None:
    """Money spent and paid at once: obm finance expense Notion 10.00 --category software"""
    from obm_tui.services.bills import new_expense

    when = parse_day(day, "--date")
    with opened(ctx) as vault:
        result = new_expense(vault, payee, amount, day=when, category=category, receipt=receipt, currency=currency,
                             paid_with=paid_with)
        say(f"created expense {result.record.id} ({result.record.path})")
