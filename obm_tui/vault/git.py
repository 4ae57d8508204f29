"""Every git operation obm does: commit exact paths fast, read history, revert, and stay safe.

`Git` wraps one vault's repository. Every git process it starts is hardened (see
`git_process`): a booby-trapped `.git/config` or hook cannot run code. Commits are built with
plumbing instead of `git commit`: the changed files are hashed, only the trees on their paths
are rewritten from HEAD's trees, `commit-tree` makes the commit and `update-ref HEAD new old`
moves the branch with a compare-and-swap, so a commit made meanwhile by someone else is never
lost. The index gets exactly the committed entries (before HEAD moves, so a failure leaves
them staged, never a stale index that would undo the commit); nothing else in it changes.

    with Git(root) as git:
        git.ensure_settings()
        sha = git.commit(["clients/fred-smith.md"], "client fred-smith: status onboarding -> current")
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from types import TracebackType

from obm_tui.model.errors import UsageError, VaultError
from obm_tui.vault import git_tree
from obm_tui.vault.git_log import LOG_FORMAT, Change, Commit, git_date, parse_log
from obm_tui.vault.git_process import GitLockedError, Persistent, Runner, audit_config, read_line, read_object
from obm_tui.vault.git_revert import plan_revert, write_plan
from obm_tui.vault.git_tree import Entry

__all__ = ["Change", "Commit", "Git", "GitLockedError", "FALLBACK_IDENTITY"]

FALLBACK_IDENTITY = ("obm", "obm@localhost")
LOCK_WAIT = 2.0
_CAS_ATTEMPTS = 20
_BUSY_STATES = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "rebase-merge", "rebase-apply")
_FSYNC_NEEDED = {"loose-object", "pack", "reference"}
_FSYNC_GROUPS = {
    "objects": {"loose-object", "pack"},
    "committed": {"loose-object", "pack", "reference"},
    "added": {"loose-object", "pack", "reference", "index"},
    "all": {"loose-object", "pack", "reference", "index", "pack-metadata", "commit-graph"},
}
SETTINGS = {"core.fsync": "committed,reference", "core.untrackedCache": "true"}
Author = tuple[str, str]


class Git:
    """One vault's git repository. Thread-safe; close it (or use `with`) to stop helper processes."""

    def __init__(self, root: Path | str, *, lock_wait: float = LOCK_WAIT) -> None:
        self.root = Path(root).resolve()
        self.lock_wait = lock_wait
        self._lock = threading.RLock()
        probe = Runner(None, None)
        out = probe.run(["rev-parse", "--show-toplevel", "--absolute-git-dir"], cwd=self.root, ok=(0, 128))
        lines = out.stdout.decode("utf-8", "surrogateescape").splitlines()
        if out.returncode or len(lines) < 2 or Path(lines[0]).resolve() != self.root:
            raise VaultError(f"{self.root} is not the top folder of a git repository.")
        self.git_dir = Path(lines[1])
        config = self._read_config(Runner(self.root, self.git_dir))
        self._run = Runner(self.root, self.git_dir, audit_config(config))
        self._identity = _identity(config)
        self._file_mode = _config_bool(config, "core.filemode", True)
        self._objects = Persistent(self._run, ["cat-file", "--batch"])
        self._blobs = Persistent(self._run, ["hash-object", "-w", "--stdin-paths"])
        self._hash_len = 20 if self._run.out(["rev-parse", "--show-object-format"]).strip() == b"sha1" else 32

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    def init(cls, root: Path | str) -> Git:
        """`git init -b main` at `root` (created if needed), then our settings. Nothing is committed."""
        path = Path(root)
        path.mkdir(parents=True, exist_ok=True)
        Runner(None, None).run(["init", "-q", "-b", "main", "--", str(path)], cwd=path)
        git = cls(path)
        git.ensure_settings()
        return git

    @staticmethod
    def is_repo(path: Path | str) -> bool:
        """True when `path` is the top folder of a git work tree."""
        folder = Path(path)
        if not folder.is_dir():
            return False
        out = Runner(None, None).run(["rev-parse", "--show-toplevel"], cwd=folder, ok=(0, 128))
        text = out.stdout.decode("utf-8", "surrogateescape").strip()
        return out.returncode == 0 and bool(text) and Path(text).resolve() == folder.resolve()

    def close(self) -> None:
        """Stop the helper processes (they restart on the next call if the object is used again)."""
        with self._lock:
            self._objects.close()
            self._blobs.close()

    def __enter__(self) -> Git:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def ensure_settings(self, extra: Mapping[str, str] | None = None) -> list[str]:
        """Write the local config keys obm needs when absent or different; return the keys written.

        `core.fsync` must cover at least `committed,reference` (a stronger value is kept);
        `core.untrackedCache=true` makes `changed_paths` faster on big vaults.
        """
        local = {key: value for scope, key, value in self._read_config(self._run) if scope == "local"}
        wanted = dict(SETTINGS, **(extra or {}))
        written = []
        for key, value in wanted.items():
            current = local.get(key.lower())
            if key == "core.fsync" and current is not None and fsync_covers(current):
                continue
            if current != value:
                self._run.run(["config", "--local", "--", key, value])
                written.append(key)
        if written:
            self.close()  # helpers read config once; restart them with the new settings
        return written

    # -- reading ---------------------------------------------------------------------------

    def head(self) -> str | None:
        """The sha of HEAD, or None on an unborn branch."""
        with self._lock:
            found = self._objects.call(b"HEAD\n", read_object)
            return found[0] if found and found[1] == "commit" else None

    def branch(self) -> str | None:
        """The current branch's name (also on an unborn branch), or None when HEAD is detached."""
        ref = self._symbolic_head()
        return ref.removeprefix("refs/heads/") if ref else None

    def show_file(self, sha: str, path: str) -> bytes:
        """The bytes of `path` as committed in `sha`; VaultError when it is not a file there."""
        rel = _clean_path(path)
        with self._lock:
            commit = self._resolve(sha)
            entry = self._entry_at(self._tree_of(commit), rel)
            if entry is None or entry.is_tree:
                raise VaultError(f"{path} is not a file in commit {commit[:10]}.")
            return self._read(entry.oid.hex(), "blob")

    def changed_paths(self) -> list[str]:
        """Paths with uncommitted changes (modified, deleted, untracked, staged), ignoring .gitignore'd files."""
        out = self._run.out(
            ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--ignore-submodules=all"]
        )
        paths = {os.fsdecode(item[3:]) for item in out.split(b"\0") if len(item) > 3}
        return sorted(p for p in paths if not p.endswith("/"))

    def log(
        self,
        path: str | None = None,
        *,
        limit: int | None = None,
        since: date | datetime | str | None = None,
        until: date | datetime | str | None = None,
    ) -> list[Commit]:
        """Commits, newest first, optionally of one path (following renames of a single file)."""
        if self.head() is None:
            return []
        args = ["log", "-z", f"--format={LOG_FORMAT}", "--name-status", "-M", "--diff-merges=first-parent"]
        args += ["--no-ext-diff", "--no-textconv", "--no-color", "--no-mailmap"]
        args += [f"-n{limit}"] if limit is not None else []
        args += [f"--since={git_date(since)}"] if since is not None else []
        args += [f"--until={git_date(until)}"] if until is not None else []
        if path is not None and self._follows(path):
            args.append("--follow")
        args += ["--end-of-options", "HEAD", "--"] + ([path] if path is not None else [])
        return parse_log(self._run.out(args))

    def diff(self, sha: str, path: str | None = None) -> str:
        """The patch that commit `sha` made (against its first parent), optionally for one path."""
        commit = self._resolve(sha)
        args = ["show", "--format=", "--patch", "-M", "--diff-merges=first-parent", "--no-ext-diff"]
        args += ["--no-textconv", "--no-color", "--src-prefix=a/", "--dst-prefix=b/", "--no-relative"]
        args += ["--end-of-options", commit, "--"] + ([path] if path is not None else [])
        return self._run.out(args).decode("utf-8", "replace").lstrip("\n")

    # -- writing ---------------------------------------------------------------------------

    def commit(self, paths: Sequence[str], message: str, *, author: Author | None = None) -> str | None:
        """Commit exactly `paths` as they are on disk (added, modified or deleted); nothing else.

        Returns the new commit's sha, or None when those paths match HEAD already. Other staged
        or unstaged changes stay as they were. A held lock gets a bounded retry, then
        GitLockedError; the files stay on disk untouched.
        """
        rels = list(dict.fromkeys(_clean_path(p) for p in paths))
        text = _clean_message(message)
        if not rels:
            return None
        with self._lock:
            self._refuse_busy()
            wanted = {rel: self._worktree_entry(rel) for rel in rels}
            return self._commit_entries(wanted, text, author)

    def revert(self, sha: str, paths: Sequence[str] | None = None, *, message: str | None = None) -> str:
        """A new commit that undoes what commit `sha` did to `paths` (default: all it touched).

        ConflictError (nothing written) when a later commit changed the same lines, or when a
        path has uncommitted changes.
        """
        with self._lock:
            commit = self._resolve(sha)
            touched = self._touched(commit)
            rels = list(touched) if paths is None else [_clean_path(p) for p in paths]
            plan = plan_revert(self, self._run, commit, touched, rels)
            if not plan:
                raise UsageError(f"Commit {commit[:10]} is already undone for {', '.join(map(os.fsdecode, rels))}.")
            subject = self._subject(commit)
            text = message or f'Revert "{subject}"\n\nThis reverts commit {commit} for {len(plan)} file(s).'
            try:
                with write_plan(self.root, plan):
                    done = self.commit([os.fsdecode(step.rel) for step in plan], text)
            except GitLockedError as exc:
                raise GitLockedError(exc.lock, f"Git is busy: {exc.lock} is held by another git program. Nothing was undone; try again.") from None
            if done is None:
                raise VaultError(f"Reverting {commit[:10]} made no change.")
            return done

    # -- commit machinery ------------------------------------------------------------------

    def _commit_entries(self, wanted: dict[bytes, Entry | None], text: str, author: Author | None) -> str | None:
        deadline = time.monotonic() + self.lock_wait
        staged = False
        head, old_tree = self._head_and_tree()
        for _attempt in range(_CAS_ATTEMPTS):
            new_tree = self._edit_tree(old_tree, _nest(wanted)) or self._write_tree(b"")
            if new_tree == (old_tree or self._write_tree(b"")):
                return None
            if not staged:
                self._retry(lambda: self._stage(wanted), deadline)
                staged = True
            commit = self._commit_tree(new_tree, head, text, author)
            moved = self._retry(lambda: self._move_head(commit, head, text), deadline)
            if moved is True:
                return commit
            head, old_tree = self._head_and_tree()
        raise VaultError("HEAD kept moving while obm was committing; the edit is safe on disk and will be committed later.")

    def _retry(self, action, deadline: float):  # type: ignore[no-untyped-def]
        delay = 0.01
        while True:
            try:
                return action()
            except GitLockedError as exc:
                if time.monotonic() + delay > deadline:
                    raise GitLockedError(
                        exc.lock,
                        f"Git is busy: {exc.lock} is held by another git program. The edit is safe on "
                        "disk and will be committed when the lock is released.",
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.2)

    def _stage(self, wanted: Mapping[bytes, Entry | None]) -> None:
        zero = b"0" * (2 * self._hash_len)
        lines = []
        for rel, entry in wanted.items():
            if entry is None:
                lines.append(b"0 " + zero + b"\t" + rel + b"\0")
            else:
                mode = entry.mode or self._index_mode(rel)
                lines.append(mode + b" " + entry.oid.hex().encode() + b"\t" + rel + b"\0")
        self._run.run(["update-index", "-z", "--replace", "--index-info"], input=b"".join(lines))

    def _index_mode(self, rel: bytes) -> bytes:
        """The mode HEAD has for `rel` when core.fileMode is off (100644 for a new file)."""
        _head, tree = self._head_and_tree()
        entry = self._entry_at(tree, rel) if tree else None
        return entry.mode if entry is not None and entry.mode in (git_tree.FILE_MODE, git_tree.EXEC_MODE) else git_tree.FILE_MODE

    def _commit_tree(self, tree: str, parent: str | None, text: str, author: Author | None) -> str:
        name, email = self._identity
        a_name, a_email = _safe_identity(author) if author else (name, email)
        env = {"GIT_AUTHOR_NAME": a_name, "GIT_AUTHOR_EMAIL": a_email, "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
        args = ["commit-tree", "--no-gpg-sign", tree] + (["-p", parent] if parent else [])
        return self._run.out(args, input=text.encode("utf-8"), env=env).decode("ascii").strip()

    def _move_head(self, new: str, old: str | None, text: str) -> bool:
        """update-ref HEAD new old: True when moved, False when HEAD is no longer `old`."""
        kind = "commit" if old else "commit (initial)"
        reason = f"{kind}: {text.splitlines()[0]}"
        expected = old or "0" * (2 * self._hash_len)
        try:
            self._run.run(["update-ref", "-m", reason, "HEAD", new, expected])
        except GitLockedError:
            raise
        except VaultError as exc:
            if "but expected" in exc.message or "already exists" in exc.message:
                return False
            raise
        return True

    def _head_and_tree(self) -> tuple[str | None, str | None]:
        head = self.head()
        return (head, self._tree_of(head)) if head else (None, None)

    def _edit_tree(self, tree: str | None, changes: dict[bytes, object]) -> str | None:
        """Rewrite `tree` with `changes` ({name: Entry | None | nested dict}); None when it ends empty."""
        data = self._read(tree, "tree") if tree else b""
        edits: dict[bytes, Entry | None] = {}
        for name, change in changes.items():
            if isinstance(change, dict):
                old = git_tree.lookup(data, self._hash_len, name) if data else None
                sub = self._edit_tree(old.oid.hex() if old is not None and old.is_tree else None, change)
                if sub is not None:
                    edits[name] = Entry(git_tree.TREE_MODE, bytes.fromhex(sub))
                elif old is not None and old.is_tree:
                    edits[name] = None
            else:
                edits[name] = self._leaf_change(data, name, change)  # type: ignore[arg-type]
        new = git_tree.edit(data, self._hash_len, edits)
        if not new:
            return None
        return tree if new == data and tree else self._write_tree(new)

    def _leaf_change(self, data: bytes, name: bytes, change: Entry | None) -> Entry | None:
        if change is None and data:
            old = git_tree.lookup(data, self._hash_len, name)
            if old is not None and old.is_tree:
                raise VaultError(f"{os.fsdecode(name)} is a folder in the last commit, not a file.")
        return change

    def _write_tree(self, data: bytes) -> str:
        return self._run.out(["hash-object", "-w", "-t", "tree", "--stdin"], input=data).decode("ascii").strip()

    def _worktree_entry(self, rel: bytes) -> Entry | None:
        """What the work tree holds at `rel`: a file or symlink Entry, or None when it is gone."""
        self._check_parents(rel)
        full = os.path.join(os.fsencode(self.root), rel)
        try:
            info = os.lstat(full)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if stat.S_ISLNK(info.st_mode):
            oid = self._run.out(["hash-object", "-w", "--no-filters", "--stdin"], input=os.readlink(full))
            return Entry(git_tree.LINK_MODE, bytes.fromhex(oid.decode().strip()))
        if not stat.S_ISREG(info.st_mode):
            raise VaultError(f"{os.fsdecode(rel)} is not a regular file; obm commits files only.")
        mode = git_tree.KEEP_MODE
        if self._file_mode:
            mode = git_tree.EXEC_MODE if info.st_mode & stat.S_IXUSR else git_tree.FILE_MODE
        oid = self._hash_file(rel)
        return Entry(mode, oid) if oid is not None else None

    def _hash_file(self, rel: bytes) -> bytes | None:
        if b"\n" in rel or b"\r" in rel or rel.startswith(b'"'):
            data = _read_or_none(os.path.join(os.fsencode(self.root), rel))
            if data is None:
                return None
            out = self._run.out(["hash-object", "-w", f"--path={os.fsdecode(rel)}", "--stdin"], input=data)
            return bytes.fromhex(out.decode().strip())
        try:
            return bytes.fromhex(self._blobs.call(rel + b"\n", read_line).decode("ascii"))
        except VaultError:
            if not os.path.lexists(os.path.join(os.fsencode(self.root), rel)):
                return None  # deleted while we hashed it: commit the deletion
            raise

    def _check_parents(self, rel: bytes) -> None:
        parts = rel.split(b"/")[:-1]
        folder = os.fsencode(self.root)
        for part in parts:
            folder = os.path.join(folder, part)
            try:
                info = os.lstat(folder)
            except (FileNotFoundError, NotADirectoryError):
                return
            if stat.S_ISLNK(info.st_mode):
                raise VaultError(f"{os.fsdecode(rel)} is inside a symbolic link; obm does not follow links out of the vault.")
            if not stat.S_ISDIR(info.st_mode):
                return

    def _refuse_busy(self) -> None:
        if self._symbolic_head() is None:
            raise VaultError("The vault's git HEAD is detached (not on a branch); check out a branch to let obm commit. Edits stay safe on disk.")
        for name in _BUSY_STATES:
            if (self.git_dir / name).exists():
                raise VaultError(f"A git merge, rebase or cherry-pick is in progress in the vault ({name}); finish it first. Edits stay safe on disk.")

    # -- object access ---------------------------------------------------------------------

    def _read(self, oid: str, kind: str) -> bytes:
        found = self._objects.call(oid.encode("ascii") + b"\n", read_object)
        if found is None or found[1] != kind:
            raise VaultError(f"git object {oid[:10]} is missing or not a {kind}; run `git fsck` on the vault.")
        return found[2]

    def _tree_of(self, commit: str) -> str:
        first = self._read(commit, "commit").split(b"\n", 1)[0]
        if not first.startswith(b"tree "):
            raise VaultError(f"commit {commit[:10]} is malformed; run `git fsck` on the vault.")
        return first[5:].decode("ascii")

    def _entry_at(self, tree: str | None, rel: bytes) -> Entry | None:
        entry: Entry | None = Entry(git_tree.TREE_MODE, bytes.fromhex(tree)) if tree else None
        for part in rel.split(b"/"):
            if entry is None or not entry.is_tree:
                return None
            entry = git_tree.lookup(self._read(entry.oid.hex(), "tree"), self._hash_len, part)
        return entry

    def blob_at(self, commit: str | None, rel: bytes) -> Entry | None:
        """The entry for `rel` in `commit` (None when absent or the commit is None). For revert."""
        return self._entry_at(self._tree_of(commit), rel) if commit else None

    def read_blob(self, entry: Entry) -> bytes:
        """The content of a blob entry. For revert."""
        return self._read(entry.oid.hex(), "blob")

    def worktree_entry(self, rel: bytes) -> Entry | None:
        """What the work tree holds at `rel` (hashed as `git add` would). For revert."""
        return self._worktree_entry(rel)

    def _resolve(self, rev: str) -> str:
        out = self._run.run(["rev-parse", "-q", "--verify", "--end-of-options", f"{rev}^{{commit}}"], ok=(0, 1, 128))
        if out.returncode:
            raise UsageError(f"There is no commit {rev!r} in the vault's history.")
        return out.stdout.decode("ascii").strip()

    def _touched(self, commit: str) -> dict[bytes, str]:
        parent = self._parent(commit)
        args = ["diff-tree", "-r", "-z", "--no-renames", "--name-status", "--no-ext-diff", "--no-textconv"]
        args += [parent, commit] if parent else ["--root", commit]
        tokens = self._run.out(args).split(b"\0")
        if not parent and tokens and len(tokens[0]) >= 2 * self._hash_len:
            tokens = tokens[1:]
        return {tokens[i + 1]: tokens[i].decode() for i in range(0, len(tokens) - 1, 2)}

    def _parent(self, commit: str) -> str | None:
        for line in self._read(commit, "commit").split(b"\n"):
            if line.startswith(b"parent "):
                return line[7:].decode("ascii")
            if not line:
                break
        return None

    def parent_of(self, commit: str) -> str | None:
        """The first parent of `commit` (None for a root commit). For revert."""
        return self._parent(commit)

    def _subject(self, commit: str) -> str:
        body = self._read(commit, "commit").split(b"\n\n", 1)
        return body[1].split(b"\n", 1)[0].decode("utf-8", "replace") if len(body) > 1 else commit[:10]

    def _follows(self, path: str) -> bool:
        head = self.head()
        entry = self._entry_at(self._tree_of(head), _clean_path(path)) if head else None
        return entry is None or not entry.is_tree

    def _symbolic_head(self) -> str | None:
        try:
            text = (self.git_dir / "HEAD").read_text("utf-8", "surrogateescape").strip()
        except OSError as exc:
            raise VaultError(f"Cannot read the vault's git HEAD: {exc.strerror}.") from None
        return text[5:].strip() if text.startswith("ref: ") else None

    @staticmethod
    def _read_config(runner: Runner) -> list[tuple[str, str, str]]:
        raw = runner.out(["config", "-z", "--list", "--show-scope"])
        items = raw.split(b"\0")
        entries = []
        for scope, pair in zip(items[::2], items[1::2]):
            key, _, value = pair.decode("utf-8", "replace").partition("\n")
            entries.append((scope.decode(), key, value))
        return entries


def fsync_covers(value: str) -> bool:
    """True when a `core.fsync` value syncs at least loose objects, packs and refs."""
    positive: set[str] = set()
    negative: set[str] = set()
    for token in (t.strip() for t in value.split(",") if t.strip()):
        target = negative if token.startswith("-") else positive
        name = token.lstrip("-")
        target.update(_FSYNC_GROUPS.get(name, {name}))
    return _FSYNC_NEEDED <= positive and not (_FSYNC_NEEDED & negative)


def _nest(wanted: Mapping[bytes, Entry | None]) -> dict[bytes, object]:
    root: dict[bytes, object] = {}
    for rel, entry in wanted.items():
        *folders, name = rel.split(b"/")
        node = root
        for folder in folders:
            child = node.setdefault(folder, {})
            if not isinstance(child, dict):
                raise UsageError(f"{os.fsdecode(rel)} and {os.fsdecode(folder)} cannot both be committed as files.")
            node = child
        if isinstance(node.get(name), dict):
            raise UsageError(f"{os.fsdecode(rel)} is also a folder of other paths in this commit.")
        node[name] = entry
    return root


def _clean_path(path: str) -> bytes:
    """A vault-relative posix path as bytes; UsageError for anything that could leave the work tree."""
    if not isinstance(path, str) or not path or "\0" in path or path.startswith("/") or path.endswith("/"):
        raise UsageError(f"Not a file path inside the vault: {path!r}.")
    parts = path.split("/")
    for part in parts:
        if part in ("", ".", "..") or part.rstrip(". ").lower() == ".git" or part.rstrip(". ").lower() == "git~1":
            raise UsageError(f"Not a file path inside the vault: {path!r}.")
    return os.fsencode(path)


def _clean_message(message: str) -> str:
    lines = [line.rstrip() for line in message.replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines).strip("\n")
    if not text or "\0" in text:
        raise UsageError("A commit needs a message (and it cannot contain NUL).")
    return text + "\n"


def _identity(config: list[tuple[str, str, str]]) -> Author:
    values = {key: value for _scope, key, value in config}
    return _safe_identity((values.get("user.name", ""), values.get("user.email", "")))


def _safe_identity(author: Author) -> Author:
    name, email = (
        "".join(ch for ch in part if ch not in "<>\n\r\0").strip() for part in author
    )
    return (name or FALLBACK_IDENTITY[0], email or FALLBACK_IDENTITY[1])


def _config_bool(config: list[tuple[str, str, str]], key: str, default: bool) -> bool:
    values = [value for _scope, k, value in config if k == key]
    if not values:
        return default
    return values[-1].strip().lower() not in ("false", "no", "off", "0")


def _read_or_none(path: bytes) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
