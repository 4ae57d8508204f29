"""The Textual app. Kept small: screens live in screens/, widgets in widgets/, styles in .tcss."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from obm_tui.model.kinds import KINDS
from obm_tui.vault.store import Vault


class ObmApp(App[None]):
    """obm: the business's systems, over a vault of Markdown files."""

    TITLE = "obm"
    BINDINGS = [Binding("q", "quit", "Quit", id="quit")]

    def __init__(self, vault: Vault) -> None:
        super().__init__()
        self.vault = vault

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._summary(), id="summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.vault.config.business_name

    def _summary(self) -> str:
        lines = [f"Vault: {self.vault.root}", ""]
        for kind in KINDS.values():
            records = self.vault.records(kind.name)
            bad = sum(1 for r in records if r.problems)
            lines.append(f"  {kind.folder:<16} {len(records):>6}" + (f"   {bad} with problems" if bad else ""))
        return "\n".join(lines)


def run_app(root: Path) -> None:
    """Open the vault and run the app until the user quits."""
    vault = Vault.open(root)
    try:
        ObmApp(vault).run()
    finally:
        vault.close()
