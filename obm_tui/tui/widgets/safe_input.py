"""An Input that never sends a control character of its value to the terminal.

Textual's Input draws its value as is: an ESC in a field (or pasted into a filter) would reach
the terminal. This one draws each control character as one visible stand-in (␛, ␇, ␀ …), so
the cursor still lines up, while the value itself stays exactly what the file holds.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.widgets import Input

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x09:
        return " "
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def visible(text: str) -> str:
    """`text` with each control character replaced by one visible character (same length)."""
    return _CONTROL.sub(_stand_in, text)


class SafeInput(Input):
    """An Input whose value is drawn with control characters made visible."""

    @property
    def _value(self) -> Text:
        if self.password:
            return super()._value
        text = Text(visible(self.value), no_wrap=True, overflow="ignore", end="")
        if self.highlighter is not None:
            text = self.highlighter(text)
        return text
