"""Where the work views plug into the app: the main lists that have computed columns, and which
view a line of Today opens (a run's checklist, a ticket's conversation, else the record)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from obm_tui.tui.screens.invoices import InvoicesScreen
from obm_tui.tui.screens.payments import PaymentsScreen
from obm_tui.tui.screens.processes import ProcessesScreen
from obm_tui.tui.screens.stock import StockScreen
from obm_tui.tui.screens.tickets import TicketsScreen

if TYPE_CHECKING:
    from obm_tui.tui.app import ObmApp

WORK_SCREENS: dict[str, Any] = {"processes": ProcessesScreen, "tickets": TicketsScreen, "stock": StockScreen,
                               "invoices": InvoicesScreen, "payments": PaymentsScreen}


def open_item(app: ObmApp, section: str, path: str) -> None:
    """Open what an agenda line is about: steps open their run, tickets their conversation."""
    app.open(path)
