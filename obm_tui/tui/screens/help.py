"""`?`: every key, by where it applies; the keys of the screen underneath come first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from obm_tui.tui.actions import ACTIONS, SCOPES, binding, key_label, keys_of
from obm_tui.tui.safe import join, plain, styled


class HelpScreen(ModalScreen[None]):
    """The catalogue of actions with the keys they have now (after the user's keymap)."""

    BINDINGS = [binding("dialog.cancel")]

    def __init__(self, active: set[str], keymap: dict[str, str]) -> None:
        super().__init__()
        self.active = active
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Static(styled("Keys", "bold"), classes="dialog-title")
            yield Static(plain("Bold: works here now. Remap any key by its id in ~/.config/obm/config.toml [keymap]."),
                         classes="dim")
            scopes = sorted(SCOPES, key=lambda s: not any(a.id in self.active for a in ACTIONS if a.scope == s))
            for scope in scopes:
                yield Static(styled(SCOPES[scope], "bold underline"), classes="help-scope")
                for action in (a for a in ACTIONS if a.scope == scope):
                    here = action.id in self.active
                    keys = key_label(keys_of(action, self.keymap))
                    yield Static(join(styled(f"{keys:>18}  ", "bold $text-accent" if here else "dim"),
                                      styled(action.help or action.description, "bold" if here else ""),
                                      styled(f"   {action.id}", "dim")), classes="help-line")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()  # arrows and page keys scroll

    def action_cancel(self) -> None:
        self.dismiss(None)
