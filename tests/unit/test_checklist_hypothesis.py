"""Properties of the step engine over random tick orders (Hypothesis).

- However steps are ticked, unticked, re-ticked, ticked in another editor and re-read, an action is
  never applied twice; once every step is ticked, every action has been applied exactly once.
- Ticking every step, in any order and with any detours, ends in the same run file.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from obm_tui.model.checklist import parse_process
from obm_tui.model.conditions import DictFacts, Ref
from obm_tui.model.run_engine import process_ticks, render_run_body, set_box
from obm_tui.vault.frontmatter import read_document

DOC = Path(__file__).resolve().parents[2] / "docs" / "processes.md"
MAYA = Ref("client", "maya-patel")
STARTED = date(2026, 11, 20)
FACTS = DictFacts({("client", "maya-patel"): {"contract": "signed"},
                   ("invoice", "INV-1"): {"client": "[[maya-patel]]", "status": "paid"}})


def _onboarding_body() -> str:
    section = DOC.read_text(encoding="utf-8").split("## The onboarding example, in full\n", 1)[1]
    block = section.split("```markdown\n", 1)[1].split("```", 1)[0]
    doc = read_document(block.encode())
    return render_run_body(parse_process(doc.body, doc.data), STARTED)


BODY = _onboarding_body()
PROCESS = parse_process(BODY, {"subject": "client"})
STEPS = [s.id for s in PROCESS.checklist.steps]
ALL_KEYS = {f"R/{s.id}/{n}" for s in PROCESS.checklist.steps for n in range(1, len(s.actions) + 1)}

step_ids = st.sampled_from(STEPS)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("tick"), step_ids),
        st.tuples(st.just("untick"), step_ids),
        st.tuples(st.just("process"), st.integers(0, 30)),
    ),
    max_size=25,
)


def process(body: str, today: date, seen: Counter[str]) -> str:
    result = process_ticks(body, today=today, started=STARTED, run_id="R", subject=MAYA, facts=FACTS)
    seen.update(effect.key for effect in result.effects)
    return result.body


def play(ops: list[tuple[str, object]], final_order: list[str], fixed_day: date | None) -> tuple[str, Counter[str]]:
    body, seen = BODY, Counter[str]()
    for op, arg in ops:
        if op == "process":
            body = process(body, fixed_day or STARTED + timedelta(days=int(arg)), seen)  # type: ignore[call-overload]
        else:
            body = set_box(body, str(arg), op == "tick")
    for step in final_order:
        body = set_box(body, step, True)
    body = process(body, fixed_day or STARTED + timedelta(days=31), seen)
    return process(body, fixed_day or STARTED + timedelta(days=40), seen), seen


@settings(max_examples=150, deadline=None)
@given(operations, st.permutations(STEPS))
def test_actions_apply_exactly_once(ops: list[tuple[str, object]], final_order: list[str]) -> None:
    body, seen = play(ops, final_order, fixed_day=None)
    assert all(count == 1 for count in seen.values()), seen
    assert set(seen) == ALL_KEYS
    assert body.count("[done:: ") == len(STEPS)
    assert "[applied:: " not in body


REFERENCE, _ = play([], STEPS, fixed_day=date(2026, 11, 24))


@settings(max_examples=150, deadline=None)
@given(operations, st.permutations(STEPS))
def test_every_order_ends_in_the_same_run(ops: list[tuple[str, object]], final_order: list[str]) -> None:
    body, seen = play(ops, final_order, fixed_day=date(2026, 11, 24))
    assert body == REFERENCE
    assert sorted(seen.elements()) == sorted(ALL_KEYS)
