"""Helpers for the tests of the work views (runs, tickets, stock): their classes, and waiting on
the app's automation."""

from __future__ import annotations

from obm_tui.tui.dialogs.draft import DraftDialog
from obm_tui.tui.dialogs.movement import MovementDialog
from obm_tui.tui.dialogs.new_ticket import NewTicketDialog
from obm_tui.tui.dialogs.pick_record import PickRecordDialog
from obm_tui.tui.dialogs.receive import ReceiveDialog
from obm_tui.tui.dialogs.reply import ReplyDialog
from obm_tui.tui.screens.processes import ProcessesScreen
from obm_tui.tui.screens.run import RunScreen
from obm_tui.tui.screens.stock import StockScreen
from obm_tui.tui.screens.ticket import TicketScreen
from obm_tui.tui.screens.tickets import TicketsScreen

WORK_CLASSES = (ProcessesScreen, RunScreen, TicketsScreen, TicketScreen, StockScreen, DraftDialog, MovementDialog,
                NewTicketDialog, PickRecordDialog, ReceiveDialog, ReplyDialog)
