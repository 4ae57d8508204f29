"""Output made safe: every unsafe character shown on a terminal, escaped in JSON (the value kept)."""

from __future__ import annotations

import json

import pytest

from obm_tui.model.display import json_safe, terminal_safe

UNSAFE = ["\x00", "\x07", "\x1b", "\r", "\x7f", "\x85", "\x9b", "\u200b", "\u200d", "\u200e", "\u200f", "\u2060",
          "\ufeff", "\u202a", "\u202e", "\u2066", "\u2069"]


@pytest.mark.parametrize(("text", "shown"), [
    pytest.param("plain [markup] é", "plain [markup] é", id="plain"),
    pytest.param("two\nlines\tand a tab", "two\nlines\tand a tab", id="layout-kept"),
    pytest.param("red \x1b[31mtext", "red ␛[31mtext", id="esc"),
    pytest.param("over\rwrite", "over␍write", id="lone-cr"),
    pytest.param("crlf\r\nline", "crlf\nline", id="crlf"),
    pytest.param("pay\u202eevil", "pay\\u202eevil", id="bidi-override"),
    pytest.param("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff", id="zero-width"),
    pytest.param("c1\x9b31m", "c1\\u009b31m", id="c1"),
])
def test_terminal_safe(text: str, shown: str) -> None:
    assert terminal_safe(text) == shown
    assert terminal_safe(shown) == shown  # idempotent


@pytest.mark.parametrize("char", UNSAFE)
def test_each_unsafe_character_is_shown_and_escaped(char: str) -> None:
    value = {"name": f"a{char}b", "list": [f"{char}"]}
    document = json_safe(json.dumps(value, ensure_ascii=False, indent=1))
    assert char not in terminal_safe(f"a{char}b") and char not in document
    assert json.loads(document) == value
