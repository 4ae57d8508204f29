"""Git tree objects as bytes: read one entry, and splice entries in or out without a full rebuild.

A tree is a sorted run of `<mode> <name>\\0<raw oid>` entries; folders sort as if their name
ended in `/`. Editing one entry of a 40,000-entry folder parses names with one C-level regex
pass and copies the untouched bytes as they are, so a commit's cost does not grow with
Python loops over the folder.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from operator import add

from obm_tui.model.errors import VaultError

TREE_MODE = b"40000"
FILE_MODE = b"100644"
EXEC_MODE = b"100755"
LINK_MODE = b"120000"
KEEP_MODE = b""  # "a regular file: keep the mode the tree has (core.fileMode=false)"
_REGULAR = (FILE_MODE, EXEC_MODE)


@dataclass(frozen=True, slots=True)
class Entry:
    """One tree entry's mode and raw (binary) object id."""

    mode: bytes
    oid: bytes

    @property
    def is_tree(self) -> bool:
        return self.mode == TREE_MODE


@cache
def _entry_re(hash_len: int) -> re.Pattern[bytes]:
    return re.compile(rb"([0-7]+) ([^\0]+)\0.{%d}" % hash_len, re.S)


@dataclass(frozen=True, slots=True)
class _View:
    """A parsed tree: modes, names and sort keys in order, and cumulative sizes for offsets."""

    modes: tuple[bytes, ...]
    names: tuple[bytes, ...]
    keys: Sequence[bytes]
    ends: list[int]  # ends[i] = total len(mode) + len(name) of entries 0..i
    fixed: int  # the bytes every entry has besides mode and name: " ", NUL and the oid

    def offset(self, index: int) -> int:
        """Byte offset where entry `index` starts (len(data) for index == len)."""
        return (self.ends[index - 1] if index else 0) + index * self.fixed

    def index_of(self, name: bytes) -> int | None:
        for key in (name, name + b"/"):
            index = bisect_left(self.keys, key)
            if index < len(self.keys) and self.keys[index] == key and self.names[index] == name:
                return index
        return None


def _view(data: bytes, hash_len: int) -> _View:
    """Parse with one C-level regex pass; VaultError when the bytes are not a well-formed tree."""
    pairs = _entry_re(hash_len).findall(data)
    modes, names = (tuple(column) for column in zip(*pairs, strict=True)) if pairs else ((), ())
    ends = list(accumulate(map(add, map(len, modes), map(len, names))))
    fixed = 2 + hash_len
    if (ends[-1] if ends else 0) + len(names) * fixed != len(data):
        raise VaultError("git returned a malformed tree object; run `git fsck` on the vault.")
    keys = [sort_key(m, n) for m, n in zip(modes, names, strict=True)] if TREE_MODE in modes else names
    return _View(modes, names, keys, ends, fixed)


def parse(data: bytes, hash_len: int) -> list[tuple[bytes, bytes]]:
    """(mode, name) of every entry, in tree order; VaultError if the bytes are not a tree."""
    view = _view(data, hash_len)
    return list(zip(view.modes, view.names, strict=True))


def sort_key(mode: bytes, name: bytes) -> bytes:
    """git's tree order: a folder's name compares as if it ended with `/`."""
    return name + b"/" if mode == TREE_MODE else name


def lookup(data: bytes, hash_len: int, name: bytes) -> Entry | None:
    """The entry called `name`, or None."""
    view = _view(data, hash_len)
    index = view.index_of(name)
    if index is None:
        return None
    end = view.offset(index + 1)
    return Entry(view.modes[index], data[end - hash_len : end])


def edit(data: bytes, hash_len: int, changes: Mapping[bytes, Entry | None]) -> bytes:
    """`data` with each named entry replaced by its new Entry, or removed when it maps to None.

    A new entry with KEEP_MODE takes the regular-file mode of the entry it replaces (100644
    when there is none). Returns `data` itself when nothing changes.
    """
    view = _view(data, hash_len)
    events: list[tuple[int, int, bytes, bytes]] = []  # (index, 0 insert / 1 drop, key, bytes)
    for name, new in changes.items():
        old = view.index_of(name)
        if old is not None:
            events.append((old, 1, b"", b""))
        if new is not None:
            mode = _mode_for(new.mode, view.modes[old] if old is not None else None)
            key = sort_key(mode, name)
            events.append((bisect_left(view.keys, key), 0, key, mode + b" " + name + b"\0" + new.oid))
    result = _splice(data, view, sorted(events))
    return data if result == data else result


def build(entries: Mapping[bytes, Entry]) -> bytes:
    """A tree's bytes from a {name: Entry} mapping (any order)."""
    ordered = sorted(entries.items(), key=lambda item: sort_key(item[1].mode, item[0]))
    return b"".join(e.mode + b" " + name + b"\0" + e.oid for name, e in ordered)


def _mode_for(mode: bytes, old_mode: bytes | None) -> bytes:
    if mode != KEEP_MODE:
        return mode
    return old_mode if old_mode in _REGULAR else FILE_MODE


def _splice(data: bytes, view: _View, events: list[tuple[int, int, bytes, bytes]]) -> bytes:
    out: list[bytes] = []
    cursor = 0
    for index, kind, _key, piece in events:
        if index > cursor:
            out.append(data[view.offset(cursor) : view.offset(index)])
        cursor = max(cursor, index)
        if kind == 0:
            out.append(piece)
        else:
            cursor = index + 1
    out.append(data[view.offset(cursor) :])
    return b"".join(out)
