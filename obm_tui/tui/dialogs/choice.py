"""Choose one of a few things (the step of a run to tick …)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from obm_tui.tui.actions import binding
from obm_tui.tui.safe import plain, styled


class ChoiceDialog(ModalScreen[str | None]):
    """Returns the chosen option's id, or None. Labels are user text: shown literally."""

    BINDINGS = [binding("dialog.cancel")]

    def __init__(self, title: str, options: list[tuple[str, str]], initial: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.options = options
        self.initial = initial  # the option highlighted first

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(styled(self.title_text, "bold"), classes="dialog-title")
            yield OptionList(*(Option(plain(label), id=key) for key, label in self.options), id="choices")
            yield Static(plain("enter chooses · esc cancels"), classes="dim")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        keys = [key for key, _label in self.options]
        if self.initial in keys:
            options.highlighted = keys.index(self.initial)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
