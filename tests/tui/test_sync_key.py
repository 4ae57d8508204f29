"""F5 syncs with the remote from the app; the status bar tells where the vault stands."""

from __future__ import annotations

import subprocess
from pathlib import Path

from obm_tui.vault.store import Vault
from tests.tui.helpers import git, make_app, notifications, screen_text, settle


async def test_f5_pulls_a_teammates_edit_and_pushes_ours(fixed_vault_path: Path, tmp_path: Path) -> None:
    remote, teammate = tmp_path / "remote.git", tmp_path / "teammate"
    subprocess.run(["git", "clone", "-q", "--bare", str(fixed_vault_path), str(remote)], check=True)
    git(fixed_vault_path, "remote", "add", "origin", str(remote))
    git(fixed_vault_path, "fetch", "-q", "origin")
    git(fixed_vault_path, "branch", "-q", "--set-upstream-to=origin/main")
    subprocess.run(["git", "clone", "-q", str(remote), str(teammate)], check=True)
    rel = "clients/ben-carter.md"
    (teammate / rel).write_text((teammate / rel).read_text().replace("status: lead", "status: onboarding"))
    git(teammate, "-c", "user.name=Mia", "-c", "user.email=mia@example.com", "commit", "-q", "-am", "Ben is onboarding")
    git(teammate, "push", "-q", "origin", "main")
    mine = fixed_vault_path / "clients/ada-lovelace.md"
    mine.write_text(mine.read_text().replace("email: ada@example.com", "email: ada@analytical.org"))
    vault = Vault.open(fixed_vault_path)  # commits the edit made meanwhile
    try:
        app = make_app(vault)
        async with app.run_test(size=(140, 30)) as pilot:
            await settle(pilot)
            assert "origin: 1 to push" in screen_text(app)
            await pilot.press("f5")
            await settle(pilot)
            assert any(n.startswith("Synced: origin/main: pulled 1 commit(s), pushed") for n in notifications(app))
            assert vault.find("ben-carter").data["status"] == "onboarding"
            assert "synced with origin" in screen_text(app)
        assert git(remote, "log", "-1", "--format=%s").strip().startswith("sync: merged origin/main")
    finally:
        vault.close()
