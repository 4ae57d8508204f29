"""Text written in Markdown made into the paragraphs a mail client shows.

Canned replies and email templates are written in an editor with hard line breaks; sent as they
are, a customer's mail client breaks lines mid-sentence ("…(and of⏎the box,"). Markdown's own rule
applies: a single newline inside a paragraph is a space. What is not a plain paragraph keeps its
lines: list items (`-`, `*`, `+`, `1.`), quoted lines (`>`), headings, table rows, indented and
fenced code, and a line ended by a hard break (two spaces or a backslash: the mark itself is
dropped, as Markdown shows it). Blank lines between paragraphs are kept as they are.

Reflow what a person wrote (a template) before values are put in: a value with lines of its own
(a signature) keeps them.
"""

from __future__ import annotations

import re

_LIST_ITEM = re.compile(r"^\s{0,3}([-*+]|\d{1,9}[.)])\s+\S")
_KEPT_LINE = re.compile(r"^(\s{0,3}(>|#{1,6}\s|\||```|~~~)|\s{4,}|\t)")


def _kept(line: str) -> bool:
    return bool(_KEPT_LINE.match(line))


def _hard_break(line: str) -> bool:
    """A line with text ended by two spaces or a backslash (Markdown's hard line break)."""
    return (line.endswith("  ") and bool(line.strip())) or (line.endswith("\\") and len(line.strip()) > 1)


def reflow(text: str) -> str:
    """`text` with the single newlines inside paragraphs (and inside list items) made spaces."""
    lines = text.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    fenced = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
            out.append(line)
            continue
        if fenced or not stripped or _kept(line) or _LIST_ITEM.match(line) or not out:
            out.append(line)
            continue
        previous = out[-1]
        if previous.strip() and not _hard_break(previous) and not _kept(previous):
            out[-1] = previous.rstrip() + " " + stripped
        else:
            out.append(line)
    return "\n".join(_unmarked(line) if _hard_break(line) and not _kept(line) else line for line in out)


def _unmarked(line: str) -> str:
    return line[:-1] if line.endswith("\\") else line.rstrip(" ")
