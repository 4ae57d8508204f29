"""A vault from elsewhere must not run code through git: every trap in .git/config stays shut."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from obm_tui.model.errors import VaultError
from obm_tui.vault.git import Git

TRAPS = """
[core]
\tfsmonitor = touch {marks}/fsmonitor; echo
\thooksPath = {hooks}
\tpager = touch {marks}/pager; cat
\teditor = touch {marks}/editor; true
\taskPass = {marks}/askpass-not-there
[sequence]
\teditor = touch {marks}/sequence-editor
[diff]
\texternal = {script} diff-external
[diff "trap"]
\ttextconv = {script} textconv
\tcommand = {script} diff-command
[filter "trap"]
\tclean = {script} clean
\tsmudge = {script} smudge
\tprocess = {script} process
\trequired = true
[merge "trap"]
\tdriver = {script} merge-driver
[commit]
\tgpgSign = true
[gpg]
\tprogram = {script} gpg
[log]
\tshowSignature = true
[pager]
\tlog = {script} pager-log
\tshow = {script} pager-show
"""
HOOKS = (
    "pre-commit",
    "commit-msg",
    "post-commit",
    "reference-transaction",
    "post-index-change",
    "pre-auto-gc",
    "post-checkout",
)


def git(root: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=check)
    return done.stdout


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture
def trapped(tmp_path: Path) -> tuple[Path, Path]:
    """A vault with history whose .git/config, hooks and attributes try to run code; (root, marks folder)."""
    root, marks = tmp_path / "vault", tmp_path / "marks"
    marks.mkdir()
    with Git.init(root) as repo:
        write(root, "clients/fred.md", "fred\n")
        write(root, ".gitattributes", "* filter=trap diff=trap merge=trap\n")
        repo.commit(["clients/fred.md", ".gitattributes"], "seed")
    script = tmp_path / "trap.sh"
    executable(script, f'#!/bin/sh\ntouch "{marks}/$1"\ncat\n')
    hooks = tmp_path / "evil-hooks"
    for hook in HOOKS:
        executable(hooks / hook, f'#!/bin/sh\ntouch "{marks}/hooksPath-{hook}"\n')
        executable(root / ".git" / "hooks" / hook, f'#!/bin/sh\ntouch "{marks}/dotgit-{hook}"\n')
    with open(root / ".git" / "config", "a") as config:
        config.write(TRAPS.format(marks=marks, hooks=hooks, script=script))
    return root, marks


def test_the_traps_are_real(trapped: tuple[Path, Path]) -> None:
    """Plain git in the trapped vault does run the traps (so the next test can fail)."""
    root, marks = trapped
    write(root, "clients/fred.md", "fred v2\n")
    git(root, "status", check=False)
    assert {"fsmonitor", "process"} <= {p.name for p in marks.iterdir()}
    git(root, "config", "--unset", "filter.trap.process")  # a fake process filter would stop the commit
    git(root, "commit", "-q", "-m", "plain", "--", "clients/fred.md", check=False)
    git(root, "update-ref", "refs/heads/side", "HEAD")
    git(root, "log", "-p", "-1", check=False)
    expected = {"clean", "smudge", "textconv"} | {
        f"hooksPath-{hook}" for hook in ("pre-commit", "reference-transaction", "post-index-change")
    }
    assert expected <= {p.name for p in marks.iterdir()}


def test_no_trap_runs_through_obm(trapped: tuple[Path, Path]) -> None:
    root, marks = trapped
    with Git(root) as repo:
        repo.ensure_settings()
        write(root, "clients/fred.md", "fred v2\n")
        write(root, "clients/new.md", "new\n")
        assert repo.changed_paths() == ["clients/fred.md", "clients/new.md"]
        first = repo.commit(["clients/fred.md"], "fred v2")
        repo.commit(["clients/new.md"], "new")
        assert first is not None
        history = repo.log()
        repo.log("clients/fred.md", limit=5)
        assert "fred v2" in repo.diff(first)
        assert repo.show_file(first, "clients/fred.md") == b"fred v2\n"
        repo.revert(first)
        repo.head()
        repo.branch()
        assert Git.is_repo(root)
        assert [c.message for c in history] == ["new", "fred v2", "seed"]
    assert sorted(p.name for p in marks.iterdir()) == []
    assert (root / "clients/fred.md").read_text() == "fred\n"


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ('[include]\n\tpath = {target}\n', "include.path"),
        ('[includeIf "gitdir:/"]\n\tpath = {target}\n', "includeif.gitdir:/.path"),
        ('[filter "a=b"]\n\tclean = touch {target}\n', "filter.a=b.clean"),
    ],
    ids=["include", "includeIf", "filter-name-with-equals"],
)
def test_keys_that_cannot_be_switched_off_refuse_the_vault(tmp_path: Path, section: str, key: str) -> None:
    root = tmp_path / "vault"
    Git.init(root).close()
    target = tmp_path / "included.gitconfig"
    target.write_text("[core]\n\tfsmonitor = touch /nonexistent/x\n")
    with open(root / ".git" / "config", "a") as config:
        config.write(section.format(target=target))
    with pytest.raises(VaultError) as caught:
        Git(root)
    assert key in caught.value.message
    assert "\n" not in caught.value.message


def test_git_environment_of_the_caller_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIT_DIR / GIT_INDEX_FILE / GIT_WORK_TREE left by a parent git process do not redirect obm."""
    other = tmp_path / "other"
    Git.init(other).close()
    root = tmp_path / "vault"
    with Git.init(root) as repo:
        monkeypatch.setenv("GIT_DIR", str(other / ".git"))
        monkeypatch.setenv("GIT_WORK_TREE", str(other))
        monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "stray-index"))
        monkeypatch.setenv("GIT_EXTERNAL_DIFF", str(tmp_path / "nope"))
        write(root, "a.md", "a\n")
        sha = repo.commit(["a.md"], "a")
        assert sha is not None and "+a" in repo.diff(sha)
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_WORK_TREE")
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert git(root, "rev-parse", "HEAD").strip() == sha
    assert git(other, "rev-list", "--all") == ""
    assert not (tmp_path / "stray-index").exists()


