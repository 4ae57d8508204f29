"""Odd but readable YAML: the writer edits it losslessly or refuses it in words, never with a crash."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obm_tui.model.errors import FormatError
from obm_tui.vault import safeyaml
from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.frontmatter_edit import DELETE, WriteError, key_lines, set_fields
from obm_tui.vault.frontmatter_probe import edit_refusal

# Entries in the shapes people (and other tools) write: explicit keys, tags, anchors, flow
# mappings, complex keys, duplicates, comments in odd places, tabs, block scalars of every kind.
FRAGMENTS = [
    "a: 1", "? b", "? c\n: 2", "?\n  d\n: 3", "? e\n:\n  - x", "f: !!str 5", "g: &x 1", "h: !!str\n  multi",
    "i: {p: 1, q: [2]}", "j: [1,\n  2]", "k: # c\n  v", "l:\t1", "m:  |\n  t\n     \n", "n: >-\n  a\n\n  b",
    "o: |2\n    x", "'p q': 1", '"r": 2', "s:\n- 1\n- 2", "t:\n  u: 1\n  # c\n  w: 2", "# top", "",
    "x: 'a\n  b'", "? y\n: # c\n  z", "z1: |+\n  a\n\n", "z2: !!null", "z3: !!map {a: 1}", "z4:\n    deep",
    "z5 : v", "? 'q k'\n: v", "z6: v # c", "z7: [a, b]  # c", "? z8\n:\n", "z9: |\n  a\n \t\n",
    "y1: !!seq\n- a", 'y2: "a\n\n  b"', "  y3: 1", " ? y4\n : 5", "y5:\n  ? q\n  : 1", "y6: |\n\n  x",
    "y7: >\n  a\n   b\n  c", "y8:\n  - |\n    q\n  - r", "? [a, b]\n: 1", "{a: 1}", "w1: {a: 1,\n  b: 2}",
    "w2:\t# c\n  - x", "w3:  \t'q'", "# c: x", 'w4: "a\\\n  b"', "w5: |1\n  x\n   ", "w6: >+\n  x\n\n",
    "w7: !custom x", "w8: &a [1]\nw9: *a", "w8: 1\nw8: 2", "? w10\n? w11", "w12:\n  -\n  - x",
    "w14: x\n  # c\n", "w15:\n  # c\n  - x", "w16: |-\n  x\n\n  ", "? w17 # c\n: # d\n  v # e",
    "w18: !!binary aGk=", '"w21\\n": x', "w22: x\n\n# c\n\n", "<<: {a: 1}",
]  # fmt: skip
NEW_VALUES: list[Any] = ["x", "two\nlines\n", ["a", "b"], {"k": "v"}, DELETE, None, "a\n   \n", True]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=5), st.sampled_from(["\n", "\r\n"]), st.data())
def test_the_writer_edits_or_refuses_in_words(fragments: list[str], nl: str, data: st.DataObject) -> None:
    raw = f"---{nl}{nl.join(fragments)}{nl}---{nl}body{nl}".encode()
    try:
        doc = read_document(raw)
    except FormatError:
        return  # refused by the reader: `obm check` lists it, the app never writes it
    key = data.draw(st.sampled_from([*doc.data, "new", "status"]))
    value = data.draw(st.sampled_from(NEW_VALUES))
    key_lines(doc)
    try:
        out = set_fields(doc, {key: value})
    except WriteError as exc:
        assert exc.message.startswith("obm cannot edit this record")
        if value is DELETE or (key not in doc.data and value == "x"):  # what `obm check` tries
            assert edit_refusal(doc) is not None
        return
    expected = {k: v for k, v in doc.data.items() if k != key}
    if value is not DELETE:
        expected[key] = safeyaml.read_back(value)
    assert read_document(out).data == expected


@pytest.mark.parametrize("raw", [
    pytest.param(b"---\ntype: client\nid: q\nname: Q\n? tags\n---\n", id="explicit-key-alone"),
    pytest.param(b"---\n? type\n: client\n? id\n: q\n---\n", id="explicit-keys"),
    pytest.param(b"---\n? type # a comment\n: client\nid: q\n---\n", id="explicit-key-comment"),
    pytest.param(b"---\ntype: client\nnotes: |\n  hello\n     \nid: q\n---\n", id="block-deeper-spaces"),
    pytest.param(b"---\ntype: client\nid: q\nnotes: |\n  hello\n     \n---\n", id="block-deeper-spaces-last"),
])  # fmt: skip
def test_explicit_keys_and_spaces_in_blocks_are_editable(raw: bytes) -> None:
    doc = read_document(raw)
    assert edit_refusal(doc) is None
    for changes in ({"status": "current"}, {"type": "ticket"}, {"tags": ["vip"]}, {"notes": "new\n"}):
        out = set_fields(doc, changes)
        assert read_document(out).data == {**doc.data, **changes}
        assert set_fields(read_document(out), changes) == out


def test_a_record_the_writer_cannot_edit_is_named_beforehand() -> None:
    # A comment line indented under a plain value: a `|` block above it would swallow it once
    # the key between them is gone.
    doc = read_document(b"---\nnotes: |\n\n  x\nname: x\n  # c\n\n---\n")
    reason = edit_refusal(doc)
    assert reason is not None and reason.startswith("removing 'name': obm cannot edit this record")
    with pytest.raises(WriteError, match="obm cannot edit this record"):
        set_fields(doc, {"name": DELETE})


def test_usual_front_matter_is_not_probed() -> None:
    doc = read_document(b"---\ntype: client\nname: \"Fred\"  # owner\ntags:\n  - vip\nnotes: |\n  a\n---\n")
    assert edit_refusal(doc) is None
