"""Overlapping edits: the value you typed and the value another program saved; choose or edit."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from obm_tui.model.merge import DELETED
from obm_tui.model.messages import show_value
from obm_tui.tui.actions import binding
from obm_tui.tui.safe import plain, plain_lines, styled
from obm_tui.vault.store import FieldConflictError


def shown(value: Any) -> str:
    if value is DELETED:
        return "(removed)"
    return "(empty)" if value is None else show_value(value) if not isinstance(value, str) else value


def as_input(value: Any) -> str:
    """A raw value as the text a person would type for it."""
    if value is DELETED or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


class ConflictDialog(ModalScreen[tuple[str, str] | None]):
    """Returns ("mine", text), ("theirs", text), ("edit", text) or None (decide later)."""

    BINDINGS = [binding("dialog.mine"), binding("dialog.theirs"), binding("dialog.edit"), binding("dialog.cancel")]

    def __init__(self, error: FieldConflictError, field: str) -> None:
        super().__init__()
        self.error = error
        self.field = field
        chosen = next((c for c in error.conflicts if c.name == field), error.conflicts[0])
        self.conflict = chosen

    def compose(self) -> ComposeResult:
        c = self.conflict
        with Vertical(classes="dialog conflict"):
            yield Static(styled(f"{self.error.record.path} changed while you were editing", "bold"),
                         classes="dialog-title")
            yield Static(plain(f"Both you and another program changed “{c.name}”. Nothing was written yet."),
                         classes="dialog-text")
            with Grid(classes="conflict-values"):
                yield Static(styled("was", "dim"))
                yield Static(plain_lines(shown(c.base)), id="base")
                yield Static(styled("yours", "bold $text-accent"))
                yield Static(plain_lines(shown(c.mine)), id="mine")
                yield Static(styled("on disk", "bold $text-warning"))
                yield Static(plain_lines(shown(c.theirs)), id="theirs")
            others = [x.name for x in self.error.conflicts if x.name != c.name]
            if others:
                yield Static(plain(f"Also changed on both sides: {', '.join(others)} (shown again if you save them)."))
            yield Static(plain(f"Your version of the whole file is kept in {self.error.kept}."),
                         classes="dialog-text dim")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep mine (m)", id="mine-button", variant="primary")
                yield Button("Take theirs (t)", id="theirs-button", variant="warning")
                yield Button("Edit (e)", id="edit-button")
                yield Button("Later (esc)", id="cancel-button")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        choice = (event.button.id or "").removesuffix("-button")
        self.action_choose(choice) if choice != "cancel" else self.dismiss(None)

    def action_choose(self, choice: str) -> None:
        c = self.conflict
        self.dismiss((choice, as_input(c.theirs if choice == "theirs" else c.mine)))

    def action_cancel(self) -> None:
        self.dismiss(None)
