"""Markdown's rule for mail: a single newline inside a paragraph is a space; lists, quotes,
headings, tables, code and hard breaks keep their lines."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from obm_tui.model.reflow import reflow


def test_a_paragraph_written_with_hard_line_breaks_is_one_line() -> None:
    text = ("Hi Jane,\n\nThanks for your order! The mug was packed in paper (and of\nthe box, a little tissue)\n"
            "and left us on Monday.\n\nMia, Fred Smith Coaching")
    assert reflow(text) == ("Hi Jane,\n\nThanks for your order! The mug was packed in paper (and of the box, a "
                            "little tissue) and left us on Monday.\n\nMia, Fred Smith Coaching")


def test_lists_quotes_headings_tables_and_code_keep_their_lines() -> None:
    text = ("What happens next:\n\n- we ship the planner\n  the next business day\n- you get a tracking\nnumber\n"
            "1. first\n2. second\n\n> On Monday Jane wrote:\n> where is my order?\n\n# Heading\nafter heading\n\n"
            "| a | b |\n|---|---|\n\n```\ncode line one\ncode line two\n```\n\n    indented\n    code")
    assert reflow(text) == ("What happens next:\n\n- we ship the planner the next business day\n"
                            "- you get a tracking number\n1. first\n2. second\n\n> On Monday Jane wrote:\n"
                            "> where is my order?\n\n# Heading\nafter heading\n\n| a | b |\n|---|---|\n\n"
                            "```\ncode line one\ncode line two\n```\n\n    indented\n    code")


def test_a_hard_break_keeps_its_line_without_its_mark_and_windows_newlines_are_read() -> None:
    assert reflow("Mia Torres  \nOnline business manager\\\nFred Smith Coaching") == (
        "Mia Torres\nOnline business manager\nFred Smith Coaching")
    assert reflow("one\r\ntwo\r\n\r\nthree") == "one two\n\nthree"


@given(st.text(alphabet=st.sampled_from(list("ab -*>#|`1.\n\t\\")), max_size=80))
def test_reflow_keeps_every_word_and_every_blank_line(text: str) -> None:
    once = reflow(text)

    def letters(value: str) -> str:
        return "".join(value.split()).replace("\\", "")

    def blank_lines(value: str) -> int:
        return sum(1 for line in value.replace("\r\n", "\n").split("\n") if not line.strip())

    assert letters(once) == letters(text.replace("\r\n", "\n"))
    assert blank_lines(once) == blank_lines(text)
