"""Flows of customer care and stock: open, reply to, note, move and create tickets; record a stock
movement; receive a purchase order. Each asks in a dialog, runs the service (services.tickets,
.stock, .purchase_orders) in a worker, and tells the resulting commit message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from obm_tui.model.display import clean
from obm_tui.model.records import Record
from obm_tui.tui.tasks import run_blocking

if TYPE_CHECKING:
    from obm_tui.tui.app import ObmApp
    from obm_tui.tui.dialogs.movement import MovementAnswer
    from obm_tui.tui.dialogs.new_ticket import NewTicket
    from obm_tui.tui.dialogs.reply import ReplyAnswer


def told(app: ObmApp, paths: list[str], message: str, title: str, pending: bool = False) -> None:
    """After a write: the screens follow, the status bar too, and the commit message is shown."""
    app.note_changes(paths)
    app.refresh_status()
    app.notify(clean(message, keep_newlines=True), title=title, markup=False)
    if pending:
        app.notify("Git is busy (index.lock). The change is saved on disk and will be committed later.",
                   title="Commit delayed", severity="warning", markup=False)


def commit_message(app: ObmApp, path: str, sha: str | None, fallback: str) -> str:
    """The message of commit `sha` (the last one of `path`); in a worker (it asks git)."""
    if sha is None:
        return fallback
    commits = app.vault.git.log(path, limit=1)
    return commits[0].message if commits and commits[0].sha == sha else fallback


def _with_message(app: ObmApp, result, fallback: str):  # type: ignore[no-untyped-def]
    """(result, its commit's message), for a result carrying `.record` and `.commit` or `.save`."""
    save = getattr(result, "save", result)
    return result, commit_message(app, save.record.path, save.commit, fallback)


# ----- tickets ---------------------------------------------------------------------------------

def open_ticket(app: ObmApp, path: str) -> None:
    """The ticket view: its conversation, clocks and what can be done to it."""
    from obm_tui.tui.screens.ticket import TicketScreen

    if app.vault.index.by_path(path) is None:
        app.notify(f"{path} is not in the vault (any more).", title="Not found", severity="warning", markup=False)
        return
    app.push_screen(TicketScreen(path))


def reply(app: ObmApp, ticket: Record) -> None:
    """Type a reply or start from a canned one; the ticket's status moves as configured or as chosen."""
    from obm_tui.model.tickets import allowed_moves
    from obm_tui.services.replies import list_replies
    from obm_tui.services.tickets import care_config
    from obm_tui.tui.dialogs.reply import ReplyDialog

    def loaded(found: tuple[list, str]) -> None:  # type: ignore[type-arg]
        replies, default = found
        current = ticket.text("status") or "new"
        statuses = [s for s in allowed_moves(current) if s != current] if current in _statuses() else []
        app.push_screen(ReplyDialog(ticket, replies=replies, statuses=statuses, default_move=default),
                        lambda answer: answer and _send_reply(app, ticket, answer))

    def load() -> tuple[list, str]:  # type: ignore[type-arg]
        move = care_config(app.vault).moves.reply
        return list_replies(app.vault), f" (to {move})" if move else ""

    run_blocking(app, load, done=loaded, label="Reading the canned replies")


def _statuses() -> tuple[str, ...]:
    from obm_tui.model.kinds import TICKET_STATUSES

    return TICKET_STATUSES


def _send_reply(app: ObmApp, ticket: Record, answer: ReplyAnswer) -> None:
    from obm_tui.services import tickets

    def send():  # type: ignore[no-untyped-def]
        if answer.template is not None:
            return tickets.reply(app.vault, ticket.path, now=app.now(), template=answer.template, status=answer.status)
        return tickets.reply(app.vault, ticket.path, now=app.now(), text=answer.text, status=answer.status)

    run_blocking(app, lambda: _with_message(app, send(), "replied"), done=lambda r: _message_told(app, r, "Replied"),
                 label="Saving the reply")


def note(app: ObmApp, ticket: Record) -> None:
    """An internal note: never sent, never moves the status."""
    from obm_tui.services import tickets
    from obm_tui.tui.dialogs.reply import ReplyDialog

    def save(answer: ReplyAnswer | None) -> None:
        if answer is not None:
            run_blocking(app, lambda: _with_message(app, tickets.note(app.vault, ticket.path, answer.text,
                                                                      now=app.now()), "note added"),
                         done=lambda r: _message_told(app, r, "Note added"), label="Saving the note")

    app.push_screen(ReplyDialog(ticket, note=True), save)


def move_status(app: ObmApp, ticket: Record) -> None:
    """Choose one of the moves the ticket's status allows; one commit."""
    from obm_tui.model.tickets import allowed_moves
    from obm_tui.services import tickets
    from obm_tui.tui.dialogs.choice import ChoiceDialog

    current = ticket.text("status") or "new"
    moves = [s for s in allowed_moves(current) if s != current] if current in _statuses() else []
    if not moves:
        app.notify(f"A {current} ticket is final: a new message starts a follow-up ticket.", title="Status",
                   markup=False)
        return

    def chosen(status: str | None) -> None:
        if status:
            run_blocking(app, lambda: _with_message(app, tickets.set_status(app.vault, ticket.path, status,
                                                                            now=app.now()),
                                                    f"status {current} -> {status}"),
                         done=lambda r: _message_told(app, r, "Status"), label="Moving the status")

    app.push_screen(ChoiceDialog(f"{ticket.id} is {current}: move it to", [(s, s) for s in moves]), chosen)


def _message_told(app: ObmApp, done, title: str) -> None:  # type: ignore[no-untyped-def]
    result, message = done
    told(app, [result.record.path], message, title, result.save.pending)


def new_ticket(app: ObmApp) -> None:
    """The new-ticket form; the ticket opens once it is created."""
    from obm_tui.tui.dialogs.new_ticket import NewTicketDialog

    app.push_screen(NewTicketDialog(), lambda answer: answer and _create_ticket(app, answer))


def _create_ticket(app: ObmApp, answer: NewTicket) -> None:
    from obm_tui.services import tickets

    def created(done) -> None:  # type: ignore[no-untyped-def]
        result, message = done
        told(app, [result.record.path], message, "Ticket created", result.pending)
        open_ticket(app, result.record.path)

    run_blocking(app, lambda: _with_message(app, tickets.new_ticket(app.vault, answer.subject, answer.pairs,
                                                                    now=app.now(), message=answer.message), "created"),
                 done=created, label="Creating the ticket")


# ----- stock -----------------------------------------------------------------------------------

def stock_movement(app: ObmApp, product: Record, kind: str = "receive") -> None:
    """The movement form; one ledger row and `on_hand`, one commit, its message shown."""
    from obm_tui.tui.dialogs.movement import MovementDialog

    app.push_screen(MovementDialog(product, kind), lambda answer: answer and _move(app, product, answer))


def _move(app: ObmApp, product: Record, answer: MovementAnswer) -> None:
    from obm_tui.services.stock import record_movement

    def recorded(result) -> None:  # type: ignore[no-untyped-def]
        told(app, [product.path], result.message, "Stock", result.save.pending)
        if result.problems:
            app.notify(clean("\n".join(result.problems), keep_newlines=True), title="The ledger had problems before",
                       severity="warning", markup=False, timeout=10)

    run_blocking(app, lambda: record_movement(app.vault, product.id, answer.kind, answer.qty, when=app.now(),
                                              ref=answer.ref, note=answer.note),
                 done=recorded, label="Recording the movement")


def receive_order(app: ObmApp, order: Record) -> None:
    """What arrived of a purchase order; the order and each product's ledger in one commit."""
    from obm_tui.services.purchase_orders import receive
    from obm_tui.tui.dialogs.receive import ReceiveDialog

    def chosen(arrivals: dict[str, int] | None) -> None:
        if arrivals:
            run_blocking(app, lambda: receive(app.vault, order.path, arrivals, today=app.now().date()),
                         done=lambda r: told(app, [order.path, *(x.path for x in r.written.records)], r.message,
                                             "Received", r.written.pending),
                         label="Receiving the order")

    status = order.text("status") or "draft"
    if status not in ("ordered", "partial"):
        app.notify(f"{order.id} is {status}: only an ordered (or partly received) order can be received.",
                   title="Not yet", severity="warning", markup=False)
        return
    app.push_screen(ReceiveDialog(order), chosen)
