"""History (the audit trail, filters, diffs, revert) and Problems (reasons, fix in the editor)."""

from __future__ import annotations

import sys
from pathlib import Path

from obm_tui.services.records import set_fields
from obm_tui.tui.screens.history import HistoryScreen
from obm_tui.tui.screens.problems import ProblemsScreen
from obm_tui.tui.screens.record import RecordScreen
from obm_tui.tui.settings import Settings
from obm_tui.vault.store import Vault
from tests.tui.helpers import commit_count, git, make_app, screen_text, settle


def some_history(vault: Vault) -> None:
    set_fields(vault, "fred-smith", {"status": "paused"})
    set_fields(vault, "ada-lovelace", {"status": "current"})
    set_fields(vault, "INV-261101-AAA", {"status": "paid"})


async def history(pilot) -> HistoryScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("8")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HistoryScreen)
    return pilot.app.screen


async def test_history_lists_changes_in_business_words_with_the_diff(vault: Vault) -> None:
    some_history(vault)
    app = make_app(vault)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await history(pilot)
        text = screen_text(app)
        assert "invoice INV-261101-AAA: status sent -> paid" in text
        assert "client fred-smith: status current -> paused" in text
        assert "Test Person" in text and "4 change(s) shown" in text
        assert "-status: sent" in text and "+status: paid" in text  # the newest change's diff
        await pilot.press("j")
        await settle(pilot)
        assert "+status: current" in screen_text(app)
        assert screen.commits[0].message.startswith("invoice")


async def test_history_filters_by_kind_record_and_dates(vault: Vault) -> None:
    some_history(vault)
    app = make_app(vault)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await history(pilot)
        await pilot.press("slash", *"kind:client", "enter")
        await settle(pilot)
        assert [c.message for c in screen.commits][:2] == [
            "client ada-lovelace: status onboarding -> current", "client fred-smith: status current -> paused"]
        assert all("invoice" not in c.message for c in screen.commits)
        await pilot.press("slash")
        screen.query_one("#filter").value = "record:fred-smith"
        await pilot.press("enter")
        await settle(pilot)
        assert [c.message for c in screen.commits] == [
            "client fred-smith: status current -> paused", "vault created: Fred Smith Coaching"]
        await pilot.press("slash")
        screen.query_one("#filter").value = "until:2026-11-22"  # only the fixed first commit is that old
        await pilot.press("enter")
        await settle(pilot)
        assert [c.message for c in screen.commits] == ["vault created: Fred Smith Coaching"]
        await pilot.press("escape")
        await settle(pilot)
        assert len(screen.commits) == 4


async def test_h_shows_one_records_history_and_r_reverts_a_change(vault: Vault) -> None:
    some_history(vault)
    app = make_app(vault)
    before = commit_count(vault.root)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.open_record("clients/fred-smith.md")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HistoryScreen) and screen.path == "clients/fred-smith.md"
        assert [c.message for c in screen.commits][0] == "client fred-smith: status current -> paused"
        await pilot.press("r")
        await settle(pilot)
        assert "Revert this change?" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert "status: current" in (vault.root / "clients/fred-smith.md").read_text()
        assert commit_count(vault.root) == before + 1
        assert git(vault.root, "log", "-1", "--format=%s").startswith("undo ")
        assert vault.index.by_path("clients/fred-smith.md").data["status"] == "current"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and "current" in screen_text(app)


async def test_problems_lists_every_bad_file_with_its_reason(vault: Vault) -> None:
    (vault.root / "invoices" / "INV-261102-CCC.md").write_text(
        "---\ntype: invoice\nid: INV-261102-CCC\nclient: \"[[nobody]]\"\namount: lots\n---\n")
    git(vault.root, "add", "-A")
    git(vault.root, "commit", "-qm", "bad invoice")
    fresh = Vault.open(vault.root)
    app = make_app(fresh)
    try:
        async with app.run_test(size=(140, 30)) as pilot:
            await settle(pilot)
            await pilot.press("9")
            await settle(pilot)
            assert isinstance(app.screen, ProblemsScreen)
            text = screen_text(app)
            assert "clients/broken.md" in text and "unreadable" in text
            assert "INV-261102-CCC.md" in text and "amount: expected an amount" in text
            assert "no record 'nobody'" in text
    finally:
        fresh.close()


async def test_problems_e_fixes_the_file_in_the_editor(vault: Vault, tmp_path: Path) -> None:
    script = tmp_path / "fix.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[-1])\n"
                      "p.write_text(p.read_text().replace('[unclosed', 'Broken Ltd'))\n")
    app = make_app(vault, settings=Settings(editor=f"{sys.executable} {script}"))
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert "name: Broken Ltd" in (vault.root / "clients/broken.md").read_text()
        assert vault.index.by_path("clients/broken.md").ok
        await settle(pilot)
        assert "no problems" in screen_text(app)
