"""A ticket: who and what, its two clocks (first response, resolution), and the conversation,
newest last, internal notes marked as such. `r` replies (typed or canned), `i` adds an internal
note, `s` moves the status (only the moves the ticket allows are offered).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from obm_tui.model.conversation import Conversation, Message, format_time
from obm_tui.model.records import Record
from obm_tui.tui import care_flows, flows
from obm_tui.tui.actions import bindings
from obm_tui.tui.safe import join, plain, plain_lines, styled
from obm_tui.tui.screens.base import ObmScreen
from obm_tui.tui.tasks import run_blocking
from obm_tui.tui.widgets.key_bar import KeyBar, ScreenTabs
from obm_tui.tui.widgets.status_bar import StatusBar

ROLE_STYLE = {"customer": "bold $text-accent", "agent": "bold $text-success", "note": "bold $text-warning"}


@dataclass(frozen=True)
class TicketRead:
    """What the view shows, read in a worker: the record, its conversation, its clocks."""

    record: Record
    conversation: Conversation | None
    clocks: str
    urgent: bool
    problem: str = ""


def read_ticket(screen: TicketScreen, record: Record) -> TicketRead:
    """The conversation and the clocks (each failure is shown, never raised)."""
    from obm_tui.model.conversation import parse
    from obm_tui.model.errors import ObmError
    from obm_tui.model.sla import describe_clock
    from obm_tui.services.care_queue import ticket_clocks

    vault = screen.vault
    try:
        talk = parse(vault.read_body(record), vault.config.tz)
    except ObmError as exc:
        return TicketRead(record, None, "", False, exc.message)
    try:
        first, resolution = ticket_clocks(vault, record, screen.obm.now())
    except (ObmError, ValueError) as exc:
        return TicketRead(record, talk, f"clocks: {exc}", False)
    clocks = "  ·  ".join(f"{c.name}: {describe_clock(c)}" + (f" (due {format_time(c.due, vault.config.tz)})"
                                                                if c.due and not c.stopped else "")
                          for c in (first, resolution))
    urgent = any(c.breached and not c.stopped for c in (first, resolution))
    return TicketRead(record, talk, clocks, urgent)


def message_widget(message: Message, tz) -> Static:  # type: ignore[no-untyped-def]
    """One message: its heading (role, author, time, status move) and its text."""
    role = "internal note" if message.internal else message.role
    head = [styled(f" {role.upper()} ", f"{ROLE_STYLE.get(message.role, 'bold')} reverse"),
            plain(f"  {format_time(message.at, tz)} — "), styled(message.author, "bold")]
    if message.status:
        head.append(plain(f"  → {message.status}"))
    parts = [join(*head)]
    if message.text.strip():
        parts += [plain_lines("\n" + message.text)]
    if message.internal:
        parts += [plain_lines("\n"), styled("(never sent to the customer)", "italic $text-muted")]
    return Static(join(*parts), classes=f"message message--{message.role}")


class TicketScreen(ObmScreen):
    """The ticket at `path`."""

    BINDINGS = bindings("ticket")
    CSS_PATH = "ticket.tcss"

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.record: Record | None = None
        self.read: TicketRead | None = None

    def compose(self) -> ComposeResult:
        yield ScreenTabs()
        yield Static(id="title", classes="screen-title")
        yield Static(id="who", classes="ticket-line")
        yield Static(id="clocks", classes="ticket-line")
        yield Static(id="banner", classes="banner")
        yield VerticalScroll(id="conversation")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#banner").display = False
        self.query_one("#conversation").focus()
        self.refresh_data(None)

    # ----- loading -----------------------------------------------------------------------------
    def refresh_data(self, paths: set[str] | None) -> None:
        if paths is not None and self.path not in paths:
            return
        record = self.vault.index.by_path(self.path)
        self.mark_seen()
        if record is None:
            self._banner("This ticket's file was deleted or renamed (by another program, or git).")
            self.record = None
            self.refresh_bindings()
            return
        self.record = record
        self._show_head(record)
        run_blocking(self, lambda: read_ticket(self, record), done=lambda read: self.call_later(self._show, read),
                     label="Reading the ticket",
                     group="ticket", exclusive=True)

    def _show_head(self, record: Record) -> None:
        self.query_one("#title", Static).update(join(
            styled("ticket", "bold $text-accent"), plain("  "), styled(record.title, "bold"), plain(f"   {record.id}")))
        status, priority = record.text("status") or "new", record.text("priority") or "normal"
        who = [styled(f" {status} ", "bold reverse"), plain("  "),
               styled(f"{priority}", "bold $text-error" if priority == "urgent" else "bold")]
        for name in ("customer", "email", "client", "assignee", "channel", "created"):
            if record.text(name):
                who.append(plain(f"  ·  {name} {record.text(name)}"))
        self.query_one("#who", Static).update(join(*who))
        problems = [f"{p.line and f'line {p.line}: ' or ''}{p.reason}" for p in record.problems]
        self._banner("\n".join(problems))

    def _banner(self, text: str) -> None:
        banner = self.query_one("#banner", Static)
        banner.update(styled(text, "$text-error"))
        banner.display = bool(text)

    async def _show(self, read: TicketRead) -> None:
        self.read = read
        clocks = self.query_one("#clocks", Static)
        clocks.update(styled(read.clocks, "bold $text-error" if read.urgent else ""))
        clocks.display = bool(read.clocks)
        if read.problem:
            self._banner(read.problem)
        box = self.query_one("#conversation", VerticalScroll)
        await box.remove_children()
        talk, tz = read.conversation, self.vault.config.tz
        widgets: list[Static] = []
        if talk is not None and talk.preamble.strip():
            widgets.append(Static(plain_lines(talk.preamble.strip()), classes="message preamble"))
        widgets += [message_widget(m, tz) for m in (talk.messages if talk else ())]
        if talk is not None and not talk.messages:
            widgets.append(Static(plain("No messages yet: r writes the first reply."), classes="dim"))
        await box.mount_all(widgets)
        box.scroll_end(animate=False)
        self.refresh_bindings()

    # ----- actions -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("reply", "add_note", "move_status"):
            if self.record is None or not self.record.readable:
                return False
            if action == "reply":
                return self.record.text("status") != "closed"
        return True

    def action_reply(self) -> None:
        if self.record is not None:
            care_flows.reply(self.obm, self.record)

    def action_add_note(self) -> None:
        if self.record is not None:
            care_flows.note(self.obm, self.record)

    def action_move_status(self) -> None:
        if self.record is not None:
            care_flows.move_status(self.obm, self.record)

    def action_open_fields(self) -> None:
        self.obm.open_record(self.path)

    def action_open_editor(self) -> None:
        flows.edit_in_editor(self.obm, self.path)

    def action_history(self) -> None:
        self.obm.open_history(self.path)

    def action_back(self) -> None:
        self.dismiss()
