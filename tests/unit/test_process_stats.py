"""Process statistics: how often a process ran, how many runs are open, the mean days to finish."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from obm_tui.model.records import Record
from obm_tui.services.process_stats import ProcessStats, stats_of


def run(n: int, status: str, started: str | None, finished: str | None = None) -> Record:
    data = {"type": "run", "id": f"r{n}", "process": "[[p]]", "status": status}
    if started:
        data["started"] = started
    if finished:
        data["finished"] = finished
    return Record("run", f"r{n}", f"runs/r{n}.md", data)


CASES = {
    "never ran": ([], ProcessStats()),
    "one open": ([run(1, "active", "2026-11-01")], ProcessStats(1, 1, 0, 0, None, date(2026, 11, 1))),
    "mean of done runs": (
        [run(1, "done", "2026-11-01", "2026-11-04"), run(2, "done", "2026-11-02", "2026-11-08"),
         run(3, "waiting", "2026-11-20")],
        ProcessStats(3, 1, 2, 0, Decimal("4.5"), date(2026, 11, 20))),
    "cancelled and a done run without finish": (
        [run(1, "cancelled", "2026-10-01"), run(2, "done", "2026-10-05")],
        ProcessStats(2, 0, 1, 1, None, date(2026, 10, 5))),
    "finish before start is ignored": (
        [run(1, "done", "2026-10-05", "2026-10-01"), run(2, "done", "2026-10-05", "2026-10-06")],
        ProcessStats(2, 0, 2, 0, Decimal("1.0"), date(2026, 10, 5))),
    "bad dates count the run only": ([run(1, "done", "someday", "later")], ProcessStats(1, 0, 1, 0, None, None)),
}


@pytest.mark.parametrize(("runs", "expected"), CASES.values(), ids=CASES.keys())
def test_stats_of(runs: list[Record], expected: ProcessStats) -> None:
    assert stats_of(runs) == expected


@pytest.mark.parametrize(("days", "text"), [(None, ""), (Decimal("1.0"), "1 day"), (Decimal("4.5"), "4.5 days"),
                                            (Decimal("12.0"), "12 days")], ids=["none", "one", "half", "whole"])
def test_average_text(days: Decimal | None, text: str) -> None:
    assert ProcessStats(average_days=days).average_text == text
