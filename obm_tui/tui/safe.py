"""Showing user text literally: never parsed as markup, control characters made visible.

Textual and Rich parse `[...]` in plain strings (a subject `[TODO] call` would lose its first
word, `[@click=app.quit]x[/]` would become a live link). Every place that shows text from the
vault goes through these helpers, which return `Content` (never markup) of cleaned text.
"""

from __future__ import annotations

from textual.content import Content

from obm_tui.model.display import clean


def plain(text: object) -> Content:
    """One line of user text, literal and safe for the terminal."""
    return Content(clean(str(text)))


def plain_lines(text: object) -> Content:
    """Several lines of user text (newlines kept), literal and safe for the terminal."""
    return Content(clean(str(text), keep_newlines=True))


def styled(text: object, style: str) -> Content:
    """User text with one style (a Textual style string, never markup inside the text)."""
    return Content.styled(clean(str(text)), style)


def join(*parts: Content | str) -> Content:
    """Concatenate contents; plain `str` parts must be the app's own words (they are not parsed)."""
    return Content("").join(p if isinstance(p, Content) else Content(p) for p in parts)
