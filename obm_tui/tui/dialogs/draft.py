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


def default_folder(vault_root: Path | None) -> Path:
    """Where the Save .eml question starts: the vault's `outbox/` when it has one, else the folder
    obm was started in (never somewhere the person did not see)."""
    if vault_root is not None and (vault_root / "outbox").is_dir():
        return vault_root / "outbox"
    return Path.cwd()


def eml_target(answer: str, stem: str, base: Path) -> tuple[Path, str]:
    """The folder and file stem an answer names: a folder (the draft's own name inside it) or a
    file ending in .eml; `~` is expanded, a relative path is taken from `base`."""
    path = Path(answer.strip()).expanduser()
    if not path.is_absolute():
        path = base / path
    if path.suffix.casefold() == ".eml":
        return path.parent, path.stem
    return path, stem


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
        self.folder = folder  # None: asked, starting from default_folder()
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
        """Ask where (the vault's outbox/ or the current folder to start with), then save."""
        from obm_tui.tui.dialogs.prompt import PromptDialog

        vault = getattr(self.app, "vault", None)
        start = self.folder or default_folder(vault.root if vault is not None else None)

        def answered(answer: str | None) -> None:
            if answer:
                folder, stem = eml_target(answer, self.stem, Path.cwd())
                self._save(folder, stem)

        self.app.push_screen(PromptDialog("Save the draft as .eml", "A folder (the draft is saved in it as "
                                          f"{self.stem}.eml) or a file name ending in .eml. Enter saves; esc "
                                          "cancels.", value=f"{start}/"), answered)

    def _save(self, folder: Path, stem: str) -> None:
        try:
            self.saved = save_eml(self.draft, folder, stem)
        except OSError as exc:
            self.notify(f"Could not save the draft in {folder}: {exc.strerror or exc}", title="Not saved",
                        severity="error", markup=False)
            return
        self.notify(f"Saved {self.saved} — open it in your mail program to send it.", title="Draft saved",
                    markup=False)

    def action_open_mail(self) -> None:
        self.app.open_url(self.draft.as_mailto())

    def action_cancel(self) -> None:
        self.dismiss(None)
