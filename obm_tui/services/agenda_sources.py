"""The customer-care, stock and payment-reminder parts of the agenda, registered in `agenda.SOURCES`.

`agenda.py` imports this module on its last line. Tickets: running clocks that are breached or
breaching soon. Stock: the forecast's "reorder now" (on hand + incoming at or below the reorder
point, or days of cover at or below lead time + safety days), in place of the simple rule.
"""

from __future__ import annotations

from datetime import date, datetime

from obm_tui.model.forecast import Forecast, as_decimal
from obm_tui.model.ledger import oversold_low
from obm_tui.model.sla import describe_clock
from obm_tui.services.agenda import SOURCES, AgendaItem, Source, low_stock
from obm_tui.services.care_queue import queue
from obm_tui.services.reminders import reminded_today
from obm_tui.services.stock import ProductForecast, forecast_all
from obm_tui.services.tickets import local_now
from obm_tui.vault.store import Vault


def ticket_agenda(vault: Vault, now: datetime) -> list[AgendaItem]:
    """"Tickets": open tickets whose running clock is breached (overdue) or breaching soon."""
    entries, _ = queue(vault, now)
    items = []
    for entry in entries:
        alarming = [c for c in (entry.first_response, entry.resolution)
                    if c.running and (c.breached or c.breaching_soon)]
        if not alarming:
            continue
        clock = min(alarming, key=lambda c: c.remaining)
        due = clock.due.astimezone(vault.config.tz).date() if clock.due else local_now(vault, now).date()
        items.append(AgendaItem("Tickets", 0 if clock.breached else 2, due,
                                f"{entry.record.id} {entry.record.title}", entry.record.path,
                                f"{clock.name}: {describe_clock(clock)}"))
    return items


def stock_agenda(vault: Vault, now: datetime) -> list[AgendaItem]:
    """"Stock": oversold products first (on hand below 0 after a merge: count them), then the
    products to reorder now by the forecast, with the reasons."""
    items = []
    today = local_now(vault, now).date()
    for item in forecast_all(vault, today):
        f = item.forecast
        if f is not None and f.on_hand < 0:
            items.append(_oversold(item, f, today))
            continue
        if f is None or not f.reorder_now:
            continue
        cover = "" if f.days_of_cover is None else f", {as_decimal(f.days_of_cover)} days of cover"
        order = (f"open purchase order {', '.join(item.open_orders)}" if item.open_orders
                 else f"reorder {f.suggested_qty}")
        items.append(AgendaItem("Stock", 0 if f.on_hand == 0 else 1, None,
                                f"{item.record.id} {item.record.title}: {f.on_hand} on hand{cover}; {order}",
                                item.record.path, "; ".join(f.reasons)))
    return items


def _oversold(item: ProductForecast, f: Forecast, today: date) -> AgendaItem:
    """Due since the day on hand went below 0, so it comes before every product merely short."""
    low = oversold_low(item.movements)
    orders = f"; open purchase order {', '.join(item.open_orders)}" if item.open_orders else ""
    return AgendaItem("Stock", 0, low.day if low else today,
                      f"{item.record.id} {item.record.title}: oversold, {f.on_hand} on hand; count the stock{orders}",
                      item.record.path, f"on hand went to {low.on_hand} on {low.day.isoformat()}" if low else "")


def reminder_agenda(vault: Vault, now: datetime) -> list[AgendaItem]:
    """"Invoices": the payment reminders drafted today, to send from the outbox
    ("Payment reminder drafted for Aisha Khan — INV-… 1,500.00 USD, 7 days overdue")."""
    today = local_now(vault, now).date()
    return [AgendaItem("Invoices", 1, today, f"Payment reminder drafted for {name} — {owed.line(today)}",
                       owed.invoice.path, "send it from outbox/")
            for name, owed in reminded_today(vault, today)]


def register(sources: list[Source]) -> None:
    """Put the ticket, stock and reminder sources in `sources` (once; the forecast replaces `low_stock`)."""
    if low_stock in sources:
        sources[sources.index(low_stock)] = stock_agenda
    elif stock_agenda not in sources:
        sources.append(stock_agenda)
    if ticket_agenda not in sources:
        sources.append(ticket_agenda)
    if reminder_agenda not in sources:
        sources.append(reminder_agenda)


register(SOURCES)
