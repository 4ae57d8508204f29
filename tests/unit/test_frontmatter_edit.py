"""The lossless writer: only the changed keys' lines differ, and everything reads back."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from obm_tui.model.errors import FormatError
from obm_tui.vault import frontmatter_edit, safeyaml
from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.frontmatter_edit import (
    DELETE,
    WriteError,
    key_lines,
    new_document,
    render_scalar,
    set_body,
    set_fields,
)

TESTS = Path(__file__).resolve().parents[1]
GOLDEN = TESTS / "golden"
OBSIDIAN = TESTS / "corpus" / "obsidian"


def edit(raw: bytes, changes: dict[str, Any]) -> bytes:
    return set_fields(read_document(raw), changes)


# --- golden files ----------------------------------------------------------------------------

_TAGS = {
    "$delete": lambda _: DELETE,
    "$decimal": Decimal,
    "$date": date.fromisoformat,
    "$datetime": datetime.fromisoformat,
}


def decode(value: Any) -> Any:
    """change.json values: JSON, plus one-key objects for the types JSON lacks."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _TAGS:
        ((tag, argument),) = value.items()
        return _TAGS[tag](argument)
    if isinstance(value, dict):
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


GOLDEN_CASES = sorted(path for path in GOLDEN.iterdir() if path.is_dir())


def test_there_are_enough_golden_cases() -> None:
    assert len(GOLDEN_CASES) >= 12


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=lambda path: path.name)
def test_golden(case: Path) -> None:
    raw = (case / "input.md").read_bytes()
    changes = decode(json.loads((case / "change.json").read_text(encoding="utf-8")))
    expected = (case / "expected.md").read_bytes()
    out = edit(raw, changes)
    assert out == expected
    assert edit(out, changes) == out  # applying it again changes nothing
    data = read_document(out).data
    for key, value in changes.items():
        assert data.get(key, DELETE) == (DELETE if value is DELETE else safeyaml.read_back(value))


