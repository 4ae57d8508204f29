"""Writing record files without losing anything.

`set_fields` rewrites only the top-level keys it is given; every other byte stays as it was:
key order, comments, blank lines, the quoting of other keys, the BOM, the line endings (CRLF,
LF, or a mix), the final newline or its absence, and the body. It finds a key's text from the
YAML node marks (LibYAML composition), so a value is replaced whole, however many lines it
spans. The changed value keeps its style where it can: double-quoted stays double-quoted,
single stays single, plain stays plain when safe (and a plain number stays a plain number,
even when the new one is given as text: `on_hand: 9` set to "8"), a trailing `# comment` stays, a block list
stays a block list at its indentation and a flow list stays a flow list, `|` and `>` stay.
New keys go at the end of the front matter; an unchanged value gives identical bytes.
(One exception: front matter written as a single flow mapping, `{a: 1, b: 2}`, is written
again in block style when a key changes.)

Every result is read back with `read_document` before it is returned: bytes that would not
read back exactly as intended are never returned (WriteError instead). Explicit keys (`? key`,
with or without a `: value` line) are edited in place; a new key takes the mapping's indentation.
Whatever the reader accepts, the writer either edits it losslessly or raises WriteError with the
reason, never another exception; `frontmatter_probe.edit_refusal` tells beforehand (`obm check`).

What you write, and what `read_document(result).data[key]` gives back (the strict reader
keeps plain scalars as text, so the schema decides types):

    str                      the same str (quoted whenever a reader could take it for
                             something else: yes, No, on, 01234, 12:30, 1e3, [[link]], ...)
    int                      its text: 24 -> "24"
    Decimal                  its fixed-point text: Decimal("120.00") -> "120.00"
    date                     ISO text: "2026-11-22" (written plain: it is a date)
    datetime                 ISO text: "2026-11-22T10:14" (seconds only when not zero)
    bool                     the same bool (true / false)
    None                     None (null)
    list / tuple             a list of the above
    dict (text keys)         a dict of the above
    DELETE                   the key is removed

float (use Decimal), NaN, non-text keys and other types raise TypeError or ValueError.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import yaml

from obm_tui.model.errors import FormatError, ObmError
from obm_tui.vault import safeyaml
from obm_tui.vault.frontmatter import Document, read_document


class _Delete:
    """The type of DELETE."""

    _instance: _Delete | None = None

    def __new__(cls) -> _Delete:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DELETE"


DELETE: Final = _Delete()
"""Use as a value in `set_fields` to remove the key."""

render_scalar = safeyaml.render_scalar
# A number every reader reads as that number (no leading zero: 01234 is octal to YAML 1.1).
_PLAIN_NUMBER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


class WriteError(ObmError):
    """The writer could not produce bytes that read back as intended; nothing was written."""

    title = "Cannot save"


@dataclass(frozen=True, slots=True)
class _Entry:
    """Where one top-level key's text is: character offsets into the front-matter text."""

    key_start: int
    colon_end: int  # just after the ':'
    start: int  # where the value's text starts
    end: int  # where the value's content ends (a trailing comment and line break follow)
    below: bool  # the value starts on a line after the key's
    node: yaml.Node


@dataclass(frozen=True, slots=True)
class _Rendered:
    head: str  # text after "key: " on the key's line ("" when the value starts below)
    below: tuple[str, ...]  # whole lines under the key's line


def set_fields(doc: Document, changes: Mapping[str, Any]) -> bytes:
    """New file bytes where only the changed top-level keys' lines differ (see module doc).

    `changes` maps keys to new values or DELETE; a value equal to what is there (as the reader
    gives it) changes nothing, and with no real change the original bytes come back as they are.
    Raises TypeError/ValueError for a value that cannot be written (nothing is written), and
    WriteError if the result would not read back as intended (a bug guard: nothing is written).
    """
    effective = _effective(doc.data, changes)
    if not effective:
        return doc.raw
    expected, final = _merged(doc.data, effective)
    try:
        return _verified(_set(doc, effective, final), expected)
    except WriteError as exc:
        raise WriteError(_refusal(exc.message.removesuffix("; nothing was written"))) from None
    except (ValueError, LookupError, TypeError, AttributeError, yaml.YAMLError) as exc:  # a writer bug
        raise WriteError(_refusal(f"{type(exc).__name__}: {exc}")) from None


