"""A YAML reader that is safe with other people's files.

LibYAML (CSafeLoader) parses; on top of it:
- only `null`/`~`/empty and `true`/`false` are resolved: every other plain scalar stays a
  string, so `NO`, `01234`, `12:30` and `2026-11-22` are never guessed (the schema types them);
- aliases and anchors are refused (an alias bomb never expands);
- duplicate keys, `!!python/...` and other non-standard tags are refused;
- nesting deeper than MAX_DEPTH is refused, checked on the token stream before composing when
  a text could nest deeply (LibYAML composes recursively in C: ~40k levels crash the process);
- errors name the line and say what to do (tabs, control characters).

The writing half renders values as YAML text that every common reader (YAML 1.1 and 1.2,
Obsidian, this reader) reads back the same: `render_scalar`, `render_inline`, `render_block`,
`render_block_scalar`, and `read_back` (what this reader gives for a written value).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import yaml

from obm_tui.model.errors import FormatError
from obm_tui.vault import yaml_fast

MAX_DEPTH = 20
if TYPE_CHECKING:  # one class to type against; LibYAML's loader has the same methods
    _BaseLoader = yaml.SafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LIBYAML = _BaseLoader is not yaml.SafeLoader
# Below this many nesting characters a text cannot nest deep enough to matter.
_NESTING_CHARS = "[{-?:"
_NESTING_BUDGET = 1000
_OPENERS = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSERS = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
# Characters YAML does not allow in a file (it wants them escaped inside double quotes).
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
TAB_REASON = "a tab where YAML expects indentation: YAML indents with spaces, not tabs"


MERGE_KEY_REASON = "merge keys (<<) are not allowed: write the fields out"


def is_merge_key(node: yaml.Node) -> bool:
    """A plain `<<` key: YAML 1.1 readers (Obsidian's, PyYAML's) merge another mapping in there."""
    return isinstance(node, yaml.ScalarNode) and node.value == "<<" and not node.style


class StrictLoader(_BaseLoader):
    """SafeLoader with YAML 1.2-core-ish resolution and the refusals above."""

    yaml_implicit_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depths: dict[yaml.Node, int] = {}  # how deep each node met so far sits

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _error(node, "aliases and anchors (& and *) are not allowed")
        return super().construct_object(node, deep=True)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        _check_depth(self.depths, node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or is_merge_key(key_node):
                raise _error(key_node, MERGE_KEY_REASON)
            key = self.construct_object(key_node)
            if not isinstance(key, str):
                raise _error(key_node, f"keys must be text, got {key!r}")
            if key in mapping:
                raise _error(key_node, f"duplicate key {key!r}")
            mapping[key] = self.construct_object(value_node)
        return mapping

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> list[Any]:
        _check_depth(self.depths, node)
        return [self.construct_object(child) for child in node.value]

    def construct_undefined(self, node: yaml.Node) -> Any:
        raise _error(node, f"the tag {node.tag!r} is not allowed")


def _add_resolver(tag: str, pattern: str, first: str) -> None:
    StrictLoader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_add_resolver("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_add_resolver("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN\0")
StrictLoader.yaml_implicit_resolvers.setdefault("", []).append(("tag:yaml.org,2002:null", re.compile(r"^$")))
StrictLoader.add_constructor("tag:yaml.org,2002:map", StrictLoader.construct_mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:seq", StrictLoader.construct_sequence)
StrictLoader.add_constructor(None, StrictLoader.construct_undefined)
for _tag in ("timestamp", "binary", "set", "omap", "pairs", "int", "float"):
    StrictLoader.yaml_constructors.pop(f"tag:yaml.org,2002:{_tag}", None)


def _check_depth(depths: dict[yaml.Node, int], node: yaml.Node) -> None:
    depth = depths.get(node, 0) + 1
    if depth > MAX_DEPTH:
        raise _error(node, f"nested deeper than {MAX_DEPTH} levels")
    for child in _children(node):
        depths[child] = depth


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _error(node: yaml.Node, reason: str) -> FormatError:
    return FormatError(reason, node.start_mark.line + 1 if node.start_mark else 0)


def _token_error(token: yaml.Token, reason: str) -> FormatError:
    return FormatError(reason, token.start_mark.line + 1)


def _prescan(text: str) -> None:
    """Refuse anchors and deep nesting from the token stream, without composing anything."""
    deep = sum(text.count(char) for char in _NESTING_CHARS) > _NESTING_BUDGET
    if not deep and "&" not in text:
        return
    try:
        _scan_tokens(_BaseLoader(text))
    except yaml.YAMLError:
        if _BaseLoader is yaml.SafeLoader:
            raise
        # LibYAML (PyYAML >= 6.0.4) stops at its own nesting limit, with its own words, before
        # handing us the tokens: scan again in Python, which has no limit, so the reason is ours.
        _scan_tokens(yaml.SafeLoader(text))
        raise


def _scan_tokens(scanner: Any) -> None:
    depth = 0
    try:
        while (token := scanner.get_token()) is not None:
            if isinstance(token, _OPENERS):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _token_error(token, f"nested deeper than {MAX_DEPTH} levels")
            elif isinstance(token, _CLOSERS):
                depth -= 1
            elif isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                raise _token_error(token, "aliases and anchors (& and *) are not allowed")
    finally:
        scanner.dispose()


def _reason(exc: yaml.MarkedYAMLError, text: str) -> str:
    mark = exc.problem_mark
    problem = str(exc.problem or "")
    at_tab = mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t"
    if "tab" in problem or (at_tab and "cannot start any token" in problem):
        return TAB_REASON
    return "YAML: " + " ".join(str(part) for part in (exc.context, exc.problem) if part)


def _control_character(text: str) -> FormatError:
    found = _NOT_PRINTABLE.search(text)
    if found is None:  # pragma: no cover - LibYAML and this pattern agree
        return FormatError("a control character in the front matter")
    code = ord(found.group())
    line = text.count("\n", 0, found.start()) + 1
    reason = (
        f"a control character (U+{code:04X}) in the front matter: "
        'write it escaped inside double quotes, like "\\x1b"'
    )
    return FormatError(reason, line)


def load(text: str) -> Any:
    """Parse one YAML document with StrictLoader. Raises FormatError with a 1-based line."""
    plain = yaml_fast.load_plain(text)  # the common case: the same value, twice as fast
    if plain is not yaml_fast.DECLINED:
        return plain
    loader = StrictLoader(text)
    try:
        _prescan(text)
        return loader.get_single_data()
    except FormatError:
        raise
    except yaml.reader.ReaderError:
        raise _control_character(text) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise FormatError(_reason(exc, text), mark.line + 1 if mark else 0) from None
    except yaml.YAMLError as exc:
        raise FormatError(f"YAML: {exc}") from None
    except RecursionError:
        raise FormatError(f"nested deeper than {MAX_DEPTH} levels") from None
    except (KeyError, ValueError, AttributeError, TypeError):  # e.g. `!!bool maybe`, `!!map x`
        raise FormatError("YAML: a value does not fit its explicit tag (!!bool, !!map, !!seq …)") from None
    finally:
        loader.dispose()


# ---------------------------------------------------------------------------------------------
# Writing: YAML text that every common reader (YAML 1.1, YAML 1.2, Obsidian, this reader) reads
# back as the same value. `read_back(value)` is what this reader gives for a written value.
# ---------------------------------------------------------------------------------------------

_YAML_PRINTABLE = "\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff"
# Characters a double-quoted scalar writes as escapes (everything else is written as is).
_ESCAPE_RE = re.compile(f'["\\\\\ufeff\u2028\u2029]|[^{_YAML_PRINTABLE}]')
_ESCAPES = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
    "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N", "\u2028": "\\L",
    "\u2029": "\\P",
}  # fmt: skip
# Not allowed in a plain or single-quoted scalar (needs double quotes).
_QUOTE_ONLY_RE = re.compile(f"[^{_YAML_PRINTABLE}]|[\ufeff\u2028\u2029]")
# Not allowed in a block scalar's text (which may hold line feeds and tabs).
_BLOCK_UNSAFE_RE = re.compile(f"[^\t\n{_YAML_PRINTABLE}]|[\ufeff\u2028\u2029]")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` \t")
_RESERVED = frozenset(
    {"~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", "<<", "=",
     ".inf", "-.inf", "+.inf", ".nan"}
)  # fmt: skip
# Anything a YAML 1.1 or 1.2 reader could take for a number, a date, a time or sexagesimal.
_NUMBERISH_RE = re.compile(r"[-+]?\.?[0-9][0-9a-zA-Z_:.+\-]*")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")
MAX_KEY_LENGTH = 200


def read_back(value: Any) -> Any:
    """What this reader gives for `value` once written: scalars become their text, except
    bool and None; lists and dicts keep their shape. Raises TypeError/ValueError when `value`
    cannot be written (floats: use Decimal; NaN; non-text keys; text with lone surrogates)."""
    if value is None or isinstance(value, (bool, str)):
        if isinstance(value, str):
            _check_text(value)
        return value
    if isinstance(value, (list, tuple)):
        return [read_back(item) for item in value]
    if isinstance(value, dict):
        return {check_key(key): read_back(item) for key, item in value.items()}
    return scalar_text(value)


def scalar_text(value: Any) -> str:
    """The text of an int, Decimal, date or datetime (ISO 8601, minutes when seconds are 0)."""
    if isinstance(value, float):
        raise TypeError(f"cannot write {value!r}: use Decimal for amounts, never float")
    if isinstance(value, bool):
        raise TypeError("true/false is written as itself (render_scalar), not as text")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write the amount {value!r}")
        return format(value, "f")
    if isinstance(value, datetime):
        plain_minutes = value.second == 0 and value.microsecond == 0
        return value.isoformat(timespec="minutes" if plain_minutes else "auto")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write a value of type {type(value).__name__}: {value!r}")


def _check_text(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"text with a lone surrogate cannot be stored: {text!r}") from None
    return text


def check_key(key: Any) -> str:
    """`key` if it can be written as a mapping key (text, not too long), else TypeError/ValueError."""
    if not isinstance(key, str):
        raise TypeError(f"keys must be text, got {key!r}")
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"key longer than {MAX_KEY_LENGTH} characters: {key[:40]!r}...")
    return _check_text(key)


def double_quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar, every non-printable character escaped."""
    return '"' + _ESCAPE_RE.sub(_escape, text) + '"'


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02X}"
    return f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"


