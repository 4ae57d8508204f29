"""History: the audit trail from git, in business words — of the whole vault or of one record.

Filter with `kind:client`, `record:fred-smith`, `since:2026-11-01`, `until:2026-11-30`,
`author:mia` and free words. The diff of the change under the cursor shows below; `r` undoes it
with a new commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Input, Static

from obm_tui.model.errors import UsageError
from obm_tui.model.kinds import kind_named
from obm_tui.tui.actions import bindings
from obm_tui.tui.listing import tokens
from obm_tui.tui.safe import join, plain, styled
from obm_tui.tui.screens.base import ObmScreen
from obm_tui.tui.tasks import run_blocking
from obm_tui.tui.widgets.key_bar import KeyBar, ScreenTabs
from obm_tui.tui.widgets.safe_input import SafeInput
from obm_tui.tui.widgets.status_bar import StatusBar
from obm_tui.tui.widgets.virtual_table import Column, VirtualTable, natural_widths
from obm_tui.vault.git import Commit
from obm_tui.vault.paths import kind_of_path
from obm_tui.vault.refresh import reload_paths

PAGE = 500


@dataclass(frozen=True)
class HistoryFilter:
    """What the history shows: one kind, one record path, a date range, an author, words."""

    kind: str | None = None
    path: str | None = None
    since: date | None = None
    until: date | None = None
    author: str = ""
    words: tuple[str, ...] = ()
    error: str = ""

    def keeps(self, commit: Commit) -> bool:
        if self.kind and not any((k := kind_of_path(p)) is not None and k.name == self.kind for p in commit.paths):
            return False
        if self.author and self.author not in f"{commit.author} {commit.email}".casefold():
            return False
        text = f"{commit.message} {commit.body} {commit.author} {' '.join(commit.paths)}".casefold()
        return all(w in text for w in self.words)


def parse_history_filter(text: str, find_path) -> HistoryFilter:  # type: ignore[no-untyped-def]
    """Read `kind:… record:… since:… until:… author:…` and free words."""
    values: dict[str, object] = {}
    words: list[str] = []
    errors: list[str] = []
    for token in tokens(text):
        name, sep, value = token.partition(":")
        name = name.casefold()
        if not sep or name not in ("kind", "record", "since", "until", "author") or not value:
            words.append(token.casefold())
            continue
        try:
            values[name] = _term(name, value, find_path)
        except (ValueError, UsageError) as exc:
            errors.append(getattr(exc, "message", None) or f"{name}: expected a date like 2026-11-22")
    return HistoryFilter(values.get("kind"), values.get("record"), values.get("since"), values.get("until"),  # type: ignore[arg-type]
                         str(values.get("author", "")).casefold(), tuple(words), "; ".join(errors))


def _term(name: str, value: str, find_path) -> object:  # type: ignore[no-untyped-def]
    if name == "kind":
        kind = kind_named(value)
        if kind is None:
            raise UsageError(f"kind: no kind {value!r}")
        return kind.name
    if name == "record":
        return find_path(value)
    if name in ("since", "until"):
        return date.fromisoformat(value)
    return value


class CommitSource:
    """Rows of the history table."""

    def __init__(self, commits: list[Commit], tz, with_paths: bool) -> None:  # type: ignore[no-untyped-def]
        self.commits = commits
        self.rows = [self._cells(c, tz, with_paths) for c in commits]
        labels = ("WHEN", "WHO", "WHAT") + (("FILES",) if with_paths else ())
        widths = natural_widths(labels, self.rows[:300])
        self.columns = [Column(k, labels[i], widths[i], flex=i == 2) for i, k in enumerate(labels)]
        self._keys = {c.sha: i for i, c in enumerate(commits)}

    @staticmethod
    def _cells(commit: Commit, tz, with_paths: bool) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
        when = commit.when.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        cells = (when, commit.author, commit.message)
        if with_paths:
            cells += (f"{len(commit.paths)} file(s)" if len(commit.paths) != 1 else commit.paths[0],)
        return cells

    def __len__(self) -> int:
        return len(self.commits)

    def key(self, index: int) -> str:
        return self.commits[index].sha

    def cells(self, index: int) -> tuple[str, ...]:
        return self.rows[index]

    def style(self, index: int) -> str:
        return "muted" if self.commits[index].message.startswith("external edit") else ""

    def index_of(self, key: str) -> int | None:
        return self._keys.get(key)


class HistoryScreen(ObmScreen):
    """The audit trail; of one record when `path` is given."""

    BINDINGS = bindings("history")

    def __init__(self, path: str | None = None) -> None:
        super().__init__()
        self.path = path
        self.filter = HistoryFilter()
        self.commits: list[Commit] = []
        self.limit = PAGE

    def compose(self) -> ComposeResult:
        yield ScreenTabs()
        yield Static(id="title", classes="screen-title")
        yield SafeInput(placeholder="filter: kind:client record:fred-smith since:2026-11-01 until:2026-11-30 "
                                    "author:mia words", id="filter", classes="filter")
        yield VirtualTable(id="commits", empty_text="Loading the history…")
        with VerticalScroll(id="diff-scroll"):
            yield Static("", id="diff")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.query_one(VirtualTable).focus()
        self._title()
        self.refresh_data(None)

    def _title(self) -> None:
        record = self.vault.index.by_path(self.path) if self.path else None
        what = (f"of {record.kind} {record.title} ({self.path})" if record
                else f"of {self.path}" if self.path else "of the whole vault")
        count = f"   {len(self.commits)} change(s) shown" if self.commits else ""
        self.query_one("#title", Static).update(join(styled("History ", "bold"), plain(what + count)))

    # ----- loading -----------------------------------------------------------------------------
    def refresh_data(self, paths: set[str] | None) -> None:
        if paths is not None and self.path is not None and self.path not in paths:
            return
        chosen, path, limit = self.filter, self.filter.path or self.path, self.limit
        git, tz = self.vault.git, self.vault.config.tz
        since = datetime.combine(chosen.since, time.min, tz) if chosen.since else None
        until = datetime.combine(chosen.until, time(23, 59, 59), tz) if chosen.until else None  # the whole day

        def load() -> list[Commit]:
            commits = git.log(path, limit=limit, since=since, until=until)
            return [c for c in commits if chosen.keeps(c)]

        self.mark_seen()
        run_blocking(self, load, done=self._show, label="Reading the history", group="log", exclusive=True)

    def _show(self, commits: list[Commit]) -> None:
        self.commits = commits
        table = self.query_one(VirtualTable)
        table.empty_text = "No changes match." if not self.filter.error else self.filter.error
        table.set_source(CommitSource(commits, self.vault.config.tz, self.path is None), keep=True)
        self._title()
        if not commits:
            self.query_one("#diff", Static).update("")

    def on_virtual_table_highlighted(self, event: VirtualTable.Highlighted) -> None:
        sha, path, git = event.key, self.path, self.vault.git
        run_blocking(self, lambda: git.diff(sha, path), done=self._show_diff, label="Reading the change",
                     group="diff", exclusive=True)

    def _show_diff(self, diff: str) -> None:
        lines = []
        for line in diff.splitlines()[:4000]:
            style = ("$text-success" if line.startswith("+") and not line.startswith("+++") else
                     "$text-error" if line.startswith("-") and not line.startswith("---") else
                     "$text-accent" if line.startswith("@@") else "dim" if line.startswith(("diff ", "index ")) else "")
            lines.append(styled(line, style) if style else plain(line))
        shown = Content("\n").join(lines) if lines else plain("(no change to show)")
        self.query_one("#diff", Static).update(shown)
        self.query_one("#diff-scroll").scroll_home(animate=False)

    # ----- filter ------------------------------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.filter = parse_history_filter(event.value, lambda ref: self.vault.find(ref).path)
        if self.filter.error:
            self.notify(self.filter.error, title="Filter", severity="warning", markup=False)
        event.input.display = bool(event.value)
        self.query_one(VirtualTable).focus()
        self.refresh_data(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            box = self.query_one("#filter", Input)
            return bool(box.value or box.has_focus or self.path is not None)
        return True

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value or box.has_focus:
            box.value = ""
            box.display = False
            self.filter = HistoryFilter()
            self.query_one(VirtualTable).focus()
            self.refresh_data(None)
        elif len(self.app.screen_stack) > 1 and self.app.screen is self and self.path is not None:
            self.dismiss()

    def action_load_more(self) -> None:
        self.limit += PAGE
        self.refresh_data(None)

    # ----- revert ------------------------------------------------------------------------------
    def action_revert(self) -> None:
        from obm_tui.tui.dialogs.confirm import ConfirmDialog

        key = self.query_one(VirtualTable).cursor_key
        commit = next((c for c in self.commits if c.sha == key), None)
        if commit is None:
            return
        paths = [self.path] if self.path else [p for p in commit.paths if kind_of_path(p)] or list(commit.paths)
        question = (f"Undo “{commit.message}” ({commit.sha[:8]}, {commit.author})?\n"
                    f"A new commit will undo it for: {', '.join(paths)}")

        def confirmed(yes: bool | None) -> None:
            if yes:
                message = f"undo {commit.sha[:8]} ({commit.message})"
                run_blocking(self, lambda: self._revert(commit.sha, paths, message), done=self._reverted,
                             label="Undoing the change")

        self.app.push_screen(ConfirmDialog("Revert this change?", question, "Revert"), confirmed)

    def _revert(self, sha: str, paths: list[str], message: str) -> tuple[str, list[str]]:
        vault = self.vault
        with vault.write_lock:  # one writer at a time, as for saves
            new = vault.git.revert(sha, paths, message=message)
            reload_paths(vault, paths)
        return new, paths

    def _reverted(self, result: tuple[str, list[str]]) -> None:
        sha, paths = result
        self.obm.note_changes(paths)
        self.obm.refresh_status()
        self.notify(f"Undone in commit {sha[:8]}", title="Reverted", markup=False)
        self.refresh_data(None)