def _refusal(detail: str) -> str:
    return (
        f"obm cannot edit this record's front matter without changing other fields ({detail}); "
        "edit it in a text editor, or rewrite it in plain `key: value` lines"
    )


def _set(doc: Document, effective: dict[str, Any], final: dict[str, Any]) -> bytes:
    text = doc.front_matter
    root, entries = _entries(text)
    if root is not None and root.flow_style:  # `{a: 1, b: 2}`: written again in block style
        new_text = _front_matter_text(final, doc.newline)
    else:
        lone = [e for k, e in entries.items() if e.colon_end < 0 and effective.get(k, DELETE) is not DELETE]
        if lone:  # `? key` with no `: value` line: give it one, then find the keys again
            text = _with_colon_lines(text, lone, root, doc.newline)
            root, entries = _entries(text)
        new_text = _edited(text, root, entries, effective, doc.newline)
    return doc.raw[: doc.fm_start] + new_text.encode("utf-8") + doc.raw[doc.fm_end :]


def _with_colon_lines(text: str, lone: list[_Entry], root: yaml.MappingNode | None, nl: str) -> str:
    """`? key` becomes `? key` + a line `:` under it (an empty value: the same data)."""
    column = root.start_mark.column if root is not None else 0
    edits = [(e.start, e.start, (_break_at(text, e.start) or nl) + " " * column + ":") for e in lone]
    return _apply(text, edits)


def set_body(doc: Document, body: str) -> bytes:
    """The file with its front matter bytes unchanged and the body replaced. In a CRLF file,
    "\\n" line ends of `body` become "\\r\\n". Raises FormatError if the result would not read
    (for example a body with merge-conflict markers or a NUL)."""
    head = doc.raw[: doc.body_start]
    data = _with_newlines(body, doc.newline).encode("utf-8")
    if data and not head.endswith(b"\n"):
        head += doc.newline.encode("ascii")
    raw = head + data
    if raw != doc.raw:
        read_document(raw)
    return raw


def new_document(fields: Mapping[str, Any], body: str = "", newline: str = "\n") -> bytes:
    """A fresh record file: front matter with the keys in the given order, then `body`.
    Raises FormatError if `body` would make the file unreadable (a NUL, conflict markers)."""
    if newline not in ("\n", "\r\n"):
        raise ValueError(f"newline must be '\\n' or '\\r\\n', not {newline!r}")
    expected = safeyaml.read_back(dict(fields))
    head = _verified(f"---{newline}{_front_matter_text(fields, newline)}---{newline}".encode(), expected)
    raw = head + _with_newlines(body, newline).encode("utf-8")
    if body:
        read_document(raw)
    return raw


def key_lines(doc: Document) -> dict[str, int]:
    """The 1-based file line of each top-level key, for problem reports."""
    text = doc.front_matter
    first = doc.raw.count(b"\n", 0, doc.fm_start) + 1
    _, entries = _entries(text)
    return {key: first + text.count("\n", 0, e.key_start) for key, e in entries.items()}


# --- finding each key's text ------------------------------------------------------------------


def _entries(text: str) -> tuple[yaml.MappingNode | None, dict[str, _Entry]]:
    try:
        root = yaml.compose(text, Loader=safeyaml.StrictLoader) if text.strip() else None
    except yaml.YAMLError as exc:  # read_document parsed it: only a hand-made Document gets here
        raise FormatError(f"YAML: {exc}") from None
    if root is None:
        return None, {}
    if not isinstance(root, yaml.MappingNode):
        raise FormatError("front matter must be fields (key: value)")
    return root, {key.value: _entry(text, key, value) for key, value in root.value}


def _entry(text: str, key: yaml.Node, value: yaml.Node) -> _Entry:
    key_end = key.end_mark.index
    colon = _colon(text, key_end, max(key_end, value.start_mark.index))
    key_start = _key_start(text, key)
    if colon < 0:  # `? key` alone: no `:` line, the value is an empty null
        return _Entry(key_start, -1, key_end, key_end, False, value)
    start, end = value.start_mark.index, _content_end(text, value)
    if _is_empty(value):  # an empty value's marks may sit on the next key's line
        start = end = colon + 1
    below = "\n" in text[colon + 1 : start]
    return _Entry(key_start, colon + 1, start, end, below, value)


