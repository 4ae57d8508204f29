"""The runs' agenda: overdue, due, waiting (and on what), ready; closed runs left out."""

from __future__ import annotations

from datetime import date

import pytest

from obm_tui.model.checklist import ProcessProblems
from obm_tui.model.conditions import DictFacts, Ref
from obm_tui.model.run_agenda import RunSnapshot, build_agenda
from obm_tui.model.run_engine import evaluate, parse_run, process_ticks, run_status

TODAY = date(2026, 11, 25)
MAYA = Ref("client", "maya-patel")
FACTS = DictFacts({("client", "maya-patel"): {"contract": "sent"}})

BODY = """- [x] done [id:: done] [done:: 2026-11-20]
- [ ] late [id:: late] [due:: 2026-11-24]
- [ ] today [id:: today] [due:: 2026-11-25]
- [ ] tomorrow [id:: tomorrow] [due:: 2026-11-26]
- [ ] free [id:: free]
- [ ] wait [id:: wait] [when:: contract = signed] [role:: manager]
- [ ] after [id:: after] [after:: wait]
- [ ] late-and-waiting [id:: late-and-waiting] [after:: wait] [due:: 2026-11-01]
"""


def snapshot(run_id: str, body: str = BODY, status: str | None = None) -> RunSnapshot:
    views = tuple(evaluate(parse_run(body), today=TODAY, facts=FACTS, subject=MAYA))
    return RunSnapshot(run_id, run_id.title(), status or run_status(list(views)).status, views, "maya-patel")


def ids(items: tuple) -> list[tuple[str, str]]:
    return [(i.run_id, i.step_id) for i in items]


@pytest.mark.parametrize(
    ("horizon", "due", "ready"),
    [(0, ["today"], ["free", "tomorrow"]), (1, ["today", "tomorrow"], ["free"])],
    ids=["today-only", "one-day-ahead"],
)
def test_buckets(horizon: int, due: list[str], ready: list[str]) -> None:
    agenda = build_agenda([snapshot("r1")], TODAY, horizon_days=horizon)
    assert [i.step_id for i in agenda.overdue] == ["late"]  # a step nobody can do yet is not overdue...
    assert [i.step_id for i in agenda.due] == due
    assert sorted(i.step_id for i in agenda.ready) == sorted(ready)
    assert [(i.step_id, i.waiting_text) for i in agenda.waiting] == [  # ...it waits, its date still known
        ("late-and-waiting", "wait"), ("wait", "contract = signed"), ("after", "wait")]
    assert agenda.waiting[0].due == date(2026, 11, 1)


def test_item_details() -> None:
    agenda = build_agenda([snapshot("r1")], TODAY)
    wait = agenda.waiting[1]
    assert (wait.run_title, wait.role, wait.subject, wait.line, wait.state) == (
        "R1", "manager", "maya-patel", 6, "waiting")
    assert agenda.waiting[0].waiting_on == ("wait",)


def test_runs_are_merged_and_sorted_and_closed_runs_left_out() -> None:
    runs = [snapshot("r2"), snapshot("r1"), snapshot("r3", status="cancelled"), snapshot("r4", status="done")]
    agenda = build_agenda(runs, TODAY)
    assert ids(agenda.due) == [("r1", "today"), ("r2", "today")]
    assert {run for run, _ in ids(agenda.waiting)} == {"r1", "r2"}


def test_commit_message_lists_the_messages() -> None:
    result = process_ticks("- [ ] a [id:: a] [do:: tag add x] [done:: 2026-11-20]\n", today=TODAY, run_id="R",
                           subject=MAYA)
    assert result.commit_message("R") == 'run R: unticked "a"\n\n- unticked "a": tag x stays on client maya-patel\n'
    quiet = process_ticks("- [x] a [id:: a]\n", today=TODAY, run_id="R")
    assert quiet.commit_message("R") == 'run R: ticked "a"'


def test_a_tick_that_needs_a_subject_is_refused_without_one() -> None:
    body = "- [x] a [id:: a] [do:: tag add x]\n"
    with pytest.raises(ProcessProblems, match="this run has no subject"):
        process_ticks(body, today=TODAY, run_id="R", subject=None, path="runs/r.md")
