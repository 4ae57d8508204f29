"""The vault watcher on a real folder and real git: every save style, own writes, storms."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from obm_tui.vault.refresh import reload_paths, rescan
from obm_tui.vault.store import Vault
from obm_tui.vault.watch import Applied, VaultWatcher
from tests.conftest import git_out

CLIENT = """---
type: client
id: {id}
name: {name}
status: {status}
---

Notes about {name}.
"""


def client_text(record_id: str, name: str, status: str = "current") -> str:
    return CLIENT.format(id=record_id, name=name, status=status)


@pytest.fixture
def vault(empty_vault: Path) -> Iterator[Vault]:
    (empty_vault / "clients" / "fred-smith.md").write_text(client_text("fred-smith", "Fred Smith"))
    git_out(empty_vault, "add", "clients/fred-smith.md")
    git_out(empty_vault, "commit", "-qm", "add fred")
    opened = Vault.open(empty_vault)
    yield opened
    opened.close()


@pytest.fixture
def watcher(vault: Vault) -> Iterator[VaultWatcher]:
    started = VaultWatcher(vault, debounce=0.05, max_delay=0.3)
    started.start()
    yield started
    started.stop()


def drain_until(watcher: VaultWatcher, done: Callable[[], bool], tries: int = 40) -> list[Applied]:
    """Apply batches until `done()` holds (each wait is bounded; nothing here measures time)."""
    applied: list[Applied] = []
    for _ in range(tries):
        if done():
            return applied
        batch = watcher.next_batch(timeout=0.5)
        if batch is not None:
            applied.append(watcher.apply(batch))
    assert done(), f"the watcher never saw the change; applied: {applied}"
    return applied


def status_of(vault: Vault, rel: str = "clients/fred-smith.md") -> str | None:
    record = vault.index.by_path(rel)
    return None if record is None else record.data.get("status")


def truncate_write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def temp_rename(path: Path, text: str) -> None:  # VS Code, most atomic savers
    temp = path.with_name(path.name + ".tmp~")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def new_inode(path: Path, text: str) -> None:
    path.unlink()
    path.write_text(text, encoding="utf-8")


def vim_backup(path: Path, text: str) -> None:  # vim's default: probe file, rename to backup, write anew
    probe = path.with_name("4913")
    probe.write_text("")
    probe.unlink()
    backup = path.with_name(path.name + "~")
    os.rename(path, backup)
    path.write_text(text, encoding="utf-8")
    backup.unlink()


def other_process(path: Path, text: str) -> None:
    code = "import sys, pathlib; pathlib.Path(sys.argv[1]).write_text(sys.argv[2], encoding='utf-8')"
    subprocess.run([sys.executable, "-c", code, str(path), text], check=True)


@pytest.mark.parametrize("save", [truncate_write, temp_rename, new_inode, vim_backup, other_process],
                         ids=["truncate+write", "temp+rename", "new-inode", "vim-backup", "other-process"])
def test_every_save_style_is_seen_and_committed_as_external_edit(vault: Vault, watcher: VaultWatcher, save) -> None:
    path = vault.root / "clients" / "fred-smith.md"
    save(path, client_text("fred-smith", "Fred Smith", "paused"))
    drain_until(watcher, lambda: status_of(vault) == "paused" and not vault.git.changed_paths())
    message = "external edit: client fred-smith: status current -> paused"
    assert git_out(vault.root, "log", "-1", "--format=%s").startswith(message)
    assert git_out(vault.root, "status", "--porcelain") == ""


def test_a_new_file_and_a_deleted_file(vault: Vault, watcher: VaultWatcher) -> None:
    new = vault.root / "clients" / "ada-lovelace.md"
    new.write_text(client_text("ada-lovelace", "Ada Lovelace"))
    drain_until(watcher, lambda: vault.index.by_path("clients/ada-lovelace.md") is not None)
    new.unlink()
    drain_until(watcher, lambda: vault.index.by_path("clients/ada-lovelace.md") is None)


def test_own_writes_cause_no_reload_and_no_second_commit(vault: Vault, watcher: VaultWatcher) -> None:
    from obm_tui.services.records import set_fields

    before = int(git_out(vault.root, "rev-list", "--count", "HEAD"))
    set_fields(vault, "fred-smith", {"status": "paused"})
    batch = None
    for _ in range(6):  # the rename of our own save is an event; applying it must change nothing
        batch = watcher.next_batch(timeout=0.5)
        if batch is not None:
            break
    assert batch is not None and "clients/fred-smith.md" in batch.paths
    applied = watcher.apply(batch)
    assert applied.external == () and applied.changed == () and applied.commit is None
    assert int(git_out(vault.root, "rev-list", "--count", "HEAD")) == before + 1


def test_a_storm_becomes_one_rescan_and_the_index_equals_a_fresh_scan(vault: Vault, watcher: VaultWatcher) -> None:
    for number in range(watcher.storm + 50):
        (vault.root / "clients" / f"c-{number:04d}.md").write_text(client_text(f"c-{number:04d}", f"C {number}"))
    (vault.root / "clients" / "fred-smith.md").unlink()
    count = watcher.storm + 50
    applied = drain_until(watcher, lambda: len(vault.records("client")) == count and not vault.git.changed_paths())
    assert any(a.rescanned for a in applied)
    assert_same_as_fresh_scan(vault)


def test_a_checkout_touching_many_files_is_one_reload(vault: Vault) -> None:
    root = vault.root
    for number in range(300):
        (root / "clients" / f"c-{number:04d}.md").write_text(client_text(f"c-{number:04d}", f"C {number}"))
    git_out(root, "add", "clients")
    git_out(root, "commit", "-qm", "many clients")
    git_out(root, "checkout", "-q", "-b", "other")
    for number in range(300):
        (root / "clients" / f"c-{number:04d}.md").write_text(client_text(f"c-{number:04d}", f"C {number}", "past"))
    git_out(root, "commit", "-qam", "all past")
    git_out(root, "checkout", "-q", "main")
    rescan(vault)  # the index now matches main
    watcher = VaultWatcher(vault, debounce=0.2, max_delay=2.0)
    watcher.start()
    try:
        git_out(root, "checkout", "-q", "other")
        applied = drain_until(watcher, lambda: status_of(vault, "clients/c-0299.md") == "past")
    finally:
        watcher.stop()
    assert len([a for a in applied if a.changed]) == 1
    assert_same_as_fresh_scan(vault)


def test_reload_paths_reports_only_real_changes(vault: Vault) -> None:
    assert reload_paths(vault, ["clients/fred-smith.md"]).changed == ()
    (vault.root / "clients" / "fred-smith.md").write_text(client_text("fred-smith", "Fred Smith", "past"))
    assert reload_paths(vault, ["clients/fred-smith.md", "notes/x.md"]).changed == ("clients/fred-smith.md",)


def test_duplicate_ids_are_flagged_and_cleared_like_a_fresh_scan(vault: Vault) -> None:
    twin = vault.root / "clients" / "fred-twin.md"
    twin.write_text(client_text("fred-smith", "Fred Twin"))
    reload_paths(vault, ["clients/fred-twin.md"])
    assert_same_as_fresh_scan(vault)
    twin.unlink()
    reload_paths(vault, ["clients/fred-twin.md"])
    assert_same_as_fresh_scan(vault)


def assert_same_as_fresh_scan(vault: Vault) -> None:
    fresh = Vault.open(vault.root, use_cache=False, commit_external=False)
    try:
        def view(v: Vault) -> dict:
            return {r.path: (r.id, dict(r.data), r.problems, r.digest) for r in v.index.all()}

        assert view(vault) == view(fresh)
    finally:
        fresh.close()