def single_quoted(text: str) -> str | None:
    """`text` as a single-quoted YAML scalar, or None when it needs escapes."""
    if _QUOTE_ONLY_RE.search(text):
        return None
    return "'" + text.replace("'", "''") + "'"


def plain_ok(text: str, *, flow: bool = False, typed: bool = False) -> bool:
    """True when `text` can be written without quotes and every reader reads it back as text
    (or, when `typed`, as the number or date it is)."""
    if typed:
        return not (flow and ":" in text)
    if not text or text[0] in _INDICATORS or text[-1] in " \t:" or text.startswith("..."):
        return False
    if ": " in text or " #" in text or _QUOTE_ONLY_RE.search(text) or "\t" in text:
        return False
    if flow and any(char in text for char in ",[]{}:"):
        return False
    return not _looks_typed(text)


def _looks_typed(text: str) -> bool:
    if text.lower() in _RESERVED:
        return True
    return _NUMBERISH_RE.fullmatch(text) is not None and not _iso_date_or_time(text)


def _iso_date_or_time(text: str) -> bool:
    try:
        if _ISO_DATE_RE.fullmatch(text):
            return bool(date.fromisoformat(text))
        if _ISO_DATETIME_RE.fullmatch(text):
            return bool(datetime.fromisoformat(text))
    except ValueError:
        return False
    return False


