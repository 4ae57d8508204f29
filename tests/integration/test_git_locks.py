"""Locks, races and concurrency: a held lock is waited for then reported, a racing commit is never lost."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from obm_tui.vault.git import Git, GitLockedError


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=True, text=True).stdout


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def vault(tmp_path: Path):
    root = tmp_path / "vault"
    repo = Git.init(root)
    repo.lock_wait = 0.3
    write(root, "clients/fred.md", "fred\n")
    write(root, "clients/aisha.md", "aisha\n")
    repo.commit(["clients/fred.md", "clients/aisha.md"], "seed")
    yield root, repo
    repo.close()
    git(root, "fsck", "--strict", "--no-progress")


@pytest.mark.parametrize(
    "lock", ["index.lock", "HEAD.lock", "refs/heads/main.lock"], ids=["index", "head", "branch-ref"]
)
def test_held_lock_gives_bounded_retry_then_locked_error(vault, lock: str) -> None:
    root, repo = vault
    lock_file = root / ".git" / lock
    lock_file.write_text("")
    head = repo.head()
    write(root, "clients/fred.md", "fred v2\n")
    with pytest.raises(GitLockedError) as caught:
        repo.commit(["clients/fred.md"], "fred")
    assert lock_file.exists(), "a lock must never be deleted"
    assert str(lock_file) in caught.value.message and "safe on disk" in caught.value.message
    assert caught.value.lock == str(lock_file)
    assert (root / "clients/fred.md").read_text() == "fred v2\n"
    assert repo.head() == head
    lock_file.unlink()
    assert repo.commit(["clients/fred.md"], "fred, later") is not None
    assert git(root, "status", "--porcelain") == ""


@pytest.mark.parametrize("lock", ["index.lock", "refs/heads/main.lock"], ids=["index", "branch-ref"])
def test_lock_released_during_the_retry_lets_the_commit_through(vault, lock: str) -> None:
    root, repo = vault
    repo.lock_wait = 10.0
    lock_file = root / ".git" / lock
    lock_file.write_text("")
    waiting = threading.Timer(0.15, lock_file.unlink)
    waiting.start()
    write(root, "clients/fred.md", "fred v2\n")
    try:
        sha = repo.commit(["clients/fred.md"], "fred")
    finally:
        waiting.join()
    assert sha is not None and sha == git(root, "rev-parse", "HEAD").strip()
    assert git(root, "status", "--porcelain") == ""


class _RacedGit(Git):
    """A Git whose commit-tree step lets another process commit first, once: a real race, on cue."""

    other: Path
    raced = False

    def _commit_tree(self, tree, parent, text, author):  # type: ignore[no-untyped-def]
        if not self.raced:
            self.raced = True
            write(self.root, "clients/aisha.md", "aisha by someone else\n")
            git(self.root, "commit", "-q", "-m", "someone else", "--", "clients/aisha.md")
        return super()._commit_tree(tree, parent, text, author)


def test_commit_made_between_our_read_and_update_ref_is_not_lost(vault) -> None:
    root, _repo = vault
    with _RacedGit(root) as repo:
        write(root, "clients/fred.md", "fred v2\n")
        sha = repo.commit(["clients/fred.md"], "ours")
        assert repo.raced
    assert git(root, "log", "--format=%s").split("\n")[:3] == ["ours", "someone else", "seed"]
    assert git(root, "rev-parse", "HEAD").strip() == sha
    assert git(root, "show", "HEAD:clients/aisha.md") == "aisha by someone else\n"
    assert git(root, "show", "HEAD:clients/fred.md") == "fred v2\n"
    assert git(root, "status", "--porcelain") == ""


def test_two_git_objects_committing_from_threads_lose_nothing(vault) -> None:
    root, _repo = vault
    rounds = 12
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            with Git(root, lock_wait=30.0) as repo:
                for n in range(rounds):
                    write(root, f"clients/{name}.md", f"{name} {n}\n")
                    assert repo.commit([f"clients/{name}.md"], f"{name} {n}") is not None
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("fred", "aisha")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    subjects = git(root, "log", "--format=%s").split("\n")
    for name in ("fred", "aisha"):
        assert [s for s in subjects if s.startswith(name)] == [f"{name} {n}" for n in reversed(range(rounds))]
        assert git(root, "show", f"HEAD:clients/{name}.md") == f"{name} {rounds - 1}\n"
    assert git(root, "status", "--porcelain") == ""


def test_one_git_object_shared_by_threads(vault) -> None:
    root, repo = vault
    repo.lock_wait = 30.0
    names = [f"n{n}" for n in range(6)]

    def worker(name: str) -> None:
        for n in range(4):
            write(root, f"notes/{name}.md", f"{n}\n")
            repo.commit([f"notes/{name}.md"], f"{name} {n}")

    threads = [threading.Thread(target=worker, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(git(root, "log", "--format=%s").splitlines()) == 1 + len(names) * 4
    assert git(root, "status", "--porcelain") == ""
