"""A YAML reader that is safe with other people's files.

LibYAML (CSafeLoader) parses; on top of it:
- only `null`/`~`/empty and `true`/`false` are resolved: every other plain scalar stays a
  string, so `NO`, `01234`, `12:30` and `2026-11-22` are never guessed (the schema types them);
- aliases and anchors are refused (an alias bomb never expands);
- duplicate keys, `!!python/...` and other non-standard tags are refused;
- nesting deeper than MAX_DEPTH is refused.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from obm_tui.model.errors import FormatError

MAX_DEPTH = 20
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LIBYAML = _BaseLoader is not yaml.SafeLoader


class StrictLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader with YAML 1.2-core-ish resolution and the refusals above."""

    yaml_implicit_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _error(node, "aliases and anchors (& and *) are not allowed")
        return super().construct_object(node, deep=True)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        _check_depth(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _error(key_node, "merge keys (<<) are not allowed")
            key = self.construct_object(key_node)
            if not isinstance(key, str):
                raise _error(key_node, f"keys must be text, got {key!r}")
            if key in mapping:
                raise _error(key_node, f"duplicate key {key!r}")
            mapping[key] = self.construct_object(value_node)
        return mapping

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> list[Any]:
        _check_depth(node)
        return [self.construct_object(child) for child in node.value]

    def construct_undefined(self, node: yaml.Node) -> Any:
        raise _error(node, f"the tag {node.tag!r} is not allowed")


def _add_resolver(tag: str, pattern: str, first: str) -> None:
    StrictLoader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_add_resolver("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_add_resolver("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN\0")
StrictLoader.yaml_implicit_resolvers.setdefault("", []).append(
    ("tag:yaml.org,2002:null", re.compile(r"^$"))
)
StrictLoader.add_constructor("tag:yaml.org,2002:map", StrictLoader.construct_mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:seq", StrictLoader.construct_sequence)
StrictLoader.add_constructor(None, StrictLoader.construct_undefined)
for _tag in ("timestamp", "binary", "set", "omap", "pairs", "int", "float"):
    StrictLoader.yaml_constructors.pop(f"tag:yaml.org,2002:{_tag}", None)


def _depth(node: yaml.Node) -> int:
    return getattr(node, "_obm_depth", 0)


def _check_depth(node: yaml.Node) -> None:
    depth = _depth(node) + 1
    if depth > MAX_DEPTH:
        raise _error(node, f"nested deeper than {MAX_DEPTH} levels")
    for child in _children(node):
        child._obm_depth = depth  # type: ignore[attr-defined]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _error(node: yaml.Node, reason: str) -> FormatError:
    return FormatError(reason, node.start_mark.line + 1 if node.start_mark else 0)


def load(text: str) -> Any:
    """Parse one YAML document with StrictLoader. Raises FormatError with a 1-based line."""
    loader = StrictLoader(text)
    try:
        return loader.get_single_data()
    except FormatError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise FormatError(f"YAML: {reason}", mark.line + 1 if mark else 0) from None
    except yaml.YAMLError as exc:
        raise FormatError(f"YAML: {exc}") from None
    except RecursionError:
        raise FormatError(f"nested deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()