# --- keeping what was there ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "changes", "expected"),
    [
        pytest.param(b'---\na: "x"\n---\n', {"a": "y"}, b'---\na: "y"\n---\n', id="double-stays-double"),
        pytest.param(
            b"---\na: 'x'\n---\n", {"a": "it's"}, b"---\na: 'it''s'\n---\n", id="single-stays-single"
        ),
        pytest.param(
            b"---\na: 'x'\n---\n", {"a": "bell\a"}, b'---\na: "bell\\a"\n---\n', id="single-needs-escape"
        ),
        pytest.param(b"---\na: x\n---\n", {"a": "y z"}, b"---\na: y z\n---\n", id="plain-stays-plain"),
        pytest.param(b"---\na: x\n---\n", {"a": "on"}, b'---\na: "on"\n---\n', id="plain-quoted-when-unsafe"),
        pytest.param(b'---\na: "1"\n---\n', {"a": 2}, b'---\na: "2"\n---\n', id="quoted-number-stays-quoted"),
        pytest.param(b"---\nn: 9\n---\n", {"n": "8"}, b"---\nn: 8\n---\n", id="plain-number-stays-plain"),
        pytest.param(b"---\nn: 9.50\n---\n", {"n": "-10.25"}, b"---\nn: -10.25\n---\n", id="plain-amount"),
        pytest.param(b"---\nn: 9\n---\n", {"n": "0123"}, b'---\nn: "0123"\n---\n', id="leading-zero-quoted"),
        pytest.param(b"---\nn: x\n---\n", {"n": "8"}, b'---\nn: "8"\n---\n', id="text-to-number-quoted"),
        pytest.param(
            b"---\nn: '9'\n---\n", {"n": "8"}, b"---\nn: '8'\n---\n", id="single-quoted-number"
        ),
        pytest.param(
            b"---\na: x  # why\n---\n", {"a": "z"}, b"---\na: z  # why\n---\n", id="trailing-comment"
        ),
        pytest.param(
            b"---\na:   # why\n---\n", {"a": "z"}, b"---\na: z   # why\n---\n", id="empty-with-comment"
        ),
        pytest.param(b"---\na:\nb: 1\n---\n", {"a": "z"}, b"---\na: z\nb: 1\n---\n", id="empty-value"),
        pytest.param(b"---\na: x\n---\n", {"a": None}, b"---\na: null\n---\n", id="to-null"),
        pytest.param(
            b"---\na:\n    - x\n---\n",
            {"a": ["x", "y"]},
            b'---\na:\n    - x\n    - "y"\n---\n',
            id="list-indent-4",
        ),
        pytest.param(
            b"---\na:\n- x\n---\n", {"a": ["x", "z"]}, b"---\na:\n- x\n- z\n---\n", id="indentless-list"
        ),
        pytest.param(
            b"---\na:\n- x\n---\n", {"a": {"k": "v"}}, b"---\na:\n  k: v\n---\n", id="indentless-list-to-map"
        ),
        pytest.param(
            b"---\na: [x]  # c\n---\n", {"a": ["x", "z"]}, b"---\na: [x, z]  # c\n---\n", id="flow-stays-flow"
        ),
        pytest.param(b"---\na: [x]\n---\n", {"a": []}, b"---\na: []\n---\n", id="flow-to-empty"),
        pytest.param(
            b"---\na:\n  - x\nb: 1\n---\n", {"a": []}, b"---\na: []\nb: 1\n---\n", id="block-to-empty"
        ),
        pytest.param(
            b"---\na:\n  - x\nb: 1\n---\n", {"a": "s"}, b"---\na: s\nb: 1\n---\n", id="block-to-scalar"
        ),
        pytest.param(
            b"---\na: s  # c\nb: 1\n---\n",
            {"a": ["x"]},
            b"---\na:  # c\n  - x\nb: 1\n---\n",
            id="scalar-to-block",
        ),
        pytest.param(
            b"---\na:\n  - x\n  # inner\n  - y\n# after\nb: 1\n---\n",
            {"a": ["z"]},
            b"---\na:\n  - z\n# after\nb: 1\n---\n",
            id="comment-after-list-kept",
        ),
        pytest.param(
            b"---\na: |\n  one\n  two\n\nb: 1\n---\n",
            {"a": "three\n"},
            b"---\na: |\n  three\n\nb: 1\n---\n",
            id="literal",
        ),
        pytest.param(
            b"---\na: |\n  one\n---\n", {"a": "short"}, b"---\na: |-\n  short\n---\n", id="literal-one-line"
        ),
        pytest.param(
            b"---\na: |\n    deep\n---\n",
            {"a": "x\ny"},
            b"---\na: |-\n    x\n    y\n---\n",
            id="literal-keeps-indent",
        ),
        pytest.param(b"---\na: >\n  x\n---\n", {"a": "p\nq"}, b"---\na: >-\n  p\n\n  q\n---\n", id="folded"),
        pytest.param(
            b"---\na: |+\n  x\n\n\nb: 1\n---\n",
            {"a": "y"},
            b"---\na: |-\n  y\nb: 1\n---\n",
            id="keep-chomping-replaced-whole",
        ),
        pytest.param(
            b"---\na: x\n---\n",
            {"a": "p\nq"},
            b"---\na: |-\n  p\n  q\n---\n",
            id="multi-line-becomes-literal",
        ),
        pytest.param(
            b'---\na: "multi\n  line"  # c\nb: 1\n---\n',
            {"a": "one"},
            b'---\na: "one"  # c\nb: 1\n---\n',
            id="multi-line-quoted",
        ),
        pytest.param(
            b"---\na:\n  plain\n  words\n---\n", {"a": "w"}, b"---\na: w\n---\n", id="scalar-below-key"
        ),
        pytest.param(
            b"---\n  a: 1\n---\n", {"b": ["x"]}, b"---\n  a: 1\n  b:\n    - x\n---\n", id="indented-root"
        ),
        pytest.param(
            b"---\n{a: 1, b: 2}\n---\n", {"a": 3}, b'---\na: 3\nb: "2"\n---\n', id="flow-root-rewritten"
        ),
        pytest.param(b"---\n---\nbody\n", {"a": 1}, b"---\na: 1\n---\nbody\n", id="empty-front-matter"),
        pytest.param(b"---\n# c\n---\n", {"a": 1}, b"---\n# c\na: 1\n---\n", id="after-comment"),
        pytest.param(b"---\na: 1\n...\nb\n", {"b": 2}, b"---\na: 1\nb: 2\n...\nb\n", id="dot-dot-dot"),
        pytest.param(b"---\na: 1\n---", {"a": 2}, b"---\na: 2\n---", id="closing-without-newline"),
        pytest.param(b"---\n? a\n: 1\n---\n", {"a": 2}, b"---\n? a\n: 2\n---\n", id="explicit-key"),
        pytest.param(b'---\n"my key": 1\n---\n', {"my key": 2}, b'---\n"my key": 2\n---\n', id="quoted-key"),
        pytest.param(
            b"---\na: 1\n---\n",
            {"yes": 1, "a b": 2},
            b'---\na: 1\n"yes": 1\na b: 2\n---\n',
            id="new-keys-quoted",
        ),
    ],
)
def test_style_is_kept(raw: bytes, changes: dict[str, Any], expected: bytes) -> None:
    out = edit(raw, changes)
    assert out == expected
    assert edit(out, changes) == out


