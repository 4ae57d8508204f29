"""`obm finance billing`: what each recurring plan bills next, and what a tick would make now."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Any

import click

from obm_tui.cli.app import opened
from obm_tui.cli.finance import finance
from obm_tui.cli.out import say, say_json

EXIT_PROBLEMS = 1


@finance.command("billing")
@click.option("--today", "today", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE",
              help="Act as if today were DATE (default: today in the vault's time zone).")
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.pass_context
def billing_cmd(ctx: click.Context, today: datetime | None, as_json: bool) -> None:
    """Recurring billing, a dry run: each client's retainer (`billing`) and template invoice
    (`recurrence`), the invoices `obm tick` would make now, and the next period. Writes nothing;
    exit status 1 if a plan cannot bill."""
    from obm_tui.services.billing import billing_views
    from obm_tui.services.records import now_in

    with opened(ctx, change=False) as vault:
        day = today.date() if today else now_in(vault).date()
        views = billing_views(vault, day)
    if as_json:
        say_json({"today": day.isoformat(), "plans": [_json(v) for v in views]})
    else:
        _say(views, day)
    if any(v.error for v in views):
        sys.exit(EXIT_PROBLEMS)


def _say(views: list[Any], day: date) -> None:
    if not views:
        say("no recurring billing: set a client's billing (obm set <client> billing=FREQ=MONTHLY;BYMONTHDAY=1) "
            "or an invoice's recurrence", err=True)
        return
    for view in views:
        if view.error:
            say(f"obm: {view.error}", err=True)
            continue
        plan = view.plan
        what = f"template {plan.template}" if plan.template else "retainer"
        say(f"{plan.client}  {what}  {plan.amount} {plan.currency}  {plan.rule}")
        for period, record_id in view.due:
            say(f"  due now   {period.label}  {record_id}  issued {period.day.isoformat()}")
        if view.next is not None:
            say(f"  next      {view.next.label}  on {view.next.day.isoformat()}")
        elif not view.due:
            say(f"  ended     no period after {day.isoformat()}")


def _json(view: Any) -> dict[str, Any]:
    plan = view.plan
    found: dict[str, Any] = {"source": view.source, "error": view.error or None}
    if plan is None:
        return found
    found.update({
        "client": plan.client, "template": plan.template or None, "rule": plan.rule,
        "amount": str(plan.amount), "currency": plan.currency, "start": plan.start.isoformat(),
        "end": plan.end.isoformat() if plan.end else None,
        "due": [{"period": p.label, "issued": p.day.isoformat(), "id": i} for p, i in view.due],
        "next": {"period": view.next.label, "issued": view.next.day.isoformat()} if view.next else None,
    })
    return found
