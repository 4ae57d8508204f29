"""The one catalogue of actions: it drives the bindings, the footer, the `?` help and docs/keys.md.

Every action has a binding id (`scope.name`), default keys, the Textual action it runs and a
description. A user keymap (`[keymap]` in the user's config) maps ids to other keys; the app
applies it with `App.set_keymap`. Keys follow Textual's names (`slash`, `question_mark`, `enter`).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Action:
    """One user action."""

    id: str  # binding id, remappable in the keymap
    keys: str  # default keys, comma-separated Textual key names
    action: str  # the Textual action it runs
    description: str  # short: shown in the footer
    help: str = ""  # longer: shown in `?` and docs/keys.md
    show: bool = True  # shown in the footer
    priority: bool = False

    @property
    def scope(self) -> str:
        return self.id.split(".", 1)[0]

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.description, show=self.show, id=self.id,
                       priority=self.priority, tooltip=self.help)


SCOPES = {
    "app": "Everywhere",
    "table": "Any list",
    "list": "Record lists (clients, processes, tickets, stock, declines, invoices, payments)",
    "today": "Today",
    "record": "A record",
    "form": "Editing a field",
    "history": "History",
    "problems": "Problems",
    "dialog": "Dialogs",
    "processes": "Processes & runs",
    "run": "A run (its checklist)",
    "ticket": "A ticket (its conversation)",
    "stock": "Stock",
    "invoices": "Invoices",
    "payments": "Payments (unmatched)",
    "draft": "An email draft",
    "finance": "Finance",
}

ACTIONS: tuple[Action, ...] = (
    # --- everywhere ---------------------------------------------------------------------------
    Action("app.today", "1", "app.open_main('today')", "Today", "What needs attention now"),
    Action("app.clients", "2", "app.open_main('clients')", "Clients", "The list of clients"),
    Action("app.processes", "3", "app.open_main('processes')", "Processes", "Processes and their runs"),
    Action("app.tickets", "4", "app.open_main('tickets')", "Tickets", "Customer-care tickets"),
    Action("app.stock", "5", "app.open_main('stock')", "Stock", "Products and purchase orders"),
    Action("app.declines", "6", "app.open_main('declines')", "Declines", "Declined payments to follow up"),
    Action("app.invoices", "7", "app.open_main('invoices')", "Invoices", "Invoices sent to clients"),
    Action("app.history", "8", "app.open_main('history')", "History", "The whole vault's audit trail"),
    Action("app.problems", "9", "app.open_main('problems')", "Problems",
           "Files that do not parse or break their schema"),
    Action("app.finance", "0", "app.open_main('finance')", "Finance",
           "The money: revenue, MRR, receivables by age, cash, margin, declines"),
    Action("app.help", "question_mark,f1", "app.show_help", "Keys", "Every key, for where you are"),
    Action("app.palette", "ctrl+p", "app.command_palette", "Palette",
           "Find any record by name, run any action", show=False, priority=True),
    Action("app.rescan", "ctrl+r", "app.rescan", "Reload", "Re-read the whole vault from disk", show=False),
    Action("app.sync", "f5", "app.sync", "Sync", "Commit, pull (merging record by record) and push to the remote",
           show=False),
    Action("app.quit", "q", "app.quit", "Quit", "Leave obm (everything is already saved)", show=False),
    # --- any list -----------------------------------------------------------------------------
    Action("table.down", "j,down", "cursor_down", "Down", "Next row", show=False),
    Action("table.up", "k,up", "cursor_up", "Up", "Previous row", show=False),
    Action("table.page_down", "pagedown,ctrl+f", "page_down", "Page down", "One screen down", show=False),
    Action("table.page_up", "pageup", "page_up", "Page up", "One screen up", show=False),
    Action("table.top", "home,g", "top", "Top", "First row", show=False),
    Action("table.bottom", "end,G", "bottom", "Bottom", "Last row", show=False),
    Action("table.open", "enter", "select", "Open", "Open the record under the cursor"),
    # --- record lists -------------------------------------------------------------------------
    Action("list.filter", "slash", "filter", "Filter",
           "Filter: field:value terms (= != < > <= >= ~) and free text, matched fuzzily"),
    Action("list.clear", "escape", "clear_filter", "Clear filter", "Clear the filter (or leave the filter box)"),
    Action("list.sort", "s", "sort_next", "Sort", "Sort by the next column"),
    Action("list.reverse", "S", "sort_reverse", "Reverse", "Reverse the sort order", show=False),
    Action("list.switch", "t", "switch_kind", "Switch list", "Switch between the lists of this screen"),
    Action("list.archived", "a", "toggle_archived", "Archived", "Show or hide archived records", show=False),
    Action("list.new", "n", "new_record", "New", "Create a record from its template"),
    Action("list.edit", "e", "open_editor", "Editor", "Open the record's file in $EDITOR"),
    Action("list.delete", "d", "delete_record", "Archive/delete", "Archive or delete, after a confirmation"),
    Action("list.history", "h", "history", "History", "The record's history from git"),
    # --- today --------------------------------------------------------------------------------
    Action("today.refresh", "r", "refresh_agenda", "Refresh", "Rebuild the agenda now (it also follows the files)"),
    Action("today.next_section", "right_square_bracket", "next_section", "Next section",
           "Jump to the next section's heading", show=False),
    Action("today.previous_section", "left_square_bracket", "previous_section", "Previous section",
           "Jump to the previous section's heading", show=False),
    # --- a record -----------------------------------------------------------------------------
    Action("record.down", "j,down", "next_field", "Next field", "Next field", show=False),
    Action("record.up", "k,up", "previous_field", "Previous field", "Previous field", show=False),
    Action("record.edit", "enter", "edit_field", "Edit field", "Edit the field under the cursor in place"),
    Action("record.editor", "e", "open_editor", "Editor", "Open the file in $EDITOR; the app reloads it after"),
    Action("record.new", "n", "new_record", "New", "Create a record of this kind from its template"),
    Action("record.delete", "d", "delete_record", "Archive/delete", "Archive or delete, after a confirmation"),
    Action("record.history", "h", "history", "History", "Who changed this record, when, and what (with diffs)"),
    Action("record.back", "escape", "back", "Back", "Back to where you came from"),
    Action("record.tick", "x", "kind_action('tick')", "Tick a step", "Runs: tick (or untick) a step of the checklist"),
    Action("record.reply", "r", "kind_action('reply')", "Reply",
           "Tickets: reply (type /name and enter for a canned reply)"),
    Action("record.move", "m", "kind_action('move')", "Stock movement",
           "Products: receive, ship, count or adjust (one ledger row)"),
    Action("record.start", "p", "kind_action('start')", "Start process",
           "Clients: start a run of a process about this client (choose the process)"),
    Action("record.receive", "r", "kind_action('receive')", "Receive",
           "Purchase orders: receive what arrived (the order and every product's ledger, one commit)"),
    Action("record.send_invoice", "m", "kind_action('send_invoice')", "Mark sent",
           "Invoices: mark the draft sent (issued today, due after the payment terms; one commit)"),
    Action("record.pay", "p", "kind_action('pay')", "Payment",
           "Invoices: record a payment, or a refund below 0 (amount, date, method, reference; one commit)"),
    # --- editing a field ----------------------------------------------------------------------
    Action("form.save", "enter", "save", "Save", "Check and save the field (one commit)"),
    Action("form.cancel", "escape", "cancel", "Cancel", "Stop editing; nothing is saved"),
    # --- history ------------------------------------------------------------------------------
    Action("history.filter", "slash", "filter", "Filter",
           "Filter: kind:client record:fred-smith since:2026-11-01 until:2026-11-30 author:mia and free text"),
    Action("history.revert", "r", "revert", "Revert", "Undo the selected change (itself a new commit)"),
    Action("history.more", "m", "load_more", "More", "Load older changes", show=False),
    Action("history.back", "escape", "back", "Back", "Clear the filter, or go back"),
    # --- problems -----------------------------------------------------------------------------
    Action("finance.tables", "t", "toggle_tables", "Tables", "Switch between the charts and the numbers as tables"),
    Action("finance.payments", "u", "app.open_main('payments')", "Unmatched",
           "Payments on no invoice yet (from the Stripe import): link them"),
    Action("finance.next", "f", "next_figure", "Next figure",
           "The numbers of the next figure: revenue, MRR, aging, cash, margin, declines"),
    Action("finance.refresh", "r", "refresh_finance", "Refresh",
           "Work the figures out again now (they also follow the files)"),
    Action("problems.editor", "e", "open_editor", "Fix in editor", "Open the file at the problem's line in $EDITOR"),
    Action("problems.refresh", "r", "refresh_problems", "Check again", "Run the vault check again"),
    Action("problems.discard", "x", "discard_kept", "Discard copy",
           "A version kept by a conflict: delete the copy, the record stays as it is (one commit)"),
    Action("problems.take", "t", "take_kept", "Take copy",
           "A version kept by a conflict: make it the record's file and delete the copy (one commit)"),
    # --- dialogs ------------------------------------------------------------------------------
    Action("dialog.confirm", "y", "confirm", "Yes", "Confirm"),
    Action("dialog.cancel", "escape", "cancel", "Cancel", "Close the dialog; nothing changes"),
    Action("dialog.archive", "a", "choose('archive')", "Archive", "Archive the record (kept, hidden from lists)"),
    Action("dialog.delete", "D", "choose('delete')", "Delete", "Delete the file (git keeps its history)"),
    Action("dialog.mine", "m", "choose('mine')", "Keep mine", "Conflict: keep your value"),
    Action("dialog.theirs", "t", "choose('theirs')", "Take theirs", "Conflict: take the value on disk"),
    Action("dialog.edit", "e", "choose('edit')", "Edit", "Conflict: edit the value, starting from yours"),
    Action("dialog.send", "ctrl+s", "send", "Send", "Send or save what the dialog holds (a reply, a note, a form)"),
    Action("dialog.next", "down", "next", "Next", "Pickers: the next match", show=False),
    Action("dialog.previous", "up", "previous", "Previous", "Pickers: the previous match", show=False),
    # --- processes and runs -------------------------------------------------------------------
    Action("processes.start", "r", "start_run", "Start a run",
           "Start a run of the process under the cursor (first choose what it is about)"),
    Action("run.tick", "space", "toggle_step", "Tick/untick",
           "Tick the step under the cursor, or untick a ticked one; "
           "its actions run and the message says what happened"),
    Action("run.draft", "m", "draft_email", "Draft email",
           "Draft the step's email (email::): copy it, save it as .eml or open it in your mail program"),
    Action("run.subject", "s", "open_subject", "Subject", "Open the record the run is about"),
    Action("run.fields", "f", "open_fields", "Fields", "The run's fields (the record view)"),
    Action("run.editor", "e", "open_editor", "Editor", "Open the run's file in $EDITOR at the step"),
    Action("run.history", "h", "history", "History", "The run's history from git"),
    Action("run.back", "escape", "back", "Back", "Back to where you came from"),
    # --- a ticket -----------------------------------------------------------------------------
    Action("ticket.reply", "r", "reply", "Reply",
           "Reply: type it or start from a canned reply (choose it, or type /name and enter); the status moves "
           "as configured, or as you choose"),
    Action("ticket.note", "i", "add_note", "Internal note", "Add an internal note (never sent; the status stays)"),
    Action("ticket.status", "s", "move_status", "Status", "Move the status (only the moves the ticket allows)"),
    Action("ticket.fields", "f", "open_fields", "Fields", "The ticket's fields (the record view)"),
    Action("ticket.editor", "e", "open_editor", "Editor", "Open the ticket's file in $EDITOR"),
    Action("ticket.history", "h", "history", "History", "The ticket's history from git"),
    Action("ticket.back", "escape", "back", "Back", "Back to where you came from"),
    # --- stock --------------------------------------------------------------------------------
    Action("stock.movement", "m", "movement", "Movement",
           "Products: receive, ship, adjust or count the product under the cursor (one ledger row, one commit)"),
    # --- invoices -----------------------------------------------------------------------------
    Action("invoices.send", "m", "send_invoice", "Mark sent",
           "Mark the draft invoice under the cursor sent (issued today, due after the payment terms)"),
    Action("invoices.pay", "p", "pay_invoice", "Payment",
           "Record a payment (or a refund below 0) on the invoice under the cursor"),
    # --- payments -----------------------------------------------------------------------------
    Action("payments.link", "l", "link_payment", "Link to invoice",
           "Put the payment under the cursor on an invoice (choose it; its likeliest ones are named): a row "
           "on the invoice and the payment linked, one commit"),
    # --- an email draft -----------------------------------------------------------------------
    Action("draft.copy", "c", "copy", "Copy", "Copy the draft (To, Subject, text) to the clipboard"),
    Action("draft.save", "s", "save", "Save .eml",
           "Save the draft as an .eml file (mail programs open it as a draft); asks where, starting from the "
           "vault's outbox/ or the current folder"),
    Action("draft.open", "o", "open_mail", "Mail program", "Open the draft in your mail program (a mailto: link)"),
)

BY_ID: dict[str, Action] = {a.id: a for a in ACTIONS}


def bindings(*scopes: str) -> list[Binding]:
    """The bindings of the actions in these scopes, for a class's BINDINGS."""
    return [a.binding() for a in ACTIONS if a.scope in scopes]


