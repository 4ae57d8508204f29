"""`obm check` lists products whose ledger does not add up, at the file's line."""

from __future__ import annotations

from pathlib import Path

from obm_tui.services.check import check_vault
from obm_tui.vault.store import Vault

PRODUCT = """---
type: product
id: MUG-01
sku: MUG-01
name: Logo mug
on_hand: {on_hand}
---

## Ledger

| date | movement | qty | onhand | ref | note |
|------|----------|----:|-------:|-----|------|
| 2026-11-01 | count | 0 | 10 | count | opening stock |
| 2026-11-20 | ship | -3 | {after} | order 1042 | |
"""


def problems_of(root: Path, text: str) -> list[str]:
    (root / "stock/MUG-01.md").write_text(text)
    vault = Vault.open(root)
    try:
        return [f"{p.line}: {p.reason}" for p in check_vault(vault).problems if p.path == "stock/MUG-01.md"]
    finally:
        vault.close()


def test_a_ledger_that_adds_up_is_fine(empty_vault: Path) -> None:
    assert problems_of(empty_vault, PRODUCT.format(on_hand=7, after=7)) == []


def test_a_break_in_the_running_total_is_listed_at_its_line(empty_vault: Path) -> None:
    found = problems_of(empty_vault, PRODUCT.format(on_hand=8, after=8))
    assert found == ["14: ledger: on hand 8 does not follow 10 -3 = 7"]


def test_a_ledger_ending_elsewhere_than_on_hand_is_listed(empty_vault: Path) -> None:
    found = problems_of(empty_vault, PRODUCT.format(on_hand=9, after=7))
    assert found == ["14: ledger: the ledger ends at 7 but on_hand is 9"]