def _key_start(text: str, key: yaml.Node) -> int:
    """Where a key's text starts: at its `?` when it is written as an explicit key."""
    pos = key.start_mark.index
    before = len(text[:pos].rstrip(" \t\r\n"))
    return before - 1 if before and text[before - 1] == "?" else pos


def _colon(text: str, start: int, end: int) -> int:
    """Where the `:` after a key is (comments skipped), or -1 when there is none before `end`."""
    pos = start
    while pos <= end and pos < len(text):
        char = text[pos]
        if char == ":":
            return pos
        if char == "#" and (pos == 0 or text[pos - 1] in " \t\r\n"):
            pos = _line_end(text, pos)
        elif char not in " \t\r\n?":
            return -1
        pos += 1
    return -1


def _is_empty(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.start_mark.index == node.end_mark.index


def _content_end(text: str, node: yaml.Node) -> int:
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        return _block_scalar_end(text, node)
    if isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
        last = node.value[-1]
        return _content_end(text, last[1] if isinstance(node, yaml.MappingNode) else last)
    if _is_empty(node):  # `key:` with nothing after it, nested: its marks may be on a later line
        return len(text[: node.end_mark.index].rstrip())
    return int(node.end_mark.index)


def _block_scalar_end(text: str, node: yaml.ScalarNode) -> int:
    """Where a `|` or `>` block's content ends: its last line holding text, or spaces beyond
    the block's indentation (those are content too); trailing empty lines are layout."""
    end = node.end_mark.index
    header_end = _line_end(text, node.start_mark.index)
    header = text[node.start_mark.index : header_end]
    if "+" in header.split("#")[0]:  # keep chomping: trailing blank lines are content
        return end - 2 if text.endswith("\r\n", 0, end) else end - text.endswith("\n", 0, end)
    indent = _block_indent(text, node)
    last = header_end
    pos = _after_line(text, header_end)
    while pos < end:
        line_end = _line_end(text, pos)
        if line_end - pos > indent or text[pos:line_end].strip():
            last = line_end
        pos = _after_line(text, line_end)
    return last


def _block_indent(text: str, node: yaml.ScalarNode) -> int:
    """The column a block scalar's lines start at (its first line holding text sets it)."""
    pos = _after_line(text, node.start_mark.index)
    while pos < node.end_mark.index:
        line_end = _line_end(text, pos)
        line = text[pos:line_end]
        if line.strip(" "):
            return len(line) - len(line.lstrip(" "))
        pos = _after_line(text, line_end)
    return 0


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _line_end(text: str, pos: int) -> int:
    """Where the line holding `pos` ends, before its line break."""
    found = text.find("\n", pos)
    if found < 0:
        return len(text)
    return found - 1 if found > pos and text[found - 1] == "\r" else found


def _after_line(text: str, pos: int) -> int:
    found = text.find("\n", pos)
    return len(text) if found < 0 else found + 1


def _break_at(text: str, pos: int) -> str | None:
    """The line break ending the line that holds `pos`."""
    found = text.find("\n", pos)
    if found < 0:
        return None
    return "\r\n" if found > 0 and text[found - 1] == "\r" else "\n"


def _last_break(text: str) -> str | None:
    return "\r\n" if text.endswith("\r\n") else "\n" if text.endswith("\n") else None


# --- rendering and editing --------------------------------------------------------------------


def _effective(data: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes that change something (bad keys and values raise here, before any work)."""
    effective: dict[str, Any] = {}
    for key, value in changes.items():
        safeyaml.check_key(key)
        if value is DELETE:
            if key in data:
                effective[key] = DELETE
        elif key not in data or not _equal(data[key], safeyaml.read_back(value)):
            effective[key] = value
    return effective


def _merged(data: dict[str, Any], effective: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the reader must give back, the values to write) once `effective` is applied."""
    expected, final = dict(data), dict(data)
    for key, value in effective.items():
        if value is DELETE:
            del expected[key], final[key]
        else:
            expected[key], final[key] = safeyaml.read_back(value), value
    return expected, final


def _edited(
    text: str, root: yaml.MappingNode | None, entries: dict[str, _Entry], effective: dict[str, Any], nl: str
) -> str:
    base = root.start_mark.column if root is not None and root.value else 0
    edits: list[tuple[int, int, str]] = []
    added: list[str] = []
    for key, value in effective.items():
        if value is DELETE:
            edits.append(_delete(text, entries[key]))
        elif key in entries:
            edits += _replace(text, entries[key], value, base, nl)
        else:
            added.append(_entry_text(key, value, base, _last_break(text) or nl))
    return _apply(text, edits) + "".join(added)


def _same(old: Any, new: Any) -> bool:
    return type(old) is type(new) and old == new


def _render(value: Any, old: yaml.Node | None, indent: int) -> _Rendered:
    if isinstance(value, (list, tuple, dict)) and value:
        if isinstance(old, yaml.CollectionNode) and old.flow_style and old.value:
            return _Rendered(safeyaml.render_inline(value), ())
        return _Rendered("", tuple(safeyaml.render_block(value, indent)))
    old_style = old.style if isinstance(old, yaml.ScalarNode) else None
    if isinstance(value, str) and ("\n" in value or old_style in ("|", ">")):
        block = safeyaml.render_block_scalar(value, indent, old_style if old_style == ">" else "|")
        if block is not None:
            return _Rendered(block[0], tuple(block[1:]))
    if _number_stays_plain(value, old):
        return _Rendered(value, ())
    return _Rendered(safeyaml.render_inline(value, old_style), ())


def _number_stays_plain(value: Any, old: yaml.Node | None) -> bool:
    """A plain number given as text (`on_hand: 9` set to "8") stays a plain number."""
    if not isinstance(value, str) or not isinstance(old, yaml.ScalarNode) or old.style:
        return False
    return bool(_PLAIN_NUMBER_RE.fullmatch(value) and _PLAIN_NUMBER_RE.fullmatch(old.value))


def _child_indent(text: str, entry: _Entry, base: int, value: Any) -> int:
    """Indentation for the lines of a value under its key: the old value's when it had one."""
    node = entry.node
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        column = _block_indent(text, node)
    elif entry.below:
        column = entry.start - _line_start(text, entry.start)
    else:
        return base + 2
    indentless_list = column == base and isinstance(node, yaml.SequenceNode)
    if column > base or (indentless_list and isinstance(value, (list, tuple))):
        return column
    return base + 2


def _replace(text: str, entry: _Entry, value: Any, base: int, nl: str) -> list[tuple[int, int, str]]:
    new = _render(value, entry.node, _child_indent(text, entry, base, value))
    nl = _break_at(text, entry.end) or nl
    if entry.below:
        start = _line_start(text, entry.start)
        head = [(entry.colon_end, entry.colon_end, " " + new.head)] if new.head else []
        if new.below:
            return [*head, (start, entry.end, nl.join(new.below))]
        return [*head, (start, _after_line(text, entry.end), "")]
    if not new.head:
        edits = [(entry.colon_end, entry.end, "")]
    else:
        space = " " if text[entry.start - 1] == ":" else ""
        edits = [(entry.start, entry.end, space + new.head)]
    if new.below:
        at = _after_line(text, entry.end)
        edits.append((at, at, "".join(line + nl for line in new.below)))
    return edits


def _delete(text: str, entry: _Entry) -> tuple[int, int, str]:
    return (_line_start(text, entry.key_start), _after_line(text, entry.end), "")


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    # Last first; at one offset, a removal before an insertion (so it cannot remove the insertion).
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _entry_text(key: str, value: Any, base: int, nl: str) -> str:
    new = _render(value, None, base + 2)
    line = " " * base + safeyaml.render_key(key) + ":" + (" " + new.head if new.head else "")
    return "".join(line_ + nl for line_ in (line, *new.below))


def _front_matter_text(fields: Mapping[str, Any], nl: str) -> str:
    return "".join(_entry_text(safeyaml.check_key(k), v, 0, nl) for k, v in fields.items())


def _with_newlines(body: str, nl: str) -> str:
    return re.sub(r"(?<!\r)\n", "\r\n", body) if nl == "\r\n" else body


def _verified(raw: bytes, expected: dict[str, Any]) -> bytes:
    """`raw` if it reads back as `expected` (same keys, same order, same values)."""
    try:
        data = read_document(raw).data
    except FormatError as exc:
        raise WriteError(f"the new text would not read back ({exc.reason}); nothing was written") from None
    keys = {**expected, **data}
    wrong = [key for key in keys if not _equal(data.get(key, DELETE), expected.get(key, DELETE))]
    if wrong or list(data) != list(expected):
        names = ", ".join(map(repr, wrong)) or "the keys' order"
        raise WriteError(f"{names} would not read back as written; nothing was written")
    return raw


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_equal, a, b))
    return _same(a, b)
