"""Tree splicing (git_tree) checked against git's own `mktree` on random folders and edits."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obm_tui.model.errors import VaultError
from obm_tui.vault import git_tree
from obm_tui.vault.git_tree import Entry

NAMES = st.text(alphabet="ab.-_/0é ", min_size=1, max_size=4).map(lambda s: s.replace("/", "")).filter(bool)
MODES = st.sampled_from([git_tree.FILE_MODE, git_tree.EXEC_MODE, git_tree.LINK_MODE, git_tree.TREE_MODE])


def oid(n: int) -> bytes:
    return hashlib.sha1(str(n).encode()).digest()


def mktree(repo: Path, entries: dict[bytes, Entry]) -> bytes:
    """git's own bytes for a tree of these entries."""
    kinds = {git_tree.TREE_MODE: b"tree"}
    lines = b"".join(
        e.mode.rjust(6, b"0") + b" " + kinds.get(e.mode, b"blob") + b" " + e.oid.hex().encode() + b"\t" + name + b"\0"
        for name, e in entries.items()
    )
    made = subprocess.run(["git", "-C", str(repo), "mktree", "-z", "--missing"], input=lines, capture_output=True)
    sha = made.stdout.strip().decode()
    return subprocess.run(["git", "-C", str(repo), "cat-file", "tree", sha], capture_output=True, check=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("trees")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dictionaries(NAMES, st.tuples(MODES, st.integers(0, 50)), max_size=12),
    changes=st.dictionaries(NAMES, st.none() | st.tuples(MODES, st.integers(0, 50)), max_size=6),
)
def test_edit_matches_git_mktree(repo: Path, start, changes) -> None:  # type: ignore[no-untyped-def]
    entries = {name.encode(): Entry(mode, oid(n)) for name, (mode, n) in start.items()}
    edits = {name.encode(): (None if c is None else Entry(c[0], oid(c[1]))) for name, c in changes.items()}
    expected = dict(entries)
    for name, entry in edits.items():
        if entry is None:
            expected.pop(name, None)
        else:
            expected[name] = entry
    data = git_tree.build(entries)
    assert data == mktree(repo, entries)
    assert git_tree.edit(data, 20, edits) == mktree(repo, expected)
    for name, entry in expected.items():
        assert git_tree.lookup(git_tree.edit(data, 20, edits), 20, name) == entry


@pytest.mark.parametrize(
    ("old_mode", "new_mode", "kept"),
    [
        (git_tree.EXEC_MODE, git_tree.KEEP_MODE, git_tree.EXEC_MODE),
        (git_tree.FILE_MODE, git_tree.KEEP_MODE, git_tree.FILE_MODE),
        (git_tree.LINK_MODE, git_tree.KEEP_MODE, git_tree.FILE_MODE),
        (None, git_tree.KEEP_MODE, git_tree.FILE_MODE),
    ],
    ids=["exec-kept", "file-kept", "link-becomes-file", "new-file"],
)
def test_keep_mode(old_mode, new_mode, kept) -> None:  # type: ignore[no-untyped-def]
    entries = {b"a": Entry(old_mode, oid(1))} if old_mode else {}
    data = git_tree.edit(git_tree.build(entries), 20, {b"a": Entry(new_mode, oid(2))})
    assert git_tree.lookup(data, 20, b"a") == Entry(kept, oid(2))


def test_folder_and_file_order(repo: Path) -> None:
    """`a.md` sorts before the folder `a` (compared as `a/`), and after a file `a`."""
    entries = {
        b"a": Entry(git_tree.TREE_MODE, oid(1)),
        b"a.md": Entry(git_tree.FILE_MODE, oid(2)),
        b"a-b": Entry(git_tree.FILE_MODE, oid(3)),
    }
    assert git_tree.build(entries) == mktree(repo, entries)
    swapped = git_tree.edit(git_tree.build(entries), 20, {b"a": Entry(git_tree.FILE_MODE, oid(4))})
    assert swapped == mktree(repo, {**entries, b"a": Entry(git_tree.FILE_MODE, oid(4))})


def test_malformed_tree_is_refused() -> None:
    with pytest.raises(VaultError, match="malformed"):
        git_tree.parse(b"100644 a\0short", 20)
