"""Problems: every file that does not parse or breaks its schema, with the reason; `e` fixes it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from obm_tui.model.errors import Problem
from obm_tui.services.check import CheckReport, check_vault
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
        self.query_one(VirtualTable).focus()
        self.refresh_data(None)

    def refresh_data(self, paths: set[str] | None) -> None:
        self.mark_seen()
        run_blocking(self, lambda: check_vault(self.vault), done=self._show, label="Checking the vault",
                     group="check", exclusive=True)

    def action_refresh_problems(self) -> None:
        self.refresh_data(None)

    def _show(self, report: CheckReport) -> None:
        self.problems = report.problems
        table = self.query_one(VirtualTable)
        table.empty_text = "No problems: every file parses and fits its schema."
        table.set_source(ProblemSource(report.problems), keep=True)
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

    def action_open_editor(self) -> None:
        problem = self._current()
        if problem is not None:
            flows.edit_in_editor(self.obm, problem.path, problem.line)