def test_git_missing_from_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "vault"
    Git.init(root).close()
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(VaultError, match="git is not installed"):
        Git(root)


@pytest.mark.parametrize(
    "damage",
    [
        lambda root: (root / ".git" / "config").write_text("[core\n\tbroken = \n"),
        lambda root: (root / ".git" / "HEAD").write_text("garbage\n"),
    ],
    ids=["bad-config", "bad-head"],
)
def test_broken_repository_gives_one_line_vault_error(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "vault"
    with Git.init(root) as repo:
        write(root, "a.md", "a\n")
        repo.commit(["a.md"], "a")
    damage(root)
    with pytest.raises(VaultError) as caught, Git(root) as broken:
        broken.commit(["a.md"], "again")
    assert caught.value.message and "\n" not in caught.value.message
    assert "Traceback" not in caught.value.message


def test_hooks_dir_we_use_is_empty_and_ours() -> None:
    from obm_tui.vault.git_process import empty_hooks_dir

    folder = empty_hooks_dir()
    assert os.listdir(folder) == []
    assert Path(folder).stat().st_uid == os.getuid()
    assert stat.S_IMODE(Path(folder).stat().st_mode) == 0o700


def test_config_changed_while_open_is_audited_again(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    with Git.init(root) as repo:
        write(root, "a.md", "a\n")
        repo.commit(["a.md"], "a")
        with open(root / ".git" / "config", "a") as config:
            config.write(f"[include]\n\tpath = {tmp_path / 'elsewhere.gitconfig'}\n")
        write(root, "a.md", "a2\n")
        with pytest.raises(VaultError, match=r"include\.path"):
            repo.commit(["a.md"], "a2")
        with pytest.raises(VaultError, match=r"include\.path"):
            repo.changed_paths()
    assert git(root, "log", "--format=%s").split() == ["a"]
