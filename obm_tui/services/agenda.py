"""What needs attention now, across the business: the Today screen and `obm agenda`.

Each source adds AgendaItems; features register more sources (run steps, ticket clocks …) in
SOURCES. Every item points at the record that opens when it is chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from obm_tui.model.records import Record
from obm_tui.vault.store import Vault

SECTIONS = ("Checklist steps", "Follow-ups", "Tickets", "Stock", "Declined payments", "Invoices")


@dataclass(frozen=True, order=True)
class AgendaItem:
    """One line of the agenda."""

    section: str
    urgency: int  # 0 overdue, 1 due today, 2 soon, 3 waiting
    due: date | None
    title: str
    path: str  # the record it opens
    detail: str = ""

    @property
    def state(self) -> str:
        return ("overdue", "due", "soon", "waiting")[self.urgency]


def urgency_of(due: date, today: date, soon_days: int = 0) -> int | None:
    if due < today:
        return 0
    if due == today:
        return 1
    if (due - today).days <= soon_days:
        return 2
    return None


def client_follow_ups(vault: Vault, now: datetime) -> list[AgendaItem]:
    items = []
    for client in vault.records("client"):
        due = client.value("follow_up")
        level = urgency_of(due, now.date()) if due else None
        if level is not None and client.value("status") not in ("past",):
            items.append(AgendaItem("Follow-ups", level, due, f"Follow up with {client.title}", client.path,
                                    _days(due, now.date())))
    return items


def overdue_invoices(vault: Vault, now: datetime) -> list[AgendaItem]:
    """Invoices still owed (`sent` or `partly-paid`) past their due day, with what is left to pay."""
    from obm_tui.services.invoices import is_overdue, owed_text

    items = []
    for invoice in vault.records("invoice"):
        due = invoice.value("due")
        if due and is_overdue(invoice, now.date()):
            who = invoice.value("client") or "?"
            items.append(AgendaItem("Invoices", 0, due, f"{invoice.id} to {who}: {owed_text(invoice, vault)} unpaid",
                                    invoice.path, _days(due, now.date())))
    return items


def decline_follow_ups(vault: Vault, now: datetime) -> list[AgendaItem]:
    items = []
    for decline in vault.records("decline"):
        due = decline.value("next_follow_up")
        if decline.value("status") in ("recovered", "lost") or due is None:
            continue
        level = urgency_of(due, now.date())
        if level is not None:
            items.append(AgendaItem("Declined payments", level, due,
                                    f"{decline.title}: {decline.text('amount')} declined", decline.path,
                                    _days(due, now.date())))
    return items


def low_stock(vault: Vault, now: datetime) -> list[AgendaItem]:
    items = []
    for product in vault.records("product"):
        on_hand, point = product.value("on_hand", 0), product.value("reorder_point", 0)
        if point and on_hand <= point:
            items.append(AgendaItem("Stock", 0 if on_hand == 0 else 1, None,
                                    f"{product.id} {product.title}: {on_hand} left (reorder at {point})",
                                    product.path))
    return items


def _days(due: date, today: date) -> str:
    delta = (due - today).days
    if delta < 0:
        return f"{-delta}d overdue"
    return "today" if delta == 0 else f"in {delta}d"


def checklist_steps(vault: Vault, now: datetime) -> list[AgendaItem]:
    """"Checklist steps": overdue, due, waiting and ready steps of open runs (services/run_views.py)."""
    from obm_tui.services.run_views import steps_agenda

    return steps_agenda(vault, now)


Source = Callable[[Vault, datetime], list[AgendaItem]]
SOURCES: list[Source] = [client_follow_ups, overdue_invoices, decline_follow_ups, low_stock]
SOURCES.insert(0, checklist_steps)


def build_agenda(vault: Vault, now: datetime) -> list[AgendaItem]:
    """Every item from every source, most urgent first within each section."""
    items = [item for source in SOURCES for item in source(vault, now)]
    return sorted(items, key=lambda i: (SECTIONS.index(i.section) if i.section in SECTIONS else 99, i.urgency,
                                        i.due or date.max, i.title))


def record_of(vault: Vault, item: AgendaItem) -> Record | None:
    return vault.index.by_path(item.path)
from obm_tui.services import agenda_sources  # noqa: E402, F401  (registers ticket and stock sources; it imports this module)
