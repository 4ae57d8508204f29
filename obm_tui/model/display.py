"""Making user text safe to print on a terminal: control characters shown, never obeyed.

The file's bytes stay as they are; this is for display only (RELIABILITY.md, terminal escapes).
"""

from __future__ import annotations

import re

_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_WITH_NEWLINES_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What never reaches a terminal as is (newline and tab are layout): C0 but those two, DEL and C1,
# zero-width characters and the BOM, bidi embeddings, overrides and isolates.
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069"
_TERMINAL_RE = re.compile(f"[{_UNSAFE}]")
_JSON_RE = re.compile(f"[{_UNSAFE}\u2028\u2029]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␀ for NUL …
    if code == 0x7F:
        return "\u2421"
    return f"\\u{code:04x}"


def clean(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control character (ESC, C1, NUL, bidi overrides, newlines unless kept)
    replaced by a visible stand-in, so it can be written to a terminal as is."""
    if keep_newlines:
        return _CONTROL_WITH_NEWLINES_RE.sub(_visible, text.replace("\r\n", "\n"))
    return _CONTROL_RE.sub(_visible, text.replace("\t", " "))


def terminal_safe(text: str) -> str:
    """`text` ready for a terminal: newlines and tabs kept, every other control, zero-width and
    bidi character shown by a visible stand-in (␛, ␍, \\u200b, \\u202e …). Idempotent."""
    return _TERMINAL_RE.sub(_visible, text.replace("\r\n", "\n"))


def json_safe(document: str) -> str:
    """A JSON document with the same unsafe characters as \\uXXXX escapes: the same JSON value
    (they can only occur inside strings, where an escape means the character), safe to print."""
    return _JSON_RE.sub(lambda match: f"\\u{ord(match.group()):04x}", document)
