"""What a sync between clones must keep: each movement once, two people as two records, and
a conflict visible in every clone (issue 10, items 3 and 7). Real git, a bare remote."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from obm_tui.model import ledger
from obm_tui.model.errors import VaultError
from obm_tui.services.check import check_vault
from obm_tui.services.records import new_record, set_fields
from obm_tui.services.stock import record_movement
from obm_tui.services.sync import sync
from obm_tui.vault.store import Vault

DAY = date(2026, 11, 23)
PRODUCT = """---
type: product
id: P
sku: P
name: Planner
on_hand: 100
---

A5 planner.

## Ledger

| Date | Movement | Qty | On hand | Ref | Note |
|------------|----------|----:|--------:|-----|------|
| 2026-11-01 | count | 0 | 100 | | opening stock |
"""
CLIENT = "---\ntype: client\nid: ann-lee\nname: Ann Lee\nstatus: lead\n---\n\nNotes.\n"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def clones(empty_vault: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Two clones (x, y) of one vault with a product and a client, through a bare remote."""
    (empty_vault / "stock/P.md").write_text(PRODUCT)
    (empty_vault / "clients/ann-lee.md").write_text(CLIENT)
    Vault.open(empty_vault).close()
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(empty_vault), str(remote)], check=True)
    for name in ("x", "y"):
        subprocess.run(["git", "clone", "-q", str(remote), str(tmp_path / name)], check=True)
    return tmp_path / "x", tmp_path / "y"


def in_vault(root: Path, action):  # type: ignore[no-untyped-def]
    vault = Vault.open(root)
    try:
        return action(vault)
    finally:
        vault.close()


def move(root: Path, kind: str, qty: int, ref: str) -> None:
    in_vault(root, lambda v: record_movement(v, "P", kind, qty, when=DAY, ref=ref))


def synced(root: Path) -> None:
    in_vault(root, sync)


def problems(root: Path) -> list[str]:
    return in_vault(root, lambda v: [f"{p.path}:{p.line}: {p.reason}" for p in check_vault(v).problems])


def test_each_movement_is_kept_once_when_merges_recompute_the_running_column(clones: tuple[Path, Path]) -> None:
    x, y = clones
    move(x, "receive", 5, "X1")
    synced(x)
    move(y, "ship", 7, "Y1")
    synced(y)  # y's table: X1's running column recomputed after Y1
    move(x, "ship", 2, "X2")
    synced(x)
    synced(y)
    for root in (x, y):
        parsed = ledger.parse((root / "stock/P.md").read_text())
        refs = [m.ref for m in parsed.movements]
        assert sorted(refs) == ["", "X1", "X2", "Y1"], refs
        assert problems(root) == []
        assert "on_hand: 96" in (root / "stock/P.md").read_text()
    move(y, "ship", 1, "Y2")  # later movements are taken


def test_one_name_created_in_two_clones_stays_two_records(clones: tuple[Path, Path]) -> None:
    """Two clones each add client "Zed Q": two people, so two files; x's ticket follows x's Zed Q."""
    x, y = clones
    in_vault(x, lambda v: new_record(v, "client", "Zed Q", {"email": "zed@quarry.example"}))
    in_vault(x, lambda v: new_record(v, "ticket", "Where is my order", {"client": "zed-q"}))
    synced(x)
    in_vault(y, lambda v: new_record(v, "client", "Zed Q", {"email": "zq@quill.example"}))
    synced(y)
    synced(x)
    for root in (x, y):
        assert "zq@quill.example" in (root / "clients/zed-q.md").read_text()  # the merging clone's stays
        moved = (root / "clients/zed-q-2.md").read_text()
        assert "id: zed-q-2" in moved and "zed@quarry.example" in moved and "name: Zed Q" in moved
        (ticket,) = (root / "tickets").glob("T-*.md")
        assert "[[zed-q-2]]" in ticket.read_text()
        assert problems(root) == []
        assert git(root, "status", "--porcelain") == ""
    assert git(x, "rev-parse", "HEAD") == git(y, "rev-parse", "HEAD")


def test_a_conflict_is_listed_in_every_clone_until_it_is_resolved(clones: tuple[Path, Path]) -> None:
    x, y = clones
    in_vault(x, lambda v: set_fields(v, "ann-lee", {"status": "onboarding"}))
    synced(x)
    in_vault(y, lambda v: set_fields(v, "ann-lee", {"status": "past"}))
    synced(y)  # y keeps its own value; x's is set aside, and committed
    synced(x)
    for root in (x, y):
        listed = [p for p in problems(root) if p.startswith("clients/ann-lee.md")]
        assert len(listed) == 1 and "another version is kept in conflicts/" in listed[0]
        assert git(root, "status", "--porcelain") == ""
    (kept,) = (x / "conflicts").glob("clients__ann-lee.*.md")
    assert "status: onboarding" in kept.read_text()
    kept.unlink()  # x looked, decided: resolving it is a commit
    synced(x)
    synced(y)
    for root in (x, y):
        assert problems(root) == [] and not list((root / "conflicts").glob("*.md"))
        assert git(root, "status", "--porcelain") == ""


def test_a_sync_undone_leaves_nothing_of_what_its_merge_set_aside(clones: tuple[Path, Path]) -> None:
    x, y = clones
    in_vault(x, lambda v: new_record(v, "client", "Zed Q", {"email": "zed@quarry.example"}))
    in_vault(x, lambda v: set_fields(v, "ann-lee", {"status": "onboarding"}))
    synced(x)
    in_vault(y, lambda v: new_record(v, "client", "Zed Q", {"email": "zq@quill.example"}))
    path = y / "clients/ann-lee.md"
    path.write_text(path.read_text().replace("name: Ann Lee", "name: [Ann"))  # broken here: git cannot merge it
    head = in_vault(y, lambda v: v.git.head())
    with pytest.raises(VaultError, match="clients/ann-lee.md"):
        synced(y)
    assert git(y, "status", "--porcelain", "--untracked-files=all") == ""
    assert in_vault(y, lambda v: v.git.head()) == head and not (y / "clients/zed-q-2.md").exists()
