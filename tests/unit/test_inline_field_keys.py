"""Inline-field keys as Dataview reads them; unknown fields are kept in the file, out of the text."""

from __future__ import annotations

from datetime import date

import pytest

from obm_tui.model.checklist import parse_checklist
from obm_tui.model.inline_fields import canonical_key, find_fields, strip_fields
from obm_tui.model.run_engine import process_ticks


@pytest.mark.parametrize("text, key, value", [
    pytest.param("Call [due date:: 2026-12-01] now", "due-date", "2026-12-01", id="space-in-key"),
    pytest.param("Plan [⭐ rating:: 5]", "⭐-rating", "5", id="emoji-key"),
    pytest.param("Ship [owner!:: me]", "owner", "me", id="bang-in-key"),
    pytest.param("Ship (Due Date:: 2026-12-01)", "due-date", "2026-12-01", id="round-and-capitals"),
    pytest.param("Pay [Tél.:: 555]", "tél", "555", id="accented-and-dot"),
    pytest.param("Say [note:: a \\] b]", "note", "a \\] b", id="escaped-bracket"),
])  # fmt: skip
def test_dataview_keys(text: str, key: str, value: str) -> None:
    [field] = find_fields(text)
    assert (field.key, field.value) == (key, value)


@pytest.mark.parametrize("text", [
    "Call Fred (re: invoice) [[fred-smith]]", "a [b] c", "[::x]", "see [[Page]] and (notes)",
])  # fmt: skip
def test_not_fields(text: str) -> None:
    assert find_fields(text) == []
    assert strip_fields(text) == text


def test_canonical_key_follows_dataview() -> None:
    assert [canonical_key(k) for k in ("Due Date", " due  date ", "dependsOn", "✅ done", "a_b-c")] == [
        "due-date", "due-date", "dependson", "✅-done", "a_b-c",
    ]


def test_unknown_fields_leave_the_text_but_stay_in_the_file() -> None:
    body = "- [ ] Call the bank [due date:: 2026-12-01] [⭐ rating:: 5] (owner!:: Mia) [id:: call]\n"
    [step] = parse_checklist(body).steps
    assert step.text == "Call the bank"
    assert step.id == "call" and step.due is None
    ticked = process_ticks(body.replace("[ ]", "[x]"), today=date(2026, 11, 20)).body
    assert ticked == body.replace("[ ]", "[x]").replace("\n", " [done:: 2026-11-20]\n")


def test_a_known_field_written_the_dataview_way() -> None:
    [step] = parse_checklist("- [ ] Send [ Due :: +3d ] [ID:: send]\n").steps
    assert step.text == "Send" and step.id == "send" and step.due is not None and str(step.due.duration) == "+3d"
