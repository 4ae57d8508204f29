"""Property tests: what the writer writes, the strict reader reads back, and nothing else moves."""

from __future__ import annotations

import string
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from obm_tui.vault import safeyaml
from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.frontmatter_edit import DELETE, key_lines, new_document, set_fields

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEY_ALPHABET = string.ascii_letters + string.digits + "-_"
NASTY = [
    "", " ", "yes", "No", "on", "OFF", "y", "n", "~", "null", "NULL", "true", "False",
    "01234", "12:30", "1e3", ".5", "0x1F", "0o17", "1_000", "-5", "+1", ".inf", "-.Inf", ".NaN",
    "2026-11-22", "2026-02-30", "2026-11-22T10:14", "2026-1-2", "<<", "=", "...", "---",
    "[[fred-smith]]", "[[fred|Fred]]", "[TODO] call", "price [$5]", "[@click=app.quit]x[/]",
    "a: b", "a:b", "a #b", "a#b", "#tag", "- item", "? q", ": v", "key:", "'single'", '"double"',
    "it's", 'say "hi"', "back\\slash", "tab\there", "line\nbreak", "trailing\n", "two\n\n",
    "\nleading", "  indented\nnext", "a\n  \nb", "\x1b[31mred\x1b[0m", "nul\x00byte", "bell\a",
    "del\x7f", "c1\x85nel", "ls\u2028ps\u2029", "bom\ufeff", "nbsp\xa0", "café", "日本語", "emoji 🙂",
    "\ufffd", "x,y", "{a: 1}", "%directive", "@at", "`tick`", "!tag", "&anchor", "*alias", "|", ">",
    "a\r\nb", "cr\ronly", "line\n---\nrule", "end with space ", " start", "\t",
]  # fmt: skip
TEXT_CHARS = st.characters(codec="utf-8") | st.sampled_from(
    list(":#-[]{}'\"\\ \t\n\r|>*&!%@`,?~\0\x1b\x85\u2028\u2029\ufeff")
)

keys = st.text(alphabet=KEY_ALPHABET, min_size=1, max_size=12)
texts = st.sampled_from(NASTY) | st.text(TEXT_CHARS, max_size=30)
decimals = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**6), max_value=10**6)
datetimes = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)) | st.builds(
    lambda d, m: d.replace(tzinfo=timezone(timedelta(minutes=m))),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.integers(-720, 720),
)
scalars = (
    texts | st.integers(-(10**12), 10**12) | decimals | st.dates() | datetimes | st.booleans() | st.none()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=8,
)
documents = st.dictionaries(keys, values, max_size=8)

TEMPLATE = (
    b"---\n"
    b"# A client record, written by hand\n"
    b"type: client\n"
    b'name: "Fred Smith"  # the owner\n'
    b"nick: 'fred'\n"
    b"rate: 120.00\n"
    b"\n"
    b"tags:\n"
    b"  - current-client\n"
    b"  - vip\n"
    b"flow: [a, b]  # a flow list\n"
    b"notes: |\n"
    b"  Line one.\n"
    b"  Line two.\n"
    b"\n"
    b"address:\n"
    b"  city: Leeds\n"
    b"  lines:\n"
    b"    - 1 High St\n"
    b"empty:\n"
    b"last: true\n"
    b"---\n"
    b"# Fred\n"
    b"\n"
    b"---\n"
    b"A thematic break above; the body has no final newline."
)

EXOTIC = (
    b"---\r\n"
    b"keep: |+\r\n"
    b"  kept\r\n"
    b"\r\n"
    b"folded: >\n"
    b"  one\n"
    b"  two\n"
    b"indentless:\n"
    b"- x\r\n"
    b"# between items\n"
    b"- y\n"
    b'"quoted key": 1  # c\n'
    b"below:\n"
    b"    plain words\n"
    b"    on two lines\n"
    b"? explicit\n"
    b": 2\n"
    b"empty:   # nothing yet\n"
    b"deep:\n"
    b"    m:\n"
    b"        - 'a'\n"
    b"flowmap: {k: v, n: [1, 2]}\n"
    b'multi: "two\n'
    b'  lines"\n'
    b"---\r\n"
    b"body\r\n"
)
TEMPLATES = [TEMPLATE, EXOTIC]


def lines(raw: bytes) -> list[bytes]:
    return raw.splitlines(keepends=True)


def entry_span(raw: bytes, key: str) -> tuple[int, int]:
    """0-based [first, end) line indexes of a key's entry: its line up to the next key's line
    (or the closing delimiter); trailing blank and comment lines count as the entry's."""
    doc = read_document(raw)
    starts = sorted(key_lines(doc).values())
    closing = doc.raw.count(b"\n", 0, doc.fm_end)
    first = key_lines(doc)[key] - 1
    later = [line - 1 for line in starts if line - 1 > first]
    return first, later[0] if later else closing


