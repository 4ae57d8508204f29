"""yaml_fast.load_plain gives exactly what safeyaml.load gives, or declines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from obm_tui.model.errors import FormatError
from obm_tui.vault import safeyaml, yaml_fast
from obm_tui.vault.frontmatter import split

REPO = Path(__file__).resolve().parents[2]


def strict(text: str) -> Any:
    try:
        return safeyaml.load(text)
    except FormatError as exc:
        return exc


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (True is not "true", nor 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def check(text: str) -> Any:
    """Assert the contract; return what the fast path gave."""
    fast = yaml_fast.load_plain(text)
    if fast is not yaml_fast.DECLINED:
        expected = strict(text)
        assert not isinstance(expected, FormatError), f"fast path accepted what the strict reader refuses: {expected}"
        assert same(fast, expected)
    return fast


PLAIN_CASES = {
    "typical": "type: ticket\nid: T-261120-K7Q\nstatus: open\ntags: [damaged, shipping]\ncreated: 2026-11-20T10:14\n",
    "no-guessing": "a: NO\nb: 01234\nc: 12:30\nd: 2026-11-22\ne: 1.5\nf: 0x1F\ng: .inf\nh: yes\n",
    "bool-and-null": "a: true\nb: False\nc: TRUE\nd: null\ne: ~\nf:\ng: Null\n",
    "quoted-stay-text": "a: \"true\"\nb: 'null'\nc: \"\"\nd: '~'\ne: \"120.00\"\n",
    "explicit-standard-tags": "a: !!str 123\nb: !!bool yes\nc: !!null x\nd: !!str true\n",
    "nested": "lines:\n  - sku: MUG-01\n    qty: 4\n  - {sku: NB-3, qty: 2}\nmeta: {a: [1, [2, 3]], b: {c: d}}\n",
    "block-scalars": "a: |\n  two\n  lines\nb: >-\n  folded\n  text\n",
    "comments-and-hash": "a: b # comment\nc: 'd # not a comment'\n# only a comment\n",
    "quoted-merge-key-is-text": "\"<<\": x\na: b\n",
    "empty-key": "\"\": x\n",
    "unicode": "name: Zoë Ångström\ncity: 東京\n",
    "empty": "",
    "only-comment": "# nothing\n",
    "scalar-document": "just text\n",
    "list-document": "- a\n- b\n",
}

DECLINED_CASES = {
    "anchor-and-alias": "a: &x 1\nb: *x\n",
    "ampersand-in-text": "supplier: Potter & Co\n",
    "python-tag": "a: !!python/object:os.system x\n",
    "float-tag": "a: !!float 1.5\n",
    "custom-tag": "a: !thing x\n",
    "bad-bool-tag": "a: !!bool maybe\n",
    "duplicate-key": "a: 1\na: 2\n",
    "merge-key": "<<: x\na: b\n",
    "nested-merge-key": "a:\n  <<: {b: 1}\n  c: 2\n",
    "bool-key": "true: x\n",
    "null-key": "~: x\n",
    "complex-key": "? [a, b]\n: c\n",
    "two-documents": "a: 1\n---\nb: 2\n",
    "syntax-error": "a: [x\n",
    "tab-indent": "a:\n\t- b\n",
    "control-character": "a: \x1b[31m\n",
    "too-deep": "a: " + "[" * 25 + "]" * 25 + "\n",
    "many-nesting-characters": "a: '" + "-" * 1001 + "'\n",
}


@pytest.mark.parametrize("text", PLAIN_CASES.values(), ids=PLAIN_CASES.keys())
def test_plain_front_matter_is_read_by_the_fast_path(text: str) -> None:
    assert check(text) is not yaml_fast.DECLINED or text == "just text\n"


@pytest.mark.parametrize("text", DECLINED_CASES.values(), ids=DECLINED_CASES.keys())
def test_anything_unusual_is_left_to_the_strict_reader(text: str) -> None:
    assert check(text) is yaml_fast.DECLINED


def test_limits_agree_with_the_strict_reader() -> None:
    assert yaml_fast.MAX_DEPTH == safeyaml.MAX_DEPTH
    assert (yaml_fast.NESTING_CHARS, yaml_fast.NESTING_BUDGET) == (safeyaml._NESTING_CHARS, safeyaml._NESTING_BUDGET)


def test_deepest_allowed_nesting_agrees() -> None:
    for depth in range(18, 23):
        check("a: " + "[" * depth + "x" + "]" * depth + "\n")


def _front_matters() -> list[Path]:
    return sorted([*REPO.glob("vault/*/*.md"), *REPO.glob("tests/corpus/obsidian/*.md")])


@pytest.mark.parametrize("path", _front_matters(), ids=lambda p: p.name)
def test_real_files_agree(path: Path) -> None:
    raw = path.read_bytes()
    try:
        start, end, _ = split(raw)
    except FormatError:
        pytest.skip("no front matter")
    check(raw[start:end].decode("utf-8", "replace"))


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_scalar = st.one_of(_text, st.booleans(), st.none(), st.sampled_from(["true", "No", "~", "null", "01", "1.5", ""]))
_values = st.recursive(_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
                       max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_text, _values, max_size=6), st.booleans())
def test_dumped_values_agree(data: dict[str, Any], flow: bool) -> None:
    check(yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True))


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(list("ab:- \n'\"[]{},#!&*|>?~tn\t01")), max_size=40))
def test_yaml_like_noise_agrees(text: str) -> None:
    check(text)


def test_the_fast_path_runs_wherever_pyyaml_has_libyaml() -> None:
    # yaml_fast subclasses PyYAML's public CBaseLoader and replaces its resolver methods. If a
    # PyYAML release renames it or stops calling them, the fast path would silently decline
    # everything (reads twice as slow) or resolve scalars its own way: fail here instead.
    import yaml

    assert yaml.__with_libyaml__, "this PyYAML has no LibYAML: install a wheel built with it"
    assert yaml_fast.CParser is yaml.CBaseLoader
    assert yaml_fast.load_plain("a: NO\nb: 01234\nc: [x, {d: true}]\n") == {"a": "NO", "b": "01234",
                                                                         "c": ["x", {"d": True}]}
