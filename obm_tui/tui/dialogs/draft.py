"""An email draft of a step (`email::`): read it, copy it, save it as .eml, or open it in the mail
program. obm never sends mail."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from obm_tui.services.drafts import Draft
from obm_tui.tui.actions import binding
from obm_tui.tui.safe import join, plain, plain_lines, styled


def default_folder() -> Path:
    """Where drafts are saved: ~/Downloads when there is one, else the home folder."""
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.home()


def save_eml(draft: Draft, folder: Path, stem: str) -> Path:
    """Write the draft as `<stem>.eml` (never over another file: `-2`, `-3` … are added)."""
    folder.mkdir(parents=True, exist_ok=True)
    path, n = folder / f"{stem}.eml", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.eml"
    path.write_bytes(draft.as_eml())
    return path


class DraftDialog(ModalScreen[None]):
    """The draft as text; `c` copies it, `s` saves an .eml, `o` opens it in the mail program."""

    BINDINGS: ClassVar[list[BindingType]] = [binding("draft.copy"), binding("draft.save"), binding("draft.open"),
                                             binding("dialog.cancel")]
    CSS_PATH = "work_dialogs.tcss"

    def __init__(self, draft: Draft, stem: str, folder: Path | None = None) -> None:
        super().__init__()
        self.draft = draft
        self.stem = stem
        self.folder = folder or default_folder()
        self.saved: Path | None = None

    def compose(self) -> ComposeResult:
        d = self.draft
        with Vertical(classes="dialog draft"):
            yield Static(join(styled("Email draft", "bold"), plain(f"  (template {d.template}; not sent)")),
                         classes="dialog-title")
            yield Static(join(styled("To: ", "bold"), plain(d.to or "(nobody: the subject has no email)")))
            yield Static(join(styled("Subject: ", "bold"), plain(d.subject)), classes="dialog-text")
            with VerticalScroll(classes="draft-body"):
                yield Static(plain_lines(d.body), id="draft-text")
            if d.unknown:
                yield Static(styled("No value for: " + ", ".join(f"${{{u}}}" for u in d.unknown)
                                    + " (left as written)", "$text-warning"), id="unknown")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Copy (c)", id="copy", variant="primary")
                yield Button("Save .eml (s)", id="save")
                yield Button("Mail program (o)", id="open")
                yield Button("Close (esc)", id="close")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"copy": self.action_copy, "save": self.action_save, "open": self.action_open_mail}.get(
            event.button.id or "", self.action_cancel)()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.draft.as_text())
        self.notify("The draft is on the clipboard (To, Subject, then the text).", title="Copied", markup=False)

    def action_save(self) -> None:
        try:
            self.saved = save_eml(self.draft, self.folder, self.stem)
        except OSError as exc:
            self.notify(f"Could not save the draft in {self.folder}: {exc.strerror}", title="Not saved",
                        severity="error", markup=False)
            return
        self.notify(f"Saved {self.saved} — open it in your mail program to send it.", title="Draft saved",
                    markup=False)

    def action_open_mail(self) -> None:
        self.app.open_url(self.draft.as_mailto())

    def action_cancel(self) -> None:
        self.dismiss(None)
