"""Reading checklists: steps, inline-field variants, ids, notes, and every mistake with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from obm_tui.model.checklist import parse_checklist, parse_process
from obm_tui.model.ids import slug, slug_words
from obm_tui.model.inline_fields import (
    find_fields,
    remove_field,
    set_box,
    set_field,
    strip_fields,
)

OBSIDIAN = Path(__file__).resolve().parents[1] / "corpus" / "obsidian"
TASKS_TO_PARSE = OBSIDIAN / "tasks_Dataview Format - Tasks to Parse.md"


def corpus_lines(prefix: str) -> list[str]:
    lines = TASKS_TO_PARSE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.startswith(f"- [ ] #task {prefix} ")]


@pytest.mark.parametrize("line", corpus_lines("B"), ids=lambda line: line.split()[4])
def test_dataview_bracket_variants_from_obsidian(line: str) -> None:
    [field] = find_fields(line)
    assert (field.key, field.value) == ("due", "2021-08-22")
    [step] = parse_checklist(line + "\n").steps
    assert step.due is not None and step.due.fixed is not None
    assert step.due.fixed.isoformat() == "2021-08-22"


@pytest.mark.parametrize("line", corpus_lines("C") + corpus_lines("A"), ids=lambda line: line.split()[4])
def test_unbracketed_fields_are_not_fields(line: str) -> None:
    assert find_fields(line) == []
    assert parse_checklist(line).steps[0].due is None


def test_corpus_files_parse_without_crashing() -> None:
    for path in OBSIDIAN.glob("*.md"):
        checklist = parse_checklist(path.read_text(encoding="utf-8"))
        assert "".join(checklist.lines) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("[id:: a] (after:: b)", [("id", "a"), ("after", "b")]),
        ("[when:: client = [[maya-patel]]]", [("when", "client = [[maya-patel]]")]),
        ("see [[Some page]] [due:: +3d]", [("due", "+3d")]),
        ("[link](https://example.com) [due:: +3d]", [("due", "+3d")]),
        ("[ Due ::  +3d ]", [("due", "+3d")]),
        ("[dependsOn:: a]", [("dependson", "a")]),
        ("[due:: +3d", []),
        ("[empty::]", [("empty", "")]),
    ],
    ids=["square-and-round", "nested-wikilink", "wikilink-then-field", "markdown-link", "spaces-and-case",
         "camel-key", "unclosed", "empty-value"],
)
def test_find_fields(text: str, fields: list[tuple[str, str]]) -> None:
    assert [(f.key, f.value) for f in find_fields(text)] == fields


@pytest.mark.parametrize(
    ("before", "key", "value", "after"),
    [
        ("- [ ] a [due:: +3d after b]", "due", "2026-11-23", "- [ ] a [due:: 2026-11-23]"),
        ("- [ ] a (due::+3d)", "due", "2026-11-23", "- [ ] a (due::2026-11-23)"),
        ("- [ ] a [ due::  +3d  ] b", "due", "2026-11-23", "- [ ] a [ due::  2026-11-23  ] b"),
        ("- [x] a  ", "done", "2026-11-20", "- [x] a [done:: 2026-11-20]  "),
    ],
    ids=["replace", "replace-round-keeps-style", "replace-keeps-spacing", "append-before-trailing-space"],
)
def test_set_field_changes_only_the_value(before: str, key: str, value: str, after: str) -> None:
    assert set_field(before, key, value) == after


def test_remove_field_and_boxes() -> None:
    assert remove_field("- [x] a [done:: 2026-11-20] [id:: a]", "done") == "- [x] a [id:: a]"
    assert set_box("- [ ] a", True) == "- [x] a"
    assert set_box("- [X] a", True) == "- [X] a"
    assert set_box("* [x] a", False) == "* [ ] a"
    assert set_box("plain line", True) == "plain line"
    assert strip_fields("Send it [id:: s]  (due:: +1d) now") == "Send it now"


BODY = """# Weekly review

Some prose. - [ ] not a step: not at the start of a line

- [ ] First step [id:: first]
    - a note under it
    - [ ] an indented checkbox is a note too
