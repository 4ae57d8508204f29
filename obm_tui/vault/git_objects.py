"""Reading and writing one repository's objects: commits and trees through a persistent
`cat-file --batch`, work-tree files hashed through a persistent `hash-object --stdin-paths`,
and trees rewritten along the changed paths only.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from obm_tui.model.errors import UsageError, VaultError
from obm_tui.vault import git_tree
from obm_tui.vault.git_process import Persistent, Runner, read_line, read_object
from obm_tui.vault.git_tree import Entry

Changes = dict[bytes, "Entry | Changes | None"]  # a nested {name: Entry | None | {name: ...}}


class Objects:
    """The object database of one repository, plus its work tree as git would hash it."""

    def __init__(self, run: Runner, root: Path, hash_len: int, file_mode: bool) -> None:
        self._run = run
        self._root = os.fsencode(root)
        self.hash_len = hash_len
        self._file_mode = file_mode
        self._cat = Persistent(run, ["cat-file", "--batch"])
        self._hash = Persistent(run, ["hash-object", "-w", "--stdin-paths"])

    def close(self) -> None:
        """Stop the helper processes (they start again when needed)."""
        self._cat.close()
        self._hash.close()

    def helpers(self) -> list[Persistent]:
        """The persistent helpers (for tests that kill them)."""
        return [self._cat, self._hash]

    # -- reading -----------------------------------------------------------------------------

    def read(self, oid: str, kind: str) -> bytes:
        """The content of object `oid`, which must be a `kind`."""
        found = self._cat.call(oid.encode("ascii") + b"\n", read_object)
        if found is None or found[1] != kind:
            raise VaultError(f"git object {oid[:10]} is missing or not a {kind}; run `git fsck` on the vault.")
        return found[2]

    def head(self) -> str | None:
        """The sha HEAD resolves to now, or None on an unborn branch."""
        found = self._cat.call(b"HEAD\n", read_object)
        return found[0] if found and found[1] == "commit" else None

    def is_commit(self, sha: str) -> bool:
        """Whether `sha` (hex) names a commit in this repository."""
        if not sha or any(c not in "0123456789abcdef" for c in sha):
            return False
        found = self._cat.call(sha.encode("ascii") + b"\n", read_object)
        return found is not None and found[1] == "commit"

    def tree_of(self, commit: str) -> str:
        """The root tree of `commit`."""
        first = self.read(commit, "commit").split(b"\n", 1)[0]
        if not first.startswith(b"tree "):
            raise VaultError(f"commit {commit[:10]} is malformed; run `git fsck` on the vault.")
        return first[5:].decode("ascii")

    def parent_of(self, commit: str) -> str | None:
        """The first parent of `commit`, or None for a root commit."""
        for line in self.read(commit, "commit").split(b"\n"):
            if line.startswith(b"parent "):
                return line[7:].decode("ascii")
            if not line:
                break
        return None

    def subject(self, commit: str) -> str:
        """The first line of `commit`'s message."""
        parts = self.read(commit, "commit").split(b"\n\n", 1)
        return parts[1].split(b"\n", 1)[0].decode("utf-8", "replace") if len(parts) > 1 else commit[:10]

    def entry_at(self, tree: str | None, rel: bytes) -> Entry | None:
        """The entry at path `rel` under `tree`, or None."""
        entry: Entry | None = Entry(git_tree.TREE_MODE, bytes.fromhex(tree)) if tree else None
        for part in rel.split(b"/"):
            if entry is None or not entry.is_tree:
                return None
            entry = git_tree.lookup(self.read(entry.oid.hex(), "tree"), self.hash_len, part)
        return entry

    def blob_at(self, commit: str | None, rel: bytes) -> Entry | None:
        """The entry at `rel` in `commit` (None when absent, or when `commit` is None)."""
        return self.entry_at(self.tree_of(commit), rel) if commit else None

    def file_at(self, commit: str, rel: bytes) -> bytes | None:
        """The bytes of the file at `rel` in `commit` (`<commit>:<path>`, so no tree is parsed here:
        a folder of 60,000 tickets costs git a lookup, not Python a parse); None when absent."""
        if b"\n" in rel:  # the batch protocol is line-based: walk the trees instead
            entry = self.blob_at(commit, rel)
            return None if entry is None or entry.is_tree else self.read_blob(entry)
        found = self._cat.call(commit.encode("ascii") + b":" + rel + b"\n", read_object)
        return found[2] if found is not None and found[1] == "blob" else None

    def read_blob(self, entry: Entry) -> bytes:
        """The bytes of a blob entry."""
        return self.read(entry.oid.hex(), "blob")

    # -- writing trees -----------------------------------------------------------------------

    def write_tree(self, data: bytes) -> str:
        """Store a tree object (validated by git) and return its id."""
        return self._run.out(["hash-object", "-w", "-t", "tree", "--stdin"], input=data).decode("ascii").strip()

    def edit_tree(self, tree: str | None, changes: Changes) -> str | None:
        """`tree` rewritten with `changes`; untouched subtrees are reused. None when it ends empty."""
        data = self.read(tree, "tree") if tree else b""
        edits: dict[bytes, Entry | None] = {}
        for name, change in changes.items():
            old = git_tree.lookup(data, self.hash_len, name) if data and not isinstance(change, Entry) else None
            if isinstance(change, dict):
                sub = self.edit_tree(old.oid.hex() if old is not None and old.is_tree else None, change)
                if sub is not None:
                    edits[name] = Entry(git_tree.TREE_MODE, bytes.fromhex(sub))
                elif old is not None and old.is_tree:
                    edits[name] = None
            elif change is None and old is not None and old.is_tree:
                raise VaultError(f"{os.fsdecode(name)} is a folder in the last commit, not a file.")
            else:
                edits[name] = change
        new = git_tree.edit(data, self.hash_len, edits)
        if not new:
            return None
        return tree if tree and new is data else self.write_tree(new)

    # -- the work tree -----------------------------------------------------------------------

    def worktree_entry(self, rel: bytes) -> Entry | None:
        """What the work tree holds at `rel`, hashed and stored as `git add` would; None when gone."""
        self._check_parents(rel)
        full = os.path.join(self._root, rel)
        try:
            info = os.lstat(full)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if stat.S_ISLNK(info.st_mode):
            out = self._run.out(["hash-object", "-w", "--no-filters", "--stdin"], input=os.readlink(full))
            return Entry(git_tree.LINK_MODE, bytes.fromhex(out.decode("ascii").strip()))
        if not stat.S_ISREG(info.st_mode):
            raise VaultError(f"{os.fsdecode(rel)} is not a regular file; obm commits files only.")
        mode = git_tree.KEEP_MODE
        if self._file_mode:
            mode = git_tree.EXEC_MODE if info.st_mode & stat.S_IXUSR else git_tree.FILE_MODE
        oid = self._hash_file(rel)
        return Entry(mode, oid) if oid is not None else None

    def content_entry(self, rel: bytes, data: bytes | None) -> Entry | None:
        """`data` stored as the blob of `rel` (None: removed), with the work tree's file mode.

        The file on disk is hashed by the persistent helper (no process); when that is not a blob of
        exactly `data` (another program saved since, or a filter changes the bytes), `data` itself
        is hashed with `rel`'s filters."""
        if data is None:
            return None
        self._check_parents(rel)
        full = os.path.join(self._root, rel)
        try:
            info = os.lstat(full)
        except (FileNotFoundError, NotADirectoryError):
            info = None
        mode = git_tree.KEEP_MODE
        if self._file_mode:
            executable = info is not None and stat.S_ISREG(info.st_mode) and info.st_mode & stat.S_IXUSR
            mode = git_tree.EXEC_MODE if executable else git_tree.FILE_MODE
        on_disk = self._hash_file(rel) if info is not None and stat.S_ISREG(info.st_mode) else None
        if on_disk is not None and on_disk == self._blob_id(data):
            return Entry(mode, on_disk)
        out = self._run.out(["hash-object", "-w", f"--path={os.fsdecode(rel)}", "--stdin"], input=data)
        return Entry(mode, bytes.fromhex(out.decode("ascii").strip()))

    def _blob_id(self, data: bytes) -> bytes:
        algorithm = hashlib.sha1 if self.hash_len == 20 else hashlib.sha256
        return algorithm(b"blob %d\0" % len(data) + data).digest()

    def _hash_file(self, rel: bytes) -> bytes | None:
        full = os.path.join(self._root, rel)
        if b"\n" in rel or b"\r" in rel or rel.startswith(b'"'):  # not expressible on --stdin-paths
            data = _read_or_none(full)
            if data is None:
                return None
            out = self._run.out(["hash-object", "-w", f"--path={os.fsdecode(rel)}", "--stdin"], input=data)
            return bytes.fromhex(out.decode("ascii").strip())
        try:
            return bytes.fromhex(self._hash.call(rel + b"\n", read_line).decode("ascii"))
        except VaultError:
            if not os.path.lexists(full):
                return None  # deleted while it was being hashed: commit the deletion
            raise

    def _check_parents(self, rel: bytes) -> None:
        folder = self._root
        for part in rel.split(b"/")[:-1]:
            folder = os.path.join(folder, part)
            try:
                info = os.lstat(folder)
            except (FileNotFoundError, NotADirectoryError):
                return
            if stat.S_ISLNK(info.st_mode):
                raise VaultError(
                    f"{os.fsdecode(rel)} is inside a symbolic link; obm does not follow links out of the vault."
                )
            if not stat.S_ISDIR(info.st_mode):
                return


def nest(wanted: Mapping[bytes, Entry | None]) -> Changes:
    """{b"a/b/c.md": e} as {b"a": {b"b": {b"c.md": e}}}; UsageError when a path is both file and folder."""
    root: Changes = {}
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


def _read_or_none(path: bytes) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
