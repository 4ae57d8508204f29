"""`obm ticket …`: open tickets, reply (typed or canned), notes, customer messages, status,
the queue with its clocks, and the numbers. Services: services/tickets.py, care_queue.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import click

from obm_tui.cli.app import main, opened, parse_pairs, pending_note
from obm_tui.cli.completion import ids_of
from obm_tui.cli.out import say, say_json


def _now(vault: Any) -> datetime:
    from obm_tui.services.records import now_in

    return now_in(vault)


def _say(result: Any, vault: Any) -> None:
    from obm_tui.model.display import clean

    save = getattr(result, "save", result)
    if save.commit:
        say(clean(vault.git.log(limit=1)[0].message))
    elif not save.pending:
        say(f"{save.record.kind} {save.record.id}: nothing changed")
    pending_note(save)


@main.group()
def ticket() -> None:
    """Customer-care tickets: new, reply, note, customer, status, queue, stats, replies."""


@ticket.command("new")
@click.argument("subject")
@click.argument("fields", nargs=-1, metavar="[FIELD=VALUE]...")
@click.option("--message", "-m", metavar="TEXT", help="The customer's first message.")
@click.pass_context
def new_cmd(ctx: click.Context, subject: str, fields: tuple[str, ...], message: str | None) -> None:
    """Open a ticket: obm ticket new "Mug arrived cracked" customer="Jane Doe" email=jane@example.com priority=high"""
    from obm_tui.services.tickets import new_ticket

    with opened(ctx) as vault:
        result = new_ticket(vault, subject, parse_pairs(fields), now=_now(vault), message=message)
        say(f"created ticket {result.record.id} ({result.record.path})")
        pending_note(result)


@ticket.command()
@click.argument("ref", metavar="ID", shell_complete=ids_of("ticket"))
@click.option("--template", "-t", metavar="NAME", help="A canned reply from templates/replies/.")
@click.option("--text", metavar="TEXT", help="The reply's text.")
@click.option("--status", "-s", metavar="STATUS", help="Move the ticket to this status (wins over the template's).")
@click.option("--force", is_flag=True, help="Send a canned reply even when some variables have no value.")
@click.option("--as", "agent", metavar="NAME", help="Who replies (default: your git name, else [business].manager).")
@click.pass_context
def reply(ctx: click.Context, ref: str, template: str | None, text: str | None, status: str | None,
          force: bool, agent: str | None) -> None:
    """Reply to a customer: obm ticket reply T-261123-K7Q --template ask-for-photo"""
    from obm_tui.services.tickets import reply as reply_service

    with opened(ctx) as vault:
        result = reply_service(vault, ref, now=_now(vault), text=text, template=template, status=status,
                               force=force, agent=agent)
        _say(result, vault)
        if result.unknown:
            say(f"note: left as written (no value): {', '.join(result.unknown)}", err=True)


@ticket.command()
@click.argument("ref", metavar="ID", shell_complete=ids_of("ticket"))
@click.argument("text")
@click.option("--as", "agent", metavar="NAME", help="Who writes the note.")
@click.pass_context
def note(ctx: click.Context, ref: str, text: str, agent: str | None) -> None:
    """Add an internal note (never sent; never moves the status)."""
    from obm_tui.services.tickets import note as note_service

    with opened(ctx) as vault:
        _say(note_service(vault, ref, text, now=_now(vault), agent=agent), vault)


@ticket.command()
@click.argument("ref", metavar="ID", shell_complete=ids_of("ticket"))
@click.argument("text")
@click.option("--from", "author", metavar="NAME", help="The customer's name (default: the ticket's customer).")
@click.pass_context
def customer(ctx: click.Context, ref: str, text: str, author: str | None) -> None:
    """Record a message from the customer (phone, chat…); the status moves as configured."""
    from obm_tui.services.tickets import customer_message

    with opened(ctx) as vault:
        _say(customer_message(vault, ref, text, now=_now(vault), author=author), vault)


@ticket.command()
@click.argument("ref", metavar="ID", shell_complete=ids_of("ticket"))
@click.argument("new_status", metavar="STATUS")
@click.option("--as", "agent", metavar="NAME", help="Who moves it.")
@click.pass_context
def status(ctx: click.Context, ref: str, new_status: str, agent: str | None) -> None:
    """Move a ticket: obm ticket status T-261123-K7Q resolved"""
    from obm_tui.services.tickets import set_status

    with opened(ctx) as vault:
        _say(set_status(vault, ref, new_status, now=_now(vault), agent=agent), vault)


@ticket.command()
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.pass_context
def queue(ctx: click.Context, as_json: bool) -> None:
    """Open tickets with their clocks, most urgent first."""
    from obm_tui.model.display import clean
    from obm_tui.model.sla import describe_clock
    from obm_tui.services.care_queue import queue as build_queue

    with opened(ctx, change=False) as vault:
        entries, problems = build_queue(vault, _now(vault))
    if as_json:
        say_json([e.as_json() for e in entries])
    else:
        rows = [(e.record.id, e.record.text("status") or "new", e.record.text("priority") or "normal",
                 describe_clock(e.first_response), describe_clock(e.resolution), clean(e.customer),
                 clean(e.record.title)) for e in entries]
        _table(("ID", "STATUS", "PRIORITY", "FIRST RESPONSE", "RESOLUTION", "CUSTOMER", "SUBJECT"), rows)
    for problem in problems:
        say(f"! {clean(str(problem))}", err=True)
    say(f"{len(entries)} open tickets" + (f"; {len(problems)} could not be read" if problems else ""), err=True)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    from obm_tui.cli.app import fit

    widths = [min(40, max([len(h)] + [len(r[i]) for r in rows])) for i, h in enumerate(header)]
    say("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    for row in rows:
        say("  ".join(fit(v, w) for v, w in zip(row, widths, strict=True)).rstrip())


@ticket.command()
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: 30 days ago).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: today).")
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.pass_context
def stats(ctx: click.Context, since: datetime | None, until: datetime | None, as_json: bool) -> None:
    """Open tickets by status and priority; median first response and resolution; per customer."""
    from obm_tui.model.errors import UsageError
    from obm_tui.services.care_queue import stats as build_stats

    first, last = _day(since), _day(until)
    if first and last and first > last:
        raise UsageError(f"--since {first} is after --until {last}")
    with opened(ctx, change=False) as vault:
        numbers = build_stats(vault, _now(vault), first, last)
    if as_json:
        say_json(numbers.as_json())
        return
    _print_stats(numbers)


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _print_stats(numbers: Any) -> None:
    from obm_tui.model.display import clean
    from obm_tui.model.kinds import PRIORITIES
    from obm_tui.model.sla import format_span

    say("Open tickets now")
    _table(("STATUS", *(p.upper() for p in PRIORITIES)),
           [(s, *(str(row.get(p, 0)) for p in PRIORITIES)) for s, row in numbers.open_table.items()])
    say(f"\n{numbers.period.start} to {numbers.period.end}: {numbers.created} tickets created")
    for label, span in (("median first response", numbers.median_first_response),
                        ("median resolution", numbers.median_resolution)):
        say(f"  {label}: {format_span(span) if span is not None else 'none yet'} (business hours)")
    if numbers.per_customer:
        say("\nTickets per customer")
        for name, count in numbers.per_customer[:10]:
            say(f"  {count:>3}  {clean(name)}")
    if numbers.oldest_open:
        say("\nOldest open")
        for summary in numbers.oldest_open:
            say(f"  {summary.id}  {summary.status:<8} {summary.created:%Y-%m-%d %H:%M}")
    for problem in numbers.problems:
        say(f"! {clean(str(problem))}", err=True)


@ticket.command()
@click.pass_context
def replies(ctx: click.Context) -> None:
    """List the canned replies (the vault's templates/replies/ first, then obm's)."""
    from obm_tui.model.display import clean
    from obm_tui.services.replies import list_replies

    with opened(ctx, change=False) as vault:
        for template in list_replies(vault):
            moves = f" (-> {template.status})" if template.status else ""
            say(f"{template.name:<22} {clean(template.title)}{moves}")