* [x] Second, ticked [after:: first]
+ [X] Third, ticked with a capital
- [-] Fourth, cancelled mark [id:: fourth]
- [/] Fifth, in progress mark
-[ ] not a task (no space)
- [] not a task (empty box)
```
- [ ] inside a fence
```
~~~markdown
- [ ] inside a tilde fence
~~~
> - [ ] inside a quote
1. [ ] an ordered item
- [ ] Sixth [assignee:: manager] [email:: weekly-note]
"""


def test_what_is_a_step() -> None:
    checklist = parse_checklist(BODY, first_line=5)
    assert [(s.text, s.line, s.ticked) for s in checklist.steps] == [
        ("First step", 9, False),
        ("Second, ticked", 12, True),
        ("Third, ticked with a capital", 13, True),
        ("Fourth, cancelled mark", 14, False),
        ("Fifth, in progress mark", 15, False),
        ("Sixth", 26, False),
    ]
    assert checklist.ok
    assert "".join(checklist.lines) == BODY


def test_step_attributes() -> None:
    checklist = parse_checklist(BODY)
    sixth = checklist.steps[-1]
    assert (sixth.role, sixth.email) == ("manager", "weekly-note")
    assert checklist.steps[1].after == ("first",)


def test_generated_ids() -> None:
    body = ('- [ ] Add the "current client" tag\n- [ ] Add the “current client” tag\n- [ ] [due:: +1d]\n'
            '- [ ] Café crème\n')
    ids = [s.id for s in parse_checklist(body).steps]
    assert ids == ["add-the-current-client-tag", "add-the-current-client-tag-2", "step-3", "cafe-creme"]
    assert not any(s.id_written for s in parse_checklist(body).steps)


def test_generated_id_does_not_take_an_explicit_one() -> None:
    body = "- [ ] Send\n- [ ] Other [id:: send]\n"
    assert [s.id for s in parse_checklist(body).steps] == ["send-2", "send"]


def test_long_text_slug_is_cut_at_a_word() -> None:
    body = "- [ ] Send the welcome email with a calendar link to book the first strategy call\n"
    made = parse_checklist(body).steps[0].id
    assert made == "send-the-welcome-email-with-a-calendar-link-to"
    assert len(made) <= 48


@pytest.mark.parametrize("text", ["Visit the Łódź office", "Straße & œuvre", "Café crème ½ off", "日本語 call"])
def test_step_ids_and_record_ids_are_one_slug(text: str) -> None:
    """One slug function for the vault (model/ids.py): a step's id is the record slug of its text."""
    assert parse_checklist(f"- [ ] {text}\n").steps[0].id == slug_words(text, 48) == slug(text, 48)


def test_after_lists_and_aliases() -> None:
    body = "- [ ] a [id:: a]\n- [ ] b [id:: b]\n- [ ] c [after:: a, b] [after:: a]\n- [ ] d [dependsOn:: a b]\n"
    steps = parse_checklist(body).steps
    assert steps[2].after == ("a", "b")
    assert steps[3].after == ("a", "b")


def test_several_actions_and_conditions() -> None:
    body = "- [ ] a [when:: status = x] [when:: tags has y; contract = z] [do:: tag add a; tag add b] [do:: start p]\n"
    [step] = parse_checklist(body, subject_kind="client").steps
    assert [c.text for c in step.when] == ["status = x", "tags has y; contract = z"]
    assert [str(a) for a in step.actions] == ["tag add a", "tag add b", "start p"]


def test_crlf_body() -> None:
    body = "# T\r\n- [ ] a [id:: a]\r\n- [x] b [after:: a] [done:: 2026-11-20]\r\n"
    checklist = parse_checklist(body)
    assert [s.id for s in checklist.steps] == ["a", "b"]
    assert checklist.steps[1].done is not None
    assert "".join(checklist.lines) == body


FIRST = 8  # the body starts on line 8 of the file, after the front matter


