"""A record's fields as a form: move with j/k, `enter` edits a field in place, `enter` saves, `esc` cancels.

The form only shows and collects text; checking and saving belong to the screen (through the
services). Values are user text: shown literally, control characters made visible.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Static

from obm_tui.model.display import clean
from obm_tui.model.kinds import COMMON
from obm_tui.model.records import Record
from obm_tui.tui.actions import binding, bindings
from obm_tui.tui.safe import join, plain, styled
from obm_tui.tui.widgets.safe_input import SafeInput
from obm_tui.tui.widgets.virtual_table import fit

HIDDEN = {"type"}
EMPTY_CHOICE = "\x00empty"  # the picker's "(empty)" line: clears an optional field


@dataclass(frozen=True)
class FieldView:
    """One line of the form: the field's name, its text, whether it can be edited, its problem."""

    name: str
    text: str
    editable: bool
    problem: str = ""
    choices: tuple[str, ...] = ()  # an enum's allowed values (a ticket's status: where it may move): a picker
    doc: str = ""
    clearable: bool = False  # the picker offers "(empty)"


def field_views(record: Record, editable: bool) -> list[FieldView]:
    """The fields to show: the kind's own (in schema order), then unknown keys, then common ones."""
    kind = record.schema
    problems = {p.reason.split(":", 1)[0]: p.reason for p in record.problems}
    names = [f.name for f in kind.fields] + [k for k in record.data if kind.field(k) is None]
    names += [f.name for f in COMMON if f.name not in HIDDEN]
    views = []
    for name in dict.fromkeys(names):
        spec = kind.field(name)
        raw = record.data.get(name)
        simple = raw is None or isinstance(raw, (str, bool)) or (
            isinstance(raw, list) and all(isinstance(v, str) for v in raw))
        can_edit = editable and simple and name != "id" and (spec is None or spec.type != "any")
        views.append(FieldView(name, _text(record, name), can_edit, problems.get(name, ""),
                               _choices(record, name, spec.choices if spec else ()),
                               spec.doc if spec else "not in the schema; kept as is",
                               bool(spec and not spec.required) and not (record.kind == "ticket" and name == "status")))
    return views


