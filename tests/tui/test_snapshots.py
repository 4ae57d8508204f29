"""Snapshots of the main screens (fixed vault at ~/vault, fixed commit dates, fixed clock).

Update them after an intended change of the look: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest

from obm_tui.vault.store import Vault
from tests.tui.helpers import make_app, settle

SIZE = (120, 32)
LOCK = Path(__file__).resolve().parents[2] / "requirements-dev.lock"
RENDERERS = ("textual", "rich")  # a snapshot is exact to the cell: another release draws it differently


def locked_version(package: str) -> str | None:
    found = re.search(rf"^{package}==(\S+)", LOCK.read_text(encoding="utf-8"), re.MULTILINE)
    return found.group(1) if found else None


# `make test` installs the lock, so there they always run; `make test-floor` / `test-latest` run
# other releases, whose looks these files do not describe (the Pilot tests check the behaviour).
OTHER_RENDERERS = [f"{p} {importlib.metadata.version(p)} (lock: {locked_version(p)})"
                   for p in RENDERERS if importlib.metadata.version(p) != locked_version(p)]
pytestmark = pytest.mark.skipif(
    bool(OTHER_RENDERERS), reason="snapshots are drawn by the locked renderers; here: " + ", ".join(OTHER_RENDERERS)
)


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
