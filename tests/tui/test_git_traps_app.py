"""The app on a booby-trapped vault (one git setting naming a program per trap, tests/integration/traps.py):
open it, edit a field, press F5 — the program never runs; a setting obm cannot switch off stops
the open with one line naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from obm_tui.model.errors import VaultError
from obm_tui.vault.store import Vault
from tests.integration.traps import REL, TRAPS, Trap, make_team, set_trap
from tests.tui.helpers import choose_value, make_app, notifications, settle, write_vault
from tests.tui.test_record import focus_field


@pytest.mark.parametrize("trap", TRAPS, ids=str)
async def test_the_app_runs_no_program_the_vault_names(tmp_path: Path, trap: Trap) -> None:
    team = make_team(write_vault(tmp_path / "start"), tmp_path)
    set_trap(team, trap)
    team.teammate_edit("name: Ann Lee", "name: Ann Leigh")
    try:
        vault = Vault.open(team.vault, commit_external=False, trust_cache=True)  # as run_app opens it
    except VaultError as exc:
        assert trap.expect == "refused" and "The vault's git config sets" in exc.message
        assert team.programs_run() == []
        return
    try:
        said = await edit_and_sync(vault)
        assert said.startswith("Synced") if trap.expect == "works" else "error" in said, said
    finally:
        vault.close()
    assert team.programs_run() == []
    if trap.expect == "works":
        assert "name: Ann Leigh" in (team.vault / REL).read_text()


async def edit_and_sync(vault: Vault) -> str:
    """Edit the client's status in the app, press F5; what the app said about the sync."""
    app = make_app(vault)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_record(REL)
        await settle(pilot)
        await focus_field(pilot, app.screen, "status")
        await pilot.press("enter")
        await choose_value(pilot, "current")
        await settle(pilot)
        assert "status: current" in (vault.root / REL).read_text()
        await pilot.press("f5")
        await settle(pilot)
        return notifications(app)[-1]
