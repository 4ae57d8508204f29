"""Live: the app follows the files while it runs — edits from another process, its own saves, a checkout."""

from __future__ import annotations

import subprocess
import sys

from obm_tui.tui.screens.records import RecordsScreen
from obm_tui.tui.widgets.field_form import FieldInput, FieldRow
from obm_tui.vault.store import Vault
from tests.tui.helpers import commit_count, git, make_app, screen_text, settle, wait_for


def edit_in_another_process(path, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    code = ("import os, sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
            "t = p.with_name('.' + p.name + '.swp')\n"  # temp + rename, as editors save
            "t.write_text(p.read_text().replace(sys.argv[2], sys.argv[3]))\nos.replace(t, p)\n")
    subprocess.run([sys.executable, "-c", code, str(path), old, new], check=True)


async def test_a_file_changed_by_another_process_appears_and_is_committed(vault: Vault) -> None:
    app = make_app(vault, watch=True)
    before = commit_count(vault.root)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, RecordsScreen)
        edit_in_another_process(vault.root / "clients" / "ben-carter.md", "name: Ben Carter", "name: Benjamin Carter")
        await wait_for(pilot, lambda: "Benjamin Carter" in screen_text(app))
        await wait_for(pilot, lambda: commit_count(vault.root) == before + 1)
        message = "external edit: client ben-carter: name Ben Carter -> Benjamin Carter"
        assert git(vault.root, "log", "-1", "--format=%s").strip() == message
        assert app.screen.state()["cursor"] == "clients/ada-lovelace.md"  # the cursor did not move


async def test_a_new_file_from_outside_shows_in_today(vault: Vault) -> None:
    app = make_app(vault, watch=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        (vault.root / "clients" / "zoe-quinn.md").write_text(
            "---\ntype: client\nid: zoe-quinn\nname: Zoe Quinn\nfollow_up: 2026-11-01\n---\n")
        await wait_for(pilot, lambda: "Follow up with Zoe Quinn" in screen_text(app))
        assert "Follow-ups (3)" in screen_text(app)


async def test_the_apps_own_save_makes_one_commit_and_no_reload_loop(vault: Vault) -> None:
    app = make_app(vault, watch=True)
    before = commit_count(vault.root)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        app.open_record("clients/fred-smith.md")
        await settle(pilot)
        row = next(r for r in app.screen.query(FieldRow) if r.view.name == "company")
        row.focus()
        await pilot.press("enter")
        app.screen.query_one(FieldInput).value = "Smith Coaching Ltd"
        await pilot.press("enter")
        await settle(pilot)
        version = vault.index.version
        await pilot.pause(1.0)  # let the watcher see our own rename and ignore it
        await settle(pilot)
        assert commit_count(vault.root) == before + 1
        assert vault.index.version == version  # nothing was reloaded
        assert git(vault.root, "status", "--porcelain") == ""


async def test_a_checkout_of_many_files_is_one_reload(vault: Vault) -> None:
    root = vault.root
    for n in range(250):
        (root / "clients" / f"c-{n:03d}.md").write_text(f"---\ntype: client\nid: c-{n:03d}\nname: C {n}\n---\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "many")
    git(root, "checkout", "-qb", "other")
    for n in range(250):
        (root / "clients" / f"c-{n:03d}.md").write_text(
            f"---\ntype: client\nid: c-{n:03d}\nname: C {n}\nstatus: past\n---\n")
    git(root, "commit", "-qam", "all past")
    git(root, "checkout", "-q", "main")
    fresh = Vault.open(root)
    app = make_app(fresh, watch=True)
    reloads: list[int] = []
    try:
        async with app.run_test(size=(140, 30)) as pilot:
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            screen = app.screen
            original = screen.reload
            screen.reload = lambda keep=True: (reloads.append(1), original(keep))  # type: ignore[method-assign]
            git(root, "checkout", "-q", "other")
            await wait_for(pilot, lambda: all(r.data.get("status") == "past" for r in fresh.records("client")
                                                if r.id.startswith("c-")))
            await settle(pilot)
            assert len(reloads) == 1
            assert screen.state()["total"] == 254
            await wait_for(pilot, lambda: app.status.branch == "other")
    finally:
        fresh.close()


async def test_edits_made_while_obm_was_closed_are_committed_after_the_first_frame(fixed_vault_path) -> None:  # type: ignore[no-untyped-def]
    path = fixed_vault_path / "clients" / "ben-carter.md"
    path.write_text(path.read_text().replace("status: lead", "status: current"))
    vault = Vault.open(fixed_vault_path, commit_external=False)  # as run_app opens it
    try:
        assert git(vault.root, "status", "--porcelain").strip()
        app = make_app(vault)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            assert git(vault.root, "status", "--porcelain") == ""
            message = "external edit: client ben-carter: status lead -> current"
            assert git(vault.root, "log", "-1", "--format=%s").strip() == message
            await wait_for(pilot, lambda: message in app.status.last_commit)
    finally:
        vault.close()


async def test_a_pull_while_obm_was_closed_shows_after_a_trusted_open(fixed_vault_path) -> None:  # type: ignore[no-untyped-def]
    """run_app draws the first frame from the cache taken on trust; then the files win. A change
    committed by git itself (a pull) is the case `git status` cannot see."""
    Vault.open(fixed_vault_path).close()  # the cache of the last session
    edit_in_another_process(fixed_vault_path / "clients" / "ben-carter.md", "name: Ben Carter", "name: Benjamin Carter")
    git(fixed_vault_path, "commit", "-q", "-am", "pulled: a teammate renamed Ben")
    vault = Vault.open(fixed_vault_path, commit_external=False, trust_cache=True)
    assert vault.find("ben-carter").title == "Ben Carter"  # as cached
    before = commit_count(fixed_vault_path)
    try:
        app = make_app(vault, watch=True)
        async with app.run_test(size=(140, 30)) as pilot:
            await settle(pilot)
            await pilot.press("2")
            await wait_for(pilot, lambda: "Benjamin Carter" in screen_text(app))
            assert vault.unverified is None and vault.find("ben-carter").title == "Benjamin Carter"
            assert commit_count(fixed_vault_path) == before  # nothing to commit: git had it already
    finally:
        vault.close()
