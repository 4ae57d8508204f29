"""A run, worked from the keyboard: its checklist with each step's state (done, ready, blocked on
which steps, waiting on which condition), due dates (overdue ones stand out), and the step under
the cursor in full. `space` ticks or unticks; `m` drafts the step's email.

The view follows the run's file: a tick made in an editor shows at once as "being processed",
and then as done when the app has processed it (see automation.py).
"""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from obm_tui.model.checklist import Step
from obm_tui.model.run_engine import StepView
from obm_tui.services.run_views import RunView
from obm_tui.tui import flows, run_flows
from obm_tui.tui.actions import bindings
from obm_tui.tui.safe import join, plain, plain_lines, styled
from obm_tui.tui.screens.base import ObmScreen
from obm_tui.tui.tasks import run_blocking
from obm_tui.tui.widgets.key_bar import KeyBar, ScreenTabs
from obm_tui.tui.widgets.status_bar import StatusBar
from obm_tui.tui.widgets.virtual_table import Column, VirtualTable, natural_widths

LABELS = ("", "STEP", "STATE", "DUE", "WHY")


def when_text(view: StepView, today: date) -> str:
    """`2d overdue`, `due today`, `due in 3d`, or ''."""
    if view.due is None or view.state == "done":
        return ""
    days = (view.due - today).days
    return f"{-days}d overdue" if days < 0 else "due today" if days == 0 else f"due in {days}d"


def why_text(view: StepView, steps: dict[str, Step], today: date) -> str:
    """What the step waits on, or what is left to do about it."""
    if view.pending:
        return "ticked in a file: being processed…" if view.step.ticked else "unticked in a file: being processed…"
    if view.state == "blocked":
        return "after " + ", ".join(f'"{steps[s].text}"' if s in steps else s for s in view.waiting_on_steps)
    if view.state == "waiting":
        return "waiting on " + "; ".join(view.waiting_on)
    return when_text(view, today)


def state_text(view: StepView) -> str:
    if view.state == "done" and view.step.done is not None:
        return f"done {view.step.done.isoformat()}"
    return view.state


