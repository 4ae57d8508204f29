"""The seed example end to end at the model level, from the process written in docs/processes.md.

Facts change as a person would change them (the invoice gets paid, the contract signed), effects are
applied as the service layer would apply them, and the agenda is read on the way.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from obm_tui.model.actions import AddTag, CreateRecord, Effect, SetField
from obm_tui.model.checklist import ProcessDef, parse_process
from obm_tui.model.conditions import DictFacts, Ref
from obm_tui.model.recurrence import run_id
from obm_tui.model.run_agenda import RunSnapshot, build_agenda
from obm_tui.model.run_engine import (
    BLOCKED,
    READY,
    WAITING,
    evaluate,
    parse_run,
    process_ticks,
    render_run_body,
    run_status,
    set_box,
)
from obm_tui.vault.frontmatter import read_document

DOC = Path(__file__).resolve().parents[2] / "docs" / "processes.md"
MAYA = Ref("client", "maya-patel")
STARTED = date(2026, 11, 20)


def doc_blocks(after_heading: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"## {after_heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```markdown\n(.*?)```", section, re.DOTALL)


def load(block: str) -> ProcessDef:
    doc = read_document(block.encode())
    return parse_process(doc.body, doc.data, path=f"processes/{doc.data['id']}.md", first_line=doc.body_line)


def onboarding() -> ProcessDef:
    return load(doc_blocks("The onboarding example, in full")[0])


class Vault:
    """Records as the service layer keeps them, and effects applied the way it would apply them."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], dict[str, Any]] = {
            ("client", "maya-patel"): {"type": "client", "id": "maya-patel", "name": "Maya Patel",
                                       "status": "onboarding"},
        }
        self.applied: list[Effect] = []

    @property
    def facts(self) -> DictFacts:
        return DictFacts(self.records)

    def apply(self, effect: Effect) -> None:
        self.applied.append(effect)
        client = self.records[("client", "maya-patel")]
        if isinstance(effect, AddTag):
            client.setdefault("tags", []).append(effect.tag)
        elif isinstance(effect, SetField):
            client[effect.field] = effect.value
        elif isinstance(effect, CreateRecord):
            number = sum(1 for kind, _ in self.records if kind == effect.kind) + 1
            self.records[(effect.kind, f"INV-{number}")] = {"client": "[[maya-patel]]", "status": "sent",
                                                             "from": effect.template}


