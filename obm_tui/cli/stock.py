"""`obm stock …` (movements, forecast) and `obm po …` (purchase orders).
Services: services/stock.py and services/purchase_orders.py."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from obm_tui.cli.app import main, opened, pending_note
from obm_tui.cli.completion import ids_of
from obm_tui.cli.out import say, say_json

# `obm stock adjust MUG-01 -2`: a negative quantity is an argument, not an option.
_SIGNED = {"ignore_unknown_options": True}


def _today(vault: Any) -> date:
    from obm_tui.services.records import now_in

    return now_in(vault).date()


@main.group()
def stock() -> None:
    """Stock: receive, ship, adjust, count, forecast."""


def _movement(kind: str, doc: str) -> click.Command:
    @click.argument("sku", shell_complete=ids_of("product"))
    @click.argument("qty", metavar="QTY")
    @click.option("--ref", metavar="REF", default="", help="What caused it: an order number, a PO id…")
    @click.option("--note", metavar="TEXT", default="", help="A note for the ledger row.")
    @click.pass_context
    def command(ctx: click.Context, sku: str, qty: str, ref: str, note: str) -> None:
        from obm_tui.model.display import clean
        from obm_tui.services.stock import parse_quantity, record_movement

        units = parse_quantity(kind, qty)
        with opened(ctx) as vault:
            result = record_movement(vault, sku, kind, units, when=_today(vault), ref=ref, note=note)
            say(clean(result.message))
            for problem in result.problems:
                say(f"note: the ledger has an older problem: {clean(problem)}", err=True)
            pending_note(result.save)

    command.__doc__ = doc
    return stock.command(kind, context_settings=_SIGNED)(command)


_movement("receive", "Units arrived: obm stock receive MUG-01 24 --ref PO-261101-AB3")
_movement("ship", "Units shipped or sold: obm stock ship MUG-01 3 --ref \"order 1042\"")
_movement("adjust", "A correction (damaged, lost, found): obm stock adjust MUG-01 -1 --note \"chipped\"")
_movement("count", "A stock count; a difference becomes an adjustment: obm stock count MUG-01 34")


@stock.command()
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.option("--reorder", "only_reorder", is_flag=True, help="Only the products to reorder now.")
@click.pass_context
def forecast(ctx: click.Context, as_json: bool, only_reorder: bool) -> None:
    """Every product: on hand, rate, days of cover, incoming, reorder now and why, suggested quantity."""
    from obm_tui.model.display import clean
    from obm_tui.services.stock import forecast_all

    with opened(ctx, change=False) as vault:
        items = forecast_all(vault, _today(vault))
    if only_reorder:
        items = [i for i in items if i.forecast is not None and i.forecast.reorder_now]
    if as_json:
        say_json([i.as_json() for i in items])
        return
    header = ("SKU", "ON HAND", "INCOMING", "RATE/DAY", "COVER", "REORDER", "SUGGESTED")
    rows = [_forecast_row(i) for i in items]
    widths = [max([len(h)] + [len(r[n]) for r in rows]) for n, h in enumerate(header)]
    say("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    for item, row in zip(items, rows, strict=True):
        say("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        reasons = item.forecast.reasons if item.forecast is not None else ()
        for reason in (*reasons, *item.problems):
            say(f"    {clean(reason)}")


def _forecast_row(item: Any) -> tuple[str, ...]:
    from obm_tui.model.forecast import as_decimal

    f = item.forecast
    if f is None:
        return (item.record.id, "?", "?", "?", "?", "?", "?")
    cover = "-" if f.days_of_cover is None else f"{as_decimal(f.days_of_cover)}d"
    reorder = "now" if f.reorder_now else "no"
    if f.reorder_now and item.open_orders:
        reorder = f"open {', '.join(item.open_orders)}"
    return (item.record.id, str(f.on_hand), str(f.incoming), str(as_decimal(f.rate, 2)), cover, reorder,
            str(f.suggested_qty) if f.suggested_qty else "")


@main.group()
def po() -> None:
    """Purchase orders: new (a draft), order, receive, cancel."""


@po.command("new")
@click.argument("supplier")
@click.argument("lines", nargs=-1, required=True, metavar="SKU[=QTY]...", shell_complete=ids_of("product"))
@click.option("--title", metavar="TEXT", help="A short description (default: the lines).")
@click.pass_context
def po_new(ctx: click.Context, supplier: str, lines: tuple[str, ...], title: str | None) -> None:
    """Draft a purchase order: obm po new "Clay & Kiln Mugs" MUG-CLASSIC=144 (no QTY: the suggestion)."""
    from obm_tui.services.purchase_orders import new_order, parse_line_args

    wanted = parse_line_args(lines)
    with opened(ctx) as vault:
        result = new_order(vault, supplier, wanted, today=_today(vault), title=title)
        say(f"created purchase-order {result.record.id} ({result.record.path})")
        pending_note(result)


@po.command("order")
@click.argument("ref", metavar="ID", shell_complete=ids_of("purchase-order"))
@click.pass_context
def po_order(ctx: click.Context, ref: str) -> None:
    """Mark a draft as sent to the supplier (status ordered, ordered today, expected by lead time)."""
    from obm_tui.services.purchase_orders import mark_ordered

    with opened(ctx) as vault:
        result = mark_ordered(vault, ref, today=_today(vault))
        say(vault.git.log(limit=1)[0].message if result.commit else f"saved {result.record.path}")
        pending_note(result)
        _follow_runs(vault, result.record)


@po.command("cancel")
@click.argument("ref", metavar="ID", shell_complete=ids_of("purchase-order"))
@click.pass_context
def po_cancel(ctx: click.Context, ref: str) -> None:
    """Cancel a draft, ordered or partial purchase order."""
    from obm_tui.services.purchase_orders import cancel

    with opened(ctx) as vault:
        result = cancel(vault, ref)
        say(vault.git.log(limit=1)[0].message if result.commit else f"saved {result.record.path}")
        pending_note(result)


@po.command("receive")
@click.argument("ref", metavar="ID", shell_complete=ids_of("purchase-order"))
@click.argument("lines", nargs=-1, metavar="[SKU[=QTY]]...", shell_complete=ids_of("product"))
@click.pass_context
def po_receive(ctx: click.Context, ref: str, lines: tuple[str, ...]) -> None:
    """Receive a delivery, in full (no lines) or in part: obm po receive PO-261109-J2R CAL-2027=100"""
    from obm_tui.services.purchase_orders import parse_line_args, receive

    arrivals = parse_line_args(lines) if lines else None
    with opened(ctx) as vault:
        result = receive(vault, ref, arrivals, today=_today(vault))
        say(result.message)
        _follow_runs(vault, result.written.records[0])


def _follow_runs(vault: Any, order: Any) -> None:
    """The order's restock run moves with it (its `tick_when::` steps): one more commit, said here."""
    from datetime import datetime, time

    from obm_tui.services.runs import process_runs_of

    for outcome in process_runs_of(vault, order, datetime.combine(_today(vault), time(12))):
        say(outcome.message.splitlines()[0] if not outcome.error else f"obm: {outcome.message}: {outcome.error}",
            err=bool(outcome.error))
