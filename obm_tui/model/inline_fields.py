"""Dataview inline fields on one line (`[key:: value]`, `(key:: value)`) and task-item boxes.

Reading finds each field's span so that writing can change one value, add or drop one field,
or flip one box, and leave every other character of the line as it was.

Fields are found as Dataview finds them (its `extractInlineFields` and `canonicalizeVarName`):
after an opening `[` or `(`, the key is everything up to the first `::` (trimmed; it may hold
spaces, emoji, `!` and other punctuation, but no bracket), and the value runs to the matching
closing bracket (nested brackets of the same kind and `\\`-escaped characters do not close it).
A key is then known by its canonical name: letters, digits, `_` and `-` lower-cased, emoji kept,
each run of spaces one `-`, anything else dropped (`[Due Date:: x]` is `due-date`, `[⭐ rating:: 5]`
is `⭐-rating`, `[owner!:: me]` is `owner`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_EMOJI_JOINERS = "\u200d\ufe0f\ufe0e\u20e3"  # zero-width joiner, variation selectors, keycap
_TASK_RE = re.compile(r"^([-*+])([ \t]+)\[(.)\](?=[ \t]|$)")
_CLOSE = {"[": "]", "(": ")"}


@dataclass(frozen=True, slots=True)
class InlineField:
    """One inline field: its key (canonical: see the module doc), value (stripped) and where it
    sits in the line."""

    key: str
    value: str
    start: int  # index of the opening bracket
    end: int  # index just after the closing bracket
    value_start: int  # the stripped value's span
    value_end: int


def split_ending(line: str) -> tuple[str, str]:
    """("text", "\\r\\n") for a line with its line ending."""
    stripped = line.rstrip("\r\n")
    return stripped, line[len(stripped) :]


def find_fields(text: str) -> list[InlineField]:
    """Every inline field in `text` (one line, without its ending), left to right."""
    fields: list[InlineField] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if text.startswith("[[", pos):
            close = text.find("]]", pos + 2)
            pos = close + 2 if close >= 0 else len(text)
            continue
        found = _field_at(text, pos) if char in _CLOSE else None
        if found is None:
            pos += 1
            continue
        fields.append(found)
        pos = found.end
    return fields


def _field_at(text: str, start: int) -> InlineField | None:
    opening = text[start]
    separator = text.find("::", start + 1)
    if separator < 0:
        return None
    raw_key = text[start + 1 : separator]
    if any(char in raw_key for char in "[]()"):
        return None
    key = canonical_key(raw_key)
    if not key:
        return None
    value_at = separator + 2
    end = _matching(text, value_at, opening)
    if end is None:
        return None
    raw = text[value_at:end]
    value_start = value_at + len(raw) - len(raw.lstrip())
    value_end = end - (len(raw) - len(raw.rstrip()))
    value_end = max(value_end, value_start)
    return InlineField(key, text[value_start:value_end], start, end + 1, value_start, value_end)


def canonical_key(raw: str) -> str:
    """A field's name as Dataview canonicalizes it: `Due Date` -> `due-date`, `⭐ rating` ->
    `⭐-rating`, `owner!` -> `owner` ("" when nothing is left)."""
    out: list[str] = []
    for word in raw.split():
        out.append("".join(char.lower() if _name_char(char) else char if _emoji_char(char) else ""
                           for char in word))
    return "-".join(out) if raw.strip() else ""


def _name_char(char: str) -> bool:
    return char.isalpha() or char in "0123456789_-"


def _emoji_char(char: str) -> bool:
    return char in _EMOJI_JOINERS or unicodedata.category(char) in ("So", "Sk") and ord(char) > 0x2000


def _matching(text: str, pos: int, opening: str) -> int | None:
    depth, closing, escaped = 0, _CLOSE[opening], False
    for index in range(pos, len(text)):
        char = text[index]
        if char == "\\":
            escaped = not escaped
            continue
        if escaped:
            escaped = False
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            if depth == 0:
                return index
            depth -= 1
    return None


def strip_fields(text: str) -> str:
    """The text of a line without its inline fields, spaces tidied."""
    parts, pos = [], 0
    for field in find_fields(text):
        parts.append(text[pos : field.start])
        pos = field.end
    parts.append(text[pos:])
    return " ".join("".join(parts).split())


def set_field(text: str, key: str, value: str) -> str:
    """`text` with the first `key` field's value replaced, or `[key:: value]` appended."""
    for field in find_fields(text):
        if field.key == key:
            return text[: field.value_start] + value + text[field.value_end :]
    body = text.rstrip()
    return f"{body} [{key}:: {value}]{text[len(body):]}"


def remove_field(text: str, key: str) -> str:
    """`text` without its `key` fields (and the one space before each)."""
    for field in reversed(find_fields(text)):
        if field.key == key:
            start = field.start - 1 if field.start and text[field.start - 1] == " " else field.start
            text = text[:start] + text[field.end :]
    return text


def task_box(text: str) -> str | None:
    """The character in a top-level task item's box (" ", "x", ...), or None if not a task item."""
    match = _TASK_RE.match(text)
    return match.group(3) if match else None


def set_box(text: str, ticked: bool) -> str:
    """A task line with its box set to `[x]` or `[ ]` (an `[X]` that is already ticked stays)."""
    match = _TASK_RE.match(text)
    if match is None:
        return text
    if is_ticked(match.group(3)) == ticked:
        return text
    box_at = match.start(3)
    return text[:box_at] + ("x" if ticked else " ") + text[box_at + 1 :]


def task_text(text: str) -> str:
    """What follows the box of a task line."""
    match = _TASK_RE.match(text)
    return text[match.end() :] if match else text


def is_ticked(box: str | None) -> bool:
    """Only `x` and `X` count as ticked."""
    return box in ("x", "X")
