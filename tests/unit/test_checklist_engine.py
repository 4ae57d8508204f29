"""The step engine: starting a run, processing ticks and unticks exactly once, views and status."""

from __future__ import annotations

from datetime import date

import pytest

from obm_tui.model.actions import AddTag
from obm_tui.model.checklist import ProcessProblems, parse_checklist, parse_process
from obm_tui.model.conditions import DictFacts, Ref
from obm_tui.model.run_engine import (
    BLOCKED,
    DONE,
    READY,
    WAITING,
    evaluate,
    parse_run,
    process_ticks,
    render_run_body,
    run_status,
    set_box,
)

STARTED = date(2026, 11, 20)  # a Friday
D0, D1 = "2026-11-20", "2026-11-23"
TODAY = date(2026, 11, 23)
MAYA = Ref("client", "maya-patel")
FACTS = DictFacts({("client", "maya-patel"): {"status": "onboarding", "contract": "sent"}})


def tick(body: str, today: date = TODAY, **kw: object) -> object:
    return process_ticks(body, today=today, started=STARTED, run_id="R", subject=MAYA, facts=FACTS, **kw)  # type: ignore[arg-type]


PROCESS = """# Onboarding

Prose stays.

- [ ] Send the invoice [id:: send] [due:: +1 workday] [do:: tag add invoiced]
    - a note, kept
- [x] Welcome them [after:: send] [due:: +3d after send] [done:: 2026-01-01]
- [ ] Follow up (due:: 2026-12-24) [applied:: 2026-01-01]
"""


def test_render_run_body_is_the_runs_own_copy() -> None:
    process = parse_process(PROCESS, {"subject": "client"})
    assert render_run_body(process, STARTED) == """# Onboarding

Prose stays.

- [ ] Send the invoice [id:: send] [due:: 2026-11-23] [do:: tag add invoiced]
    - a note, kept
- [ ] Welcome them [after:: send] [due:: +3d after send] [id:: welcome-them]
- [ ] Follow up (due:: 2026-12-24) [id:: follow-up]
"""


def test_render_keeps_crlf() -> None:
    process = parse_process(PROCESS.replace("\n", "\r\n"), {"subject": "client"})
    body = render_run_body(process, STARTED)
    assert body.count("\r\n") == PROCESS.count("\n")
    assert "\n" not in body.replace("\r\n", "")


def test_a_process_with_mistakes_cannot_start() -> None:
    process = parse_process("- [ ] a [after:: ghost]\n", {"subject": "client"}, path="processes/p.md", first_line=7)
    with pytest.raises(ProcessProblems) as caught:
        render_run_body(process, STARTED)
    assert str(caught.value) == 'processes/p.md:7: after:: "ghost" is not a step of this process'
    assert caught.value.title == "Process has mistakes"


LINE = "- [{box}] a [id:: a] [do:: tag add x]{extra}\n"


@pytest.mark.parametrize(
    ("before", "after", "effects", "message"),
    [
        (LINE.format(box="x", extra=""), LINE.format(box="x", extra=f" [done:: {D1}]"), 1, ""),
        (LINE.format(box="X", extra=""), LINE.format(box="X", extra=f" [done:: {D1}]"), 1, ""),
        (LINE.format(box="x", extra=f" [done:: {D0}]"), LINE.format(box="x", extra=f" [done:: {D0}]"), 0, ""),
        (LINE.format(box=" ", extra=f" [done:: {D0}]"), LINE.format(box=" ", extra=f" [applied:: {D0}]"), 0,
         "tag x stays on client maya-patel"),
        (LINE.format(box="-", extra=f" [done:: {D0}]"), LINE.format(box="-", extra=f" [applied:: {D0}]"), 0,
         "stays on"),
        (LINE.format(box="x", extra=f" [applied:: {D0}]"), LINE.format(box="x", extra=f" [done:: {D1}]"), 0,
         f"its actions were applied on {D0}; not applied again"),
        (LINE.format(box=" ", extra=f" [applied:: {D0}]"), LINE.format(box=" ", extra=f" [applied:: {D0}]"), 0, ""),
        (LINE.format(box=" ", extra=""), LINE.format(box=" ", extra=""), 0, ""),
        ("- [ ] a [id:: a] [done:: 2026-11-20]\n", "- [ ] a [id:: a]\n", 0, ""),
        ("- [x] a [id:: a]\n", f"- [x] a [id:: a] [done:: {D1}]\n", 0, ""),
    ],
    ids=[
        "new-tick", "new-tick-capital", "processed-tick", "untick", "untick-other-mark", "retick-after-untick",
        "unticked-and-processed", "untouched", "untick-without-actions", "tick-without-actions",
    ],
)
def test_process_ticks(before: str, after: str, effects: int, message: str) -> None:
    result = tick(before)
    assert result.body == after
    assert len(result.effects) == effects
    if message:
        assert any(message in m for m in result.messages), result.messages
    again = tick(result.body, today=date(2026, 12, 1))
    assert again.body == result.body
    assert again.effects == () and not again.changed


