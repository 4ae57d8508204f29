"""`obm sync` between two clones through a shared (bare) remote, with real git."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from obm_tui.model.errors import UsageError, VaultError
from obm_tui.services.sync import sync
from obm_tui.vault.store import Vault

CLIENT = "---\ntype: client\nid: ann-lee\nname: Ann Lee\nstatus: lead\nemail: ann@example.com\n---\n\nNotes.\n"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def team(empty_vault: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A bare remote and two clones of one vault with a client."""
    (empty_vault / "clients/ann-lee.md").write_text(CLIENT)
    Vault.open(empty_vault).close()
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(empty_vault), str(remote)], check=True)
    clones = []
    for name in ("mia", "fred"):
        clone = tmp_path / name
        subprocess.run(["git", "clone", "-q", str(remote), str(clone)], check=True)
        clones.append(clone)
    return remote, clones[0], clones[1]


def edit(root: Path, old: str, new: str) -> None:
    """An edit made in an editor (obm commits it as an outside edit when it syncs)."""
    path = root / "clients/ann-lee.md"
    path.write_text(path.read_text().replace(old, new))


def synced(root: Path):  # type: ignore[no-untyped-def]
    vault = Vault.open(root, commit_external=False)
    try:
        return sync(vault), vault.find("ann-lee").data
    finally:
        vault.close()


def test_two_people_edit_one_client_and_both_edits_arrive_everywhere(team: tuple[Path, Path, Path]) -> None:
    _remote, mia, fred = team
    edit(mia, "status: lead", "status: onboarding")
    first, _ = synced(mia)
    assert first.pushed >= 1 and first.pulled == 0
    edit(fred, "email: ann@example.com", "email: ann@leestudio.com")
    second, data = synced(fred)
    assert second.pulled >= 1 and second.pushed >= 1
    assert data["status"] == "onboarding" and data["email"] == "ann@leestudio.com"  # the index knows at once
    third, data = synced(mia)
    assert third.pulled >= 1 and data["email"] == "ann@leestudio.com"
    assert "<<<<<<<" not in (mia / "clients/ann-lee.md").read_text()
    assert git(mia, "rev-parse", "HEAD") == git(fred, "rev-parse", "HEAD")
    assert git(fred, "status", "--porcelain") == ""


def test_a_same_field_conflict_keeps_ours_and_is_reported(team: tuple[Path, Path, Path]) -> None:
    _remote, mia, fred = team
    edit(mia, "status: lead", "status: onboarding")
    synced(mia)
    edit(fred, "status: lead", "status: past")
    result, data = synced(fred)
    assert data["status"] == "past" and len(result.kept) == 1
    assert "status: onboarding" in (fred / "conflicts" / result.kept[0]).read_text()
    assert "field conflict" in result.summary()


def test_an_unmergeable_file_stops_the_sync_and_changes_nothing(team: tuple[Path, Path, Path]) -> None:
    _remote, mia, fred = team
    edit(mia, "name: Ann Lee", "name: Ann Leigh")
    synced(mia)
    edit(fred, "name: Ann Lee", "name: [Ann")  # broken YAML here
    vault = Vault.open(fred)  # commits the broken edit as an outside edit
    try:
        head = git(fred, "rev-parse", "HEAD")
        with pytest.raises(VaultError, match="clients/ann-lee.md"):
            sync(vault)
    finally:
        vault.close()
    assert git(fred, "rev-parse", "HEAD") == head and git(fred, "status", "--porcelain") == ""
    assert not (fred / ".git/MERGE_HEAD").exists()


def refused(root: Path, error: type[Exception], match: str) -> None:
    """Open the vault (committing edits made meanwhile) and check that sync refuses, saying `match`."""
    vault = Vault.open(root)
    try:
        with pytest.raises(error, match=match):
            sync(vault)
    finally:
        vault.close()


def test_without_a_remote_sync_says_how_to_add_one(empty_vault: Path) -> None:
    refused(empty_vault, UsageError, "git remote add")


def test_a_foreign_merge_driver_in_the_vault_config_is_refused(team: tuple[Path, Path, Path]) -> None:
    _remote, mia, _fred = team
    git(mia, "config", "merge.evil.driver", f"{sys.executable} -c 'open(\"pwned\", \"w\")' %A")
    refused(mia, VaultError, "merge.evil.driver")
    assert not (mia / "pwned").exists()


def test_the_cli_prints_what_it_did(team: tuple[Path, Path, Path]) -> None:
    _remote, mia, _fred = team
    edit(mia, "status: lead", "status: current")
    done = subprocess.run([sys.executable, "-m", "obm_tui.cli", "--vault", str(mia), "sync"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "origin/main:" in done.stdout and "pushed" in done.stdout


def test_local_changes_outside_the_records_in_the_way_are_named(team: tuple[Path, Path, Path]) -> None:
    """A note outside the record folders, edited here and changed there: git's own reason."""
    _remote, mia, fred = team
    (mia / "notes.txt").write_text("team notes\n")
    git(mia, "add", "notes.txt")
    git(mia, "-c", "user.name=Mia", "-c", "user.email=m@example.com", "commit", "-q", "-m", "notes")
    synced(mia)
    (fred / "notes.txt").write_text("my own draft\n")  # untracked here, would be overwritten
    head = git(fred, "rev-parse", "HEAD")
    refused(fred, VaultError, "notes.txt|would be overwritten")
    assert (fred / "notes.txt").read_text() == "my own draft\n" and git(fred, "rev-parse", "HEAD") == head
