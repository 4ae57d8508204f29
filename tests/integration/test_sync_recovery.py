"""What a killed `obm sync` or a dead git program leaves, the next sync (or `obm doctor`) finishes or
undoes by itself; a lock a running git holds is never touched."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from obm_tui.vault.git_leftovers import STALE_AFTER
from obm_tui.vault.interrupted import MERGE_MARK, RECOVERED
from tests.integration.traps import REL, Team, git, make_team


@pytest.fixture
def team(empty_vault: Path, tmp_path: Path) -> Team:
    team = make_team(empty_vault, tmp_path)
    edit(team.vault, "email: ann@example.com", "email: ann@lee.example")
    team.teammate_edit("status: lead", "status: onboarding")
    return team


def edit(root: Path, old: str, new: str) -> None:
    path = root / REL
    path.write_text(path.read_text().replace(old, new))
    git(root, "commit", "-qam", f"{new}")


def obm(team: Team, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--vault", str(team.vault), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def left_by_a_dead_git(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    then = time.time() - 10 * STALE_AFTER
    os.utime(path, (then, then))
    return path


def half_merged(team: Team) -> None:
    """The state a sync killed while git merged leaves: the mark, theirs written, index.lock, a temp."""
    git(team.vault, "fetch", "-q", "origin")
    before, target = git(team.vault, "rev-parse", "HEAD", "origin/main").split()
    (team.vault / ".git" / MERGE_MARK).write_text(f"{before} {target}\n")
    (team.vault / REL).write_text(git(team.vault, "show", f"{target}:{REL}"))
    left_by_a_dead_git(team.vault / ".git/index.lock")
    left_by_a_dead_git(team.vault / ".merge_file_a1B2c3", "theirs")


def assert_synced(team: Team) -> None:
    text = (team.vault / REL).read_text()
    assert "status: onboarding" in text and "ann@lee.example" in text
    assert git(team.vault, "status", "--porcelain") == ""
    assert git(team.vault, "log", "--format=%s").count("external edit") == 1  # the fixture's own, no more
    assert git(team.vault, "rev-parse", "HEAD") == git(team.remote, "rev-parse", "main")
    subprocess.run(["git", "-C", str(team.vault), "fsck", "--strict", "--no-progress"], check=True,
                   capture_output=True)


def test_a_sync_killed_mid_merge_is_undone_and_done_again(team: Team) -> None:
    half_merged(team)
    code, output = obm(team, "sync")
    assert code == 0, output
    assert_synced(team)
    assert not list(team.vault.glob(".merge_file_*")) and not (team.vault / ".git/index.lock").exists()
    assert not (team.vault / ".git" / MERGE_MARK).exists()
    assert (team.vault / RECOVERED).is_dir()  # what the dead merge had written, kept just in case


def test_a_merge_obm_left_stopped_is_aborted_by_the_next_sync(team: Team) -> None:
    git(team.vault, "fetch", "-q", "origin")
    before, target = git(team.vault, "rev-parse", "HEAD", "origin/main").split()
    git(team.vault, "merge", "-q", "--no-commit", "--no-ff", "origin/main")  # stopped before its commit
    (team.vault / ".git" / MERGE_MARK).write_text(f"{before} {target}\n")
    code, output = obm(team, "sync")
    assert code == 0, output
    assert_synced(team)


def test_a_merge_started_in_a_terminal_is_left_to_its_owner(team: Team) -> None:
    git(team.vault, "fetch", "-q", "origin")
    git(team.vault, "merge", "-q", "--no-commit", "--no-ff", "origin/main")
    code, output = obm(team, "sync")
    assert code == 3 and "in progress in the vault" in output and "does not read as a record" not in output
    assert (team.vault / ".git/MERGE_HEAD").exists()


def test_a_ref_lock_left_by_a_killed_fetch_is_cleared_by_the_next_sync(team: Team) -> None:
    left_by_a_dead_git(team.vault / ".git/refs/remotes/origin/main.lock")
    code, output = obm(team, "sync")
    assert code == 0 and "cleared .git/refs/remotes/origin/main.lock" in output, output
    assert_synced(team)


@pytest.mark.parametrize("remote", ["origin", "byfile"])
def test_a_ref_lock_a_killed_push_left_in_the_remote_is_cleared(team: Team, remote: str) -> None:
    left_by_a_dead_git(team.remote / "refs/heads/main.lock")
    code, output = obm(team, "sync", "--remote", remote)
    assert code == 0 and f"{remote}: cleared refs/heads/main.lock" in output, output
    assert git(team.vault, "rev-parse", "HEAD") == git(team.remote, "rev-parse", "main")


def test_a_stale_lock_is_named_with_the_way_to_clear_it(team: Team) -> None:
    lock = left_by_a_dead_git(team.vault / ".git/index.lock")
    edit_path = team.vault / REL
    edit_path.write_text(edit_path.read_text().replace("name: Ann Lee", "name: Ann Leigh"))
    code, output = obm(team, "set", "ann-lee", "status=current")
    assert f"{lock} was left" in output and "no longer running; run `obm doctor` to clear it" in output
    assert "does not read as a record" not in output
    code, output = obm(team, "doctor")
    assert code == 0 and "cleared .git/index.lock" in output
    assert obm(team, "doctor")[1].strip() == "nothing left behind: the vault is fine"


def test_doctor_clears_nothing_while_a_git_program_runs_in_the_vault(team: Team) -> None:
    lock = left_by_a_dead_git(team.vault / ".git/index.lock")
    waiting = subprocess.Popen(["git", "credential", "fill"], cwd=team.vault, stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        code, output = obm(team, "doctor")
        assert code == 1 and f"pid {waiting.pid}" in output and "nothing cleared" in output
        assert lock.exists()
        code, output = obm(team, "sync")
        assert code == 3 and f"a git program is running in the vault (pid {waiting.pid}" in output
    finally:
        waiting.kill()
        waiting.wait()
    assert obm(team, "doctor")[0] == 0 and not lock.exists()