def test_effects_carry_keys_and_business_words() -> None:
    body = "- [x] a [id:: a] [do:: tag add x; set status = current]\n- [x] b [id:: b] [do:: start p]\n"
    result = tick(body)
    assert [e.key for e in result.effects] == ["R/a/1", "R/a/2", "R/b/1"]
    assert result.effects[0] == AddTag("R/a/1", "a", MAYA, "x")
    assert result.summary("R") == (
        'run R: ticked "a"; ticked "b"; tag x added to client maya-patel; '
        "client maya-patel: status set to current; run of process p started for client maya-patel"
    )


def test_due_dates_follow_ticks_and_stay_put() -> None:
    body = "- [ ] a [id:: a]\n- [ ] b [after:: a] [id:: b] [due:: +3d after a]\n"
    first = tick(body)
    assert first.body == body and not first.changed
    ticked = tick(set_box(body, "a", True))
    assert "[due:: 2026-11-26]" in ticked.body
    assert ticked.resolved == (("b", date(2026, 11, 26)),)
    assert "b due 2026-11-26" in ticked.summary("R")
    unticked = tick(set_box(ticked.body, "a", False), today=date(2026, 11, 24))
    assert "[due:: 2026-11-26]" in unticked.body
    assert unticked.messages == ()


def test_untick_names_the_steps_that_came_after() -> None:
    body = f"- [ ] a [id:: a] [done:: {D0}]\n- [x] b [id:: b] [after:: a] [done:: {D0}]\n"
    result = tick(body)
    assert 'unticked "a": b came after it and stay done' in result.messages


def test_ticking_early_is_allowed_and_said() -> None:
    body = "- [ ] a [id:: a]\n- [x] b [id:: b] [after:: a] [when:: contract = signed] [do:: tag add y]\n"
    result = tick(body)
    assert len(result.effects) == 1
    assert result.messages == (
        '"b" was ticked before a was done',
        '"b" was ticked while waiting for contract = signed',
    )


def test_a_run_with_mistakes_is_refused_with_the_reason() -> None:
    body = "# Run\n- [x] a [id:: a] [after:: ghost] [do:: tag add x]\n"
    with pytest.raises(ProcessProblems, match=r"runs/r.md:6: after:: \"ghost\" is not a step"):
        tick(body, path="runs/r.md", first_line=5)


def test_the_run_does_not_need_its_process() -> None:
    """A run holds its own copy: editing or deleting the process later changes nothing here."""
    process_v1 = parse_process("- [ ] a [id:: a] [do:: tag add x]\n- [ ] b [id:: b] [after:: a]\n",
                               {"subject": "client"})
    body = render_run_body(process_v1, STARTED)
    # the process file is now rewritten without step b: the run still has it and still works
    result = tick(set_box(set_box(body, "a", True), "b", True))
    assert [s.id for s in result.ticked] == ["a", "b"]
    assert len(result.effects) == 1


def test_set_box_unknown_step() -> None:
    with pytest.raises(KeyError):
        set_box("- [ ] a [id:: a]\n", "b", True)


def test_set_box_changes_one_character() -> None:
    body = "# T\r\n- [ ] a [id:: a]\r\n- [ ] b\r\n"
    assert set_box(body, "b", True) == "# T\r\n- [ ] a [id:: a]\r\n- [x] b\r\n"


VIEW_BODY = f"""- [x] a [id:: a] [done:: {D0}]
- [ ] b [id:: b] [after:: a] [when:: contract = signed] [due:: 2026-11-22]
- [ ] c [id:: c] [after:: b]
- [ ] d [id:: d] [due:: +1 workday]
- [x] e [id:: e]
"""


