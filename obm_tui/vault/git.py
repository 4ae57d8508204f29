"""Every git operation obm does: commit exact paths fast, read history, revert, and stay safe.

`Git` wraps one vault's repository. Every git process it starts is hardened (`git_process`,
`git_config`): a booby-trapped `.git/config`, hook or filter cannot run code. Commits are built
with plumbing rather than `git commit`: the files are hashed, only the trees along their paths
are rewritten from HEAD's trees, `commit-tree` makes the commit, and `update-ref HEAD new old`
moves the branch with a compare-and-swap, so a commit made meanwhile by anyone else is never
lost (ours is rebuilt on top of it). The index gets exactly the committed entries and nothing
else, *before* HEAD moves: a failure leaves the change staged, never a stale index entry that a
later `git commit` in a terminal would turn into an undo.

    with Git(root) as git:
        git.ensure_settings()
        sha = git.commit(["clients/fred-smith.md"], "client fred-smith: status onboarding -> current")
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from obm_tui.model.errors import UsageError, VaultError
from obm_tui.vault import git_config, git_programs, git_tree, merge_driver
from obm_tui.vault.git_config import FALLBACK_IDENTITY, SETTINGS, Author, fsync_covers
from obm_tui.vault.git_log import LOG_FORMAT, Change, Commit, git_date, parse_log
from obm_tui.vault.git_objects import Objects, nest
from obm_tui.vault.git_process import GitLockedError, Runner
from obm_tui.vault.git_revert import plan_revert, write_plan
from obm_tui.vault.git_tree import Entry

__all__ = ["FALLBACK_IDENTITY", "SETTINGS", "Change", "Commit", "Git", "GitLockedError", "fsync_covers"]

T = TypeVar("T")
LOCK_WAIT = 2.0  # seconds a held lock is waited for (with backoff) before GitLockedError
_CAS_ATTEMPTS = 20
_BUSY_STATES = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "rebase-merge", "rebase-apply")


class Git:
    """One vault's git repository. Thread-safe; `close()` it (or use `with`) to stop helper processes."""

    def __init__(self, root: Path | str, *, lock_wait: float = LOCK_WAIT) -> None:
        self.root = Path(root).resolve()
        self.lock_wait = lock_wait
        self._lock = threading.RLock()
        args = ["rev-parse", "--show-toplevel", "--absolute-git-dir", "--show-object-format"]
        out = Runner(None, None).run([*args, "--path-format=absolute", "--git-common-dir"], cwd=self.root, ok=(0, 128))
        lines = out.stdout.decode("utf-8", "surrogateescape").splitlines()
        if out.returncode or len(lines) < 4 or Path(lines[0]).resolve() != self.root:
            raise VaultError(f"{self.root} is not the top folder of a git repository.")
        self.git_dir = Path(lines[1])
        self._hash_len = 20 if lines[2] == "sha1" else 32
        self._config_files = (Path(lines[3]) / "config", self.git_dir / "config.worktree")
        self._config_stamp: tuple[tuple[int, int, int] | None, ...] = ()
        self._load_config()

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def init(cls, root: Path | str) -> Git:
        """`git init -b main` at `root` (created if needed), then our settings. Nothing is committed."""
        path = Path(root)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise VaultError(f"Cannot create the vault folder {path}: {exc.strerror}.") from None
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
        """Stop the helper processes (they start again if the object is used afterwards)."""
        with self._lock:
            self._objects.close()

    def _load_config(self) -> None:
        """(Re)read the repository's config, refuse what cannot be neutralised, restart the helpers.

        Called on open and whenever the config files change afterwards, so a key added while obm
        runs is caught before the next git command.
        """
        with self._lock:
            stamp = self._stamp()
            config = git_config.read_config(Runner(self.root, self.git_dir))
            self._run = Runner(self.root, self.git_dir, git_config.audit_config(config))
            self._identity = git_config.identity(config)
            file_mode = git_config.config_bool(config, "core.filemode", True)
            old: Objects | None = self.__dict__.get("_objects")
            if old is not None:
                old.close()
            self._objects = Objects(self._run, self.root, self._hash_len, file_mode)
            self._config_stamp = stamp

    def _stamp(self) -> tuple[tuple[int, int, int] | None, ...]:
        stamps: list[tuple[int, int, int] | None] = []
        for path in self._config_files:
            try:
                info = path.stat()
            except OSError:
                stamps.append(None)
            else:
                stamps.append((info.st_mtime_ns, info.st_size, info.st_ino))
        return tuple(stamps)

    def _fresh(self) -> None:
        """Re-audit the config if its files changed since it was read (a stat or two per call)."""
        if self._stamp() != self._config_stamp:
            self._load_config()

    def __enter__(self) -> Git:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # nothing to report to at interpreter exit
            self.close()

    def ensure_settings(self, extra: Mapping[str, str] | None = None) -> list[str]:
        """Write the local config keys obm needs (SETTINGS, plus `extra`) when absent or different.

        Returns the keys written; when none, the config file is not touched. `core.fsync` is
        only raised, never lowered: a value covering `committed,reference` (e.g. `all`) stays.
        """
        with self._lock:
            self._fresh()
            local = {key: value for scope, key, value in git_config.read_config(self._run) if scope == "local"}
            written = []
            for key, value in {**SETTINGS, **(extra or {})}.items():
                if git_config.needs_writing(key, value, local.get(git_config.normal_key(key))):
                    self._run.run(["config", "--local", "--", key, value])
                    written.append(key)
            if written:
                self._objects.close()  # helpers read the config once: restart them with the new one
            return written

    # -- reading -----------------------------------------------------------------------------

    def head(self) -> str | None:
        """The sha of HEAD, or None on an unborn branch."""
        with self._lock:
            self._fresh()
            return self._objects.head()

    @property
    def identity(self) -> tuple[str, str]:
        """(name, email) obm commits as: git's user.name/user.email, else FALLBACK_IDENTITY."""
        return self._identity

    def branch(self) -> str | None:
        """The current branch's name (also on an unborn branch), or None when HEAD is detached."""
        ref = self._symbolic_head()
        return ref.removeprefix("refs/heads/") if ref else None

    def read(self, args: Sequence[str], *, ok: Sequence[int] = (0,)) -> subprocess.CompletedProcess[bytes]:
        """A local, read-only git command (`remote`, `rev-list` …), hardened like every other."""
        self._fresh()
        return self._run.run(args, ok=ok)

    def run_sync(self, args: Sequence[str], *, ok: Sequence[int] = (0,),
                 env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        """A fetch, merge or push for `obm sync`: hardened like every obm git command, except
        that the user's own (global) credential helpers and ssh command are allowed back — the
        vault's config may not choose them. Merge drivers other than obm's are refused; obm's is
        given on the command line (a worktree-scoped one would outrank the local value), and so
        are git's own upload-pack and receive-pack (git takes the first of several values)."""
        with self._lock:
            self._fresh()
            config = git_config.read_config(self._run)
            git_config.refuse_merge_drivers(config)
            own_driver = [f"{key}={value}" for key, value in merge_driver.settings().items()]
            overrides = [*self._run.overrides, *git_config.user_remote_settings(config), *own_driver]
            runner = Runner(self.root, self.git_dir, overrides)
            name, email = self.identity
            who = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
                   "GIT_COMMITTER_EMAIL": email, "GIT_TERMINAL_PROMPT": "0"}
            command = [args[0], *git_programs.transport_options(args[0]), *args[1:]]
            return runner.run(command, ok=ok, env={**who, **(env or {})})

    def show_file(self, sha: str, path: str) -> bytes:
        """The bytes of `path` as committed in `sha`; VaultError when it is not a file there."""
        rel = _clean_path(path)
        self._fresh()
        commit = self._resolve(sha)
        with self._lock:
            raw = self._objects.file_at(commit, rel)
        if raw is None:
            raise VaultError(f"{path} is not a file in commit {commit[:10]}.")
        return raw

    def changed_paths(self) -> list[str]:
        """Uncommitted paths (modified, deleted, untracked, staged), without .gitignore'd files.

        Like any `git status`, it may briefly take index.lock to save refreshed stat data and
        the untracked cache (that is what keeps it fast at 100k files); every other read is
        lock-free (GIT_OPTIONAL_LOCKS=0).
        """
        self._fresh()
        args = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--ignore-submodules=all"]
        items = self._run.out(args, env={"GIT_OPTIONAL_LOCKS": "1"}).split(b"\0")
        paths = {os.fsdecode(item[3:]) for item in items if len(item) > 3}
        return sorted(p for p in paths if not p.endswith("/"))  # "dir/" is a nested repository

    def log(
        self,
        path: str | None = None,
        *,
        limit: int | None = None,
        since: date | datetime | str | None = None,
        until: date | datetime | str | None = None,
    ) -> list[Commit]:
        """Commits, newest first; of one path if given (following renames when it is a file)."""
        if self.head() is None:
            return []
        args = ["log", "-z", f"--format={LOG_FORMAT}", "--name-status", "-M", "--diff-merges=first-parent"]
        args += ["--no-ext-diff", "--no-textconv", "--no-color", "--no-mailmap"]
        args += [f"-n{limit}"] if limit is not None else []
        args += [f"--since={git_date(since)}"] if since is not None else []
        args += [f"--until={git_date(until)}"] if until is not None else []
        args += ["--follow"] if path is not None and self._is_file_path(path) else []
        args += ["--end-of-options", "HEAD", "--"] + ([path] if path is not None else [])
        return parse_log(self._run.out(args))

    def commits_since(self, since: str, folders: Sequence[str]) -> list[tuple[str, tuple[str, ...]]] | None:
        """The commits after `since` up to HEAD (merged-in side branches included) that touched a
        file under `folders`, oldest first, each with the paths it touched there (a rename is a
        deletion and an addition). None when `since` is not a commit of this repository."""
        self._fresh()
        with self._lock:
            if not self._objects.is_commit(since):
                return None
        args = ["log", "-z", "--reverse", "--topo-order", "--format=%x1e%H", "--name-only", "--no-renames"]
        args += ["--no-ext-diff", "--no-textconv", "--no-color", "--end-of-options", f"{since}..HEAD", "--"]
        args += [f"{folder.rstrip('/')}/" for folder in folders]
        found: list[tuple[str, tuple[str, ...]]] = []
        for chunk in self._run.out(args).split(b"\x1e")[1:]:
            sha, *paths = [token.strip(b"\n") for token in chunk.split(b"\0")]
            found.append((sha.decode("ascii"), tuple(os.fsdecode(p) for p in paths if p)))
        return found

    def file_at(self, commit: str, path: str) -> bytes | None:
        """The bytes of `path` in `commit` (a full sha), or None when it is no file there."""
        rel = _clean_path(path)
        with self._lock:
            return self._objects.file_at(commit, rel)

    def diff(self, sha: str, path: str | None = None) -> str:
        """The patch commit `sha` made (against its first parent), optionally for one path."""
        self._fresh()
        commit = self._resolve(sha)
        args = ["show", "--format=", "--patch", "-M", "--diff-merges=first-parent", "--no-ext-diff"]
        args += ["--no-textconv", "--no-color", "--src-prefix=a/", "--dst-prefix=b/", "--no-relative"]
        args += ["--end-of-options", commit, "--"] + ([path] if path is not None else [])
        return self._run.out(args).decode("utf-8", "replace").lstrip("\n")

    # -- writing -----------------------------------------------------------------------------

    def commit(self, paths: Sequence[str], message: str, *, author: Author | None = None) -> str | None:
        """Commit exactly `paths` as they are on disk (added, modified or deleted), nothing else.

        Returns the new commit's sha, or None when those paths already match HEAD (also when a
        racing `git commit` took our staged change into its own commit). Other staged and
        unstaged changes stay as they were. The author defaults to git's user.name/email, else
        FALLBACK_IDENTITY (the committer likewise). A held lock is retried for `lock_wait`
        seconds, then GitLockedError; the files stay on disk as they are. Refused (VaultError)
        on a detached HEAD or during a merge, rebase or cherry-pick.
        """
        rels = {_clean_path(p): None for p in paths}
        return self._commit_made_by(rels, message, author, lambda rel, _data: self._objects.worktree_entry(rel))

    def commit_contents(self, contents: Mapping[str, bytes | None], message: str, *,
                        author: Author | None = None) -> str | None:
        """Commit exactly these bytes at these paths (None removes one), whatever the work tree holds
        by now: a save another program made after ours stays on disk, to be committed as its own
        change. Otherwise as `commit` (the index gets these entries; a held lock: GitLockedError)."""
        rels = {_clean_path(p): data for p, data in contents.items()}
        return self._commit_made_by(rels, message, author, self._objects.content_entry)

    def _commit_made_by(self, rels: Mapping[bytes, bytes | None], message: str, author: Author | None,
                        entry_of: Callable[[bytes, bytes | None], Entry | None]) -> str | None:
        """One commit of these paths, each index entry made by `entry_of(path, bytes)`."""
        text = _clean_message(message)
        if not rels:
            return None
        with self._lock:
            self._fresh()
            self._refuse_busy()
            wanted = {rel: entry_of(rel, data) for rel, data in rels.items()}
            return self._commit_entries(wanted, text, author)

    def import_history(self, stream: bytes) -> None:
        """Write commits given as a `git fast-import` stream (made by obm, never read from a vault:
        the demo's scripted history), then make the index match the new HEAD. Only into a
        repository with no commits yet."""
        with self._lock:
            self._fresh()
            if self.head() is not None:
                raise VaultError("a history is only imported into a repository with no commits")
            self._run.out(["fast-import", "--quiet", "--done"], input=stream)
            self._run.out(["read-tree", "HEAD"])
            self._fresh()

    def housekeeping(self) -> None:
        """`git gc --auto`: pack loose objects once there are many. obm's commits are plumbing
        (`commit-tree`, `update-ref`), which never start git's automatic gc the way `git commit`
        does, so a vault changed thousands of times a week would keep them all loose. Cheap when
        there is nothing to do (git samples one object folder); the work itself may continue in
        the background (gc.autoDetach)."""
        with self._lock:
            self._fresh()
            self._run.run(["gc", "--auto", "--quiet"])

    def revert(self, sha: str, paths: Sequence[str] | None = None, *, message: str | None = None) -> str:
        """A new commit undoing what commit `sha` did to `paths` (default: every path it touched).

        ConflictError, with nothing written, when a later commit changed the same lines or a
        path has uncommitted changes; UsageError when there is nothing to undo. If the commit
        cannot be made (a held lock), the files are put back as they were.
        """
        self._fresh()
        commit = self._resolve(sha)
        with self._lock:
            touched = self._touched(commit)
            rels = list(touched) if paths is None else [_clean_path(p) for p in paths]
            plan = plan_revert(self._objects, self._run, commit, touched, rels)
            if not plan:
                names = ", ".join(os.fsdecode(rel) for rel in rels)
                raise UsageError(f"Commit {commit[:10]} is already undone for {names}.")
            text = message or f'Revert "{self._objects.subject(commit)}"\n\nThis reverts commit {commit}.'
            try:
                with write_plan(self.root, plan):
                    done = self.commit([os.fsdecode(step.rel) for step in plan], text)
            except GitLockedError as exc:
                busy = f"Git is busy: {exc.lock} {exc.holder}. Nothing was undone; try again."
                raise GitLockedError(exc.lock, busy, exc.holder) from None
            if done is None:
                raise VaultError(f"Undoing {commit[:10]} made no change.")
            return done

    # -- the commit ----------------------------------------------------------------------------

    def _commit_entries(self, wanted: dict[bytes, Entry | None], text: str, author: Author | None) -> str | None:
        deadline = time.monotonic() + self.lock_wait
        changes = nest(wanted)
        staged = False
        head = self._objects.head()
        for _attempt in range(_CAS_ATTEMPTS):
            old_tree = self._objects.tree_of(head) if head else None
            new_tree = self._objects.edit_tree(old_tree, changes)
            if new_tree == old_tree or (new_tree is None and old_tree is None):
                return None
            if not staged:
                self._retry(partial(self._stage, wanted, old_tree), deadline)
                staged = True
            commit = self._commit_tree(new_tree or self._objects.write_tree(b""), head, text, author)
            if self._retry(partial(self._move_head, commit, head, text), deadline):
                return commit
            head = self._objects.head()
        raise VaultError(
            "HEAD kept moving while obm was committing (another program commits in a loop); try again."
        )

    def _retry(self, action: Callable[[], T], deadline: float) -> T:
        delay = 0.01
        while True:
            try:
                return action()
            except GitLockedError as exc:
                if time.monotonic() + delay > deadline:
                    busy = (
                        f"Git is busy: {exc.lock} {exc.holder}. The edit is safe on disk "
                        "and will be committed when the lock is released."
                    )
                    raise GitLockedError(exc.lock, busy, exc.holder) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.2)

    def _stage(self, wanted: Mapping[bytes, Entry | None], old_tree: str | None) -> None:
        """Set exactly these index entries (mode 0 removes one); every other entry stays as it is."""
        zero = b"0" * (2 * self._objects.hash_len)
        lines = []
        for rel, entry in wanted.items():
            if entry is None:
                lines.append(b"0 " + zero + b"\t" + rel + b"\0")
                continue
            mode = entry.mode or self._committed_mode(old_tree, rel)
            lines.append(mode + b" " + entry.oid.hex().encode("ascii") + b"\t" + rel + b"\0")
        self._run.run(["update-index", "-z", "--replace", "--index-info"], input=b"".join(lines))

    def _committed_mode(self, tree: str | None, rel: bytes) -> bytes:
        """The mode HEAD gives `rel` when core.fileMode is off (100644 for a new file)."""
        entry = self._objects.entry_at(tree, rel)
        regular = (git_tree.FILE_MODE, git_tree.EXEC_MODE)
        return entry.mode if entry is not None and entry.mode in regular else git_tree.FILE_MODE

    def _commit_tree(self, tree: str, parent: str | None, text: str, author: Author | None) -> str:
        name, email = self._identity
        a_name, a_email = git_config.safe_identity(author) if author else (name, email)
        env = {"GIT_AUTHOR_NAME": a_name, "GIT_AUTHOR_EMAIL": a_email}
        env |= {"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
        args = ["commit-tree", "--no-gpg-sign", tree] + (["-p", parent] if parent else [])
        return self._run.out(args, input=text.encode("utf-8"), env=env).decode("ascii").strip()

    def _move_head(self, new: str, old: str | None, text: str) -> bool:
        """`update-ref HEAD new old`: True when moved, False when HEAD is no longer `old`."""
        reason = f"{'commit' if old else 'commit (initial)'}: {text.splitlines()[0]}"
        expected = old or "0" * (2 * self._objects.hash_len)
        try:
            self._run.run(["update-ref", "-m", reason, "HEAD", new, expected])
        except GitLockedError:
            raise
        except VaultError as exc:
            if "but expected" in exc.message or "already exists" in exc.message:
                return False
            raise
        return True

    def _refuse_busy(self) -> None:
        if self._symbolic_head() is None:
            raise VaultError(
                "The vault's git HEAD is detached (not on a branch); check out a branch to let obm commit."
            )
        for name in _BUSY_STATES:
            if (self.git_dir / name).exists():
                raise VaultError(
                    f"A git merge, rebase or cherry-pick is in progress in the vault ({name}); finish it first."
                )

    # -- helpers -------------------------------------------------------------------------------

    def _resolve(self, rev: str) -> str:
        args = ["rev-parse", "-q", "--verify", "--end-of-options", f"{rev}^{{commit}}"]
        out = self._run.run(args, ok=(0, 1, 128))
        if out.returncode:
            raise UsageError(f"There is no commit {rev!r} in the vault's history.")
        return out.stdout.decode("ascii").strip()

    def _touched(self, commit: str) -> dict[bytes, str]:
        """{path: status letter} of every file `commit` changed against its first parent."""
        parent = self._objects.parent_of(commit)
        args = ["diff-tree", "-r", "-z", "--no-renames", "--name-status", "--no-ext-diff", "--no-textconv"]
        args += [parent, commit] if parent else ["--root", commit]
        tokens = self._run.out(args).split(b"\0")
        if tokens and len(tokens[0]) == 2 * self._objects.hash_len:
            tokens = tokens[1:]  # --root prints the commit id first
        return {tokens[i + 1]: tokens[i].decode("ascii") for i in range(0, len(tokens) - 1, 2)}

    def _is_file_path(self, path: str) -> bool:
        """False when `path` is a folder in HEAD (rename following only works for one file)."""
        with self._lock:
            entry = self._objects.blob_at(self._objects.head(), _clean_path(path))
        return entry is None or not entry.is_tree

    def _symbolic_head(self) -> str | None:
        try:
            text = (self.git_dir / "HEAD").read_text("utf-8", "surrogateescape").strip()
        except OSError as exc:
            raise VaultError(f"Cannot read the vault's git HEAD: {exc.strerror}.") from None
        return text[5:].strip() if text.startswith("ref: ") else None


def _clean_path(path: str) -> bytes:
    """A vault-relative posix path as bytes; UsageError for anything that could leave the work tree."""
    if not isinstance(path, str) or not path or "\0" in path or path.startswith("/") or path.endswith("/"):
        raise UsageError(f"Not a file path inside the vault: {path!r}.")
    for part in path.split("/"):
        if part in ("", ".", "..") or part.rstrip(". ").lower() in (".git", "git~1"):
            raise UsageError(f"Not a file path inside the vault: {path!r}.")
    return os.fsencode(path)


def _clean_message(message: str) -> str:
    text = "\n".join(line.rstrip() for line in message.replace("\r\n", "\n").split("\n")).strip("\n")
    if not text or "\0" in text:
        raise UsageError("A commit needs a message (and it cannot contain NUL).")
    return text + "\n"
