"""What a record of a given kind can do besides being edited: tick a run's step, reply to a
ticket, record a stock movement. Each is a thin flow over a service (services.runs, .tickets,
.stock); the record view offers the ones that apply to its record. More kinds of actions plug in
by adding a handler to HANDLERS and an action to the catalogue (actions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from obm_tui.model.display import clean
from obm_tui.model.records import Record
from obm_tui.tui.tasks import run_blocking

if TYPE_CHECKING:
    from obm_tui.tui.app import ObmApp

Handler = Callable[["ObmApp", Record], None]
MOVES = ("receive", "ship", "count", "adjust")


def tick_step(app: ObmApp, run: Record) -> None:
    """Choose a step of the run; tick it (or untick a ticked one) — the run engine does the rest."""
    from obm_tui.services.run_views import run_view

    def choose(view) -> None:  # type: ignore[no-untyped-def]
        from obm_tui.tui.dialogs.choice import ChoiceDialog

        options = [(s.id, f"[{'x' if s.state == 'done' else ' '}] {s.step.text}  ({s.state}"
                          f"{', due ' + s.due.isoformat() if s.due else ''})") for s in view.views]
        done = {s.id for s in view.views if s.state == "done"}
        if not options:
            app.notify("This run has no steps.", title="Tick a step", markup=False)
            return
        app.push_screen(ChoiceDialog(f"Tick a step of {run.title}", options),
                        lambda step: step and _tick(app, run, step, step not in done))

    run_blocking(app, lambda: run_view(app.vault, run, app.now().date()), done=choose, label="Reading the run")


def _tick(app: ObmApp, run: Record, step: str, ticked: bool) -> None:
    from obm_tui.services.runs import tick

    run_blocking(app, lambda: tick(app.vault, run.path, step, ticked=ticked, now=app.now()),
                 done=lambda outcome: _told(app, [run.path, *outcome.paths], outcome.message, "Run"),
                 label="Ticking the step")


def reply_to_ticket(app: ObmApp, ticket: Record) -> None:
    """Type a reply (or `/name` for a canned reply); the ticket's status moves as configured."""
    from obm_tui.services import tickets
    from obm_tui.tui.dialogs.prompt import PromptDialog

    def send(text: str | None) -> None:
        if not text:
            return
        canned = text.strip()[1:] if text.strip().startswith("/") else None
        run_blocking(app, lambda: tickets.reply(app.vault, ticket.path, now=app.now(),
                                                text=None if canned else text, template=canned),
                     done=lambda r: _told(app, [ticket.path], f"Replied; status {r.before} -> {r.after}", "Reply"),
                     label="Sending the reply")

    app.push_screen(PromptDialog(f"Reply to {ticket.id}: {ticket.title}",
                                 "One paragraph, added to the conversation as your reply.\n"
                                 "Or /name to send a canned reply (templates/replies).", "your reply"), send)


def stock_movement(app: ObmApp, product: Record) -> None:
    """`receive 24 PO-…`, `ship 3 order 1042`, `count 40`, `adjust -2 broken`: one ledger row."""
    from obm_tui.tui.dialogs.prompt import PromptDialog

    def record(text: str | None) -> None:
        if text:
            run_blocking(app, lambda: _move(app, product, text),
                         done=lambda r: _told(app, [product.path], r.message, "Stock"), label="Recording the movement")

    app.push_screen(PromptDialog(f"Stock movement for {product.id} ({product.title})",
                                 "receive 24 PO-261103-W9K   ship 3 order 1042   count 40   adjust -2 broken",
                                 "kind quantity [reference] [note]"), record)


def _move(app: ObmApp, product: Record, text: str):  # type: ignore[no-untyped-def]
    from obm_tui.model.errors import ValidationError
    from obm_tui.services.stock import parse_quantity, record_movement

    words = text.split()
    if len(words) < 2 or words[0] not in MOVES:
        raise ValidationError(f"write a movement as: {' | '.join(MOVES)} quantity [reference] [note]")
    qty = parse_quantity(words[0], words[1])
    ref = words[2] if len(words) > 2 else ""
    return record_movement(app.vault, product.id, words[0], qty, when=app.now(), ref=ref,
                           note=" ".join(words[3:]))


def _told(app: ObmApp, paths: list[str], message: str, title: str) -> None:
    app.note_changes(paths)
    app.refresh_status()
    app.notify(clean(message), title=title, markup=False)


HANDLERS: dict[str, tuple[str, Handler]] = {
    "tick": ("run", tick_step),
    "reply": ("ticket", reply_to_ticket),
    "move": ("product", stock_movement),
    "start": ("client", lambda app, record: _start_process(app, record)),
    "receive": ("purchase-order", lambda app, record: _receive_order(app, record)),
    "send_invoice": ("invoice", lambda app, record: _invoice_flow(app, record, "send")),
    "pay": ("invoice", lambda app, record: _invoice_flow(app, record, "pay")),
}


def _invoice_flow(app: ObmApp, record: Record, what: str) -> None:
    from obm_tui.tui import invoice_flows

    (invoice_flows.send_invoice if what == "send" else invoice_flows.record_payment)(app, record)


def _start_process(app: ObmApp, record: Record) -> None:
    from obm_tui.tui.run_flows import start_for_subject

    start_for_subject(app, record)


def _receive_order(app: ObmApp, record: Record) -> None:
    from obm_tui.tui.care_flows import receive_order

    receive_order(app, record)


def applies(name: str, record: Record | None) -> bool:
    return record is not None and name in HANDLERS and HANDLERS[name][0] == record.kind


def run(app: ObmApp, record: Record, name: str) -> None:
    HANDLERS[name][1](app, record)