def test_evaluate_states() -> None:
    views = evaluate(parse_run(VIEW_BODY), today=TODAY, started=STARTED, facts=FACTS, subject=MAYA)
    table = [(v.id, v.state, v.due, v.overdue, v.waiting_on_steps, v.waiting_on, v.pending) for v in views]
    assert table == [
        ("a", DONE, None, False, (), (), False),
        ("b", WAITING, date(2026, 11, 22), True, (), ("contract = signed",), False),
        ("c", BLOCKED, None, False, ("b",), (), False),
        ("d", READY, date(2026, 11, 23), False, (), (), False),
        ("e", DONE, None, False, (), (), True),
    ]


def test_facts_unlock_a_waiting_step() -> None:
    signed = DictFacts({("client", "maya-patel"): {"contract": "signed"}})
    views = evaluate(parse_run(VIEW_BODY), today=TODAY, started=STARTED, facts=signed, subject=MAYA)
    assert views[1].state == READY


def steps(states: str) -> list:
    """Views from a compact spec: D done, R ready, W waiting on a condition, B blocked."""
    lines, prev = [], None
    for n, state in enumerate(states):
        extra = {"D": f"[done:: 2026-11-{20 + n}]", "R": "", "W": "[when:: contract = signed]",
                 "B": f"[after:: s{prev}]"}[state]
        lines.append(f"- [{'x' if state == 'D' else ' '}] s{n} [id:: s{n}] {extra}\n")
        prev = n
    return evaluate(parse_run("".join(lines)), today=TODAY, started=STARTED, facts=FACTS, subject=MAYA)


@pytest.mark.parametrize(
    ("spec", "current", "status", "progress", "finished"),
    [
        ("DDD", "active", "done", "3/3", date(2026, 11, 22)),
        ("DRW", "active", "active", "1/3", None),
        ("DWB", "active", "waiting", "1/3", None),
        ("WB", "waiting", "waiting", "0/2", None),
        ("RB", "waiting", "active", "0/2", None),
        ("DDR", "cancelled", "cancelled", "2/3", None),
        ("", "active", "done", "0/0", None),
    ],
    ids=["all-done", "something-ready", "only-waiting", "nothing-done-waiting", "back-to-active", "cancelled-stays",
         "empty"],
)
def test_run_status(spec: str, current: str, status: str, progress: str, finished: date | None) -> None:
    result = run_status(steps(spec), current)
    assert (result.status, result.progress, result.finished) == (status, progress, finished)


def test_done_but_unprocessed_has_no_finishing_day_yet() -> None:
    views = evaluate(parse_run("- [x] a [id:: a]\n"), today=TODAY)
    assert run_status(views).status == "done"
    assert run_status(views).finished is None


def test_parse_run_reads_state() -> None:
    run = parse_run(f"- [ ] a [id:: a] [applied:: {D0}]\n- [x] b [id:: b] [done:: {D1}] [due:: 2026-11-30]\n")
    a, b = run.steps
    assert (a.ticked, a.done, a.applied) == (False, None, date(2026, 11, 20))
    assert (b.ticked, b.done) == (True, date(2026, 11, 23))
    assert b.due is not None and b.due.fixed == date(2026, 11, 30)
    assert parse_checklist("").steps == ()


def test_start_run_is_deterministic() -> None:
    from obm_tui.model.run_engine import start_run

    process = parse_process("- [ ] a [id:: a] [due:: +1 workday]\n",
                            {"id": "client-onboarding", "title": "Client onboarding", "subject": "client"})
    new = start_run(process, STARTED, MAYA, "Maya Patel")
    assert new == start_run(process, STARTED, MAYA, "Maya Patel")
    assert new.path == "runs/2026-11-20-client-onboarding-maya-patel.md"
    assert new.front_matter == {
        "type": "run", "id": "2026-11-20-client-onboarding-maya-patel", "title": "Client onboarding — Maya Patel",
        "process": "[[client-onboarding]]", "subject": "[[maya-patel]]", "status": "active", "started": "2026-11-20",
    }
    assert new.body == "- [ ] a [id:: a] [due:: 2026-11-23]\n"


def test_start_recurring_run_without_subject() -> None:
    from obm_tui.model.run_engine import start_run

    process = parse_process("- [ ] count [id:: count]\n", {"id": "monthly-stock-count", "title": "Monthly stock count"})
    new = start_run(process, date(2026, 12, 1))
    assert new.path == "runs/2026-12-01-monthly-stock-count.md"
    assert "subject" not in new.front_matter
    assert new.front_matter["title"] == "Monthly stock count — 2026-12-01"