@pytest.mark.parametrize(
    ("raw", "changes", "expected"),
    [
        pytest.param(b"---\na: 1\nb: 2\nc: 3\n---\n", {"b": DELETE}, b"---\na: 1\nc: 3\n---\n", id="middle"),
        pytest.param(b"---\na: 1\nb: 2\n---\n", {"a": DELETE}, b"---\nb: 2\n---\n", id="first"),
        pytest.param(b"---\na: 1\nb: 2\n---\n", {"b": DELETE}, b"---\na: 1\n---\n", id="last"),
        pytest.param(b"---\na: 1\n---\n", {"a": DELETE}, b"---\n---\n", id="only"),
        pytest.param(b"---\na: 1\n---\n", {"z": DELETE}, b"---\na: 1\n---\n", id="missing"),
        pytest.param(
            b"---\na: |\n  x\n  y\nb:\n  - 1\n  - 2\nc: 3\n---\n",
            {"a": DELETE, "b": DELETE},
            b"---\nc: 3\n---\n",
            id="multi-line",
        ),
        pytest.param(b"---\r\na: 1\r\nb: 2\r\n---\r\n", {"a": DELETE}, b"---\r\nb: 2\r\n---\r\n", id="crlf"),
    ],
)
def test_delete(raw: bytes, changes: dict[str, Any], expected: bytes) -> None:
    assert edit(raw, changes) == expected


def test_a_new_block_next_to_a_deleted_key() -> None:
    # Found by Hypothesis: the block of `a` is inserted where the deletion of `b` starts.
    raw = b"---\na:   # nothing yet\nb:\n  m: 1\nc: 3\n---\n"
    out = edit(raw, {"a": ["x"], "b": DELETE})
    assert out == b"---\na:   # nothing yet\n  - x\nc: 3\n---\n"


def test_purchase_order_lines() -> None:
    raw = b"---\ntype: purchase-order\nlines: []\nstatus: draft\n---\n"
    out = edit(raw, {"lines": [{"sku": "MUG-01", "qty": 24}, {"sku": "TEE-02", "qty": 6}]})
    assert out == (
        b"---\ntype: purchase-order\nlines:\n  - sku: MUG-01\n    qty: 24\n"
        b"  - sku: TEE-02\n    qty: 6\nstatus: draft\n---\n"
    )
    assert read_document(out).data["lines"] == [{"sku": "MUG-01", "qty": "24"}, {"sku": "TEE-02", "qty": "6"}]


# --- line endings, BOM, final newline --------------------------------------------------------


def test_crlf_stays_crlf() -> None:
    raw = b"---\r\na: 1\r\nb:\r\n  - x\r\n---\r\nbody\r\n"
    out = edit(raw, {"b": ["x", "y"], "c": {"k": "v"}})
    assert out == b'---\r\na: 1\r\nb:\r\n  - x\r\n  - "y"\r\nc:\r\n  k: v\r\n---\r\nbody\r\n'


def test_mixed_line_endings_elsewhere_stay() -> None:
    raw = b"---\r\na: 1\nb: 2\r\nc: 3\n---\nbody\r\nmore\n"
    out = edit(raw, {"b": 5})
    assert out == b"---\r\na: 1\nb: 5\r\nc: 3\n---\nbody\r\nmore\n"


def test_bom_and_missing_final_newline_are_kept() -> None:
    raw = b"\xef\xbb\xbf---\na: 1\n---\nno newline"
    assert edit(raw, {"a": 2, "b": 3}) == b"\xef\xbb\xbf---\na: 2\nb: 3\n---\nno newline"


