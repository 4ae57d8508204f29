"""What a sync between clones must keep: each movement once, two people as two records, and
a conflict visible in every clone (issue 10, items 3 and 7). Real git, a bare remote."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from obm_tui.model import ledger
from obm_tui.services.check import check_vault
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