def render_scalar(value: Any, *, style: str | None = None, flow: bool = False) -> str:
    """One-line YAML text for a scalar (str, int, Decimal, date, datetime, bool, None).

    Text is plain only when `plain_ok`; otherwise double-quoted (or single-quoted when `style`
    is "'" and no escape is needed). `style` '"' always double-quotes text and numbers."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    typed = not isinstance(value, str)
    text = scalar_text(value) if typed else _check_text(value)
    if style == '"':
        return double_quoted(text)
    if style == "'":
        quoted = single_quoted(text)
        return quoted if quoted is not None else double_quoted(text)
    return text if plain_ok(text, flow=flow, typed=typed) else double_quoted(text)


def render_block_scalar(text: str, indent: int, style: str = "|") -> list[str] | None:
    """A literal (`|`) or folded (`>`) block scalar: [header, line, ...] with the lines indented
    by `indent` spaces (empty lines stay empty), or None when `text` cannot be written that
    way and read back the same (then write it double-quoted)."""
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    if trailing > 1 or not body or body[0] in " \t" or _BLOCK_UNSAFE_RE.search(text):
        return None
    lines = body.split("\n")
    if any(line and not line.strip(" \t") for line in lines):
        return None
    if next((line for line in lines if line), "")[:1] in (" ", "\t"):  # indentation would be misread
        return None
    if style == ">":
        folded = _fold(lines)
        if folded is None:
            return render_block_scalar(text, indent, "|")
        lines = folded
    header = style + ("-" if trailing == 0 else "")
    pad = " " * indent
    return [header] + [pad + line if line else "" for line in lines]


def _fold(lines: list[str]) -> list[str] | None:
    """Lines of a folded scalar that unfold to `lines` joined by line feeds."""
    if any(line[:1] in (" ", "\t") for line in lines):
        return None
    out: list[str] = []
    seen_text = False
    for line in lines:
        if line and seen_text:  # between two texts a lone line break would fold into a space
            out.append("")
        out.append(line)
        seen_text = seen_text or bool(line)
    return out  # leading empty lines are kept one for one: they are not folded


def render_key(key: str) -> str:
    """A mapping key: plain when safe in any context, else double-quoted."""
    return key if plain_ok(key, flow=True) else double_quoted(key)


def render_inline(value: Any, style: str | None = None) -> str:
    """One-line YAML for a value in block context: a scalar (see `render_scalar`), or a flow
    collection like `[a, {sku: MUG-01, qty: 24}]`."""
    if isinstance(value, (list, tuple, dict)):
        return _flow(value)
    return render_scalar(value, style=style)


def _flow(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{render_key(check_key(k))}: {_flow(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return render_scalar(value, flow=True)


def render_block(value: list[Any] | tuple[Any, ...] | dict[str, Any], indent: int) -> list[str]:
    """A non-empty list or dict in block style: lines indented by `indent` spaces, nested
    levels by 2 more; multi-line text as literal block scalars where that reads back the same."""
    pad = " " * indent
    if isinstance(value, dict):
        return [
            line
            for key, item in value.items()
            for line in _block_entry(f"{pad}{render_key(check_key(key))}:", item, indent, False)
        ]
    return [line for item in value for line in _block_entry(pad + "-", item, indent, True)]


def _block_entry(prefix: str, item: Any, indent: int, dash: bool) -> list[str]:
    child = indent + 2
    if isinstance(item, (list, tuple, dict)) and item:
        nested = render_block(item, child)
        return [f"{prefix} {nested[0][child:]}", *nested[1:]] if dash else [prefix, *nested]
    if isinstance(item, str) and "\n" in item:
        block = render_block_scalar(item, child)
        if block is not None:
            return [f"{prefix} {block[0]}", *block[1:]]
    return [f"{prefix} {render_inline(item)}"]