# --- no change, no new bytes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "changes"),
    [
        pytest.param(b"---\nqty: 24\n---\n", {"qty": 24}, id="int"),
        pytest.param(b"---\nqty: 24\n---\n", {"qty": "24"}, id="int-as-text"),
        pytest.param(b'---\nqty: "24"\n---\n', {"qty": 24}, id="quoted-int"),
        pytest.param(b"---\nrate: 120.00\n---\n", {"rate": Decimal("120.00")}, id="decimal"),
        pytest.param(b"---\ndue: 2026-11-22\n---\n", {"due": date(2026, 11, 22)}, id="date"),
        pytest.param(
            b"---\nat: 2026-11-22T10:14\n---\n", {"at": datetime(2026, 11, 22, 10, 14)}, id="datetime"
        ),
        pytest.param(b"---\nok: true\n---\n", {"ok": True}, id="bool"),
        pytest.param(b"---\nx:\n---\n", {"x": None}, id="none"),
        pytest.param(b"---\nt: [a,b]\n---\n", {"t": ("a", "b")}, id="flow-list-as-tuple"),
        pytest.param(b"---\nt:\n  -   a   # c\n---\n", {"t": ["a"]}, id="odd-spacing"),
        pytest.param(b"---\nn: 'it''s'\n---\n", {"n": "it's"}, id="single-quoted"),
        pytest.param(b"---\nz: 0024\n---\nbody", {"z": "0024", "gone": DELETE}, id="delete-missing"),
    ],
)
def test_same_value_gives_identical_bytes(raw: bytes, changes: dict[str, Any]) -> None:
    assert edit(raw, changes) == raw


def test_bool_is_not_its_text() -> None:
    assert edit(b'---\nok: "true"\n---\n', {"ok": True}) == b"---\nok: true\n---\n"
    assert edit(b"---\nok: true\n---\n", {"ok": "true"}) == b'---\nok: "true"\n---\n'


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        pytest.param({"a": 1.5}, TypeError, id="float"),
        pytest.param({"a": Decimal("NaN")}, ValueError, id="nan"),
        pytest.param({"a": object()}, TypeError, id="object"),
        pytest.param({1: "x"}, TypeError, id="int-key"),
        pytest.param({"k" * 300: "x"}, ValueError, id="long-key"),
        pytest.param({"a": {"x": {1, 2}}}, TypeError, id="nested-set"),
    ],
)
def test_unwritable_values_are_refused(changes: dict[Any, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        edit(b"---\na: 1\n---\n", changes)


def test_a_bad_rendering_is_caught_before_any_byte_is_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulate a renderer bug: text written plain that YAML reads as something else.
    monkeypatch.setattr(safeyaml, "render_inline", lambda value, style=None: "true")
    with pytest.raises(WriteError) as caught:
        edit(b"---\na: 1\nb: 2\n---\n", {"a": "yes"})
    assert "'a'" in caught.value.message
    monkeypatch.setattr(safeyaml, "render_inline", lambda value, style=None: "[unclosed")
    with pytest.raises(WriteError, match="would not read back"):
        edit(b"---\na: 1\n---\n", {"a": "x"})


# --- set_body --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "body", "expected"),
    [
        pytest.param(b"---\na: 1\n---\nold\n", "new\nlines\n", b"---\na: 1\n---\nnew\nlines\n", id="lf"),
        pytest.param(
            b"---\r\na: 1\r\n---\r\nold\r\n", "new\nx\r\n", b"---\r\na: 1\r\n---\r\nnew\r\nx\r\n", id="crlf"
        ),
        pytest.param(b"---\na: 1\n---\nold", "", b"---\na: 1\n---\n", id="empty"),
        pytest.param(b"---\na: 1\n---", "text", b"---\na: 1\n---\ntext", id="no-newline-after-closing"),
        pytest.param(b"\xef\xbb\xbf---\na: 1\n---\n", "b", b"\xef\xbb\xbf---\na: 1\n---\nb", id="bom"),
        pytest.param(b"---\na: 1 # c\n---\nx\n", "x\n", b"---\na: 1 # c\n---\nx\n", id="same"),
        pytest.param(
            b"---\na: 1\n---\nx\n", "---\nb: 2\n---\n", b"---\na: 1\n---\n---\nb: 2\n---\n", id="delimiters"
        ),
    ],
)
def test_set_body(raw: bytes, body: str, expected: bytes) -> None:
    assert set_body(read_document(raw), body) == expected


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> x\n", id="conflict-markers"),
        pytest.param("nul \x00 byte", id="nul"),
    ],
)
def test_set_body_refuses_an_unreadable_result(body: str) -> None:
    with pytest.raises(FormatError):
        set_body(read_document(b"---\na: 1\n---\n"), body)


