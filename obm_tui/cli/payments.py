"""`obm finance unmatched | link | ignore`: the payments the Stripe import could not put on an
invoice, and putting them there by hand. Service: services/payments_in.py."""

from __future__ import annotations

import click

from obm_tui.cli.app import opened
from obm_tui.cli.completion import ids_of
from obm_tui.cli.finance import finance
from obm_tui.cli.out import say, say_json


@finance.command("unmatched")
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.pass_context
def unmatched_command(ctx: click.Context, as_json: bool) -> None:
    """Payments on no invoice yet, each with the invoices it most likely goes on."""
    from obm_tui.model.display import clean
    from obm_tui.services.payments_in import unmatched

    with opened(ctx, change=False) as vault:
        found = unmatched(vault)
    if as_json:
        say_json([u.as_json() for u in found])
        return
    if not found:
        say("no unmatched payments")
        return
    for item in found:
        data = item.as_json()
        who = data["payer"] or data["email"] or "unknown payer"
        say(clean(f"{data['id']}  {data['date']}  {data['payment_type']}  {data['amount']} {data['currency']}  "
                  f"{who}  {data['reference']}"))
        for c in item.candidates:
            say(clean(f"    maybe {c.id} ({c.client}, owes {c.balance} {c.currency})"))


@finance.command("link")
@click.argument("payment", shell_complete=ids_of("payment"))
@click.argument("invoice", shell_complete=ids_of("invoice"))
@click.pass_context
def link_command(ctx: click.Context, payment: str, invoice: str) -> None:
    """Put an unmatched payment on an invoice: obm finance link PAY-261120-K2Q INV-261101-R1X"""
    from obm_tui.model.display import clean
    from obm_tui.services.payments_in import link
    from obm_tui.services.records import now_in

    with opened(ctx) as vault:
        result = link(vault, vault.find(payment, "payment"), vault.find(invoice, "invoice"),
                      today=now_in(vault).date())
    say(clean(result.message))


@finance.command("ignore")
@click.argument("payment", shell_complete=ids_of("payment"))
@click.pass_context
def ignore_command(ctx: click.Context, payment: str) -> None:
    """Set an unmatched payment aside: not the business's money (status ignored)."""
    from obm_tui.model.display import clean
    from obm_tui.services.payments_in import ignore

    with opened(ctx) as vault:
        result = ignore(vault, vault.find(payment, "payment"))
    say(clean(result.message))
