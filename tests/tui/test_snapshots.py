"""Snapshots of the main screens (fixed vault at ~/vault, fixed commit dates, fixed clock).

Update them after an intended change of the look: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from obm_tui.vault.store import Vault
from tests.tui.helpers import make_app, settle

SIZE = (120, 32)


def snap(snap_compare, vault: Vault, *keys: str) -> bool:  # type: ignore[no-untyped-def]
    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return snap_compare(make_app(vault), terminal_size=SIZE, run_before=before)


def test_today(snap_compare, vault: Vault) -> None:  # type: ignore[no-untyped-def]
    assert snap(snap_compare, vault)


def test_clients_list(snap_compare, vault: Vault) -> None:  # type: ignore[no-untyped-def]
    assert snap(snap_compare, vault, "2", "j", "j")


def test_record_view(snap_compare, vault: Vault) -> None:  # type: ignore[no-untyped-def]
    assert snap(snap_compare, vault, "enter")


def test_history(snap_compare, vault: Vault) -> None:  # type: ignore[no-untyped-def]
    assert snap(snap_compare, vault, "8")


def test_problems(snap_compare, vault: Vault) -> None:  # type: ignore[no-untyped-def]
    assert snap(snap_compare, vault, "9")