# --- new_document, key_lines, render_scalar --------------------------------------------------


def test_new_document() -> None:
    raw = new_document(
        {
            "type": "client",
            "id": "fred-smith",
            "owner": "[[maria]]",
            "since": date(2026, 5, 1),
            "rate": Decimal("120.00"),
            "active": True,
            "tags": ["current-client"],
            "notes": None,
        },
        "# Fred\n",
    )
    assert raw == (
        b'---\ntype: client\nid: fred-smith\nowner: "[[maria]]"\nsince: 2026-05-01\nrate: 120.00\n'
        b"active: true\ntags:\n  - current-client\nnotes: null\n---\n# Fred\n"
    )


def test_new_document_crlf_and_empty() -> None:
    assert new_document({}, "x\n", "\r\n") == b"---\r\n---\r\nx\r\n"
    assert new_document({"a": "b"}) == b"---\na: b\n---\n"
    with pytest.raises(ValueError):
        new_document({}, newline="\r")
    with pytest.raises(FormatError):
        new_document({}, "<<<<<<< HEAD\n")


def test_key_lines() -> None:
    raw = b"\xef\xbb\xbf---\r\n# c\r\na: 1\r\nb:\r\n  - x\r\n\r\n'c': |\r\n  t\r\nd: 4\r\n---\r\nbody\r\n"
    assert key_lines(read_document(raw)) == {"a": 3, "b": 4, "c": 7, "d": 9}
    assert key_lines(read_document(b"---\n---\n")) == {}


def test_render_scalar_is_exported() -> None:
    assert render_scalar("[[fred-smith]]") == '"[[fred-smith]]"'
    assert frontmatter_edit.render_scalar is safeyaml.render_scalar
    assert repr(DELETE) == "DELETE"
    assert type(DELETE)() is DELETE


# --- the real corpus -------------------------------------------------------------------------

CORPUS_WITH_FRONT_MATTER = [
    path
    for path in sorted(OBSIDIAN.glob("*.md"))
    if OBSIDIAN.is_dir() and path.read_bytes().startswith(b"---\n")
]


@pytest.mark.parametrize("path", CORPUS_WITH_FRONT_MATTER, ids=lambda path: path.name)
def test_corpus_no_op_is_byte_identical(path: Path) -> None:
    doc = read_document(path.read_bytes())
    assert set_fields(doc, doc.data) == doc.raw
    assert set_body(doc, doc.body) == doc.raw


@pytest.mark.parametrize("path", CORPUS_WITH_FRONT_MATTER, ids=lambda path: path.name)
def test_corpus_one_key_changes_only_its_lines(path: Path) -> None:
    raw = path.read_bytes()
    doc = read_document(raw)
    lines = key_lines(doc)
    for key in doc.data:
        out = set_fields(doc, {key: "changed"})
        before, after = raw.splitlines(keepends=True), out.splitlines(keepends=True)
        first = lines[key] - 1
        later = [line - 1 for line in lines.values() if line - 1 > first]
        end = later[0] if later else raw.count(b"\n", 0, doc.fm_end)
        assert after[:first] == before[:first]
        assert after[first].startswith(f"{key}: ".encode())
        assert after[len(after) - (len(before) - end) :] == before[end:]
        assert len(after) - (len(before) - end) - first <= 2  # "key: changed", or "key: |-" and "  changed"
        assert read_document(out).data == {**doc.data, key: "changed"}


def test_corpus_block_scalar_and_list_edits() -> None:
    path = OBSIDIAN / "tasks_Placeholder examples to capture in tests and docs.md"
    if not path.exists():
        pytest.skip("corpus missing")
    doc = read_document(path.read_bytes())
    out = set_fields(
        doc, {"TQ-group-by": ["status.type"], "TQ-extra-instructions": "# not done\n# sort by due"}
    )
    diff = [(a, b) for a, b in zip(doc.raw.splitlines(), out.splitlines(), strict=False) if a != b]
    assert diff[0] == (b"  - happens reverse", b"TQ-extra-instructions: |-")
    assert out.endswith(doc.raw[doc.fm_end :])
    assert (
        b"TQ-group-by:\n  - status.type\nTQ-extra-instructions: |-\n  # not done\n  # sort by due\n---\n"
        in out
    )
