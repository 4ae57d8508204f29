"""How each process is used: how often it ran, how many runs are open, how long a run takes.

Read from the index only (the runs' front matter: `process`, `status`, `started`, `finished`),
in one pass over the runs, so the processes screen stays quick with years of runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from obm_tui.model.records import Record
from obm_tui.services.run_files import OPEN, run_ref_of
from obm_tui.vault.store import Vault


@dataclass(frozen=True)
class ProcessStats:
    """One process's runs: counts by status, the mean days from start to finish, the last start."""

    runs: int = 0
    open: int = 0
    done: int = 0
    cancelled: int = 0
    average_days: Decimal | None = None  # over done runs with both dates; None when there are none
    last_started: date | None = None

    @property
    def average_text(self) -> str:
        """`4.5 days`, `1 day`, or '' when no run has finished."""
        if self.average_days is None:
            return ""
        shown = f"{self.average_days.normalize():f}"
        return f"{shown} day" if shown == "1" else f"{shown} days"


def _day(value: object) -> date | None:
    return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else None


def stats_of(runs: Iterable[Record]) -> ProcessStats:
    """The numbers of these runs (all of one process)."""
    total = opened = done = cancelled = 0
    durations: list[int] = []
    last: date | None = None
    for run in runs:
        total += 1
        status = str(run.data.get("status") or "active")
        opened += status in OPEN
        cancelled += status == "cancelled"
        started, finished = _day(run.value("started")), _day(run.value("finished"))
        if status == "done":
            done += 1
            if started is not None and finished is not None and finished >= started:
                durations.append((finished - started).days)
        if started is not None and (last is None or started > last):
            last = started
    average = (Decimal(sum(durations)) / len(durations)).quantize(Decimal("0.1")) if durations else None
    return ProcessStats(total, opened, done, cancelled, average, last)


def process_stats(vault: Vault) -> dict[str, ProcessStats]:
    """Process id (case-folded) -> the numbers of its runs, archived runs included."""
    by_process: dict[str, list[Record]] = {}
    for run in vault.records("run", archived=True):
        by_process.setdefault(run_ref_of(run.data, "process").casefold(), []).append(run)
    return {key: stats_of(runs) for key, runs in by_process.items() if key}


def stats_for(table: dict[str, ProcessStats], process: Record) -> ProcessStats:
    """The numbers of one process (zeros when it never ran)."""
    return table.get(process.id.casefold(), ProcessStats())
