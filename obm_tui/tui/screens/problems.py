"""Problems: every file that does not parse or breaks its schema, with the reason; `e` fixes it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from obm_tui.model.errors import Problem
from obm_tui.services.check import CheckReport, check_vault
from obm_tui.services.conflicts import KeptVersion, kept_versions, record_of_kept
from obm_tui.tui import flows
from obm_tui.tui.actions import bindings
from obm_tui.tui.safe import join, plain, styled
from obm_tui.tui.screens.base import ObmScreen
from obm_tui.tui.tasks import run_blocking
from obm_tui.tui.widgets.key_bar import KeyBar, ScreenTabs
from obm_tui.tui.widgets.status_bar import StatusBar
from obm_tui.tui.widgets.virtual_table import Column, VirtualTable, natural_widths


class ProblemSource:
    """Rows of the problems table: file, line, reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.rows = [(p.path, str(p.line) if p.line else "", p.reason) for p in problems]
        labels = ("FILE", "LINE", "WHAT IS WRONG")
        widths = natural_widths(labels, self.rows[:300], cap=50)
        self.columns = [Column("file", labels[0], widths[0]), Column("line", labels[1], widths[1], right=True),
                        Column("reason", labels[2], widths[2], flex=True)]
        self._keys = {f"{p.path}:{p.line}:{n}": n for n, p in enumerate(problems)}

    def __len__(self) -> int:
        return len(self.problems)

    def key(self, index: int) -> str:
        p = self.problems[index]
        return f"{p.path}:{p.line}:{index}"

    def cells(self, index: int) -> tuple[str, ...]:
        return self.rows[index]

    def style(self, index: int) -> str:
        return "problem" if self.problems[index].reason.startswith("unreadable") else ""

    def index_of(self, key: str) -> int | None:
        return self._keys.get(key)


class ProblemsScreen(ObmScreen):
    """`obm check`, live."""

    BINDINGS = bindings("problems")

    def compose(self) -> ComposeResult:
        yield ScreenTabs()
        yield Static(id="title", classes="screen-title")
        yield VirtualTable(id="problems", empty_text="Checking the vault…")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        self.problems: list[Problem] = []
        self.kept: list[KeptVersion] = []
        self.query_one(VirtualTable).focus()
        self.refresh_data(None)

    def refresh_data(self, paths: set[str] | None) -> None:
        self.mark_seen()
        def check() -> tuple[CheckReport, list[KeptVersion]]:
            return check_vault(self.vault), kept_versions(self.vault.root)

        run_blocking(self, check, done=self._show, label="Checking the vault", group="check", exclusive=True)

    def action_refresh_problems(self) -> None:
        self.refresh_data(None)

    def _show(self, checked: tuple[CheckReport, list[KeptVersion]]) -> None:
        report, self.kept = checked
        self.problems = report.problems
        table = self.query_one(VirtualTable)
        table.empty_text = "No problems: every file parses and fits its schema."
        table.set_source(ProblemSource(report.problems), keep=True)
        self.refresh_bindings()
        summary = (styled(f"{len(report.problems)} problem(s) in {report.bad_records} file(s)", "bold $text-error")
                   if report.problems else styled("no problems", "bold $text-success"))
        self.query_one("#title", Static).update(join(styled("Problems  ", "bold"), summary,
                                                     plain(f"  ·  {report.records} records read")))

    def _current(self) -> Problem | None:
        table = self.query_one(VirtualTable)
        return self.problems[table.cursor] if 0 <= table.cursor < len(self.problems) else None

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        problem = self._current()
        if problem is not None and self.vault.index.by_path(problem.path) is not None:
            self.obm.open_record(problem.path)

    def _current_kept(self) -> str | None:
        """The version kept by a conflict that the line under the cursor is about, if any."""
        problem = self._current()
        if problem is None:
            return None
        return next((k.path for k in self.kept if k.path == problem.path or f" {k.path}:" in problem.reason), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("discard_kept", "take_kept"):
            return self._current_kept() is not None
        return True

    def on_virtual_table_highlighted(self, _event: VirtualTable.Highlighted) -> None:
        self.refresh_bindings()

    def action_discard_kept(self) -> None:
        self._settle(take=False)

    def action_take_kept(self) -> None:
        self._settle(take=True)

    def _settle(self, *, take: bool) -> None:
        from obm_tui.tui.dialogs.confirm import ConfirmDialog

        kept = self._current_kept()
        if kept is None:
            return
        record = record_of_kept(kept)
        question = (f"Make {kept} the file {record} (its current version stays in git's history), and delete "
                    "the copy?" if take else f"Delete {kept}? {record} stays as it is (git keeps the copy's history).")

        def answered(yes: bool | None) -> None:
            if yes:
                flows.settle_kept(self.obm, kept, take=take, done=lambda: self.refresh_data(None))

        self.app.push_screen(ConfirmDialog("Take the kept version" if take else "Discard the kept version",
                                           question, "Take it" if take else "Discard"), answered)

    def action_open_editor(self) -> None:
        problem = self._current()
        if problem is not None:
            flows.edit_in_editor(self.obm, problem.path, problem.line)
