"""The strict YAML reader and the scalar writer: what is read, what is refused, what is written."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from obm_tui.model.errors import FormatError
from obm_tui.vault import safeyaml


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a: NO", "NO", id="yaml11-no"),
        pytest.param("a: yes", "yes", id="yaml11-yes"),
        pytest.param("a: on", "on", id="yaml11-on"),
        pytest.param("a: OFF", "OFF", id="yaml11-off"),
        pytest.param("a: y", "y", id="yaml11-y"),
        pytest.param("a: 01234", "01234", id="octal-looking-zip"),
        pytest.param("a: 12:30", "12:30", id="sexagesimal"),
        pytest.param("a: 1e3", "1e3", id="exponent"),
        pytest.param("a: .5", ".5", id="leading-dot"),
        pytest.param("a: 0x1F", "0x1F", id="hex"),
        pytest.param("a: 1_000", "1_000", id="underscores"),
        pytest.param("a: .inf", ".inf", id="infinity"),
        pytest.param("a: 120.00", "120.00", id="money-keeps-its-zeros"),
        pytest.param("a: 24", "24", id="int-is-text"),
        pytest.param("a: 2026-11-22", "2026-11-22", id="date-is-text"),
        pytest.param("a: 2026-02-30", "2026-02-30", id="impossible-date"),
        pytest.param("a: 2026-13-01", "2026-13-01", id="month-13"),
        pytest.param("a: 2026-11-22T25:00", "2026-11-22T25:00", id="hour-25"),
        pytest.param("a: 22/11/2026", "22/11/2026", id="day-first-date"),
        pytest.param("a: true", True, id="true"),
        pytest.param("a: False", False, id="false"),
        pytest.param("a: TRUE", True, id="TRUE"),
        pytest.param("a: null", None, id="null"),
        pytest.param("a: ~", None, id="tilde"),
        pytest.param("a:", None, id="empty"),
        pytest.param('a: "true"', "true", id="quoted-true-is-text"),
        pytest.param("a: '~'", "~", id="quoted-tilde-is-text"),
        pytest.param('a: "\\x1b[31m"', "\x1b[31m", id="escape-sequence"),
        pytest.param('a: "\\e[0m"', "\x1b[0m", id="escape-e"),
        pytest.param('a: "nul\\0"', "nul\x00", id="escaped-nul"),
        pytest.param('a: "\\L\\P\\N"', "\u2028\u2029\x85", id="unicode-line-separators"),
        pytest.param("a: '[@click=app.quit]x[/]'", "[@click=app.quit]x[/]", id="markup-is-literal"),
        pytest.param("a: price [$5]", "price [$5]", id="brackets-inside"),
        pytest.param("a: !!str 12", "12", id="explicit-str-tag"),
    ],
)
def test_plain_scalars_stay_text(text: str, expected: Any) -> None:
    assert safeyaml.load(text) == {"a": expected}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        pytest.param("a: &x 1\nb: *x\n", 1, "aliases and anchors", id="alias"),
        pytest.param("a: &x 1\n", 1, "aliases and anchors", id="anchor-alone"),
        pytest.param("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a'", id="duplicate-key"),
        pytest.param("<<: {a: 1}\nb: 2\n", 1, "merge keys (<<) are not allowed", id="merge-key"),
        pytest.param("a: 1\nb:\n  <<: {c: 1}\n", 3, "merge keys (<<) are not allowed", id="nested-merge-key"),
        pytest.param("<<: x\n", 1, "merge keys (<<) are not allowed", id="merge-key-plain-value"),
        pytest.param("a: !!python/object/apply:os.system [ls]\n", 1, "is not allowed", id="python-apply"),
        pytest.param("a: !!python/name:os.system\n", 1, "is not allowed", id="python-name"),
        pytest.param("a: !!binary aGk=\n", 1, "is not allowed", id="binary"),
        pytest.param("a: !!int 12\n", 1, "is not allowed", id="int-tag"),
        pytest.param("a: !local x\n", 1, "is not allowed", id="local-tag"),
        pytest.param("true: 1\n", 1, "keys must be text", id="bool-key"),
        pytest.param("~: 1\n", 1, "keys must be text", id="null-key"),
        pytest.param("[a]: 1\n", 1, "keys must be text", id="list-key"),
        pytest.param("a:\n\t- x\n", 2, "YAML indents with spaces, not tabs", id="tab-indent"),
        pytest.param("a: 1\n\tb: 2\n", 2, "YAML indents with spaces, not tabs", id="tab-before-key"),
        pytest.param("a: x\x1by\n", 1, "control character (U+001B)", id="raw-escape"),
        pytest.param("a: 1\nb: x\x07\n", 2, "control character (U+0007)", id="raw-bell"),
        pytest.param('a: "open\n', 2, "YAML: while scanning a quoted scalar", id="unclosed-quote"),
        pytest.param("a: [1, 2\n", 2, "YAML:", id="unclosed-flow"),
        pytest.param("a: b: c\n", 1, "YAML:", id="mapping-in-plain"),
        pytest.param("a: [TODO] call\n", 1, "YAML:", id="unquoted-markup-at-start"),
        pytest.param("a: " + "[" * 21 + "]" * 21, 1, "nested deeper than 20 levels", id="deep-flow"),
    ],
)
def test_refused(text: str, line: int, reason: str) -> None:
    with pytest.raises(FormatError) as caught:
        safeyaml.load(text)
    assert reason in caught.value.reason
    assert caught.value.line == line


def test_billion_laughs_is_refused_at_its_first_alias() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
    )
    with pytest.raises(FormatError) as caught:
        safeyaml.load(bomb)
    assert "aliases and anchors" in caught.value.reason
    assert caught.value.line == 1


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: " + "[" * 100_000 + "]" * 100_000, id="flow-100k"),
        pytest.param("a: " + "{a: " * 50_000 + "}" * 50_000, id="flow-map-50k"),
        pytest.param("a:\n  " + "- " * 100_000 + "x", id="block-100k"),
        pytest.param("? " * 100_000 + "x", id="explicit-keys-100k"),
    ],
)
def test_deep_nesting_is_refused_without_crashing(text: str) -> None:
    # LibYAML composes recursively in C: without the token pre-scan this kills the process.
    with pytest.raises(FormatError) as caught:
        safeyaml.load(text)
    assert caught.value.reason == f"nested deeper than {safeyaml.MAX_DEPTH} levels"  # ours, whatever LibYAML says


def test_nesting_at_the_limit_is_read() -> None:
    assert safeyaml.load("a: " + "[" * 19 + "]" * 19) is not None


# --- writing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param("plain words", "plain words", id="plain"),
        pytest.param("Fred, Maria", "Fred, Maria", id="comma-in-block-context"),
        pytest.param("café 日本 🙂", "café 日本 🙂", id="unicode"),
        pytest.param("a#b", "a#b", id="hash-without-space"),
        pytest.param("yes", '"yes"', id="yes"),
        pytest.param("No", '"No"', id="No"),
        pytest.param("on", '"on"', id="on"),
        pytest.param("OFF", '"OFF"', id="OFF"),
        pytest.param("y", '"y"', id="y"),
        pytest.param("null", '"null"', id="null"),
        pytest.param("~", '"~"', id="tilde"),
        pytest.param("true", '"true"', id="true-text"),
        pytest.param("01234", '"01234"', id="leading-zero"),
        pytest.param("12:30", '"12:30"', id="sexagesimal"),
        pytest.param("1e3", '"1e3"', id="exponent"),
        pytest.param(".5", '".5"', id="leading-dot"),
        pytest.param("0x1F", '"0x1F"', id="hex"),
        pytest.param("24", '"24"', id="digits-as-text"),
        pytest.param("-5", '"-5"', id="negative-as-text"),
        pytest.param(".inf", '".inf"', id="inf"),
        pytest.param("<<", '"<<"', id="merge-key"),
        pytest.param("2026-11-22", "2026-11-22", id="date-text-plain"),
        pytest.param("2026-11-22T10:14", "2026-11-22T10:14", id="datetime-text-plain"),
        pytest.param("2026-02-30", '"2026-02-30"', id="impossible-date-quoted"),
        pytest.param("2026-1-2", '"2026-1-2"', id="short-date-quoted"),
        pytest.param("[[fred-smith]]", '"[[fred-smith]]"', id="wiki-link"),
        pytest.param("[TODO] call", '"[TODO] call"', id="markup"),
        pytest.param("{a}", '"{a}"', id="brace"),
        pytest.param("- item", '"- item"', id="dash"),
        pytest.param("#tag", '"#tag"', id="hash"),
        pytest.param("* star", '"* star"', id="star"),
        pytest.param("&amp", '"&amp"', id="ampersand"),
        pytest.param("!bang", '"!bang"', id="bang"),
        pytest.param("%pct", '"%pct"', id="percent"),
        pytest.param("@at", '"@at"', id="at"),
        pytest.param("`tick`", '"`tick`"', id="backtick"),
        pytest.param("? q", '"? q"', id="question"),
        pytest.param("|pipe", '"|pipe"', id="pipe"),
        pytest.param(">gt", '">gt"', id="gt"),
        pytest.param(",comma", '",comma"', id="comma-first"),
        pytest.param("'quoted'", "\"'quoted'\"", id="single-quote-first"),
        pytest.param('"quoted"', '"\\"quoted\\""', id="double-quote-first"),
        pytest.param("a: b", '"a: b"', id="colon-space"),
        pytest.param("key:", '"key:"', id="colon-at-end"),
        pytest.param("a #b", '"a #b"', id="space-hash"),
        pytest.param(" lead", '" lead"', id="leading-space"),
        pytest.param("trail ", '"trail "', id="trailing-space"),
        pytest.param("", '""', id="empty"),
        pytest.param("...", '"..."', id="document-end"),
        pytest.param("tab\there", '"tab\\there"', id="tab"),
        pytest.param("two\nlines", '"two\\nlines"', id="newline"),
        pytest.param("cr\r", '"cr\\r"', id="carriage-return"),
        pytest.param("\x1b[31mred", '"\\e[31mred"', id="escape"),
        pytest.param("nul\x00", '"nul\\0"', id="nul"),
        pytest.param("bell\a", '"bell\\a"', id="bell"),
        pytest.param("del\x7f", '"del\\x7F"', id="delete"),
        pytest.param("c1\x9b", '"c1\\x9B"', id="c1-csi"),
        pytest.param("nel\x85", '"nel\\N"', id="next-line"),
        pytest.param("ls\u2028ps\u2029", '"ls\\Lps\\P"', id="line-separators"),
        pytest.param("bom\ufeff", '"bom\\uFEFF"', id="bom"),
        pytest.param("back\\slash", "back\\slash", id="backslash-plain"),
        pytest.param('say "hi"', 'say "hi"', id="inner-quotes-plain"),
        pytest.param(24, "24", id="int"),
        pytest.param(-5, "-5", id="negative-int"),
        pytest.param(Decimal("120.00"), "120.00", id="decimal"),
        pytest.param(Decimal("1E+3"), "1000", id="decimal-exponent"),
        pytest.param(date(2026, 11, 22), "2026-11-22", id="date"),
        pytest.param(datetime(2026, 11, 22, 10, 14), "2026-11-22T10:14", id="datetime-minutes"),
        pytest.param(datetime(2026, 11, 22, 10, 14, 5), "2026-11-22T10:14:05", id="datetime-seconds"),
        pytest.param(
            datetime(2026, 11, 22, 10, 14, tzinfo=timezone(timedelta(hours=2))),
            "2026-11-22T10:14+02:00",
            id="datetime-offset",
        ),
        pytest.param(True, "true", id="bool-true"),
        pytest.param(False, "false", id="bool-false"),
        pytest.param(None, "null", id="none"),
    ],
)
def test_render_scalar(value: Any, text: str) -> None:
    assert safeyaml.render_scalar(value) == text
    assert safeyaml.load(f"k: {text}") == {"k": safeyaml.read_back(value)}


@pytest.mark.parametrize(
    ("value", "style", "text"),
    [
        pytest.param("plain", '"', '"plain"', id="double-kept"),
        pytest.param(24, '"', '"24"', id="double-kept-for-numbers"),
        pytest.param("it's", "'", "'it''s'", id="single-kept"),
        pytest.param("x\ny", "'", '"x\\ny"', id="single-falls-back"),
        pytest.param(True, '"', "true", id="bool-never-quoted"),
        pytest.param(None, "'", "null", id="none-never-quoted"),
    ],
)
def test_render_scalar_keeps_a_quoting_style(value: Any, style: str, text: str) -> None:
    assert safeyaml.render_scalar(value, style=style) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param("a,b", '"a,b"', id="comma"),
        pytest.param("a:b", '"a:b"', id="colon"),
        pytest.param("x]", '"x]"', id="bracket"),
        pytest.param(datetime(2026, 11, 22, 10, 14), '"2026-11-22T10:14"', id="datetime"),
        pytest.param("plain", "plain", id="plain"),
    ],
)
def test_render_scalar_in_a_flow_list(value: Any, text: str) -> None:
    assert safeyaml.render_scalar(value, flow=True) == text


@pytest.mark.parametrize(
    ("value", "error"),
    [
        pytest.param(1.5, TypeError, id="float"),
        pytest.param(Decimal("NaN"), ValueError, id="nan"),
        pytest.param(Decimal("Infinity"), ValueError, id="infinity"),
        pytest.param({1, 2}, TypeError, id="set"),
        pytest.param(b"bytes", TypeError, id="bytes"),
        pytest.param(object(), TypeError, id="object"),
        pytest.param({1: "x"}, TypeError, id="int-key"),
        pytest.param({"k" * 201: "x"}, ValueError, id="long-key"),
        pytest.param("lone \ud800", ValueError, id="lone-surrogate"),
    ],
)
def test_values_that_cannot_be_written(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        safeyaml.read_back(value)


@pytest.mark.parametrize(
    ("text", "style", "lines"),
    [
        pytest.param("a\nb", "|", ["|-", "  a", "  b"], id="literal-strip"),
        pytest.param("a\nb\n", "|", ["|", "  a", "  b"], id="literal-clip"),
        pytest.param("a\n\n  code\nb", "|", ["|-", "  a", "", "    code", "  b"], id="literal-indented-line"),
        pytest.param("a\nb", ">", [">-", "  a", "", "  b"], id="folded"),
        pytest.param("a\n\nb", ">", [">-", "  a", "", "", "  b"], id="folded-paragraph"),
        pytest.param("a\n  b", ">", ["|-", "  a", "    b"], id="folded-falls-back-to-literal"),
        pytest.param(" lead\nx", "|", None, id="leading-space"),
        pytest.param("a\n\n\n", "|", None, id="many-trailing-newlines"),
        pytest.param("a\n \nb", "|", None, id="whitespace-only-line"),
        pytest.param("esc\x1b\nx", "|", None, id="control-character"),
        pytest.param("ls\u2028\nx", "|", None, id="line-separator"),
    ],
)
def test_render_block_scalar(text: str, style: str, lines: list[str] | None) -> None:
    assert safeyaml.render_block_scalar(text, 2, style) == lines
    if lines is not None:
        assert safeyaml.load("k: " + "\n".join(lines) + "\n") == {"k": text}


def test_render_block_nested() -> None:
    value = {"sku": "MUG-01", "qty": 24, "notes": "a\nb", "tags": ["x", ["y"]], "e": [], "m": {"k": None}}
    lines = safeyaml.render_block([value], 2)
    assert lines == [
        "  - sku: MUG-01",
        "    qty: 24",
        "    notes: |-",
        "      a",
        "      b",
        "    tags:",
        "      - x",
        '      - - "y"',
        "    e: []",
        "    m:",
        "      k: null",
    ]
    assert safeyaml.load("k:\n" + "\n".join(lines)) == {"k": [safeyaml.read_back(value)]}


def test_render_inline_flow() -> None:
    value = ["z", {"sku": "MUG-01", "qty": 24}, "[[x]]", "a,b", None, True, []]
    text = safeyaml.render_inline(value)
    assert text == '[z, {sku: MUG-01, qty: 24}, "[[x]]", "a,b", null, true, []]'
    assert safeyaml.load(f"k: {text}") == {"k": safeyaml.read_back(value)}


@pytest.mark.parametrize("text", ["a: !!bool maybe", "a: !!map x", "a: !!seq x"], ids=["bool", "map", "seq"])
def test_a_value_that_does_not_fit_its_tag_is_a_format_error(text: str) -> None:
    with pytest.raises(FormatError, match="does not fit its explicit tag"):
        safeyaml.load(text)


@pytest.mark.parametrize("text", ["\nleading", "\n\nleading\nand more", "\na\n\nb\n", "a\n\nb", "one\ntwo"])
def test_a_folded_scalar_reads_back_with_its_leading_empty_lines(text: str) -> None:
    # Found by Hypothesis (test_frontmatter_roundtrip): "\nleading" came back as "\n\nleading",
    # so a `>` field could not take a value starting with a line break.
    block = safeyaml.render_block_scalar(text, 2, ">")
    assert block is not None
    assert safeyaml.load("a: " + "\n".join(block) + "\n") == {"a": text}
