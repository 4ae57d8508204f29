"""One record: its fields as a form (edit in place), its Markdown body, and what can be done to it.

Never clobber: a field edit is saved against the version the user started from, so an outside
change to another field merges and an outside change to the same field opens the conflict
dialog. A file that does not parse is read-only; a record deleted while open is never re-created.
"""

from __future__ import annotations

from rich.markdown import Markdown as RichMarkdown
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from obm_tui.model.display import clean
from obm_tui.model.records import Record
from obm_tui.tui import flows, kind_actions
from obm_tui.tui.actions import binding
from obm_tui.tui.safe import join, plain, plain_lines, styled
from obm_tui.tui.screens.base import ObmScreen
from obm_tui.tui.tasks import run_blocking
from obm_tui.tui.widgets.field_form import FieldForm, FieldRow
from obm_tui.tui.widgets.key_bar import KeyBar, ScreenTabs
from obm_tui.tui.widgets.status_bar import StatusBar
from obm_tui.vault.store import FieldConflictError, SaveResult

MAX_BODY = 400_000  # characters rendered as Markdown; longer bodies are shown as plain text


class RecordScreen(ObmScreen):
    """The record at `path`."""

    BINDINGS = [binding(i) for i in ("record.tick", "record.reply", "record.move", "record.start", "record.receive",
                                     "record.send_invoice", "record.pay",
                                     "record.editor", "record.new", "record.delete", "record.history", "record.back")]

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.record: Record | None = None
        self.deleted = False
        self.edit_base: dict[str, Record] = {}  # field -> the version its edit started from
        self.resolves: dict[str, str] = {}  # field -> the version a conflict kept aside, removed by its save
        self._retargeted = False
        self._first_field = True  # focus the first field once this record's rows are mounted

    def compose(self) -> ComposeResult:
        yield ScreenTabs()
        yield Static(id="title", classes="screen-title")
        yield Static(id="banner", classes="banner")
        yield Static(id="money", classes="money")
        with Horizontal(id="record-main"):
            yield FieldForm(id="field-form")
            with VerticalScroll(id="body-scroll"):
                yield Static("", id="body")
                yield Static("", id="raw", classes="raw")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#raw").display = False
        self.refresh_data(None)

    def retarget(self, path: str) -> None:
        """Show another record here when the screen is pushed again (the app keeps one record
        screen to reuse: opening a record then makes no new widgets). The last record's edits,
        body and state are dropped."""
        form = self.query_one(FieldForm)
        if form.editing is not None:
            form.editing.stop_editing()
        self.path, self.record, self.deleted, self.edit_base, self.resolves = path, None, False, {}, {}
        self.set_focus(None)  # the new record starts on its first field, not on the last one's
        self.query_one("#body", Static).update("")
        self.query_one("#raw", Static).update("")
        self._retargeted = True
        self._first_field = True

    def on_screen_resume(self) -> None:
        if not self._retargeted:
            return  # back from a dialog or another screen: ObmScreen refreshes if the vault changed
        self._retargeted = False
        self._first_field = True  # focus the first field once this record's rows are mounted
        self.refresh_data(None)
        self.query_one("#body-scroll", VerticalScroll).scroll_home(animate=False)

    def _focus_first_field(self) -> None:
        """Once the rows are mounted: the first field, when the record is new here or nothing has
        the focus (Textual's auto-focus may have put it on the body meanwhile)."""
        if self._first_field or self.focused is None:
            self._first_field = False
            self.query_one(FieldForm).focus_first()

    @property
    def editable(self) -> bool:
        return self.record is not None and self.record.readable and not self.deleted

    # ----- loading -----------------------------------------------------------------------------
    def refresh_data(self, paths: set[str] | None) -> None:
        if paths is not None and self.path not in paths:
            return
        record = self.vault.index.by_path(self.path)
        self.mark_seen()
        if record is None:
            self._gone()
            return
        self.deleted = False
        self.record = record
        self._show_head(record)
        self.query_one(FieldForm).set_record(record, self.editable)
        self.call_after_refresh(self._focus_first_field)
        run_blocking(self, lambda: self._read_body(record), done=self._show_body, label="Reading the record",
                     group="body", exclusive=True)

    def _show_head(self, record: Record) -> None:
        self.query_one("#title", Static).update(join(
            styled(record.kind, "bold $text-accent"), plain("  "), styled(record.title, "bold"),
            plain(f"   {record.id}  ·  {record.path}")))
        money = self.query_one("#money", Static)
        money.display = record.kind == "invoice" and record.readable
        if money.display:
            from obm_tui.services.invoices import money_line

            money.update(plain(money_line(self.vault, record, self.obm.now().date())))
        banner = self.query_one("#banner", Static)
        notes = [styled(f"! {p.line and f'line {p.line}: ' or ''}{p.reason}\n", "$text-error") for p in record.problems]
        if not record.readable:
            notes.append(styled("This file does not parse, so it is read-only here: e opens it in your editor.",
                                "bold"))
        if record.data.get("archived") is True:
            notes.append(styled("Archived (hidden from lists). d restores it.", "italic"))
        banner.update(join(*notes))
        banner.display = bool(notes)

    def _read_body(self, record: Record) -> tuple[str, bool]:
        if not record.readable:
            raw = (self.vault.root / record.path).read_bytes()[:MAX_BODY]
            return raw.decode("utf-8", "replace"), False
        return self.vault.read_body(record), True

    def _show_body(self, loaded: tuple[str, bool]) -> None:
        text, markdown = loaded
        body, raw = self.query_one("#body", Static), self.query_one("#raw", Static)
        use_markdown = markdown and len(text) <= MAX_BODY
        body.display, raw.display = use_markdown, not use_markdown
        if use_markdown:  # Rich's Markdown: one widget, no markup parsing, links shown as text
            body.update(RichMarkdown(clean(text, keep_newlines=True), hyperlinks=False))
        else:
            raw.update(plain_lines(text))

    def _gone(self) -> None:
        self.deleted = True
        self.query_one("#money", Static).display = False
        banner = self.query_one("#banner", Static)
        banner.update(styled("This record's file was deleted or renamed (by another program, or git). "
                             "What you see is the last version read; nothing here will re-create it.",
                             "bold $text-error"))
        banner.display = True
        if self.record is not None:
            self.query_one(FieldForm).set_record(self.record, False)
        editing = self.query_one(FieldForm).editing
        if editing is not None:
            editing.stop_editing()

    # ----- editing a field ---------------------------------------------------------------------
    def on_field_row_edit_started(self, event: FieldRow.EditStarted) -> None:
        if self.record is not None:
            self.edit_base.setdefault(event.row.view.name, self.record)

    def on_field_row_save_requested(self, event: FieldRow.SaveRequested) -> None:
        row, name = event.row, event.row.view.name
        if not self.editable or self.record is None:
            row.show_error("This record cannot be changed here now (see the note above).")
            return
        base = self.edit_base.get(name, self.record)
        problem = flows.save_field(self.obm, base, name, event.text, saved=lambda r: self._saved(row, r),
                                   conflict=lambda exc: self._conflict(row, exc),
                                   failed=lambda exc: row.show_error(str(exc)), resolves=self.resolves.get(name, ""))
        if problem:
            row.show_error(problem)

    def _saved(self, row: FieldRow, result: SaveResult) -> None:
        self.edit_base.pop(row.view.name, None)
        self.resolves.pop(row.view.name, None)
        row.stop_editing()
        self.refresh_data(None)
        note = f" (merged with an outside edit of {', '.join(result.merged)})" if result.merged else ""
        self.notify(f"{row.view.name} saved{note}", title="Saved", markup=False, timeout=3)

    def _conflict(self, row: FieldRow, error: FieldConflictError) -> None:
        from obm_tui.tui.dialogs.conflict import ConflictDialog

        def chosen(answer: tuple[str, str] | None) -> None:
            self.refresh_data(None)
            fresh = self.vault.index.by_path(self.path)
            if answer is None or fresh is None:
                return
            choice, text = answer
            self.edit_base[row.view.name] = fresh
            self.resolves[row.view.name] = error.kept  # settled by the save: the copy goes in its commit
            if choice == "theirs":
                self.edit_base.pop(row.view.name, None)
                self.resolves.pop(row.view.name, None)
                row.stop_editing()
                flows.settle_kept(self.obm, error.kept, take=False)  # the value on disk stays; the copy goes
            elif choice == "mine":
                self.on_field_row_save_requested(FieldRow.SaveRequested(row, text))
            else:
                row.start_editing(text)

        self.app.push_screen(ConflictDialog(error, row.view.name), chosen)

    # ----- actions -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete_record":
            return self.editable
        if action == "kind_action":
            return self.editable and kind_actions.applies(str(parameters[0]), self.record)
        return True

    def action_kind_action(self, name: str) -> None:
        if self.record is not None and kind_actions.applies(name, self.record):
            kind_actions.run(self.obm, self.record, name)

    def action_open_editor(self) -> None:
        line = self.record.problems[0].line if self.record and self.record.problems else 0
        flows.edit_in_editor(self.obm, self.path, line)

    def action_new_record(self) -> None:
        if self.record is not None:
            flows.new_record(self.obm, self.record.kind)

    def action_delete_record(self) -> None:
        if self.record is not None:
            flows.archive_or_delete(self.obm, self.record, after=self._after_delete)

    def _after_delete(self, verb: str) -> None:
        if verb == "deleted" and self.app.screen is self:
            self.dismiss()
        else:
            self.refresh_data(None)

    def action_history(self) -> None:
        self.obm.open_history(self.path)

    def action_back(self) -> None:
        self.dismiss()