@SETTINGS
@given(
    documents, st.text(TEXT_CHARS.filter(lambda c: c != "\0"), max_size=40), st.sampled_from(["\n", "\r\n"])
)
def test_new_document_reads_back(fields: dict[str, Any], body: str, newline: str) -> None:
    raw = new_document(fields, body, newline)
    doc = read_document(raw)
    assert doc.data == safeyaml.read_back(fields)
    assert list(doc.data) == list(fields)
    assert doc.body == (body.replace("\r\n", "\n").replace("\n", "\r\n") if newline == "\r\n" else body)


@SETTINGS
@given(scalars)
@example("\x1b[31m")
@example("nul\x00")
def test_render_scalar_reads_back(value: Any) -> None:
    text = safeyaml.render_scalar(value)
    assert "\n" not in text
    assert safeyaml.load(f"k: {text}\n") == {"k": safeyaml.read_back(value)}
    assert safeyaml.load(f"k: [{safeyaml.render_scalar(value, flow=True)}]\n") == {
        "k": [safeyaml.read_back(value)]
    }


def check_change(raw: bytes, key: str, value: Any) -> bytes:
    doc = read_document(raw)
    out = set_fields(doc, {key: value})
    new = read_document(out).data
    expected = dict(doc.data)
    if value is DELETE:
        expected.pop(key, None)
    else:
        expected[key] = safeyaml.read_back(value)
    assert new == expected
    assert list(new) == list(expected)
    old_lines, new_lines = lines(raw), lines(out)
    if key in doc.data:
        first, end = entry_span(raw, key)
        assert new_lines[:first] == old_lines[:first]
        tail = old_lines[end:]
        assert new_lines[len(new_lines) - len(tail) :] == tail
    elif value is not DELETE:
        closing = raw.count(b"\n", 0, doc.fm_end)
        assert new_lines[:closing] == old_lines[:closing]
        assert new_lines[len(new_lines) - (len(old_lines) - closing) :] == old_lines[closing:]
    assert out[len(out) - len(raw) + doc.body_start :] == raw[doc.body_start :]
    return out


@SETTINGS
@given(st.sampled_from(TEMPLATES), st.data(), st.booleans())
def test_set_fields_on_a_hand_written_file(template: bytes, data: st.DataObject, crlf: bool) -> None:
    raw = template.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") if crlf else template
    key = data.draw(st.sampled_from([*read_document(raw).data, "brand-new"]), label="key")
    value = data.draw(values | st.just(DELETE), label="value")
    out = check_change(raw, key, value)
    if crlf:
        assert b"\n" not in out.replace(b"\r\n", b"")
    assert set_fields(read_document(out), {key: value}) == out


@SETTINGS
@given(st.sampled_from(TEMPLATES), st.data())
def test_several_changes_at_once(template: bytes, data: st.DataObject) -> None:
    doc = read_document(template)
    names = st.sampled_from([*doc.data, "new-1", "new-2"]) | keys
    changes = data.draw(st.dictionaries(names, values | st.just(DELETE), max_size=5), label="changes")
    out = set_fields(doc, changes)
    expected = {**doc.data, **{k: safeyaml.read_back(v) for k, v in changes.items() if v is not DELETE}}
    expected = {k: v for k, v in expected.items() if changes.get(k) is not DELETE}
    assert read_document(out).data == expected
    assert list(read_document(out).data) == list(expected)
    old_lines = lines(template)
    for key in doc.data.keys() - changes.keys():
        first, end = entry_span(template, key)
        assert b"".join(old_lines[first:end]) in out


@SETTINGS
@given(documents.filter(bool), st.data())
def test_set_fields_on_a_written_file(fields: dict[str, Any], data: st.DataObject) -> None:
    raw = new_document(fields, "body\n")
    key = data.draw(st.sampled_from(list(fields)) | keys, label="key")
    value = data.draw(values | st.just(DELETE), label="value")
    out = check_change(raw, key, value)
    assert set_fields(read_document(out), {key: value}) == out


@SETTINGS
@given(documents)
def test_writing_what_is_there_is_byte_identical(fields: dict[str, Any]) -> None:
    raw = new_document(fields)
    doc = read_document(raw)
    assert set_fields(doc, fields) == raw
    assert set_fields(doc, doc.data) == raw
    assert set_fields(read_document(TEMPLATE), read_document(TEMPLATE).data) == TEMPLATE


def test_regression_leading_empty_line_then_tab_is_double_quoted() -> None:
    """Found by Hypothesis: a block scalar whose first text line starts with a tab misreads."""
    from obm_tui.vault.frontmatter import read_document
    from obm_tui.vault.frontmatter_edit import new_document

    assert read_document(new_document({"k": "\n\t0"})).data == {"k": "\n\t0"}
