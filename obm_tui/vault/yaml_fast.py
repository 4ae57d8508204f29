"""The common case of `safeyaml.load`, twice as fast: plain front matter built straight from
LibYAML's node tree.

PyYAML's constructor machinery (one generic `construct_object` per node, a resolver walking
regex tables for every scalar) costs more than LibYAML's parsing itself. Record front matter
is almost always a mapping of text keys to text, true/false/null, lists and small mappings, so
this module composes the node tree with LibYAML, resolves scalars with one dict lookup, and
builds the values in one recursive function.

It gives exactly what `safeyaml.load` gives, or declines: `load_plain` returns `DECLINED` for
anything outside that subset (an anchor or an `&` anywhere, explicit tags other than the
standard ones, non-text keys, duplicate keys, a `<<` merge key, deep nesting, any YAML error, no LibYAML), and
the caller then takes the strict path, which produces the value or the exact error message.
tests/unit/test_yaml_fast.py checks the two agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

# LibYAML's parser through PyYAML's public name for it (CParser itself is not exported):
# CBaseLoader is CParser + the base constructor and resolver, whose resolver methods we replace.
# Without LibYAML the strict (slow) path reads everything.
LIBYAML = hasattr(yaml, "CBaseLoader")
if TYPE_CHECKING or LIBYAML:
    CParser = yaml.CBaseLoader
else:
    CParser = object

MAX_DEPTH = 20  # safeyaml.MAX_DEPTH (a test checks they agree)
NESTING_CHARS = "[{-?:"  # safeyaml: texts with more of these than the budget are pre-scanned
NESTING_BUDGET = 1000
DECLINED: Any = object()

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# The only plain scalars the strict reader resolves to something other than text.
_PLAIN_TAGS = {word: _BOOL for word in ("true", "True", "TRUE", "false", "False", "FALSE")}
_PLAIN_TAGS.update({word: _NULL for word in ("~", "null", "Null", "NULL", "")})
# SafeConstructor's booleans (an explicit `!!bool yes` is true there too).
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


class _Declined(Exception):
    pass


class _Composer(CParser):
    """LibYAML's parser and composer with the strict reader's scalar resolution.

    tests/unit/test_yaml_fast.py fails loudly if PyYAML stops calling these methods."""

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _PLAIN_TAGS.get(value, _STR) if implicit[0] and value is not None else _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, node: object, index: object) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def load_plain(text: str) -> Any:
    """What `safeyaml.load(text)` returns, or DECLINED when the text is not plain front matter."""
    if not LIBYAML or "&" in text or _could_nest_deeply(text):
        return DECLINED
    composer = _Composer(text)
    try:
        node = composer.get_single_node()
        return None if node is None else _build(node, 0)
    except (_Declined, yaml.YAMLError, RecursionError):
        return DECLINED
    finally:
        composer.dispose()


def _could_nest_deeply(text: str) -> bool:
    return sum(text.count(char) for char in NESTING_CHARS) > NESTING_BUDGET


def _build(node: Any, depth: int) -> Any:
    cls = node.__class__
    if cls is ScalarNode:
        return _scalar(node)
    if depth >= MAX_DEPTH:
        raise _Declined
    if cls is MappingNode and node.tag == _MAP:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if (key_node.__class__ is not ScalarNode or key_node.tag != _STR or key_node.value in mapping
                    or (key_node.value == "<<" and not key_node.style)):  # a merge key: safeyaml says why
                raise _Declined
            mapping[key_node.value] = _build(value_node, depth + 1)
        return mapping
    if cls is SequenceNode and node.tag == _SEQ:
        return [_build(child, depth + 1) for child in node.value]
    raise _Declined


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _NULL:
        return None
    if tag == _BOOL and node.value.lower() in _BOOLS:
        return _BOOLS[node.value.lower()]
    raise _Declined
