"""The ticket queue: every ticket, open ones first in the order to answer them, with the time left
(or overdue) on their first-response and resolution clocks. Enter opens the conversation; `n`
opens a new ticket. The clocks are computed again every minute.
"""

from __future__ import annotations

from typing import ClassVar

from obm_tui.model.sla import Clock, describe_clock
from obm_tui.tui import care_flows
from obm_tui.tui.screens.worklist import ExtraColumn, Extras, WorkListScreen
from obm_tui.tui.widgets.virtual_table import VirtualTable

COLUMNS = (ExtraColumn("queue", "QUEUE", right=True), ExtraColumn("first_clock", "FIRST RESPONSE"),
           ExtraColumn("resolution_clock", "RESOLUTION"))
REFRESH_EVERY = 60.0  # seconds


def clock_key(clock: Clock) -> object:
    """Sort key of a clock: time left (most overdue first); met/missed clocks last."""
    return None if clock.stopped else clock.remaining


def clock_style(first: Clock, resolution: Clock) -> str:
    running = [c for c in (first, resolution) if c.running]
    if any(c.breached for c in running):
        return "overdue"
    return "due" if any(c.breaching_soon for c in running) else ""


def ticket_extras(screen: TicketsScreen) -> Extras:
    """The queue's order and both clocks of every open ticket (each open ticket's file is read)."""
    from obm_tui.services.care_queue import queue

    entries, problems = queue(screen.vault, screen.obm.now())
    cells, styles, keys = {}, {}, {}
    for rank, entry in enumerate(entries, start=1):
        path, first, resolution = entry.record.path, entry.first_response, entry.resolution
        cells[path] = (str(rank), describe_clock(first), describe_clock(resolution))
        styles[path] = clock_style(first, resolution)
        keys[path] = (rank, clock_key(first), clock_key(resolution))
    for problem in problems:
        cells[problem.path] = ("?", f"cannot compute: {problem.reason}", "")
        styles[problem.path] = "problem"
    return Extras(COLUMNS, "priority", cells=cells, styles=styles, keys=keys)


class TicketsScreen(WorkListScreen):
    """Tickets, in the order of the queue."""

    DEFAULT_SORT: ClassVar[dict[str, tuple[str, bool]]] = {"ticket": ("queue", False)}

    def on_mount(self) -> None:  # RecordsScreen's on_mount runs too (Textual calls each class's handler)
        self.set_interval(REFRESH_EVERY, self.recompute)

    def extras_layout(self, kind: str) -> Extras:
        return Extras(COLUMNS, "priority")

    def compute_extras(self, kind: str) -> Extras:
        return ticket_extras(self)

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        record = self.vault.index.by_path(event.key)
        if record is not None and record.kind == "ticket" and record.readable:
            event.prevent_default()  # the conversation, not the record's fields
            care_flows.open_ticket(self.obm, record.path)

    def action_new_record(self) -> None:
        care_flows.new_ticket(self.obm)
