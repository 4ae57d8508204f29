"""Processes that run themselves, while the app is open: what `obm tick` does, at the right times.

- when the app opens: process ticks made elsewhere, apply the rules, start due recurring runs,
  the `[dunning]` pass (follow-ups of new declines, give up the ones past `give_up_after`), and the
  billing pass (each due period's recurring invoice, services/billing.py);
  the `[dunning]` pass (follow-ups of new declines, give up the ones past `give_up_after`), and
  the payment reminders due today (services/reminders.py: drafts in `outbox/`, `reminded` set);
- after every save made in the app, and after files changed by another program (an editor, a
  `git pull`): process the ticks made there and bring open runs' status up to date (a paid
  invoice wakes a waiting run) with `process_pending_runs` (closed runs: only those files), then
  the rule pass (services/rules.py: what changed since the rules last looked, in the history and
  in these files; a client set to `onboarding` starts its onboarding run). The CLI and `obm sync`
  run the same pass after their changes, so a change is seen once, whoever made it.

One pass runs at a time, in a thread worker; requests that arrive meanwhile are merged into the
next pass, so a tick made in an editor is processed exactly once (and processing is idempotent
anyway: a processed tick carries `done::`). Saves made by a pass itself do not ask for another.
What a pass did is told in notifications; the screens follow through the usual vault events.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from obm_tui.model.display import clean
from obm_tui.tui.tasks import run_blocking

if TYPE_CHECKING:
    from obm_tui.services.billing import BillingChange
    from obm_tui.services.dunning import DunningChange
    from obm_tui.services.reminders import ReminderChange
    from obm_tui.services.rules import RuleStart
    from obm_tui.services.runs import RunOutcome, Started
    from obm_tui.tui.app import ObmApp


@dataclass
class Request:
    """What the next pass must do."""

    startup: bool = False
    changed: set[str] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (self.startup or self.changed)


@dataclass
class PassResult:
    """What one or more passes did."""

    processed: list[RunOutcome] = field(default_factory=list)
    rules: list[RuleStart] = field(default_factory=list)
    recurring: list[Started] = field(default_factory=list)
    dunning: list[DunningChange] = field(default_factory=list)
    billing: list[BillingChange] = field(default_factory=list)
    reminders: list[ReminderChange] = field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        found = [p for o in self.processed for p in o.paths]
        found += [r.started.record.path for r in self.rules if r.started and r.started.created]
        found += [b.path for b in self.billing if b.changed and b.path]
        return found + [s.record.path for s in self.recurring if s.created]


class Automation:
    """Runs the passes for one app; thread-safe `request_*` methods."""

    def __init__(self, app: ObmApp) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._wanted = Request()
        self._running = False
        self._worker_thread: int | None = None
        self.passes = 0  # finished passes (tests wait on it)

    # ----- hooks -------------------------------------------------------------------------------
    def start(self) -> None:
        """On mount: follow the app's saves and do what `obm tick` does once."""
        self.app.vault.listeners.append(self._saved)
        self._ask(startup=True)

    def stop(self) -> None:
        if self._saved in self.app.vault.listeners:
            self.app.vault.listeners.remove(self._saved)

    def _saved(self, paths: list[str]) -> None:
        """A vault listener: the app saved `paths` (in any thread)."""
        if threading.get_ident() != self._worker_thread and paths:
            self._ask(changed=set(paths))

    def external_change(self, paths: tuple[str, ...] | list[str]) -> None:
        """From the watcher: another program changed these files (already in the index)."""
        if paths:
            self._ask(changed=set(paths))

    @property
    def idle(self) -> bool:
        with self._lock:
            return not self._running and self._wanted.empty

    # ----- passes ------------------------------------------------------------------------------
    def _ask(self, *, startup: bool = False, changed: set[str] | None = None) -> None:
        with self._lock:
            self._wanted.startup |= startup
            self._wanted.changed |= changed or set()
            if self._running:
                return  # the running pass picks it up
            self._running = True
        if self.app._thread_id == threading.get_ident():  # workers start on the UI thread
            self._launch()
        else:
            try:
                self.app.call_from_thread(self._launch)
            except RuntimeError:  # the app is closing
                pass

    def _launch(self) -> None:
        run_blocking(self.app, self._work, done=self._report, failed=self._failed,
                     label="Processing ticks and rules", group="automation")

    def _take(self) -> Request | None:
        with self._lock:
            wanted, self._wanted = self._wanted, Request()
            if wanted.empty:
                self._running = False
                return None
            return wanted

    def _work(self) -> PassResult:
        self._worker_thread = threading.get_ident()
        result = PassResult()
        try:
            while (wanted := self._take()) is not None:
                self._one_pass(wanted, result)
        except BaseException:
            with self._lock:
                self._running = False
            raise
        finally:
            self._worker_thread = None
        return result

    def _one_pass(self, wanted: Request, result: PassResult) -> None:
        from obm_tui.services.billing import billing_pass
        from obm_tui.services.dunning import dunning_pass
        from obm_tui.services.reminders import reminder_pass
        from obm_tui.services.rules import apply_rules
        from obm_tui.services.runs import process_pending_runs, tick_recurring

        vault, now = self.app.vault, self.app.now()
        paths = None if wanted.startup else sorted(wanted.changed)
        result.processed += [o for o in process_pending_runs(vault, now, paths=paths) if o.changed or o.error]
        done = apply_rules(vault, now, full=wanted.startup, changed=wanted.changed)
        result.rules += [r for r in done if r.error or (r.started and r.started.created)]
        if wanted.startup:
            result.recurring += [s for s in tick_recurring(vault, now.date()) if s.created]
            result.dunning += [d for d in dunning_pass(vault, now) if d.changed or d.error]
            result.billing += [b for b in billing_pass(vault, now.date()) if b.changed or b.error]
            result.reminders += [r for r in reminder_pass(vault, now.date()) if r.changed or r.error]

    # ----- telling -----------------------------------------------------------------------------
    def _report(self, result: PassResult) -> None:
        self.passes += 1
        app = self.app
        if result.paths:
            app.note_changes(result.paths)
            app.refresh_status()
        for outcome in result.processed:
            if outcome.error:
                app.notify(clean(outcome.error, keep_newlines=True), title=f"Run {outcome.run_id} not processed",
                           severity="error", markup=False, timeout=10)
            else:
                ticked = "ticked" in outcome.message.split("\n", 1)[0]
                app.notify(clean(outcome.message, keep_newlines=True),
                           title="Tick processed" if ticked else "Run status", markup=False)
        for start in result.rules:
            if start.error:
                app.notify(clean(start.error), title=f'Rule "{clean(start.rule)}" for {clean(start.record)}',
                           severity="warning", markup=False, timeout=10)
            elif start.started is not None:
                said = start.started.message.split(" — rule ", 1)[0]  # the title names the rule
                app.notify(clean(said), title=f'Rule "{clean(start.rule)}"', markup=False)
        for started in result.recurring:
            app.notify(clean(started.message), title="Recurring run", markup=False)
        for change in result.dunning:
            app.notify(clean(change.error or change.message), title="Declined payments",
                       severity="warning" if change.error else "information", markup=False)
        for made in result.billing:
            app.notify(clean(made.error or made.message), title="Recurring invoice not made" if made.error
                       else "Invoice made", severity="warning" if made.error else "information", markup=False)
        for reminder in result.reminders:
            said = (f"{reminder.message}: {reminder.error}" if reminder.error
                    else f"{reminder.message} ({reminder.draft})")
            app.notify(clean(said), title="Payment reminders", severity="warning" if reminder.error else "information",
                       markup=False)

    def _failed(self, exc: Exception) -> bool:
        self.passes += 1
        return False  # the usual error notification
