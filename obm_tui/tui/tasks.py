"""Running blocking work (git, disk) in thread workers; results and errors come back to the UI.

The event loop never waits on git or the disk. A task that takes more than ~200 ms shows a
spinner in the status bar; an error becomes a notification with a title, and what the user was
doing (the record, the open field) stays where it is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual.worker import Worker, get_current_worker

from obm_tui.model.errors import ObmError

if TYPE_CHECKING:
    from textual.dom import DOMNode

T = TypeVar("T")


def run_blocking(node: DOMNode, work: Callable[[], T], *, done: Callable[[T], Any] | None = None,
                 failed: Callable[[Exception], bool] | None = None, label: str = "Working",
                 group: str = "default", exclusive: bool = False) -> Worker[None]:
    """Run `work()` in a thread; then `done(result)` on the UI thread, or `failed(exc)` / a notification.

    `failed` returns True when it dealt with the error itself (no notification then).
    """
    app = node.app
    token = app.busy_start(label)  # type: ignore[attr-defined]

    def body() -> None:
        try:
            result = work()
        except Exception as exc:  # noqa: BLE001 - every error reaches the user as a notification
            # bound now: Python unbinds `exc` when this block ends, and a lambda would look it up later
            _deliver(app, partial(_failed, app, exc, failed, token))
            return
        if get_current_worker().is_cancelled:
            _deliver(app, lambda: app.busy_end(token))  # type: ignore[attr-defined]
            return
        _deliver(app, lambda: _done(app, result, done, token))

    worker = node.run_worker(body, thread=True, exit_on_error=False, group=group, exclusive=exclusive,
                             name=label, description=label)
    app.busy_with(token, worker)  # type: ignore[attr-defined]
    return worker


def _deliver(app: Any, callback: Callable[[], Any]) -> None:
    try:
        app.call_from_thread(callback)
    except RuntimeError:  # the app is closing
        pass


def _done(app: Any, result: Any, done: Callable[[Any], Any] | None, token: int) -> None:
    app.busy_end(token)
    if done is not None:
        done(result)


def _failed(app: Any, exc: Exception, failed: Callable[[Exception], bool] | None, token: int) -> None:
    app.busy_end(token)
    if failed is not None and failed(exc):
        return
    show_error(app, exc)


def show_error(app: Any, exc: BaseException) -> None:
    """A notification with a title; never markup, never a traceback."""
    from obm_tui.model.display import clean

    if isinstance(exc, ObmError):
        title, message = exc.title, exc.message
    else:
        title, message = "Unexpected error", f"{type(exc).__name__}: {exc}"
    app.notify(clean(message, keep_newlines=True), title=clean(title), severity="error", markup=False, timeout=8)