def binding(action_id: str) -> Binding:
    return BY_ID[action_id].binding()


def keys_of(action: Action, keymap: dict[str, str] | None = None) -> str:
    """The keys an action has after the user's keymap."""
    return (keymap or {}).get(action.id, action.keys)


def key_label(keys: str) -> str:
    """`question_mark,f1` -> `? / f1` for people."""
    names = {"question_mark": "?", "slash": "/", "escape": "esc", "pagedown": "pgdn", "pageup": "pgup",
             "right_square_bracket": "]", "left_square_bracket": "["}
    return " / ".join(names.get(k.strip(), k.strip()) for k in keys.split(","))


def keys_markdown() -> str:
    """docs/keys.md: every action, by where it applies."""
    out = ["# Keys", "", "Every key obm knows, by where it applies. Every binding has an id; to change a key,",
           "add it to `[keymap]` in your user config (`obm/config.toml` in your config folder,",
           "e.g. `~/.config/obm/config.toml`):", "", "```toml", "[keymap]",
           '"list.filter" = "slash,f"', '"app.quit" = "ctrl+q"', "```", ""]
    out += ["## Filtering a list", "",
            "`/` opens the filter box; the list narrows as you type. Terms are `field:value` (the field",
            "contains the value), `field=value`, `field!=value`, `field<value`, `field>value`, `<=`, `>=`",
            "(dates, amounts and numbers compare as such: `due<2026-12-01`, `on_hand<=5`); every other",
            "word must appear in the record, and a word with a typo still finds it (`lovelaec`). Quotes",
            'group words: `customer:"Fred Smith"`. `enter` keeps the filter and returns to the list;',
            "`esc` clears it. History takes `kind:client record:fred-smith since:2026-11-01",
            "until:2026-11-30 author:mia` and words.", ""]
    out += ["## Number keys", "",
            "`1`–`9` and `0` (Finance) open the main screens. Each opens as you left it: if a record was",
            "open there, that record. Press the same number again to go back to that screen's list.", ""]
    for scope, title in SCOPES.items():
        out += [f"## {title}", "", "| Keys | Action | Id |", "|---|---|---|"]
        out += [f"| `{key_label(a.keys)}` | {a.help or a.description} | `{a.id}` |"
                for a in ACTIONS if a.scope == scope]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # regenerate docs/keys.md: python -m obm_tui.tui.actions > docs/keys.md
    print(keys_markdown(), end="")