def _choices(record: Record, name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """The values the picker offers: the field's allowed values; for a ticket's status, the status
    it has and the moves it allows from there (model/tickets.py)."""
    if record.kind == "ticket" and name == "status" and allowed:
        from obm_tui.model.tickets import allowed_moves

        current = record.text("status")
        if current in allowed:
            return (current, *(s for s in allowed_moves(current) if s != current))
    return allowed


def _text(record: Record, name: str) -> str:
    raw = record.data.get(name)
    if isinstance(raw, dict) or (isinstance(raw, list) and not all(isinstance(v, str) for v in raw)):
        import json

        return json.dumps(raw, ensure_ascii=False, default=str)
    return record.text(name)


class FieldInput(SafeInput):
    """The in-place editor of one field (shown on the field's line while editing)."""

    BINDINGS = bindings("form")
    DEFAULT_CSS = """
    FieldInput { width: 1fr; height: 3; }
    """

    def __init__(self, row: FieldRow, value: str, **kwargs: object) -> None:
        super().__init__(value, **kwargs)  # type: ignore[arg-type]
        self.row = row

    def action_save(self) -> None:
        self.post_message(FieldRow.SaveRequested(self.row, self.value))

    def action_cancel(self) -> None:
        self.row.stop_editing()


class FieldEditor(Horizontal):
    """The field's name and its input, in the row's place while it is edited."""

    DEFAULT_CSS = """
    FieldEditor { height: auto; }
    FieldEditor > .name { width: 18; padding-top: 1; text-style: bold; }
    """


NAME_WIDTH = 18


class FieldRow(Widget, can_focus=True):
    """One field as one line (`name  value`): a single widget, so a record opens fast. While it is
    edited, a FieldEditor takes its place."""

    BINDINGS = [binding("record.down"), binding("record.up"), binding("record.edit")]
    DEFAULT_CSS = """
    FieldRow { height: auto; }
    FieldRow:focus { background: $block-cursor-blurred-background; text-style: bold; }
    """

    @dataclass
    class SaveRequested(Message):
        row: FieldRow
        text: str

    @dataclass
    class EditStarted(Message):
        row: FieldRow

    def __init__(self, view: FieldView) -> None:
        super().__init__()
        self.view = view
        self.editor: FieldEditor | None = None
        self.box: FieldInput | None = None

    @property
    def editing(self) -> bool:
        return self.editor is not None

    def render(self) -> Content:
        view = self.view
        name = fit(clean(view.name), NAME_WIDTH - 1) + " "
        parts = [styled(name, "$text-error" if view.problem else "$text-muted"),
                 plain(view.text) if view.text else styled("—", "dim")]
        if not view.editable:
            parts.append(styled("  (read-only)", "dim italic"))
        if view.problem:
            parts.append(Content("\n" + " " * NAME_WIDTH))
            parts.append(styled(view.problem, "$text-error"))
        return join(*parts)

    def show(self, view: FieldView) -> None:
        """New value from disk (an edit in progress keeps its text)."""
        self.view = view
        self.refresh(layout=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit_field":
            return self.view.editable and not self.editing
        return True

    def action_next_field(self) -> None:
        self.screen.focus_next(FieldRow)

    def action_previous_field(self) -> None:
        self.screen.focus_previous(FieldRow)

    def action_edit_field(self) -> None:
        if self.view.choices:
            self.pick()
        else:
            self.start_editing()

    def pick(self) -> None:
        """An enum: choose one of its values in a list (the value it has is highlighted)."""
        from obm_tui.tui.dialogs.choice import ChoiceDialog

        view = self.view
        options = [(c, f"{c}   (now)" if c == view.text else c) for c in view.choices]
        if view.clearable:
            options.append((EMPTY_CHOICE, "— (empty)"))

        def chosen(value: str | None) -> None:
            if value is None:
                return
            text = "" if value == EMPTY_CHOICE else value
            if text != view.text:
                self.post_message(self.EditStarted(self))
                self.post_message(self.SaveRequested(self, text))

        self.app.push_screen(ChoiceDialog(f"{view.name}: choose a value", options, initial=view.text), chosen)

    def start_editing(self, text: str | None = None, error: str = "") -> None:
        if self.box is not None:
            if text is not None:
                self.box.value = text
            self.show_error(error)
            self.box.focus()
            return
        suggester = SuggestFromList(self.view.choices, case_sensitive=False) if self.view.choices else None
        box = FieldInput(self, self.view.text if text is None else text, suggester=suggester,
                         placeholder=self.view.doc or self.view.name)
        self.editor, self.box = FieldEditor(Static(plain(self.view.name), classes="name"), box), box
        self.parent.mount(self.editor, after=self)  # type: ignore[union-attr]
        self.call_after_refresh(box.focus)  # once it is mounted
        self.display = False
        self.show_error(error)
        self.post_message(self.EditStarted(self))

    def show_error(self, message: str) -> None:
        if self.box is not None:
            self.box.border_subtitle = message[:200] if message else ""
            self.box.set_class(bool(message), "-invalid")
        elif message:  # a value chosen in the picker: no box to show it under
            self.notify(message[:200], title=f"{self.view.name} not saved", severity="error", markup=False)

    def stop_editing(self) -> None:
        if self.editor is None:
            return
        self.editor.remove()
        self.editor = self.box = None
        self.display = True
        self.refresh(layout=True)
        self.focus()


class FieldForm(VerticalScroll, can_focus=False):
    """The fields of one record.

    The form keeps its own list of rows: rows being removed stay in the DOM (and in a query) until
    Textual prunes them, so a second `set_record` in the same moment must compare with the rows it
    mounted last, not with whatever a query finds (it used to remount again and leave the focus on a
    row on its way out: the screen no longer answered Enter or j).
    """

    DEFAULT_CSS = """
    FieldForm { height: auto; max-height: 60%; padding: 0 1; }
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.rows: list[FieldRow] = []

    def set_record(self, record: Record, editable: bool) -> None:
        """Show `record`'s fields; rows being edited keep their text."""
        views = field_views(record, editable)
        if [r.view.name for r in self.rows] == [v.name for v in views]:
            for row, view in zip(self.rows, views, strict=True):
                row.show(view)
            return
        focused = next((r.view.name for r in self.rows if r.has_focus), None)
        self.remove_children()
        self.rows = [FieldRow(v) for v in views]
        self.mount_all(self.rows)
        if focused:
            self.call_after_refresh(self.focus_field, focused)

    def row(self, name: str) -> FieldRow | None:
        return next((r for r in self.rows if r.view.name == name), None)

    def focus_field(self, name: str) -> None:
        row = self.row(name)
        if row is not None:
            row.focus()

    def focus_first(self) -> None:
        """Focus the first field, unless one of this form's fields has the focus already."""
        if self.rows and not any(r.has_focus or r.editing for r in self.rows):
            self.rows[0].focus()

    @property
    def editing(self) -> FieldRow | None:
        return next((r for r in self.rows if r.editing), None)
