"""`obm invoice send|pay|void|write-off|show`: the invoice lifecycle (services/invoices.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from obm_tui.cli.app import opened
from obm_tui.cli.completion import ids_of
from obm_tui.cli.finance import invoice
from obm_tui.cli.out import say, say_json

# `obm invoice pay INV-… -200.00`: a negative amount (a refund) is an argument, not an option.
_SIGNED = {"ignore_unknown_options": True}
_JSON = click.option("--json", "as_json", is_flag=True, help="JSON out: the invoice after the change.")


def _said(vault: Any, change: Any, as_json: bool) -> None:
    from obm_tui.model.display import clean
    from obm_tui.services.invoices import state_of

    if as_json:
        out = state_of(vault, change.record).as_json()
        out["message"] = change.message
        out["commit"] = change.commit
        out["credit"] = change.credit.id if change.credit is not None else None
        say_json(out)
    else:
        say(clean(change.message))


@invoice.command()
@click.argument("invoice_id", metavar="ID", shell_complete=ids_of("invoice"))
@_JSON
@click.pass_context
def send(ctx: click.Context, invoice_id: str, as_json: bool) -> None:
    """Mark a draft sent: issued today, due after the client's (else the vault's) payment terms."""
    from obm_tui.services.invoices import send_invoice

    with opened(ctx) as vault:
        _said(vault, send_invoice(vault, invoice_id), as_json)


def _day(text: str | None) -> date | None:
    from obm_tui.services.invoices import InvoiceError

    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvoiceError(f"date: a day like 2026-11-04, got {text[:40]!r}") from None


@invoice.command(context_settings=_SIGNED)
@click.argument("invoice_id", metavar="ID", shell_complete=ids_of("invoice"))
@click.argument("amount", metavar="AMOUNT")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Day it was paid (default: today).")
@click.option("--method", default="", metavar="TEXT", help="How: card, transfer, cash… (card goes to the processor).")
@click.option("--ref", "reference", default="", metavar="REF", help="The charge or transfer id; never recorded twice.")
@click.option("--note", default="", metavar="TEXT", help="A note for the payment's row.")
@click.option("--currency", default=None, metavar="CODE", help="Check the amount's currency (never converted).")
@_JSON
@click.pass_context
def pay(ctx: click.Context, invoice_id: str, amount: str, day: str | None, method: str, reference: str,
        note: str, currency: str | None, as_json: bool) -> None:
    """Record a payment (a negative AMOUNT: a refund): obm invoice pay INV-261101-7DA 500.00 --method card"""
    from obm_tui.services.invoices import record_payment

    when = _day(day)
    with opened(ctx) as vault:
        change = record_payment(vault, invoice_id, amount, day=when, method=method, reference=reference,
                                note=note, currency=currency)
        _said(vault, change, as_json)
        if change.credit is not None and not as_json:
            say(f"credit: {change.credit.path}")


@invoice.command()
@click.argument("invoice_id", metavar="ID", shell_complete=ids_of("invoice"))
@_JSON
@click.pass_context
def void(ctx: click.Context, invoice_id: str, as_json: bool) -> None:
    """Cancel an invoice that was never owed (nothing paid on it)."""
    from obm_tui.services.invoices import void_invoice

    with opened(ctx) as vault:
        _said(vault, void_invoice(vault, invoice_id), as_json)


@invoice.command("write-off")
@click.argument("invoice_id", metavar="ID", shell_complete=ids_of("invoice"))
@click.option("--reason", default="", metavar="TEXT", help="Why it is given up (in the commit message).")
@_JSON
@click.pass_context
def write_off(ctx: click.Context, invoice_id: str, reason: str, as_json: bool) -> None:
    """Give up what is still owed on a sent or partly-paid invoice."""
    from obm_tui.services.invoices import write_off as do_write_off

    with opened(ctx) as vault:
        _said(vault, do_write_off(vault, invoice_id, reason=reason), as_json)


@invoice.command()
@click.argument("invoice_id", metavar="ID", shell_complete=ids_of("invoice"))
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.pass_context
def show(ctx: click.Context, invoice_id: str, as_json: bool) -> None:
    """An invoice: its fields, payments, balance and whether it is overdue."""
    from obm_tui.model.display import clean
    from obm_tui.model.money import shown
    from obm_tui.services.invoices import find_invoice, state_of

    with opened(ctx, change=False) as vault:
        state = state_of(vault, find_invoice(vault, invoice_id))
    if as_json:
        say_json(state.as_json())
        return
    data, c = state.record.data, state.currency
    say(clean(f"{state.record.id}  {state.record.title}"))
    for name in ("client", "status", "issued", "due", "paid", "closed"):
        if data.get(name) not in (None, ""):
            say(clean(f"  {name + ':':8} {data.get(name)}"))
    say(f"  {'amount:':8} {shown(state.amount, c)}")
    if state.payments:
        say("  payments:")
        for p in state.payments:
            words = " ".join(w for w in (p.method, p.reference, p.note) if w)
            say(clean(f"    {p.day.isoformat()}  {shown(p.amount, c):>16}  {words}".rstrip()))
    elif state.legacy_paid:
        say("  payments: none recorded (marked paid by hand: counts as paid in full)")
    say(f"  {'paid:':8} {shown(state.paid_total, c)}")
    say(f"  {'balance:':8} {shown(state.balance, c)}")
    if state.overdue_days:
        say(f"  overdue by {state.overdue_days} day{'s' if state.overdue_days != 1 else ''}")
    for problem in state.problems:
        say(clean(f"problem: {problem}"), err=True)