class Run:
    """One run of the onboarding process, ticked as a person would tick it."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.id = run_id(STARTED, "client-onboarding", "maya-patel")
        self.body = render_run_body(onboarding(), STARTED)
        self.commits: list[str] = []

    def tick(self, step: str, today: date) -> None:
        self.body = set_box(self.body, step, True)
        result = process_ticks(self.body, today=today, started=STARTED, run_id=self.id, subject=MAYA,
                               facts=self.vault.facts)
        for effect in result.effects:
            self.vault.apply(effect)
        self.body = result.body
        self.commits.append(result.summary(self.id))

    def views(self, today: date) -> list:
        return evaluate(parse_run(self.body), today=today, started=STARTED, facts=self.vault.facts, subject=MAYA)

    def states(self, today: date) -> dict[str, tuple[str, date | None]]:
        return {v.id: (v.state, v.due) for v in self.views(today)}

    def agenda(self, today: date, horizon: int = 0):
        views = self.views(today)
        snapshot = RunSnapshot(self.id, "Client onboarding — Maya Patel", run_status(views).status, tuple(views),
                               "maya-patel")
        return build_agenda([snapshot], today, horizon_days=horizon)


def test_the_documented_process_is_correct() -> None:
    process = onboarding()
    assert process.ok, process.problems
    assert [s.id for s in process.checklist.steps] == ["send", "welcome", "tag", "mailing-list", "recurring-invoice",
                                                       "follow-up"]


def test_every_process_in_the_doc_is_correct() -> None:
    for heading in ("A first process", "The onboarding example, in full", "Recurring processes"):
        for block in doc_blocks(heading):
            assert load(block).ok, (heading, load(block).problems)


def test_onboarding_end_to_end() -> None:
    vault = Vault()
    run = Run(vault)
    fri, sat, tue, wed, thu, fri2 = (date(2026, 11, d) for d in (20, 21, 24, 25, 26, 27))

    assert run.states(fri)["send"] == (READY, date(2026, 11, 23))
    assert run.states(fri)["welcome"][0] == BLOCKED

    run.tick("send", fri)
    assert [e.describe() for e in vault.applied] == [
        "invoice created from template onboarding-invoice for client maya-patel",
        "invoice of client maya-patel sent",
        "client maya-patel: contract set to sent",
    ]
    welcome = run.views(sat)[1]
    assert (welcome.state, welcome.waiting_on) == (WAITING, ("invoice.status = paid", "contract = signed"))
    assert run_status(run.views(sat)).status == "waiting"
    agenda = run.agenda(sat)
    assert [i.step_id for i in agenda.waiting] == ["welcome", "tag", "mailing-list", "recurring-invoice", "follow-up"]
    assert agenda.waiting[0].waiting_text == "invoice.status = paid, contract = signed"
    assert agenda.waiting[1].waiting_text == "welcome"

    vault.records[("invoice", "INV-1")]["status"] = "paid"
    assert run.views(sat)[1].waiting_on == ("contract = signed",)
    vault.records[("client", "maya-patel")]["contract"] = "signed"
    assert run.states(sat)["welcome"] == (READY, None)
    assert run_status(run.views(sat)).status == "active"

    run.tick("welcome", tue)
    assert run.states(tue) == {
        "send": ("done", date(2026, 11, 23)),
        "welcome": ("done", None),
        "tag": (READY, wed),
        "mailing-list": (READY, wed),
        "recurring-invoice": (READY, wed),
        "follow-up": (READY, fri2),
    }
    agenda = run.agenda(thu)
    assert [i.step_id for i in agenda.overdue] == ["tag", "mailing-list", "recurring-invoice"]
    assert [i.step_id for i in agenda.ready] == ["follow-up"]
    assert [i.step_id for i in run.agenda(thu, horizon=1).due] == ["follow-up"]

    run.tick("tag", thu)
    run.tick("recurring-invoice", thu)
    run.tick("mailing-list", thu)
    run.tick("follow-up", fri2)

    assert [e.describe() for e in vault.applied] == [
        "invoice created from template onboarding-invoice for client maya-patel",
        "invoice of client maya-patel sent",
        "client maya-patel: contract set to sent",
        "tag current-client added to client maya-patel",
        "client maya-patel: status set to current",
        "billing started for client maya-patel",
    ]
    client = vault.records[("client", "maya-patel")]
    assert (client["status"], client["tags"], client["contract"]) == ("current", ["current-client"], "signed")
    final = run_status(run.views(fri2))
    assert (final.status, final.progress, final.finished) == ("done", "6/6", fri2)
    assert run.agenda(fri2) == build_agenda([], fri2)
    assert run.commits[2] == (
        'run 2026-11-20-client-onboarding-maya-patel: ticked "Add the "current client" tag"; '
        "tag current-client added to client maya-patel; client maya-patel: status set to current"
    )


def test_reading_the_run_again_applies_nothing() -> None:
    vault = Vault()
    run = Run(vault)
    run.tick("send", STARTED)
    for day in (STARTED, date(2026, 11, 21), date(2026, 12, 25)):
        again = process_ticks(run.body, today=day, started=STARTED, run_id=run.id, subject=MAYA, facts=vault.facts)
        assert again.body == run.body and again.effects == ()


MISTAKES = {
    "after:: \"sned\" is not a step of this process": "- [ ] a [id:: send]\n- [ ] b [after:: sned]\n",
    "steps wait for each other in a circle: welcome → tag → welcome":
        "- [ ] a [id:: welcome] [after:: tag]\n- [ ] b [id:: tag] [after:: welcome]\n",
    'due:: "+3 fortnights": unknown unit "fortnights" (use d, workdays, w, m or y)': "- [ ] a [due:: +3 fortnights]\n",
    'do:: "tagg add vip": unknown action "tagg" (use tag, set, create, start or send)': "- [ ] a [do:: tagg add vip]\n",
    'when:: "invoice.status paid": expected an operator (=, !=, <, <=, >, >=, has, in) after invoice.status':
        "- [ ] a [when:: invoice.status paid]\n",
    'step id "send" is already used on line 1': "- [ ] a [id:: send]\n- [ ] b [id:: send]\n",
    "two due:: fields on one step": "- [ ] a [due:: +1d] [due:: +2d]\n",
    'id:: "Send Invoice": use lowercase letters, digits and -': "- [ ] a [id:: Send Invoice]\n",
    'no steps: a process needs at least one task item "- [ ] ..."': "# nothing\n",
}


@pytest.mark.parametrize("reason", list(MISTAKES), ids=lambda r: r.split(":")[0][:20])
def test_the_documented_messages_are_the_real_ones(reason: str) -> None:
    process = parse_process(MISTAKES[reason], {"subject": "client"})
    assert reason in [p.reason for p in process.problems]
    assert reason in DOC.read_text(encoding="utf-8")
