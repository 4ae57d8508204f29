"""A record's fields as a form: move with j/k, `enter` edits a field in place, `enter` saves, `esc` cancels.

The form only shows and collects text; checking and saving belong to the screen (through the
services). Values are user text: shown literally, control characters made visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Static

from obm_tui.model.kinds import COMMON
from obm_tui.model.records import Record
from obm_tui.tui.actions import binding, bindings
from obm_tui.tui.safe import join, plain, styled
from obm_tui.tui.widgets.safe_input import SafeInput

HIDDEN = {"type"}


@dataclass(frozen=True)
class FieldView:
    """One line of the form: the field's name, its text, whether it can be edited, its problem."""

    name: str
    text: str
    editable: bool
    problem: str = ""
    choices: tuple[str, ...] = ()
    doc: str = ""


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
        simple = raw is None or isinstance(raw, (str, bool)) or (isinstance(raw, list) and all(isinstance(v, str) for v in raw))
        can_edit = editable and simple and name != "id" and (spec is None or spec.type != "any")
        views.append(FieldView(name, _text(record, name), can_edit, problems.get(name, ""),
                               spec.choices if spec else (), spec.doc if spec else "not in the schema; kept as is"))
    return views


def _text(record: Record, name: str) -> str:
    raw = record.data.get(name)
    if isinstance(raw, dict) or (isinstance(raw, list) and not all(isinstance(v, str) for v in raw)):
        import json

        return json.dumps(raw, ensure_ascii=False, default=str)
    return record.text(name)


class FieldInput(SafeInput):
    """The in-place editor of one field."""

    BINDINGS = bindings("form")

    def action_save(self) -> None:
        self.post_message(FieldRow.SaveRequested(self.parent, self.value))  # type: ignore[arg-type]

    def action_cancel(self) -> None:
        row = self.parent
        if isinstance(row, FieldRow):
            row.stop_editing()


class FieldRow(Widget, can_focus=True):
    """One field: `name  value`, and an editor in place of the value while editing."""

    BINDINGS = [binding("record.down"), binding("record.up"), binding("record.edit")]
    DEFAULT_CSS = """
    FieldRow { height: auto; layout: horizontal; }
    FieldRow > .name { width: 18; color: $text-muted; }
    FieldRow > .value { width: 1fr; }
    FieldRow > FieldInput { width: 1fr; height: 3; }
    FieldRow:focus { background: $block-cursor-blurred-background; }
    FieldRow:focus > .name { color: $text; text-style: bold; }
    FieldRow.-problem > .name { color: $text-error; }
    """

    @dataclass
    class SaveRequested(Message):
        row: FieldRow
        text: str

    @dataclass
    class EditStarted(Message):
        row: FieldRow

    def __init__(self, view: FieldView) -> None:
        super().__init__(classes="-problem" if view.problem else "")
        self.view = view
        self.editing = False

    def compose(self) -> ComposeResult:
        yield Static(plain(self.view.name), classes="name")
        yield Static(self._value_content(), classes="value")

    def _value_content(self) -> Any:
        view = self.view
        parts = [plain(view.text) if view.text else styled("—", "dim")]
        if not view.editable:
            parts.append(styled("  (read-only)", "dim italic"))
        if view.problem:
            parts.append(styled(f"\n{view.problem}", "$text-error"))
        return join(*parts)

    def show(self, view: FieldView) -> None:
        """New value from disk (not while editing: the edit keeps its text)."""
        self.view = view
        self.set_class(bool(view.problem), "-problem")
        if not self.editing:
            self.query_one(".value", Static).update(self._value_content())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit_field":
            return self.view.editable and not self.editing
        return True

    def action_next_field(self) -> None:
        self.screen.focus_next(FieldRow)

    def action_previous_field(self) -> None:
        self.screen.focus_previous(FieldRow)

    def action_edit_field(self, text: str | None = None) -> None:
        self.start_editing(text)

    def start_editing(self, text: str | None = None, error: str = "") -> None:
        if self.editing:
            self.query_one(FieldInput).value = text if text is not None else self.query_one(FieldInput).value
            self.show_error(error)
            self.query_one(FieldInput).focus()
            return
        self.editing = True
        self.query_one(".value", Static).display = False
        suggester = SuggestFromList(self.view.choices, case_sensitive=False) if self.view.choices else None
        box = FieldInput(self.view.text if text is None else text, suggester=suggester,
                         placeholder=self.view.doc or self.view.name)
        self.mount(box)
        box.focus()
        self.show_error(error)
        self.post_message(self.EditStarted(self))

    def show_error(self, message: str) -> None:
        box = self.query(FieldInput)
        if box:
            box.first().border_subtitle = message[:200] if message else ""
            box.first().set_class(bool(message), "-invalid")

    def stop_editing(self) -> None:
        if not self.editing:
            return
        self.editing = False
        for box in self.query(FieldInput):
            box.remove()
        self.query_one(".value", Static).display = True
        self.query_one(".value", Static).update(self._value_content())
        self.focus()


class FieldForm(VerticalScroll, can_focus=False):
    """The fields of one record."""

    DEFAULT_CSS = """
    FieldForm { height: auto; max-height: 60%; padding: 0 1; }
    """

    def set_record(self, record: Record, editable: bool) -> None:
        """Show `record`'s fields; rows being edited keep their text."""
        views = field_views(record, editable)
        rows = list(self.query(FieldRow))
        if [r.view.name for r in rows] == [v.name for v in views]:
            for row, view in zip(rows, views):
                row.show(view)
            return
        focused = next((r.view.name for r in rows if r.has_focus), None)
        self.remove_children()
        self.mount_all([FieldRow(v) for v in views])
        if focused:
            self.call_after_refresh(self.focus_field, focused)

    def row(self, name: str) -> FieldRow | None:
        return next((r for r in self.query(FieldRow) if r.view.name == name), None)

    def focus_field(self, name: str) -> None:
        row = self.row(name)
        if row is not None:
            row.focus()

    @property
    def editing(self) -> FieldRow | None:
        return next((r for r in self.query(FieldRow) if r.editing), None)
