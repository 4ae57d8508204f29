"""Bringing the index up to date with files changed on disk by other programs.

`reload_paths` re-reads the given files (a changed, new or deleted record each) and replaces
their index entries; `rescan` compares the whole vault with the index (after an event storm, a
`git pull`, a checkout) so that the index equals a fresh scan afterwards. Problems that span
files (duplicate ids, names differing only by case) are recomputed for every record they touch.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass

from obm_tui.model.errors import Problem
from obm_tui.model.records import Record
from obm_tui.vault.atomic import remove_stale_temps
from obm_tui.vault.config import CONFIG_PATH
from obm_tui.vault.loader import (
    Entry,
    cross_problems,
    load_row,
    scan,
    scan_with_cache,
    to_record,
)
from obm_tui.vault.paths import kind_of_path
from obm_tui.vault.store import Vault


@dataclass(frozen=True)
class Reloaded:
    """What a reload changed in the index: record paths added, changed or removed."""

    changed: tuple[str, ...] = ()
    config: bool = False  # `.obm/config.toml` was re-read


def digest_of(raw: bytes) -> bytes:
    """The digest the store records for its own writes (`vault.own_writes`)."""
    return hashlib.blake2b(raw, digest_size=16).digest()


def is_own_write(vault: Vault, rel: str) -> bool:
    """True when the file is exactly as obm itself last wrote (or deleted) it."""
    mine = vault.own_writes.get(rel)
    if mine is None:
        return False
    try:
        raw = (vault.root / rel).read_bytes()
    except FileNotFoundError:
        return mine == b""
    except OSError:
        return False
    return mine == digest_of(raw)


def reload_paths(vault: Vault, paths: Iterable[str]) -> Reloaded:
    """Re-read these vault-relative paths into the index; returns the record paths that changed."""
    changed: list[str] = []
    config = False
    wanted = sorted(set(paths))
    before = [r for r in (vault.index.by_path(p) for p in wanted) if r is not None]
    for rel in wanted:
        if rel == CONFIG_PATH:
            config = _reload_config(vault)
        elif kind_of_path(rel) is not None and _reload_one(vault, rel):
            changed.append(rel)
    if changed:
        _refresh_cross_problems(vault, changed, before)
    return Reloaded(tuple(changed), config)


def rescan(vault: Vault) -> Reloaded:
    """Compare every record file with the index and reload what differs (added, changed, gone)."""
    entries = {e.path: e for e in scan(vault.root)}
    known = {r.path: r for r in vault.index.all()}
    stale = [p for p, e in entries.items() if p not in known or known[p].stat != e.stat]
    gone = [p for p in known if p not in entries]
    result = reload_paths(vault, [*stale, *gone, CONFIG_PATH])
    return result


def verify_trusted(vault: Vault) -> Reloaded:
    """After `Vault.open(trust_cache=True)`: compare every record file with the cached rows that
    were taken on trust (one stat each, as a verified open does), reload what differs, remove
    stray temp files, and save the cache when anything changed. Nothing to do otherwise."""
    cached = vault.unverified
    if cached is None:
        return Reloaded()
    found = scan_with_cache(vault.root, cached)
    remove_stale_temps([vault.root / rel for rel in found.strays])
    seen = {row[0] for row in found.rows}.union(e.path for e in found.fresh)
    gone = [path for path in cached if path not in seen]
    result = reload_paths(vault, [*(e.path for e in found.fresh), *gone])
    vault.unverified = None
    if found.fresh or gone:
        vault.save_cache()
    return result


def _reload_one(vault: Vault, rel: str) -> bool:
    kind = kind_of_path(rel)
    assert kind is not None
    path = vault.root / rel
    old = vault.index.by_path(rel)
    try:
        st = os.stat(path)
    except OSError:
        if os.path.lexists(path):  # a dangling symlink or a loop: still listed, as a problem
            st = None
        else:
            return old is not None and vault.index.remove(rel) is not None
    stat = (st.st_mtime_ns, st.st_size, st.st_ino) if st is not None else (0, 0, 0)
    record = to_record(load_row(vault.root, Entry(rel, kind.name, stat, os.path.islink(path))))
    if old is not None and _same(old, record):
        if old.stat != record.stat:
            vault.index.put(_with_problems(record, old.problems))
        return False
    vault.index.put(record)
    return True


def _same(old: Record, new: Record) -> bool:
    return old.digest == new.digest and old.id == new.id and dict(old.data) == dict(new.data)


def _with_problems(record: Record, problems: tuple[Problem, ...]) -> Record:
    from dataclasses import replace

    return replace(record, problems=tuple(problems))


def _reload_config(vault: Vault) -> bool:
    from obm_tui.model.errors import VaultError
    from obm_tui.vault.config import load_config

    try:
        fresh = load_config(vault.root)
    except VaultError:
        return False  # a broken config keeps the last good one; `obm check` reports it
    if fresh == vault.config:
        return False
    vault.config = fresh
    return True


def _refresh_cross_problems(vault: Vault, changed: list[str], before: list[Record]) -> None:
    """Recompute duplicate-id and case-collision problems for every record sharing a key with `changed`."""
    touched = [r for r in (vault.index.by_path(p) for p in changed) if r is not None]
    ids = {(r.kind, r.id.casefold()) for r in [*touched, *before]}
    names = {p.casefold() for p in changed}
    group = [r for r in vault.index.all() if (r.kind, r.id.casefold()) in ids or r.path.casefold() in names]
    if not _has_cross(group) and not cross_problems(group):  # no clash before, none now (changed files
        return                                                 # may clash with each other: a checkout)
    fresh = {r.path: to_record(load_row(vault.root, Entry(r.path, r.kind, r.stat, os.path.islink(vault.root / r.path))))
             for r in group}
    extra = cross_problems(fresh.values())
    for path, record in fresh.items():
        wanted = record.problems + tuple(extra.get(path, ()))
        current = vault.index.by_path(path)
        if current is not None and current.problems != wanted:
            vault.index.put(_with_problems(current, wanted))


def _has_cross(records: list[Record]) -> bool:
    return any(p.line == 0 and ("is also used by" in p.reason or "differs only by letter case" in p.reason)
               for r in records for p in r.problems)
