"""Choose a record by typing part of its name: the list narrows as you type (typos forgiven)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rapidfuzz import fuzz, process, utils
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from obm_tui.model.records import Record
from obm_tui.tui.actions import binding
from obm_tui.tui.safe import plain, styled
from obm_tui.tui.widgets.safe_input import SafeInput

SHOWN = 30
CUTOFF = 45


def label_of(record: Record) -> str:
    """`Marco Bianchi  (client marco-bianchi · onboarding)`."""
    status = record.text("status")
    return f"{record.title}  ({record.kind} {record.id}{' · ' + status if status else ''})"


def best_matches(records: Sequence[Record], query: str, limit: int = SHOWN) -> list[Record]:
    """The records whose title or id match `query` best (all, by title, when it is empty)."""
    wanted = utils.default_process(query)
    if not wanted:
        return sorted(records, key=lambda r: r.title.casefold())[:limit]
    names = [utils.default_process(f"{r.title} {r.id}") for r in records]
    hits = process.extract(wanted, names, scorer=fuzz.WRatio, processor=None, limit=limit, score_cutoff=CUTOFF)
    return [records[index] for _, _, index in hits]


class PickRecordDialog(ModalScreen[str | None]):
    """Returns the chosen record's path, or None. Names are user text: shown literally."""

    BINDINGS: ClassVar[list[BindingType]] = [binding("dialog.cancel"), binding("dialog.next"),
                                             binding("dialog.previous")]
    CSS_PATH = "work_dialogs.tcss"

    def __init__(self, title: str, records: Sequence[Record], hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.records = list(records)
        self.hint = hint
        self.shown: list[Record] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Static(styled(self.title_text, "bold"), classes="dialog-title")
            yield SafeInput(placeholder="type part of a name — enter chooses, esc cancels", id="query")
            yield OptionList(id="matches")
            yield Static(plain(self.hint or f"{len(self.records)} to choose from; ↑/↓ move"), classes="dim")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#query", Input).focus()

    def _fill(self, query: str) -> None:
        self.shown = best_matches(self.records, query)
        matches = self.query_one(OptionList)
        matches.clear_options()
        matches.add_options([Option(plain(label_of(r)), id=r.path) for r in self.shown])
        if self.shown:
            matches.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        matches = self.query_one(OptionList)
        if matches.highlighted is not None and self.shown:
            self.dismiss(self.shown[matches.highlighted].path)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_next(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_previous(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