class StepsTable(VirtualTable):
    """The steps: enter does nothing here (space ticks), so the key bar does not offer it."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "select"


class StepsSource:
    """The steps of a run, as rows of a VirtualTable."""

    def __init__(self, view: RunView, today: date) -> None:
        self.views = list(view.views)
        steps = {s.id: s for s in view.checklist.steps}
        self.rows = [(("[x]" if v.step.ticked else "[ ]") + ("…" if v.pending else ""), v.step.text,
                      state_text(v), v.due.isoformat() if v.due else "", why_text(v, steps, today))
                     for v in self.views]
        self.styles = [self._style(v, today) for v in self.views]
        widths = natural_widths(LABELS, self.rows)
        widths[1], widths[4] = min(widths[1], 50), min(widths[4], 30)
        self.columns = [Column(f"c{i}", label, widths[i], flex=i in (1, 4)) for i, label in enumerate(LABELS)]
        self._keys = {v.id: i for i, v in enumerate(self.views)}

    @staticmethod
    def _style(view: StepView, today: date) -> str:
        if view.state == "done":
            return "muted"
        if view.overdue:
            return "overdue"
        return "due" if view.due == today else ""

    def __len__(self) -> int:
        return len(self.views)

    def key(self, index: int) -> str:
        return self.views[index].id

    def cells(self, index: int) -> tuple[str, ...]:
        return self.rows[index]

    def style(self, index: int) -> str:
        return self.styles[index]

    def index_of(self, key: str) -> int | None:
        return self._keys.get(key)


def notes_of(view: RunView, step: Step) -> list[str]:
    """The indented lines written under a step (how-to notes), without their bullets."""
    steps = {s.index for s in view.checklist.steps}
    notes = []
    for index in range(step.index + 1, len(view.checklist.lines)):
        text = view.checklist.lines[index].rstrip("\r\n")
        if index in steps or (text.strip() and not text[:1].isspace()):
            break
        if text.strip():
            notes.append(text.strip().removeprefix("- ").removeprefix("* "))
    return notes


class RunScreen(ObmScreen):
    """The run at `path`."""

    BINDINGS = bindings("run")
    CSS_PATH = "run.tcss"

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.view: RunView | None = None
        self.gone = False

    def compose(self) -> ComposeResult:
        yield ScreenTabs()
        yield Static(id="title", classes="screen-title")
        yield Static(id="summary", classes="run-summary")
        yield Static(id="banner", classes="banner")
        yield StepsTable(id="steps", empty_text="Reading the run…")
        with VerticalScroll(id="step-detail-scroll"):
            yield Static(id="step-detail")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#banner").display = False
        self.query_one(VirtualTable).focus()
        self.refresh_data(None)

    # ----- loading -----------------------------------------------------------------------------
    def refresh_data(self, paths: set[str] | None) -> None:
        """Any change may matter (a paid invoice unblocks a step): read the run again."""
        from obm_tui.services.run_views import run_view

        record = self.vault.index.by_path(self.path)
        self.mark_seen()
        if record is None:
            self._gone()
            return
        self.gone = False
        today = self.obm.now().date()
        run_blocking(self, lambda: run_view(self.vault, record, today), done=self._show, label="Reading the run",
                     group="run-view", exclusive=True)

    def _show(self, view: RunView) -> None:
        self.view = view
        today = self.obm.now().date()
        record, ctx, status = view.record, view.context, view.status
        self.query_one("#title", Static).update(join(
            styled("run", "bold $text-accent"), plain("  "), styled(record.title, "bold"), plain(f"   {record.id}")))
        subject = f"{view.subject_title} ({ctx.subject.kind} {ctx.subject.id})" if ctx.subject else "nothing"
        started = ctx.started.isoformat() if ctx.started else "?"
        self.query_one("#summary", Static).update(join(
            styled(f" {status.status} ", "bold reverse"),
            plain(f"  {status.progress} steps done  ·  started {started}"),
            plain(f"  ·  process: {ctx.process.title if ctx.process else record.text('process')}"),
            plain(f"  ·  about: {subject}")))
        self._banner([f"line {p.line}: {p.reason}" for p in view.checklist.problems])
        table = self.query_one(VirtualTable)
        table.empty_text = "This run has no steps (no `- [ ]` lines in its file)."
        first_time = table.row_count == 0
        table.set_source(StepsSource(view, today), keep=True)
        if first_time:  # start on the step to do next
            todo = [i for i, v in enumerate(view.views) if v.state == "ready"] or \
                   [i for i, v in enumerate(view.views) if v.state != "done"]
            table.cursor = todo[0] if todo else 0
        self._show_step()
        self.refresh_bindings()

    def _banner(self, lines: list[str]) -> None:
        banner = self.query_one("#banner", Static)
        banner.update(styled("\n".join(lines), "$text-error"))
        banner.display = bool(lines)

    def _gone(self) -> None:
        self.gone = True
        self._banner(["This run's file was deleted or renamed (by another program, or git)."])
        self.refresh_bindings()

    # ----- the step under the cursor -----------------------------------------------------------
    @property
    def current(self) -> StepView | None:
        table = self.query_one(VirtualTable)
        if self.view is None or not 0 <= table.cursor < len(self.view.views):
            return None
        return self.view.views[table.cursor]

    def on_virtual_table_highlighted(self, _event: VirtualTable.Highlighted) -> None:
        self._show_step()
        self.refresh_bindings()

    def _show_step(self) -> None:
        detail = self.query_one("#step-detail", Static)
        view = self.current
        if view is None or self.view is None:
            detail.update("")
            return
        step, today = view.step, self.obm.now().date()
        steps = {s.id: s for s in self.view.checklist.steps}
        parts = [styled(step.text, "bold"), plain_lines(f"\n{step.id} · {state_text(view)}")]
        rule = step.due.text if step.due and (view.due is None or step.due.text != view.due.isoformat()) else ""
        facts = [("due", f"{view.due.isoformat() if view.due else ''} {when_text(view, today)}".strip()
                  + (f"  (rule: {rule})" if rule else "")),
                 ("after", ", ".join(f"{s} ({'done' if s in steps and steps[s].ticked else 'not done'})"
                                     for s in step.after)),
                 ("waiting on", "; ".join(view.waiting_on)), ("does", "; ".join(str(a) for a in step.actions)),
                 ("email", f"{step.email}  (m drafts it)" if step.email else ""), ("role", step.role),
                 ("actions applied", step.applied.isoformat() if step.applied else "")]
        for name, value in facts:
            if value:
                parts += [plain_lines("\n"), styled(f"{name}: ", "bold"), plain(value)]
        notes = notes_of(self.view, step)
        if notes:
            parts += [plain_lines("\n"), styled("notes: ", "bold"), plain_lines("\n".join(notes))]
        detail.update(join(*parts))

    # ----- actions -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.current
        if action == "toggle_step":
            return view is not None and not self.gone and self.view is not None \
                and self.view.status.status != "cancelled"
        if action == "draft_email":
            return view is not None and bool(view.step.email)
        if action == "open_subject":
            return self.view is not None and self.view.context.subject_record is not None
        return True

    def action_toggle_step(self) -> None:
        view = self.current
        if view is not None and self.view is not None:
            run_flows.tick(self.obm, self.view.record, view.id, not view.step.ticked)

    def action_draft_email(self) -> None:
        view = self.current
        if view is not None and self.view is not None:
            run_flows.draft(self.obm, self.view.record, view.id)

    def action_open_subject(self) -> None:
        if self.view is not None and self.view.context.subject_record is not None:
            self.obm.open(self.view.context.subject_record.path)

    def action_open_fields(self) -> None:
        self.obm.open_record(self.path)

    def action_open_editor(self) -> None:
        view = self.current
        line = view.step.line if view is not None else 0
        flows.edit_in_editor(self.obm, self.path, line)

    def action_history(self) -> None:
        self.obm.open_history(self.path)

    def action_back(self) -> None:
        self.dismiss()
