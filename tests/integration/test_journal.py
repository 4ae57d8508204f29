"""A change is all or nothing across files and kills; one writer across processes; a failed commit
changed nothing. Real git, real files; the kills themselves are in test_kill.py."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from obm_tui.model.errors import VaultError
from obm_tui.services import records as svc
from obm_tui.vault import journal
from obm_tui.vault.atomic import Raced, exchange_supported, replace_checked
from obm_tui.vault.lock import LOCK_FILE, WriteLock
from obm_tui.vault.paths import CONFLICT_DIR
from obm_tui.vault.store import Vault
from tests.conftest import git_out

PRODUCTS = [f"SKU-{n}" for n in range(3)]


@pytest.fixture
def vault(empty_vault: Path) -> Vault:
    opened = Vault.open(empty_vault)
    for sku in PRODUCTS:
        svc.new_record(opened, "product", sku, {"sku": sku, "on_hand": "1"})
    return opened


def subjects(root: Path, n: int) -> list[str]:
    return git_out(root, "log", f"-{n}", "--format=%s").splitlines()


def interrupted_change(vault: Vault, written: int, message: str = "stock: received a delivery") -> list[str]:
    """What a kill leaves: the journal of a change to every product, and only `written` of its files written."""
    paths = [vault.find(sku).path for sku in PRODUCTS]
    olds = [(vault.root / rel).read_bytes() for rel in paths]
    news = [old.replace(b"on_hand: 1", b"on_hand: 7") for old in olds]
    triples = zip(paths, olds, news, strict=True)
    changes = [journal.FileChange(rel, journal.digest(old), new) for rel, old, new in triples]
    journal.begin(vault.root, changes, message, ("Sam Shop", "sam@example.com"))
    for rel, new in list(zip(paths, news, strict=True))[:written]:
        (vault.root / rel).write_bytes(new)
    vault.close()
    return paths


@pytest.mark.parametrize("written", [0, 1, 3], ids=["none-written", "one-written", "all-written"])
def test_a_change_killed_anywhere_is_finished_whole_with_its_own_message(vault: Vault, written: int) -> None:
    paths = interrupted_change(vault, written)
    reopened = Vault.open(vault.root)
    assert all(b"on_hand: 7" in (vault.root / rel).read_bytes() for rel in paths)
    assert subjects(vault.root, 1) == ["stock: received a delivery"]
    assert git_out(vault.root, "log", "-1", "--format=%an <%ae>").strip() == "Sam Shop <sam@example.com>"
    assert sorted(git_out(vault.root, "show", "--name-only", "--format=", "HEAD").split()) == sorted(paths)
    assert journal.pending(vault.root) == [] and git_out(vault.root, "status", "--porcelain") == ""
    assert all(reopened.find(sku).data["on_hand"] == "7" for sku in PRODUCTS)


def test_a_file_another_program_changed_meanwhile_is_kept_and_ours_set_aside(vault: Vault) -> None:
    paths = interrupted_change(vault, written=1)
    theirs = (vault.root / paths[2]).read_bytes().replace(b"on_hand: 1", b"on_hand: 99")
    (vault.root / paths[2]).write_bytes(theirs)
    Vault.open(vault.root)
    assert (vault.root / paths[2]).read_bytes() == theirs, "never overwritten"
    kept = list((vault.root / CONFLICT_DIR).iterdir())
    assert len(kept) == 1 and b"on_hand: 7" in kept[0].read_bytes()
    log = subjects(vault.root, 2)
    assert log[1].startswith("stock: received a delivery (unfinished;") and log[0].startswith("external edit")


def test_a_commit_that_fails_puts_the_old_bytes_back_and_says_nothing_changed(vault: Vault) -> None:
    rel = vault.find("SKU-1").path
    before, head = (vault.root / rel).read_bytes(), subjects(vault.root, 1)
    (vault.git.git_dir / "MERGE_HEAD").write_text(git_out(vault.root, "rev-parse", "HEAD"))
    with pytest.raises(VaultError) as caught:
        svc.set_fields(vault, "SKU-1", {"on_hand": "5"})
    assert "Nothing was changed" in caught.value.message and "safe on disk" not in caught.value.message
    assert (vault.root / rel).read_bytes() == before and vault.find("SKU-1").data["on_hand"] == "1"
    assert journal.pending(vault.root) == [] and subjects(vault.root, 1) == head


def test_a_commit_behind_a_held_index_lock_is_queued_and_later_commands_are_not_refused(vault: Vault) -> None:
    vault.git.lock_wait = 0.2
    lock = vault.git.git_dir / "index.lock"
    lock.write_text("")
    first = svc.set_fields(vault, "SKU-0", {"on_hand": "5"})
    assert first.pending and first.commit is None
    assert vault.notes == [f"saved, not yet committed: {lock} is held by another git program. The commit "
                           f"\"{first_message(vault)}\" is queued and will be made by the next obm command or the app."]
    assert [q["message"] for q in vault.pending()] == [first_message(vault)]
    vault.close()
    later = Vault.open(vault.root)  # every command opens the vault: not refused while the lock is held
    later.git.lock_wait = 0.2
    assert later.find("SKU-2").data["on_hand"] == "1"
    second = svc.set_fields(later, "SKU-1", {"on_hand": "6"})
    assert second.pending and len(later.pending()) == 2
    lock.unlink()
    later.close()
    Vault.open(vault.root).close()
    log = subjects(vault.root, 2)
    assert log[1].startswith("product SKU-0") and log[0].startswith("product SKU-1"), log
    assert "external edit" not in git_out(vault.root, "log", "--format=%s")
    assert journal.pending(vault.root) == [] and git_out(vault.root, "status", "--porcelain") == ""


def first_message(vault: Vault) -> str:
    return journal.pending(vault.root)[0].message


def test_the_write_lock_is_held_across_processes(vault: Vault) -> None:
    other = os.open(vault.root / LOCK_FILE, os.O_RDWR)  # another open file: as another process holds it
    fcntl.flock(other, fcntl.LOCK_EX)
    try:
        with pytest.raises(VaultError, match="Another obm is still changing"), WriteLock(vault.root, wait=0.1):
            pass
    finally:
        os.close(other)
    lock = WriteLock(vault.root, wait=0.1)
    with lock, lock:  # free again, and re-entrant within one process's lock
        assert lock._fd is not None


def test_reads_take_no_lock(vault: Vault) -> None:
    (vault.root / LOCK_FILE).unlink(missing_ok=True)
    vault.close()
    reopened = Vault.open(vault.root)
    assert reopened.find("SKU-0") and not (vault.root / LOCK_FILE).exists()


def test_a_save_that_lands_between_the_check_and_the_swap_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    theirs = b"theirs, saved after our check\n"
    path.write_bytes(theirs)
    assert replace_checked(path, b"ours\n", expected=b"what we checked\n") == Raced(theirs)
    assert path.read_bytes() == theirs
    assert replace_checked(path, b"ours\n", expected=theirs) is None
    assert path.read_bytes() == b"ours\n" and [p.name for p in tmp_path.iterdir()] == ["a.md"]
    assert exchange_supported() or os.uname().sysname != "Linux"


def test_the_commit_is_made_from_the_bytes_written_not_from_a_later_save(vault: Vault) -> None:
    rel = vault.find("SKU-0").path
    ours = (vault.root / rel).read_bytes().replace(b"on_hand: 1", b"on_hand: 3")
    (vault.root / rel).write_bytes(ours + b"an editor's later line\n")
    sha = vault.git.commit_contents({rel: ours}, "product SKU-0: on_hand 1 -> 3")
    assert sha and git_out(vault.root, "show", f"{sha}:{rel}").encode() == ours
    assert git_out(vault.root, "status", "--porcelain").strip() == f"M {rel}"


def test_the_cli_says_which_commit_waits_and_the_next_command_runs(vault: Vault) -> None:
    from click.testing import CliRunner

    from obm_tui.cli import main

    lock = vault.git.git_dir / "index.lock"
    lock.write_text("")
    vault.close()
    queued = CliRunner().invoke(main, ["--vault", str(vault.root), "set", "SKU-0", "on_hand=4"])
    assert queued.exit_code == 0 and "Traceback" not in queued.stderr
    assert f"obm: note: saved, not yet committed: {lock} is held by another git program" in queued.stderr
    assert 'The commit "product SKU-0: on_hand 1 -> 4" is queued' in queued.stderr, queued.stderr
    listed = CliRunner().invoke(main, ["--vault", str(vault.root), "show", "SKU-1"])
    assert listed.exit_code == 0, listed.stderr  # a read runs; its only word is the note on the lock a dead git left
    assert listed.stderr.count("\n") <= 1 and ("obm doctor" in listed.stderr or listed.stderr == ""), listed.stderr
    lock.unlink()
