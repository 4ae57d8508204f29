"""`obm import …`: mail (.eml/mbox -> tickets), shopify (orders -> shipments), stripe (payments
and balance exports -> declines, payment records, invoice payments). One commit per import;
a report line per message or row; `--dry-run`.
Exit status 1 when some messages or rows could not be imported (the rest went in)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from obm_tui.cli.app import EXIT_PROBLEMS, main, opened
from obm_tui.cli.out import say


@main.group("import")
def import_group() -> None:
    """Bring in other people's files: mail, shopify, stripe."""


def _read(path: Path) -> bytes:
    from obm_tui.model.errors import UsageError

    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder; give the CSV file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _finish(summary: str, dry_run: bool, commit: str | None, pending: bool, failed: int) -> None:
    if dry_run:
        say(f"dry run, nothing written: {summary}")
    elif commit:
        say(summary)
    elif pending:
        say(f"{summary} (git is busy: saved on disk, to be committed later)")
    else:
        say(f"nothing to import: {summary}")
    if failed:
        sys.exit(EXIT_PROBLEMS)


@import_group.command("mail")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PATH...")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary and the problems.")
@click.pass_context
def mail(ctx: click.Context, paths: tuple[Path, ...], dry_run: bool, quiet: bool) -> None:
    """Mail to tickets: .eml files, folders of them, mbox files (one ticket per thread)."""
    from obm_tui.model.display import clean
    from obm_tui.services.mail_import import import_mail
    from obm_tui.services.records import now_in

    with opened(ctx, change=not dry_run) as vault:
        result = import_mail(vault, list(paths), now=now_in(vault), dry_run=dry_run)
    for line in result.lines:
        if not quiet or line.status == "problem":
            say(clean(str(line)), err=line.status == "problem")
    _finish(result.message, dry_run, result.commit, result.pending, result.problems)


def _report(result: Any, quiet: bool) -> None:
    from obm_tui.model.display import clean

    for row in result.rows:
        if not quiet or row.status == "rejected":
            where = f"row {row.row}, {row.key}" if row.key else f"row {row.row}"
            status = "" if row.status == "ok" else f"{row.status}: "
            say(clean(f"{where}: {status}{row.reason}"), err=row.status == "rejected")


@import_group.command("shopify")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary and the rejected rows.")
@click.pass_context
def shopify(ctx: click.Context, path: Path, dry_run: bool, quiet: bool) -> None:
    """Shopify orders export (CSV) to `ship` movements; orders already imported are skipped."""
    from obm_tui.services.imports import import_shopify

    data = _read(path)
    with opened(ctx, change=not dry_run) as vault:
        result = import_shopify(vault, data, source=path.name, dry_run=dry_run)
    _report(result, quiet)
    _finish(result.message, dry_run, result.commit, result.pending, result.rejected)


@import_group.command("stripe")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary and the rejected rows.")
@click.pass_context
def stripe(ctx: click.Context, path: Path, dry_run: bool, quiet: bool) -> None:
    """Stripe payments or balance export (CSV): declines, charges, refunds, payouts."""
    from obm_tui.services.imports import import_stripe
    from obm_tui.services.records import now_in

    data = _read(path)
    with opened(ctx, change=not dry_run) as vault:
        result = import_stripe(vault, data, now=now_in(vault), source=path.name, dry_run=dry_run)
    _report(result, quiet)
    _finish(result.message, dry_run, result.commit, result.pending, result.rejected)
