"""The vault: open a folder, keep its index, and change records the one safe way.

Every change goes the same road (DESIGN.md, principle 2), holding the write lock (`vault/lock.py`:
one writer across threads and processes): validate -> stale check (merge or stop) -> intent journal
(`vault/journal.py`) -> atomic writes, each checked against the bytes planned over -> one git commit
of exactly the bytes written -> index update. A change killed half way is finished by the next
writer from its journal; a commit git refuses for a while (a held index.lock) stays queued in the
journal; a commit that fails for any other reason puts the old bytes back.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from obm_tui.model import payments
from obm_tui.model.errors import ConflictError, FormatError, UsageError, VaultError
from obm_tui.model.fields import FieldValueError
from obm_tui.model.kinds import Kind
from obm_tui.model.merge import DELETED, FieldConflict, merge_changes
from obm_tui.model.month_close import CLOSED_MONTH_NOTE, MONEY_KINDS, closed_months, closed_months_changed
from obm_tui.model.records import Record
from obm_tui.vault import frontmatter_edit as edit
from obm_tui.vault import interrupted, journal, merge_driver
from obm_tui.vault.atomic import create_exclusive, remove_stale_temps, replace_checked, write_atomic
from obm_tui.vault.batch import BatchResult, Edit, NewFile, Planned, Replace
from obm_tui.vault.cache import CACHE_DIR, read_cache, write_cache
from obm_tui.vault.config import CONFIG_PATH, Config, load_config
from obm_tui.vault.derived import DerivedValues
from obm_tui.vault.frontmatter import Document, read_body, read_document
from obm_tui.vault.git import Git, GitLockedError
from obm_tui.vault.index import Index
from obm_tui.vault.loader import (
    Entry,
    Row,
    cross_problems,
    gc_paused,
    load_row,
    load_rows,
    scan_with_cache,
    to_record,
    to_records,
    to_row,
)
from obm_tui.vault.lock import LOCK_FILE, WriteLock
from obm_tui.vault.outside import outside_change
from obm_tui.vault.paths import (
    CONFLICT_DIR,
    check_relative,
    conflict_copy,
    inside,
    is_kept_version,
    is_legacy_kept_version,
    kind_of_path,
)

RULES_CHECKPOINT = ".obm/rules-checkpoint"  # services/rule_history.py: how far the rules have looked
PENDING_FILE = f"{CACHE_DIR}/pending.json"  # the queue of obm before the journal; still committed if found
RACE_RETRIES = 5  # a save re-planned this often when another program keeps saving the same file


@dataclass(frozen=True)
class SaveResult:
    """What a save did: the record now, the commit (None if pending), and a note for the user."""

    record: Record
    commit: str | None
    merged: tuple[str, ...] = ()
    pending: bool = False


class Vault:
    """An opened vault: config, git, and the index of every record."""

    def __init__(self, root: Path, config: Config, git: Git, index: Index) -> None:
        self.root = root
        self.config = config
        self.git = git
        self.index = index
        self.write_lock = WriteLock(root)  # one writer at a time, across processes: saves, commits, reloads
        self.write_lock.on_acquire = self._finish_quietly
        self.notes: list[str] = []  # what the user must be told besides the result (a queued commit)
        self.own_writes: dict[str, bytes] = {}  # path -> digest of our last write (the watcher skips them)
        self.listeners: list[Callable[[list[str]], None]] = []
        self.unverified: dict[str, Row] | None = None  # cached rows taken on trust, not yet compared with the files
        self.recovered: list[str] = []  # what opening undid of an interrupted sync (vault/interrupted.py)
        self.derived = DerivedValues(self, _digest)
        self.read_only = False  # set by open: the folder or git's cannot be written (reads still work)

    # ----- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path | str, *, use_cache: bool = True, commit_external: bool = True,
             trust_cache: bool = False) -> Vault:
        """Open a vault folder: check git, load the index (warm from the cache when possible).

        `trust_cache` (the app) takes a current-looking cache as it is, without the stat of every
        file, so the first frame comes sooner; `refresh.verify_trusted` must then compare the files
        with it (the app does, once the watcher is on) — until then `vault.unverified` holds the
        rows to check."""
        root = Path(root).expanduser().resolve()
        if not root.is_dir():
            raise VaultError(f"no vault at {root}: not a folder")
        if not Git.is_repo(root):
            raise VaultError(f"{root} is not a git repository; run `obm init {root}` to make a vault there")
        git = Git(root)
        read_only = read_only_reason(root, git.git_dir) is not None  # opening then writes nothing at all
        recovered: list[str] = []
        if not read_only:
            git.ensure_settings(merge_driver.settings())  # records merge field by field in every clone obm opens
            if (root / ".git").is_dir():
                merge_driver.register_attributes(root / ".git")
            exclude_local_state(git)
            recovered = interrupted.recover(root, git)  # a sync killed mid-merge: undone before anything is committed
        config = load_config(root)
        vault = cls(root, config, git, Index())
        vault.read_only = read_only
        vault.recovered = recovered
        if not read_only and journal.pending(root):  # a change interrupted by a kill: finished before anything is read
            with vault.write_lock:
                pass
        with gc_paused():  # a load makes ~10 objects a record, none in cycles
            vault.index = Index(vault._load(use_cache, trust_cache))
        if commit_external and not read_only:
            vault._commit_leftovers()
        return vault

    def _commit_leftovers(self) -> None:
        """Queued commits and outside edits; git busy is no reason to refuse the command itself."""
        try:
            self.commit_pending()
            self.commit_external_edits()
        except GitLockedError:
            pass

    def _load(self, use_cache: bool, trust_cache: bool = False) -> list[Record]:
        cached = read_cache(self.root) if use_cache else {}
        if trust_cache and cached:
            self.unverified = cached
            return _with_cross_problems(to_records(list(cached.values())))
        found = scan_with_cache(self.root, cached)  # one pass; no stat at all when there is no cache
        if not self.read_only:
            remove_stale_temps([self.root / rel for rel in found.strays])
        rows = found.rows + load_rows(self.root, found.fresh)
        if (found.fresh or len(rows) != len(cached)) and not self.read_only:
            write_cache(self.root, rows)
        return _with_cross_problems(to_records(rows))

    def save_cache(self) -> None:
        write_cache(self.root, [to_row(r) for r in self.index.all()])

    def close(self) -> None:
        self.git.close()

    # ----- reading -------------------------------------------------------------------------
    def find(self, ref: str, kind: str | None = None) -> Record:
        return self.index.find(ref, kind)

    def records(self, kind: str | None = None, *, archived: bool = False) -> list[Record]:
        found = self.index.all() if kind is None else self.index.of_kind(kind)
        return found if archived else [r for r in found if r.data.get("archived") is not True]

    def path_of(self, record: Record) -> Path:
        return self.root / record.path

    def read_document(self, record: Record) -> Document:
        """The record's file as it is on disk now (FormatError if it no longer parses)."""
        return read_document(self.read_bytes(record.path))

    def read_for_edit(self, record: Record) -> Document:
        """The record's file now, to change it: ConflictError (with the line and reason) if it no
        longer parses, UsageError if it is gone."""
        return self._parse_or_refuse(record, self.read_bytes(record.path))

    def read_body(self, record: Record) -> str:
        """The record's body as it is on disk now (its front matter is not parsed again)."""
        return read_body(self.read_bytes(record.path))

    def read_bytes(self, rel: str) -> bytes:
        """The bytes of a vault file now: VaultError for a symlink out of the vault, UsageError if gone."""
        path = self.root / rel
        if not inside(self.root, path):
            raise VaultError(f"{rel} is a symlink that leads out of the vault; it is not read")
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise UsageError(f"{rel} no longer exists (deleted or renamed by another program)") from None

    # ----- writing -------------------------------------------------------------------------
    def create(self, rel: str, data: Mapping[str, Any], body: str, message: str) -> SaveResult:
        """Write a new record file (never over an existing one) and commit it."""
        result = self.write_many([NewFile(rel, data, body)], message)
        return SaveResult(result.records[0], result.commit, pending=result.pending)

    def update(self, record: Record, changes: Mapping[str, Any], message: str, *,
               body: str | None = None, base_body: str | None = None, discard: Sequence[str] = ()) -> SaveResult:
        """Change fields (raw values; DELETED removes) and/or the body of one record.

        If the file changed on disk since `record` was loaded, non-overlapping field changes are
        merged onto it; overlapping ones raise FieldConflictError after keeping my version in
        `conflicts/`. A new `body` needs the `base_body` it was edited from, so an outside
        edit of the notes is noticed. A file that does not parse is never written. `discard`: kept
        versions this save resolves, removed in its commit.
        """
        result = self.write_many([Edit(record, changes, body, base_body)], message, discard=discard)
        outside = result.outside.get(record.path, ())
        return SaveResult(result.records[0], result.commit, outside, result.pending)

    def write_many(self, items: Sequence[NewFile | Edit | Replace], message: str, *,
                   discard: Sequence[str] = ()) -> BatchResult:
        """Write every item, then make one commit of all their paths with `message`.

        `discard` names versions kept aside (`conflicts/…`, or the older untracked `.obm/conflicts/…`)
        that this change resolves: they are removed in the same commit.

        Every file is planned before any is written: nothing is written when one is refused (a
        file that does not parse, overlapping outside edits, a new file whose name is taken, an
        unsafe path). The change is journalled before its first file is written, so a kill
        anywhere leaves it whole once the next writer has finished it. Another program's save that
        lands between the plan and a file's swap is never overwritten: what was written is undone
        and the change planned again over it (merged field by field, or stopped).
        """
        with self.write_lock:
            for _attempt in range(RACE_RETRIES):
                try:
                    return self._write_once(items, message, discard)
                except _RacedError:
                    continue
            raise ConflictError("Another program kept saving these files while obm was writing them; "
                                "nothing was changed. Try again.")

    def _write_once(self, items: Sequence[NewFile | Edit | Replace], message: str,
                    discard: Sequence[str] = ()) -> BatchResult:
        planned, outside = self._plan(items)
        gone = self._plan_discard(discard)
        changed = [p for p in planned if p.new != p.old]
        # an outside edit that already holds this change (an editor saved over our bytes while they
        # stood in the file for an instant): committed as it is, under this change's message
        as_is = [p for p in planned if p.new == p.old and p.rel in outside]
        if not changed and not as_is and not gone:
            return BatchResult(tuple(self._reindex(p.rel, p.new) for p in planned), None)
        files = [journal.FileChange(p.rel, journal.digest(p.old), p.new) for p in changed + as_is]
        files += [journal.FileChange(rel, journal.digest(old), None) for rel, old in gone if is_kept_version(rel)]
        message += _merge_note(outside) + self._closed_month_note([(p.rel, p.old, p.new) for p in changed])
        intent = journal.begin(self.root, files, message, self.config.author)
        try:
            self._write_all(changed)
        except BaseException:
            journal.finish(self.root, intent)
            raise
        for rel, _old in gone:
            (self.root / rel).unlink(missing_ok=True)
        records = tuple(self._reindex(p.rel, p.new) for p in planned)
        result = self._commit_change(intent, changed + as_is, records[0] if records else None, gone=gone)
        return BatchResult(records, result.commit, result.pending, outside)

    def _plan_discard(self, discard: Sequence[str]) -> list[tuple[str, bytes]]:
        """The kept versions to remove, with their bytes (put back if the commit fails)."""
        gone: list[tuple[str, bytes]] = []
        for rel in discard:
            check_relative(rel)
            if not (is_kept_version(rel) or is_legacy_kept_version(rel)):
                raise UsageError(f"{rel} is not a version kept in {CONFLICT_DIR}/")
            old = _read_or_none(self.root / rel)
            if old is not None:
                gone.append((rel, old))
        return gone

    def _write_all(self, planned: list[Planned]) -> None:
        """Write planned files (new ones first: they may clash); on failure put the old bytes back."""
        done: list[Planned] = []
        try:
            for step in sorted(planned, key=lambda p: p.old is not None):
                self._write_one(step)
                done.append(step)
        except BaseException:
            self._undo(done)
            raise

    def _write_one(self, step: Planned) -> None:
        path = self.root / step.rel
        if step.old is None:
            try:
                create_exclusive(path, step.new)
            except FileExistsError:
                raise ConflictError(f"{step.rel} already exists; not overwritten") from None
            return
        raced = replace_checked(path, step.new, step.old)
        if raced is not None:
            self._commit_superseded(step.rel, raced.superseded)
            raise _RacedError(step.rel)

    def _commit_superseded(self, rel: str, saves: Sequence[bytes]) -> None:
        """Outside saves that a newer one replaced while ours stood in the file for an instant: each is
        committed as an outside edit, so history holds every save (kept in `conflicts/` if git refuses)."""
        for data in saves:
            try:
                contents, message = outside_change(self.git, self.root, [rel], {rel: data})
                self.git.commit_contents(contents, message, author=self.config.author)
            except (VaultError, OSError):
                journal.keep_aside(self.root, rel, data, "outside")

    def _undo(self, done: Sequence[Planned]) -> None:
        """Put the old bytes back in files this change wrote (a save made over ours since stays)."""
        for step in reversed(done):
            path = self.root / step.rel
            if step.old is None:
                if journal.digest(_read_or_none(path)) == journal.digest(step.new):
                    path.unlink(missing_ok=True)
                continue
            raced = replace_checked(path, step.old, step.new)
            for data in raced.superseded if raced is not None else ():
                journal.keep_aside(self.root, step.rel, data, "outside")

    def _plan(self, items: Sequence[NewFile | Edit | Replace]) -> tuple[list[Planned], dict[str, tuple[str, ...]]]:
        planned: list[Planned] = []
        outside: dict[str, tuple[str, ...]] = {}
        for item in items:
            rel = item.rel if isinstance(item, NewFile) else item.record.path
            if any(p.rel == rel for p in planned):
                raise UsageError(f"{rel} is changed twice in one batch")
            if isinstance(item, NewFile):
                planned.append(self._plan_new(item))
                continue
            if isinstance(item, Replace):
                planned.append(self._plan_replace(item))
                continue
            step, fields = self._plan_edit(item)
            planned.append(step)
            outside.update({rel: fields} if fields else {})
        return planned, outside

    def _plan_new(self, item: NewFile) -> Planned:
        check_relative(item.rel)
        kind = kind_of_path(item.rel)
        if kind is None:
            raise UsageError(f"{item.rel} is not inside a record folder")
        if (self.root / item.rel).exists():
            raise ConflictError(f"{item.rel} already exists; not overwritten")
        return Planned(item.rel, edit.new_document(for_writer(kind, item.data), item.body), None)

    def _plan_replace(self, item: Replace) -> Planned:
        """A whole new version of a loaded record (a kept version taken instead of it): refused when
        the file changed since it was loaded, or when the new version does not parse."""
        record = item.record
        raw = self.read_bytes(record.path)
        if record.digest and _digest(raw) != record.digest:
            raise ConflictError(f"{record.path} changed since it was loaded; look at it again first")
        try:
            read_document(item.raw)
        except FormatError as exc:
            raise UsageError(f"that version of {record.path} does not parse (line {exc.line}: {exc.reason}); "
                             "fix it in an editor first") from None
        return Planned(record.path, item.raw, raw)

    def _plan_edit(self, item: Edit) -> tuple[Planned, tuple[str, ...]]:
        record = item.record
        raw = self.read_bytes(record.path)
        doc = self._parse_or_refuse(record, raw)
        changes: Mapping[str, Any] = item.changes
        outside: tuple[str, ...] = ()
        if record.digest and _digest(raw) != record.digest:
            changes, outside = self._merge_or_stop(record, doc, changes, item.body, item.base_body)
        return Planned(record.path, self._apply(doc, changes, item.body, kind_of_path(record.path)), raw), outside

    def delete(self, record: Record, message: str) -> str | None:
        """Remove a record's file and commit the removal (refused if it changed since loaded)."""
        with self.write_lock:
            raw = self.read_bytes(record.path)
            if record.digest and _digest(raw) != record.digest:
                raise ConflictError(f"{record.path} changed since it was loaded; look at it again before deleting")
            files = [journal.FileChange(record.path, journal.digest(raw), None)]
            message += self._closed_month_note([(record.path, raw, None)])
            intent = journal.begin(self.root, files, message, self.config.author)
            (self.root / record.path).unlink(missing_ok=True)
            self.index.remove(record.path)
            self.own_writes[record.path] = b""
            return self._commit_change(intent, [Planned(record.path, b"", raw)], None, removed=True).commit

    def _closed_month_note(self, changes: Sequence[tuple[str, bytes | None, bytes | None]]) -> str:
        """` (changes closed month 2026-11)` when a change alters the money of a month a `close`
        record says is closed (model/month_close.py), and a note to warn the user; else ''.
        Every write passes here, whichever command or screen made it."""
        closed = closed_months(self.records("close", archived=True))
        if not closed:
            return ""
        currency = self.config.currency.strip().upper()
        months: set[str] = set()
        for rel, old, new in changes:
            kind = kind_of_path(rel)
            if kind is not None and kind.name in MONEY_KINDS:
                months.update(closed_months_changed(_money_record(rel, kind, old), _money_record(rel, kind, new),
                                                    closed, currency))
        if not months:
            return ""
        shown = ", ".join(sorted(months))
        self.notes.append(f"{CLOSED_MONTH_NOTE} {shown} (closes/); tell the accountant")
        return f" (changes closed month {shown})"

    def _parse_or_refuse(self, record: Record, raw: bytes) -> Document:
        try:
            return read_document(raw)
        except FormatError as exc:
            raise ConflictError(
                f"{record.path} does not parse (line {exc.line}: {exc.reason}); fix it in an editor first"
            ) from None

    def _merge_or_stop(self, record: Record, doc: Document, changes: Mapping[str, Any],
                       body: str | None, base_body: str | None) -> tuple[dict[str, Any], tuple[str, ...]]:
        to_apply, conflicts = merge_changes(record.data, changes, doc.data)
        if body is not None and doc.body not in (base_body, body):
            conflicts.append(FieldConflict("notes", base_body, body, doc.body))
        if conflicts:
            kept = self._keep_conflict_copy(record, doc, changes, body)
            raise FieldConflictError(record, conflicts, kept)
        outside = tuple(sorted(k for k in set(doc.data) | set(record.data) if doc.data.get(k) != record.data.get(k)))
        return to_apply, outside or ("the notes",)

    def _keep_conflict_copy(self, record: Record, doc: Document, changes: Mapping[str, Any],
                            body: str | None) -> str:
        mine = self._apply(doc, changes, body, kind_of_path(record.path))
        rel = conflict_copy(record.path, tz=self.config.tz)
        write_atomic(self.root / rel, mine)
        return rel

    def _apply(self, doc: Document, changes: Mapping[str, Any], body: str | None, kind: Kind | None = None) -> bytes:
        typed = for_writer(kind, changes) if kind else changes
        fields = {k: (edit.DELETE if v is DELETED else v) for k, v in typed.items()}
        raw = edit.set_fields(doc, fields) if fields else doc.raw
        if body is not None:
            raw = edit.set_body(read_document(raw), body)
        return raw

    def _reindex(self, rel: str, content: bytes) -> Record:
        self.own_writes[rel] = _digest(content)
        st = os.stat(self.root / rel)
        kind = kind_of_path(rel)
        assert kind is not None, rel  # _plan lets only record paths through
        entry = Entry(rel, kind.name, (st.st_mtime_ns, st.st_size, st.st_ino))
        record = to_record(load_row(self.root, entry))
        self.index.put(record)
        return record

    # ----- committing ----------------------------------------------------------------------
    def _commit_change(self, intent: journal.Intent, changed: list[Planned], record: Record | None, *,
                       removed: bool = False, gone: Sequence[tuple[str, bytes]] = ()) -> SaveResult:
        """Commit the bytes written (and the kept versions `gone`). Git busy: the journal keeps the
        commit queued. Any other failure: the old bytes go back and the error says nothing was changed."""
        contents: dict[str, bytes | None] = {p.rel: None if removed else p.new for p in changed}
        contents.update({rel: None for rel, _old in gone if is_kept_version(rel)})
        placeholder = changed[0].rel if changed else "clients/kept-version.md"
        try:
            sha = self.git.commit_contents(contents, intent.message, author=intent.author)
        except GitLockedError as exc:
            journal.mark_queued(self.root, intent)
            self.notes.append(_queued_note(intent, exc))
            return SaveResult(record or _placeholder(placeholder), None, pending=True)
        except (VaultError, OSError) as exc:  # a merge in progress, a full disk, a broken repository …
            for rel, old in gone:
                write_atomic(self.root / rel, old)
            self._roll_back(intent, changed, removed, exc)
        journal.finish(self.root, intent)
        self._notify(list(contents))
        return SaveResult(record or _placeholder(placeholder), sha)

    def _roll_back(self, intent: journal.Intent, changed: list[Planned], removed: bool,
                   exc: VaultError | OSError) -> None:
        reason = (exc.message if isinstance(exc, VaultError) else f"git could not commit: {exc}").rstrip(".")
        try:
            if removed:
                create_exclusive(self.root / changed[0].rel, changed[0].old or b"")
            else:
                self._undo(changed)
        except OSError as undo:
            journal.mark_queued(self.root, intent)
            raise VaultError(f"The change is saved on disk but not committed ({reason}); the old files could not "
                             f"be put back ({undo.strerror}). The commit \"{intent.message}\" is queued and will be "
                             "made by the next obm command or the app.") from None
        journal.finish(self.root, intent)
        for step in changed:
            self._reload_path(step.rel)
        raise VaultError(f"{reason}. Nothing was changed.") from None

    def _reload_path(self, rel: str) -> None:
        if kind_of_path(rel) is None:
            return
        data = _read_or_none(self.root / rel)
        if data is None:
            self.index.remove(rel)
        else:
            self._reindex(rel, data)

    def _notify(self, paths: list[str]) -> None:
        for listener in list(self.listeners):
            listener(paths)

    def pending(self) -> list[dict[str, Any]]:
        """Commits that could not be made yet (their edits are on disk), oldest first."""
        queued = [{"paths": i.paths, "message": i.message} for i in journal.pending(self.root)]
        return self._legacy_pending() + queued

    def _legacy_pending(self) -> list[dict[str, Any]]:
        try:
            loaded = json.loads((self.root / PENDING_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [p for p in loaded if isinstance(p, dict) and isinstance(p.get("paths"), list)]

    def commit_pending(self) -> list[str]:
        """Finish interrupted changes and make queued commits, in order, each with its own message
        and author. Returns the new shas; GitLockedError when git is still busy."""
        if not self.pending():
            return []  # nothing queued: no lock taken (a read-only command stays lock-free)
        with self.write_lock:
            made = self._commit_legacy_queue()
            return made + self._finish_interrupted(wait=True)

    def _commit_legacy_queue(self) -> list[str]:
        made: list[str] = []
        queue = self._legacy_pending()
        while queue:
            item = queue[0]
            sha = self.git.commit([str(p) for p in item["paths"]], str(item.get("message", "saved")),
                                  author=self.config.author)
            made += [sha] if sha else []
            queue.pop(0)
            write_atomic(self.root / PENDING_FILE, json.dumps(queue, indent=1).encode())
        return made

    def _finish_quietly(self) -> None:
        """Run when the write lock is taken: finish what a killed writer left, before anything new."""
        try:
            self._finish_interrupted(wait=False)
        except (VaultError, OSError):
            pass  # left in the journal (a read-only vault cannot finish it); the status bar shows it queued

    def _finish_interrupted(self, *, wait: bool) -> list[str]:
        """Every journalled change, oldest first: files rolled forward, then committed. The first
        commit git refuses leaves it and every later one queued (their files rolled forward)."""
        made: list[str] = []
        blocked: VaultError | None = None
        for intent in journal.pending(self.root):
            contents, aside = journal.roll_forward(self.root, intent)
            for rel in contents:
                self._reload_path(rel)
            if blocked is None and not wait and intent.queued and (self.git.git_dir / "index.lock").exists():
                blocked = GitLockedError(str(self.git.git_dir / "index.lock"))  # no 2 s wait on every command
            if blocked is None:
                try:
                    sha = self._commit_recovered(intent, contents, aside)
                except VaultError as exc:
                    blocked = exc
                else:
                    made += [sha] if sha else []
                    continue
            if not intent.queued:
                journal.mark_queued(self.root, intent)
        if blocked is not None and wait:
            raise blocked
        return made

    def _commit_recovered(self, intent: journal.Intent, contents: dict[str, bytes | None],
                          aside: list[str]) -> str | None:
        message = intent.message
        if aside:
            message += f" (unfinished; another program's version kept, ours kept aside in {', '.join(aside)})"
        sha = self.git.commit_contents(contents, message, author=intent.author) if contents else None
        journal.finish(self.root, intent)
        self._notify(list(contents))
        return sha

    def commit_external_edits(self) -> str | None:
        """Commit record files changed by other programs while obm was not looking (and kept
        versions added or deleted: deleting one is how a conflict is resolved)."""
        if not self._external_paths():
            return None  # a clean vault: no lock taken (a read-only command stays lock-free)
        with self.write_lock:
            return self.commit_outside(self._external_paths())

    def commit_outside(self, paths: Sequence[str]) -> str | None:
        """Commit what another program did to `paths` (those that differ from HEAD), with a message
        naming each committed file's change in business words. Hold the write lock."""
        contents, message = outside_change(self.git, self.root, paths)
        if not contents:
            return None
        return self.git.commit_contents(contents, message, author=self.config.author)

    def _external_paths(self) -> list[str]:
        return sorted(p for p in self.git.changed_paths() if kind_of_path(p) or p == CONFIG_PATH or is_kept_version(p))


def read_only_reason(root: Path, git_dir: Path) -> str | None:
    """Why this process cannot change the vault (a read-only mount, no write permission), or None."""
    for folder in (root, git_dir):
        if not os.access(folder, os.W_OK):
            mounted_read_only = os.statvfs(folder).f_flag & os.ST_RDONLY
            return "a read-only file system" if mounted_read_only else f"{folder}: no permission to write"
    return None


class FieldConflictError(ConflictError):
    """Overlapping edits: both values for each field, and where my version was kept."""

    def __init__(self, record: Record, conflicts: list[FieldConflict], kept: str) -> None:
        names = ", ".join(c.name for c in conflicts)
        super().__init__(
            f"{record.path} was changed elsewhere in the same field(s): {names}. "
            f"Nothing was written; your version is kept in {kept}."
        )
        self.record = record
        self.conflicts = conflicts
        self.kept = kept


def for_writer(kind: Kind, values: Mapping[str, Any]) -> dict[str, Any]:
    """Raw values with whole numbers and amounts as int/Decimal, so new keys are written plain
    (`on_hand: 0`, not `on_hand: "0"`); they read back as the same text."""
    typed: dict[str, Any] = {}
    for name, value in values.items():
        spec = kind.field(name)
        if spec is not None and spec.type in ("int", "money") and isinstance(value, str):
            try:
                value = spec.convert(value)
            except FieldValueError:
                pass
        typed[name] = value
    return typed


def _merge_note(outside: Mapping[str, tuple[str, ...]]) -> str:
    if not outside:
        return ""
    if len(outside) == 1:
        return f" (merged with an outside edit of {', '.join(next(iter(outside.values())))})"
    return f" (merged with outside edits of {'; '.join(f'{p} ({chr(44).join(f)})' for p, f in outside.items())})"


def _money_record(rel: str, kind: Kind, raw: bytes | None) -> Record | None:
    """A money record from its bytes (front matter and payment rows), for the closed-month check;
    None for no file or one that does not parse."""
    if raw is None:
        return None
    try:
        doc = read_document(raw)
    except FormatError:
        return None
    currency = doc.data.get("currency")
    table = payments.parse(doc.body, currency.strip().upper() if isinstance(currency, str) and currency else None)
    stem = rel.rsplit("/", 1)[-1].removesuffix(".md")
    return Record(kind.name, str(doc.data.get("id") or stem), rel, doc.data,
                  extra={"payments": payments.summary(table)} if table.payments else {})


class _RacedError(Exception):
    """Another program saved a file between its check and its swap: plan the change again."""


def _queued_note(intent: journal.Intent, exc: GitLockedError) -> str:
    return (f"saved, not yet committed: {exc.lock} is held by another git program. The commit "
            f"\"{intent.message.splitlines()[0]}\" is queued and will be made by the next obm command or the app.")


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


# Ignored in every clone obm opens, in `.git/info/exclude` (never in the user's `.gitignore`): the
# journal, the lock file and the rules' checkpoint (this clone's own), temp files of interrupted
# saves in any folder, and Obsidian's per-device state. `.obm/cache/` and `.obm/conflicts/` are in
# the committed `.obm/.gitignore`.
TEMP_AND_DEVICE_EXCLUDES = (".~obm-*", "/.obsidian/workspace*")


def exclude_local_state(git: Git) -> None:
    """Git-ignore what is this clone's own or temporary in `.git/info/exclude` (obm init and every open)."""
    exclude = git.git_dir / "info" / "exclude"
    wanted = [f"/{journal.JOURNAL_DIR}/", f"/{LOCK_FILE}", f"/{RULES_CHECKPOINT}", *TEMP_AND_DEVICE_EXCLUDES]
    try:
        text = exclude.read_text(encoding="utf-8") if exclude.exists() else ""
        missing = [line for line in wanted if line not in text.splitlines()]
        if missing:
            exclude.parent.mkdir(parents=True, exist_ok=True)
            ending = "" if not text or text.endswith("\n") else "\n"
            exclude.write_text(text + ending + "\n".join(missing) + "\n", encoding="utf-8")
    except OSError:
        pass  # a read-only clone: nothing to write there anyway


def _digest(raw: bytes) -> bytes:
    import hashlib

    return hashlib.blake2b(raw, digest_size=16).digest()


def _with_cross_problems(records: list[Record]) -> list[Record]:
    extra = cross_problems(records)
    if not extra:
        return records
    from dataclasses import replace

    return [replace(r, problems=r.problems + tuple(extra[r.path])) if r.path in extra else r for r in records]


def _placeholder(rel: str) -> Record:
    kind = kind_of_path(rel)
    return Record(kind.name if kind else "client", rel.rsplit("/", 1)[-1][:-3], rel, {})
