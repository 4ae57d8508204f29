"""The status bar: vault path, branch, last commit, pending or failed commits, sync, work in progress."""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.reactive import reactive
from textual.widgets import Static

from obm_tui.tui.safe import join, plain, styled

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


@dataclass(frozen=True)
class StatusInfo:
    """What the status bar shows (built off the UI thread by the app)."""

    path: str = ""
    branch: str | None = None
    last_commit: str = ""  # "a1b2c3d 2026-11-23 10:14 client fred-smith: status lead -> current"
    pending: int = 0  # commits queued while git was busy
    failed: str = ""  # why the last commit could not be made, if it could not
    sync: str = ""
    busy: str = ""  # label of work taking longer than ~200 ms

    def with_busy(self, label: str) -> StatusInfo:
        return replace(self, busy=label)


class StatusBar(Static):
    """One line at the bottom of every main screen."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    info: reactive[StatusInfo] = reactive(StatusInfo, always_update=True)
    frame: reactive[int] = reactive(0)

    def on_mount(self) -> None:
        app = self.app
        self.info = getattr(app, "status", StatusInfo())
        signal = getattr(app, "status_signal", None)
        if signal is not None:
            signal.subscribe(self, self._on_status)
        self.set_interval(0.1, self._tick)

    def _on_status(self, info: StatusInfo) -> None:
        self.info = info

    def _tick(self) -> None:
        if self.info.busy:
            self.frame = (self.frame + 1) % len(SPINNER)

    def watch_info(self) -> None:
        self.update(self.render_info())

    def watch_frame(self) -> None:
        if self.info.busy:
            self.update(self.render_info())

    def render_info(self):  # type: ignore[no-untyped-def]
        info = self.info
        parts = [plain(info.path)]
        parts += [styled(f"  {info.branch}", "bold")] if info.branch else [plain("  (no branch)")]
        if info.sync:
            parts.append(plain(f"  {info.sync}"))
        if info.pending:
            parts.append(styled(f"  {info.pending} commit(s) pending", "bold $text-warning"))
        if info.failed:
            parts.append(styled(f"  {info.failed}", "bold $text-error"))
        if info.busy:
            parts.append(styled(f"  {SPINNER[self.frame]} {info.busy}…", "bold $text-accent"))
        if info.last_commit:  # last: the long part, cut at the edge
            parts.append(plain(f"  {info.last_commit}"))
        return join(*parts)
