"""Reading history (log, diff, show_file, head, branch, changed_paths) and undoing a commit (revert)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from obm_tui.model.errors import ConflictError, UsageError, VaultError
from obm_tui.vault.git import Change, Git

LINES = "".join(f"line {n}\n" for n in range(1, 21))


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=True, text=True).stdout


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def status(root: Path) -> str:
    return git(root, "status", "--porcelain", "--untracked-files=all")


@pytest.fixture
def vault(tmp_path: Path):
    root = tmp_path / "vault"
    repo = Git.init(root)
    yield root, repo
    repo.close()
    if repo.head():
        git(root, "fsck", "--strict", "--no-progress")


def commit(repo: Git, root: Path, files: dict[str, str | None], message: str) -> str:
    for rel, text in files.items():
        if text is None:
            (root / rel).unlink()
        else:
            write(root, rel, text)
    sha = repo.commit(list(files), message)
    assert sha is not None
    return sha


def test_head_branch_and_is_repo(vault, tmp_path: Path) -> None:
    root, repo = vault
    assert repo.head() is None and repo.branch() == "main" and repo.log() == []
    sha = commit(repo, root, {"a.md": "a\n"}, "a")
    assert repo.head() == sha and repo.branch() == "main"
    assert Git.is_repo(root) and not Git.is_repo(root / ".git") and not Git.is_repo(tmp_path)
    write(root, "sub/x.md", "x\n")
    assert not Git.is_repo(root / "sub") and not Git.is_repo(tmp_path / "missing")
    git(root, "checkout", "-q", "--detach")
    assert repo.branch() is None and repo.head() == sha


def test_log_fields_statuses_and_order(vault) -> None:
    root, repo = vault
    first = commit(repo, root, {"clients/fred.md": "fred\n", "clients/aisha.md": "aisha\n"}, "seed\n\nThe first body.")
    commit(repo, root, {"clients/fred.md": "fred v2\n"}, "client fred: status lead -> current")
    repo.commit(["clients/aisha.md"], "nothing")
    (root / "clients/aisha.md").unlink()
    last = repo.commit(["clients/aisha.md"], "remove aisha")
    history = repo.log()
    assert [c.message for c in history] == ["remove aisha", "client fred: status lead -> current", "seed"]
    assert history[0].sha == last and history[-1].sha == first
    assert history[-1].body == "The first body." and history[0].body == ""
    assert history[-1].changes == (Change("A", "clients/aisha.md"), Change("A", "clients/fred.md"))
    assert history[1].changes == (Change("M", "clients/fred.md"),) and history[0].paths == ("clients/aisha.md",)
    assert history[0].changes[0].status == "D"
    assert (history[0].author, history[0].email) == ("Test Person", "test@example.com")
    assert history[0].when.tzinfo is not None
    assert abs(history[0].when - datetime.now(UTC)) < timedelta(minutes=5)


def test_log_of_one_path_follows_a_rename(vault) -> None:
    root, repo = vault
    commit(repo, root, {"clients/fred.md": LINES, "clients/other.md": "o\n"}, "add fred")
    commit(repo, root, {"clients/fred.md": LINES + "more\n"}, "edit fred")
    (root / "clients/fred.md").rename(root / "clients/fred-smith.md")
    repo.commit(["clients/fred.md", "clients/fred-smith.md"], "rename fred")
    commit(repo, root, {"clients/other.md": "o2\n"}, "edit other")
    history = repo.log("clients/fred-smith.md")
    assert [c.message for c in history] == ["rename fred", "edit fred", "add fred"]
    assert history[0].changes == (Change("R", "clients/fred-smith.md", "clients/fred.md"),)
    assert [c.message for c in repo.log("clients")] == ["edit other", "rename fred", "edit fred", "add fred"]
    assert [c.message for c in repo.log(limit=2)] == ["edit other", "rename fred"]
    assert repo.log(since=datetime.now(UTC) + timedelta(days=1)) == []
    assert len(repo.log(until="2099-12-31")) == 4


def test_log_and_paths_with_odd_names(vault) -> None:
    root, repo = vault
    names = ["with space.md", "ünïcödé/fïlé.md", "new\nline.md", "\x1equoted\x1f.md"]
    commit(repo, root, {name: "x\n" for name in names}, "odd names")
    assert sorted(repo.log()[0].paths) == sorted(names)
    assert repo.log(names[1])[0].paths == (names[1],)


def test_diff_of_a_commit(vault) -> None:
    root, repo = vault
    first = commit(repo, root, {"a.md": "one\ntwo\n", "b.md": "b\n"}, "first")
    second = commit(repo, root, {"a.md": "one\nTWO\n", "b.md": "b2\n"}, "second")
    patch = repo.diff(second)
    assert patch.startswith("diff --git a/a.md b/a.md")
    assert "-two\n+TWO\n" in patch and "-b\n+b2\n" in patch
    only_b = repo.diff(second, "b.md")
    assert "a.md" not in only_b and "+b2" in only_b
    assert "+one\n+two\n" in repo.diff(first)
    with pytest.raises(UsageError):
        repo.diff("no-such-commit")


def test_show_file(vault) -> None:
    root, repo = vault
    first = commit(repo, root, {"clients/fred.md": "fred\n"}, "first")
    commit(repo, root, {"clients/fred.md": "fred v2\n"}, "second")
    assert repo.show_file(first, "clients/fred.md") == b"fred\n"
    assert repo.show_file("HEAD", "clients/fred.md") == b"fred v2\n"
    assert repo.show_file(first[:8], "clients/fred.md") == b"fred\n"
    with pytest.raises(VaultError, match="not a file"):
        repo.show_file(first, "clients/missing.md")
    with pytest.raises(VaultError, match="not a file"):
        repo.show_file(first, "clients")


def test_changed_paths(vault) -> None:
    root, repo = vault
    assert repo.changed_paths() == []
    seed = {"clients/fred.md": "f\n", "clients/aisha.md": "a\n", "stock/mug.md": "m\n"}
    seed[".gitignore"] = "*.tmp\n.~obm-*\n"
    commit(repo, root, seed, "seed")
    write(root, "clients/fred.md", "f2\n")
    (root / "clients/aisha.md").unlink()
    write(root, "tickets/deep/new ticket é.md", "t\n")
    write(root, "tickets/scratch.tmp", "ignored\n")
    write(root, "clients/.~obm-fred.md.1234", "temp\n")
    write(root, "stock/mug.md", "m2\n")
    git(root, "add", "stock/mug.md")
    expected = ["clients/aisha.md", "clients/fred.md", "stock/mug.md", "tickets/deep/new ticket é.md"]
    assert repo.changed_paths() == expected
    repo.commit(repo.changed_paths(), "commit what other editors did")
    assert repo.changed_paths() == []
    assert status(root) == ""


def test_revert_restores_a_modified_file(vault) -> None:
    root, repo = vault
    commit(repo, root, {"a.md": LINES, "b.md": "b\n"}, "seed")
    bad = commit(repo, root, {"a.md": LINES.replace("line 3\n", "line three\n"), "b.md": "b2\n"}, "bad edit")
    sha = repo.revert(bad, ["a.md"])
    assert sha == repo.head()
    assert (root / "a.md").read_text() == LINES and (root / "b.md").read_text() == "b2\n"
    assert repo.log(limit=1)[0].message == 'Revert "bad edit"' and repo.log(limit=1)[0].paths == ("a.md",)
    assert status(root) == ""


def test_revert_of_an_add_and_of_a_delete(vault) -> None:
    root, repo = vault
    commit(repo, root, {"keep.md": "keep\n", "old.md": "old\n"}, "seed")
    added = commit(repo, root, {"new.md": "new\n"}, "add new")
    deleted = commit(repo, root, {"old.md": None}, "delete old")
    repo.revert(added)
    assert not (root / "new.md").exists()
    repo.revert(deleted)
    assert (root / "old.md").read_text() == "old\n"
    assert git(root, "ls-tree", "--name-only", "HEAD").split() == ["keep.md", "old.md"]
    assert status(root) == ""


def test_revert_merges_with_later_changes_elsewhere_in_the_file(vault) -> None:
    root, repo = vault
    commit(repo, root, {"a.md": LINES}, "seed")
    bad = commit(repo, root, {"a.md": LINES.replace("line 2\n", "line TWO\n")}, "bad")
    later = LINES.replace("line 2\n", "line TWO\n").replace("line 18\n", "line 18 kept\n")
    commit(repo, root, {"a.md": later}, "later")
    repo.revert(bad)
    assert (root / "a.md").read_text() == LINES.replace("line 18\n", "line 18 kept\n")
    assert status(root) == ""


@pytest.mark.parametrize(
    "later",
    [
        {"a.md": LINES.replace("line 2\n", "line two, again\n")},
        {"a.md": None},
    ],
    ids=["same-lines", "deleted-since"],
)
def test_revert_conflict_is_refused_and_changes_nothing(vault, later: dict[str, str | None]) -> None:
    root, repo = vault
    commit(repo, root, {"a.md": LINES, "b.md": "b\n"}, "seed")
    bad = commit(repo, root, {"a.md": LINES.replace("line 2\n", "line TWO\n"), "b.md": "b2\n"}, "bad")
    head = commit(repo, root, later, "later")
    disk = {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}
    with pytest.raises(ConflictError):
        repo.revert(bad)
    assert repo.head() == head
    assert {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()} == disk
    assert status(root) == ""


def test_revert_refuses_uncommitted_changes_and_untouched_paths(vault) -> None:
    root, repo = vault
    commit(repo, root, {"a.md": LINES, "b.md": "b\n"}, "seed")
    bad = commit(repo, root, {"a.md": LINES + "bad\n"}, "bad")
    with pytest.raises(UsageError, match="did not change"):
        repo.revert(bad, ["b.md"])
    write(root, "a.md", "someone is typing\n")
    with pytest.raises(ConflictError, match="not committed"):
        repo.revert(bad)
    assert (root / "a.md").read_text() == "someone is typing\n"
    assert repo.log(limit=1)[0].message == "bad"


def test_revert_twice_says_already_undone(vault) -> None:
    root, repo = vault
    commit(repo, root, {"a.md": "a\n"}, "seed")
    bad = commit(repo, root, {"a.md": "b\n"}, "bad")
    repo.revert(bad)
    with pytest.raises(UsageError, match="already undone"):
        repo.revert(bad)


def test_revert_held_lock_puts_files_back(vault) -> None:
    root, repo = vault
    repo.lock_wait = 0.2
    commit(repo, root, {"a.md": "a\n", "b.md": "b\n"}, "seed")
    bad = commit(repo, root, {"a.md": "a2\n", "b.md": None}, "bad")
    lock = root / ".git" / "index.lock"
    lock.write_text("")
    from obm_tui.vault.git import GitLockedError

    with pytest.raises(GitLockedError, match="Nothing was undone"):
        repo.revert(bad)
    assert (root / "a.md").read_text() == "a2\n" and not (root / "b.md").exists()
    lock.unlink()
    repo.revert(bad)
    assert (root / "a.md").read_text() == "a\n" and (root / "b.md").read_text() == "b\n"


def test_reads_work_while_index_lock_is_held(vault) -> None:
    root, repo = vault
    sha = commit(repo, root, {"a.md": "a\n"}, "a")
    write(root, "a.md", "a2\n")
    lock = root / ".git" / "index.lock"
    lock.write_text("")
    assert repo.changed_paths() == ["a.md"]
    assert [c.sha for c in repo.log()] == [sha] and repo.show_file(sha, "a.md") == b"a\n"
    assert "+a" in repo.diff(sha)
    assert lock.read_text() == ""
    lock.unlink()


def test_paths_are_literal_not_patterns(vault) -> None:
    root, repo = vault
    commit(repo, root, {"clients/fred.md": "f\n"}, "fred")
    commit(repo, root, {"clients/*.md": "star\n"}, "a file really named *.md")
    assert [c.message for c in repo.log("clients/*.md")] == ["a file really named *.md"]
    assert [c.message for c in repo.log(":(glob)clients/*")] == []
