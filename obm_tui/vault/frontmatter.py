"""Reading a record file: `---` YAML front matter `---`, then a Markdown body.

Reading never changes bytes. `read_document` splits and parses, and every way a file can be
unreadable becomes a FormatError with a 1-based line and a reason a person can act on.
Writing (one field at a time, keeping everything else byte for byte) is in `frontmatter_edit`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from obm_tui.model.errors import FormatError
from obm_tui.vault import safeyaml

BOM = b"\xef\xbb\xbf"
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_FRONT_MATTER_BYTES = 256 * 1024
_OPEN_RE = re.compile(rb"---[ \t]*\r?\n")
_CLOSE_RE = re.compile(rb"^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", re.M)
_CONFLICT_RE = re.compile(rb"^(<<<<<<<|>>>>>>>)(?: |$)", re.M)


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed record file. `data` is the front matter; the body is `raw[body_start:]`."""

    raw: bytes
    data: dict[str, Any]
    fm_start: int  # byte offset of the first front-matter line
    fm_end: int  # byte offset of the closing delimiter line
    body_start: int  # byte offset just after the closing delimiter line
    newline: str  # the file's line ending: "\n" or "\r\n"
    bom: bool

    @property
    def body(self) -> str:
        return self.raw[self.body_start :].decode("utf-8")

    @property
    def front_matter(self) -> str:
        return self.raw[self.fm_start : self.fm_end].decode("utf-8")

    @property
    def body_line(self) -> int:
        """1-based line number where the body starts."""
        return self.raw.count(b"\n", 0, self.body_start) + 1


def has_front_matter(raw: bytes) -> bool:
    """True when the file opens with a `---` line (after an optional BOM)."""
    start = len(BOM) if raw.startswith(BOM) else 0
    return _OPEN_RE.match(raw, start) is not None


def split(raw: bytes) -> tuple[int, int, int]:
    """(fm_start, fm_end, body_start) byte offsets, or FormatError if the block is broken."""
    _check_bytes(raw)
    start = len(BOM) if raw.startswith(BOM) else 0
    opening = _OPEN_RE.match(raw, start)
    if opening is None:
        raise FormatError("no front matter: the file must start with a line '---'", 1)
    closing = _CLOSE_RE.search(raw, opening.end())
    if closing is None:
        raise FormatError("front matter opened on line 1 is never closed with '---'", 1)
    if closing.start() - opening.end() > MAX_FRONT_MATTER_BYTES:
        raise FormatError(f"front matter larger than {MAX_FRONT_MATTER_BYTES // 1024} KB", 1)
    return opening.end(), closing.start(), closing.end()


def read_document(raw: bytes) -> Document:
    """Split and parse a record file. Raises FormatError (line numbers are the file's)."""
    fm_start, fm_end, body_start = split(raw)
    text = _decode(raw[fm_start:fm_end], raw.count(b"\n", 0, fm_start))
    try:
        data = safeyaml.load(text) if text.strip() else {}
    except FormatError as exc:
        line = exc.line + raw.count(b"\n", 0, fm_start) if exc.line else 0
        raise FormatError(exc.reason, line) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        shape = "a list" if isinstance(data, list) else "a single value"
        raise FormatError(f"front matter must be fields (key: value), not {shape}", 2)
    _decode(raw[body_start:], raw.count(b"\n", 0, body_start))
    newline = "\r\n" if raw[: raw.find(b"\n") + 1].endswith(b"\r\n") else "\n"
    return Document(raw, data, fm_start, fm_end, body_start, newline, raw.startswith(BOM))


def read_body(raw: bytes) -> str:
    """Only the body of a record file (the front matter is split off but not parsed: the index
    already holds it). Raises FormatError when the file's shape or encoding is broken."""
    _fm_start, _fm_end, body_start = split(raw)
    return _decode(raw[body_start:], raw.count(b"\n", 0, body_start))


def _check_bytes(raw: bytes) -> None:
    if not raw.strip():
        raise FormatError("empty file", 1)
    if len(raw) > MAX_FILE_BYTES:
        raise FormatError(f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", 1)
    nul = raw.find(b"\0")
    if nul >= 0:
        raise FormatError("binary content (a NUL byte) in a Markdown file", raw.count(b"\n", 0, nul) + 1)
    conflict = _CONFLICT_RE.search(raw)
    if conflict is not None:
        line = raw.count(b"\n", 0, conflict.start()) + 1
        raise FormatError("unresolved git merge conflict markers (<<<<<<< / >>>>>>>)", line)


def _decode(chunk: bytes, lines_before: int) -> str:
    try:
        return chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = lines_before + chunk.count(b"\n", 0, exc.start) + 1
        raise FormatError(f"not UTF-8 text (byte 0x{chunk[exc.start]:02x})", line) from None