@pytest.mark.parametrize(
    ("body", "line", "reason"),
    [
        ("- [ ] a [id:: a]\n- [ ] b [after:: sned]\n", 9, 'after:: "sned" is not a step of this process'),
        ("- [ ] a [id:: a] [after:: b]\n- [ ] b [id:: b] [after:: a]\n", 8,
         "steps wait for each other in a circle: a → b → a"),
        ("- [ ] a [id:: a] [after:: a]\n", 8, "steps wait for each other in a circle: a → a"),
        ("- [ ] a [due:: +3 fortnights]\n", 8,
         'due:: "+3 fortnights": unknown unit "fortnights" (use d, workdays, w, m or y)'),
        ("- [ ] a [due:: +2h]\n", 8, "due dates are days, not hours"),
        ("- [ ] a [due:: +1d after nobody]\n", 8, 'due:: "nobody" is not a step of this process'),
        ("- [ ] a [id:: a] [due:: +1d after a]\n", 8, "due:: counts from the step itself"),
        ("- [ ] a [do:: tagg add vip]\n", 8,
         'do:: "tagg add vip": unknown action "tagg" (use tag, set, create, start or send)'),
        ("- [ ] a [when:: invoice.status paid]\n", 8, 'when:: "invoice.status paid": expected an operator'),
        ("# x\n\n- [ ] a [id:: send]\n- [ ] b [id:: send]\n", 11, 'step id "send" is already used on line 10'),
        ("- [ ] a [due:: +1d] [due:: +2d]\n", 8, "two due:: fields on one step"),
        ("- [ ] a [id:: a] [id:: b]\n", 8, "two id:: fields on one step"),
        ("- [ ] a [id:: Send Invoice]\n", 8, 'id:: "Send Invoice": use lowercase letters, digits and -'),
        ("- [x] a [done:: yesterday]\n", 8, 'done:: "yesterday" is not a date like 2026-11-20'),
        ("- [ ] a [do:: set status = gold]\n", 8, "a client status is one of"),
    ],
    ids=[
        "unknown-step", "cycle", "self-cycle", "bad-duration", "hours", "due-unknown-step", "due-self",
        "unknown-action", "bad-condition", "duplicate-id", "two-due", "two-ids", "bad-id", "bad-done-date",
        "bad-enum-value",
    ],
)
def test_mistakes_have_a_line_and_a_reason(body: str, line: int, reason: str) -> None:
    process = parse_process(body, {"subject": "client"}, path="processes/p.md", first_line=FIRST)
    assert not process.ok
    [problem] = process.problems
    assert problem.path == "processes/p.md"
    assert problem.line == line
    assert reason in problem.reason
    assert str(problem).startswith(f"processes/p.md:{line}: ")


def test_every_mistake_is_reported() -> None:
    body = "- [ ] a [id:: a] [after:: zz] [due:: soon] [do:: fly] [when:: x]\n- [ ] b [id:: a]\n"
    process = parse_process(body, {"subject": "client"}, first_line=1)
    assert [p.line for p in process.problems] == [1, 1, 1, 1, 2]


@pytest.mark.parametrize(
    ("meta", "body", "reason"),
    [
        ({"subject": "none"}, "- [ ] a [when:: status = x]\n", "when:: this process has no subject (subject: none)"),
        ({}, "- [ ] a [do:: tag add x]\n", "this process has no subject"),
        ({"subject": "client"}, "# Only prose\n\n- a plain item\n", "no steps: a process needs at least one task item"),
        ({"subject": "customer"}, "- [ ] a\n", 'subject: "customer" is not one of none, client'),
        ({"recurrence": "FREQ=FORTNIGHTLY"}, "- [ ] a\n", 'recurrence: "FREQ=FORTNIGHTLY": unknown FREQ'),
    ],
    ids=["condition-without-subject", "action-without-subject", "no-steps", "bad-subject", "bad-recurrence"],
)
def test_process_level_mistakes(meta: dict[str, str], body: str, reason: str) -> None:
    process = parse_process(body, meta, path="processes/p.md")
    assert any(reason in p.reason for p in process.problems), process.problems


def test_a_good_process() -> None:
    meta = {"type": "process", "id": "weekly-review", "title": "Weekly review", "recurrence": "FREQ=WEEKLY;BYDAY=MO"}
    process = parse_process("- [ ] a [id:: a] [due:: +0d]\n- [ ] b [after:: a]\n", meta)
    assert process.ok
    assert (process.id, process.title, process.subject, process.recurrence) == (
        "weekly-review", "Weekly review", "none", "FREQ=WEEKLY;BYDAY=MO")


def test_a_long_chain_does_not_overflow() -> None:
    body = "".join(f"- [ ] s{n} [id:: s{n}] [after:: s{n + 1}]\n" for n in range(3000)) + "- [ ] end [id:: s3000]\n"
    assert parse_checklist(body).ok
    looped = body.replace("- [ ] end [id:: s3000]", "- [ ] end [id:: s3000] [after:: s0]")
    [problem] = parse_checklist(looped).problems
    assert "circle" in problem.reason
