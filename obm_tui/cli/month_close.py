"""`obm finance close YYYY-MM`: the month close (services/month_close.py)."""

from __future__ import annotations

import click

from obm_tui.cli.app import EXIT_PROBLEMS, opened
from obm_tui.cli.finance import finance
from obm_tui.cli.out import say, say_json


@finance.command("close")
@click.argument("month", metavar="YYYY-MM")
@click.option("--dry-run", is_flag=True, help="Run the checks and show the figures; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.pass_context
def close(ctx: click.Context, month: str, dry_run: bool, as_json: bool) -> None:
    """Close a month: every invoice sent, every payment matched, every received order billed,
    every decline followed up; then closes/YYYY-MM.md with the month's figures, committed."""
    from obm_tui.model.money import shown
    from obm_tui.model.month_close import SUMMARY_COLUMNS, currencies
    from obm_tui.services.month_close import HEADINGS, close_month

    with opened(ctx, change=not dry_run) as vault:
        result = close_month(vault, month, dry_run=dry_run)
    if as_json:
        say_json(result.as_json())
    else:
        for code in currencies(result.figures):
            figures = ", ".join(f"{HEADINGS[n].lower()} {shown(result.figures[n].get(code), code)}"
                                for n in SUMMARY_COLUMNS)
            say(f"{result.month.name} {code}: {figures}")
        for blocker in result.blockers:
            say(f"{blocker.path}: {blocker.why}")
        if result.blockers:
            say(f"{result.month.name} cannot be closed yet: {len(result.blockers)} thing(s) to do first")
        elif result.path is not None:
            say(f"closed {result.month.name} ({result.path})")
        else:
            say(f"{result.month.name} can be closed (dry run: nothing written)")
    if result.blockers:
        ctx.exit(EXIT_PROBLEMS)
