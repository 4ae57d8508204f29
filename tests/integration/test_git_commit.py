"""Git.commit on real git: exactly the given paths, nothing else, and the index kept honest."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from obm_tui.model.errors import UsageError, VaultError
from obm_tui.vault.git import FALLBACK_IDENTITY, Git, fsync_covers


def git(root: Path, *args: str, input: bytes | None = None) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], input=input, capture_output=True, check=True)
    return done.stdout.decode("utf-8", "surrogateescape")


def porcelain(root: Path) -> list[str]:
    out = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all")
    return sorted(item for item in out.split("\0") if item)


def tree_paths(root: Path, rev: str = "HEAD") -> dict[str, str]:
    """{path: "mode blob-content"} of every file in `rev`."""
    out = git(root, "ls-tree", "-r", "-z", rev)
    result = {}
    for item in filter(None, out.split("\0")):
        meta, path = item.split("\t", 1)
        mode, _kind, oid = meta.split()
        result[path] = f"{mode} {git(root, 'cat-file', 'blob', oid)}"
    return result


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def vault(tmp_path: Path):
    root = tmp_path / "vault"
    git_ = Git.init(root)
    write(root, "clients/fred.md", "fred\n")
    write(root, "clients/aisha.md", "aisha\n")
    write(root, "tickets/t-1.md", "ticket one\n")
    git_.commit(["clients/fred.md", "clients/aisha.md", "tickets/t-1.md"], "seed")
    yield root, git_
    git_.close()
    git(root, "fsck", "--strict", "--no-progress")


def test_first_commit_on_unborn_branch(tmp_path: Path) -> None:
    root = tmp_path / "v"
    with Git.init(root) as repo:
        assert repo.head() is None and repo.branch() == "main"
        write(root, "a.md", "a\n")
        sha = repo.commit(["a.md"], "first")
        assert sha == repo.head() == git(root, "rev-parse", "HEAD").strip()
        assert git(root, "rev-list", "--parents", "HEAD").split() == [sha]
        assert tree_paths(root) == {"a.md": "100644 a\n"}
        assert porcelain(root) == []
    git(root, "fsck", "--strict")


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("add", {"clients/new.md": "100644 new\n"}),
        ("modify", {"clients/fred.md": "100644 fred v2\n"}),
        ("delete", {"clients/fred.md": None}),
    ],
    ids=["add", "modify", "delete"],
)
def test_add_modify_delete(vault, action: str, expected: dict[str, str | None]) -> None:
    root, repo = vault
    before = tree_paths(root)
    (rel, content), = expected.items()
    if action == "delete":
        (root / rel).unlink()
    else:
        write(root, rel, content.split(" ", 1)[1])
    old_head = repo.head()
    sha = repo.commit([rel], f"{action} {rel}")
    assert sha is not None and sha != old_head
    assert git(root, "rev-parse", "HEAD^").strip() == old_head
    after = dict(before)
    if content is None:
        del after[rel]
    else:
        after[rel] = content
    assert tree_paths(root) == after
    assert porcelain(root) == []


def test_nothing_changed_returns_none_and_makes_no_commit(vault) -> None:
    _root, repo = vault
    head = repo.head()
    assert repo.commit(["clients/fred.md"], "no change") is None
    assert repo.commit(["clients/never-existed.md"], "gone and never was") is None
    assert repo.commit([], "empty") is None
    assert repo.head() == head


def test_staged_unrelated_file_stays_staged_and_out(vault) -> None:
    root, repo = vault
    write(root, "clients/aisha.md", "aisha staged\n")
    git(root, "add", "clients/aisha.md")
    write(root, "notes/staged-new.md", "new staged\n")
    git(root, "add", "notes/staged-new.md")
    write(root, "clients/fred.md", "fred v2\n")
    repo.commit(["clients/fred.md"], "fred only")
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == ["clients/fred.md"]
    assert porcelain(root) == ["A  notes/staged-new.md", "M  clients/aisha.md"]
    assert git(root, "show", ":clients/aisha.md") == "aisha staged\n"


def test_unstaged_and_untracked_changes_stay_out(vault) -> None:
    root, repo = vault
    write(root, "clients/aisha.md", "aisha edited, not staged\n")
    write(root, "tickets/untracked.md", "untracked\n")
    write(root, "clients/fred.md", "fred v2\n")
    repo.commit(["clients/fred.md"], "fred only")
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == ["clients/fred.md"]
    assert porcelain(root) == [" M clients/aisha.md", "?? tickets/untracked.md"]
    assert tree_paths(root)["clients/aisha.md"] == "100644 aisha\n"


def test_commits_the_work_tree_version_over_a_staged_one(vault) -> None:
    root, repo = vault
    write(root, "clients/fred.md", "staged version\n")
    git(root, "add", "clients/fred.md")
    write(root, "clients/fred.md", "disk version\n")
    repo.commit(["clients/fred.md"], "fred")
    assert tree_paths(root)["clients/fred.md"] == "100644 disk version\n"
    assert porcelain(root) == []


def test_message_and_author_land(vault) -> None:
    root, repo = vault
    write(root, "clients/fred.md", "fred v2\n")
    message = "client fred: status onboarding -> current\n\nWhy: paid.\n"
    repo.commit(["clients/fred.md"], message, author=("Mia Ops", "mia@example.com"))
    fields = git(root, "log", "-1", "--format=%an|%ae|%cn|%ce|%s|%b").strip().split("|")
    assert fields[:4] == ["Mia Ops", "mia@example.com", "Test Person", "test@example.com"]
    assert fields[4:] == ["client fred: status onboarding -> current", "Why: paid."]


def test_identity_falls_back_when_git_has_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    root = tmp_path / "v"
    with Git.init(root) as repo:
        write(root, "a.md", "a\n")
        repo.commit(["a.md"], "first")
    expected = "{0} <{1}>|{0} <{1}>".format(*FALLBACK_IDENTITY)
    assert git(root, "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip() == expected


@pytest.mark.parametrize(
    "rel",
    [
        "with space/file name.md",
        "clients/émile-zola.md",
        "clients/e\u0301mile-nfd.md",
        "-leading-dash.md",
        "tab\there.md",
        "new\nline.md",
        '"quoted".md',
    ],
    ids=["spaces", "unicode-nfc", "unicode-nfd", "leading-dash", "tab", "newline", "quote"],
)
def test_odd_names(vault, rel: str) -> None:
    root, repo = vault
    write(root, rel, "odd\n")
    assert repo.commit([rel], f"add {rel}") is not None
    assert tree_paths(root)[rel] == "100644 odd\n"
    assert porcelain(root) == []
    (root / rel).unlink()
    assert repo.commit([rel], f"remove {rel}") is not None
    assert rel not in tree_paths(root)


def test_deep_new_folders_and_removing_the_last_file_of_a_folder(vault) -> None:
    root, repo = vault
    write(root, "a/b/c/deep.md", "deep\n")
    repo.commit(["a/b/c/deep.md"], "deep")
    assert tree_paths(root)["a/b/c/deep.md"] == "100644 deep\n"
    (root / "a/b/c/deep.md").unlink()
    (root / "tickets/t-1.md").unlink()
    repo.commit(["a/b/c/deep.md", "tickets/t-1.md"], "remove both")
    assert git(root, "ls-tree", "--name-only", "HEAD").split() == ["clients"]
    assert porcelain(root) == []


def test_many_paths_in_one_commit(vault) -> None:
    root, repo = vault
    rels = [f"{folder}/r-{n}.md" for folder in ("clients", "tickets", "stock") for n in range(5)]
    for rel in rels:
        write(root, rel, rel + "\n")
    (root / "clients/fred.md").unlink()
    repo.commit([*rels, "clients/fred.md"], "batch")
    files = tree_paths(root)
    assert all(files[rel] == f"100644 {rel}\n" for rel in rels) and "clients/fred.md" not in files
    assert len(git(root, "show", "--name-only", "--format=", "HEAD").split()) == len(rels) + 1


def test_executable_bit_and_symlink(vault) -> None:
    root, repo = vault
    write(root, "tools/run.sh", "#!/bin/sh\n")
    os.chmod(root / "tools/run.sh", 0o755)
    os.symlink("../clients/fred.md", root / "tools/fred-link")
    repo.commit(["tools/run.sh", "tools/fred-link"], "tools")
    files = tree_paths(root)
    assert files["tools/run.sh"] == "100755 #!/bin/sh\n"
    assert files["tools/fred-link"] == "120000 ../clients/fred.md"
    assert porcelain(root) == []


def test_file_mode_off_keeps_the_committed_mode(vault) -> None:
    root, _repo = vault
    git(root, "config", "core.fileMode", "false")
    with Git(root) as fresh:
        os.chmod(root / "clients/fred.md", 0o755)
        write(root, "clients/fred.md", "fred v2\n")
        fresh.commit(["clients/fred.md"], "fred")
    assert tree_paths(root)["clients/fred.md"] == "100644 fred v2\n"


def test_a_file_replacing_a_folder(vault) -> None:
    root, repo = vault
    for rel in ("tickets/t-1.md",):
        (root / rel).unlink()
    (root / "tickets").rmdir()
    write(root, "tickets", "now a file\n")
    repo.commit(["tickets"], "folder becomes a file")
    assert tree_paths(root)["tickets"] == "100644 now a file\n"
    assert porcelain(root) == []


@pytest.mark.parametrize(
    "rel",
    [
        pytest.param("../outside.md", id="dotdot"),
        pytest.param("/etc/passwd", id="absolute"),
        pytest.param(".git/config", id="dot-git"),
        pytest.param(".GIT/x", id="dot-git-case"),
        pytest.param("clients/../../x", id="dotdot-inside"),
        pytest.param("a//b.md", id="empty-part"),
        pytest.param("a/./b.md", id="dot-part"),
        pytest.param("x/", id="slash-end"),
        pytest.param("", id="empty"),
        pytest.param("nul\0.md", id="nul"),
    ],
)
def test_refuses_paths_outside_the_work_tree(vault, rel: str) -> None:
    _root, repo = vault
    with pytest.raises(UsageError):
        repo.commit([rel], "bad")


def test_refuses_a_folder_and_a_path_through_a_symlink(vault, tmp_path: Path) -> None:
    root, repo = vault
    with pytest.raises(VaultError, match="not a regular file"):
        repo.commit(["clients"], "folder")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.md").write_text("x\n")
    os.symlink(outside, root / "linked")
    with pytest.raises(VaultError, match="symbolic link"):
        repo.commit(["linked/x.md"], "through a link")
    head = repo.head()
    (root / "tickets/t-1.md").unlink()
    (root / "tickets").rmdir()
    with pytest.raises(VaultError, match="folder"):
        repo.commit(["tickets"], "delete a folder as if it were a file")
    assert repo.head() == head


def test_detached_head_is_refused(vault) -> None:
    root, repo = vault
    git(root, "checkout", "-q", "--detach")
    write(root, "clients/fred.md", "fred v2\n")
    with pytest.raises(VaultError, match="detached"):
        repo.commit(["clients/fred.md"], "fred")
    assert (root / "clients/fred.md").read_text() == "fred v2\n"
    git(root, "checkout", "-q", "main")


def test_merge_in_progress_is_refused(vault) -> None:
    root, repo = vault
    head = repo.head()
    assert head is not None
    (Path(git(root, "rev-parse", "--absolute-git-dir").strip()) / "MERGE_HEAD").write_text(head + "\n")
    write(root, "clients/fred.md", "fred v2\n")
    with pytest.raises(VaultError, match="in progress"):
        repo.commit(["clients/fred.md"], "fred")
    assert repo.head() == head


def test_helper_processes_survive_being_killed_and_close_cleanly(vault) -> None:
    root, repo = vault
    write(root, "clients/fred.md", "fred v2\n")
    repo.commit(["clients/fred.md"], "warm up the helpers")
    helpers = [helper._proc for helper in repo._objects.helpers()]
    assert all(proc is not None for proc in helpers)
    for proc in helpers:
        proc.kill()
        proc.wait()
    write(root, "clients/fred.md", "fred v3\n")
    assert repo.commit(["clients/fred.md"], "after the kill") is not None
    live = [helper._proc for helper in repo._objects.helpers()]
    repo.close()
    assert all(proc is not None and proc.returncode is not None for proc in live)
    write(root, "clients/fred.md", "fred v4\n")
    assert repo.commit(["clients/fred.md"], "after close") is not None
    assert tree_paths(root)["clients/fred.md"] == "100644 fred v4\n"


def test_sha256_repository(tmp_path: Path) -> None:
    root = tmp_path / "v256"
    git(tmp_path, "init", "-q", "-b", "main", "--object-format=sha256", str(root))
    with Git(root) as repo:
        write(root, "a/b.md", "b\n")
        sha = repo.commit(["a/b.md"], "first")
        assert sha is not None and len(sha) == 64
        write(root, "a/b.md", "b2\n")
        repo.commit(["a/b.md"], "second")
        assert repo.show_file(sha, "a/b.md") == b"b\n"
    assert porcelain(root) == []
    git(root, "fsck", "--strict")


def test_init_and_ensure_settings(tmp_path: Path) -> None:
    root = tmp_path / "v"
    with Git.init(root) as repo:
        assert git(root, "config", "--local", "core.fsync").strip() == "committed,reference"
        assert git(root, "branch", "--show-current").strip() == "main"
        config = Path(repo.git_dir) / "config"
        before = config.read_bytes(), config.stat().st_mtime_ns
        assert repo.ensure_settings() == []
        assert (config.read_bytes(), config.stat().st_mtime_ns) == before
        git(root, "config", "--local", "core.fsync", "all")
        assert repo.ensure_settings() == []
        git(root, "config", "--local", "core.fsync", "committed,-reference")
        assert repo.ensure_settings() == ["core.fsync"]
        assert git(root, "config", "--local", "core.fsync").strip() == "committed,reference"


@pytest.mark.parametrize(
    ("value", "covers"),
    [
        ("committed,reference", True),
        ("committed", True),
        ("all", True),
        ("added", True),
        ("objects,reference", True),
        ("loose-object,pack,reference", True),
        ("none", False),
        ("objects", False),
        ("reference", False),
        ("committed,-loose-object", False),
        ("all,-reference", False),
        ("", False),
    ],
    ids=lambda v: str(v) if isinstance(v, str) else "",
)
def test_fsync_covers(value: str, covers: bool) -> None:
    assert fsync_covers(value) is covers


def test_open_refuses_a_folder_that_is_not_a_repository_top(tmp_path: Path, vault) -> None:
    root, _repo = vault
    with pytest.raises(VaultError, match="not the top folder"):
        Git(root / "clients")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(VaultError, match="not the top folder"):
        Git(plain)


def test_missing_folder_and_file_in_the_way(tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="not a folder"):
        Git(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(VaultError, match="Cannot create"):
        Git.init(tmp_path / "file")
    assert not Git.is_repo(tmp_path / "file")


def test_housekeeping_packs_the_loose_objects_of_many_commits(tmp_path: Path) -> None:
    """obm's plumbing commits never start git's automatic gc; Git.housekeeping does."""
    import subprocess

    from obm_tui.vault.git import Git

    root = tmp_path / "v"
    git = Git.init(root)
    subprocess.run(["git", "-C", str(root), "config", "gc.auto", "20"], check=True)
    subprocess.run(["git", "-C", str(root), "config", "gc.autoDetach", "false"], check=True)
    sampled = root / ".git/objects/17"  # git --auto estimates the loose objects from this folder alone
    n = 0
    while len(list(sampled.glob("*")) if sampled.is_dir() else []) < 2 and n < 3000:
        (root / "note.md").write_text(f"version {n}\n")
        git.commit(["note.md"], f"note: version {n}")
        n += 1

    def loose() -> int:
        out = subprocess.run(["git", "-C", str(root), "count-objects", "-v"], capture_output=True, text=True).stdout
        return int(next(line.split()[1] for line in out.splitlines() if line.startswith("count:")))

    before = loose()
    git.housekeeping()
    assert before >= 100 and loose() < 20
    assert subprocess.run(["git", "-C", str(root), "fsck", "--strict"], capture_output=True).returncode == 0
    git.close()
