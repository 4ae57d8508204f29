"""The app goes through the same rule pass as the CLI: a save made in the app starts the run its
rule calls for, and changes committed while the app was closed are seen when it opens."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from obm_tui.cli import main
from obm_tui.services import records as record_service
from obm_tui.vault.store import Vault
from tests.conftest import git_out
from tests.tui.helpers import make_app, notifications, settle, wait_for

MAYA_FILE = "---\ntype: client\nid: maya-patel\nname: Maya Patel\nemail: maya@example.com\nrate: 900\nstatus: {}\n---\n"


def onboarding_runs(root: Path, who: str) -> list[str]:
    return sorted(p.name for p in (root / "runs").glob(f"*-client-onboarding-{who}.md"))


async def test_a_save_in_the_app_starts_the_run_its_rule_calls_for(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    app = make_app(vault)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        record_service.new_record(app.vault, "client", "Zed Test", {"rate": "100", "email": "zed@example.com"})
        record_service.set_fields(app.vault, "zed-test", {"status": "onboarding"})
        await wait_for(pilot, lambda: app.automation.idle and onboarding_runs(empty_vault, "zed-test") != [])
        await settle(pilot)
        assert len(onboarding_runs(empty_vault, "zed-test")) == 1
        assert any('Rule "Onboard every new client"' in n for n in notifications(app))
    vault.close()


async def test_changes_committed_while_the_app_was_closed_start_their_run_when_it_opens(empty_vault: Path) -> None:
    assert CliRunner().invoke(main, ["--vault", str(empty_vault), "tick"]).exit_code == 0  # the rules have looked
    client = empty_vault / "clients" / "maya-patel.md"
    for status in ("onboarding", "current"):  # she went through onboarding between two looks
        client.write_text(MAYA_FILE.format(status), encoding="utf-8")
        git_out(empty_vault, "add", "--", "clients/maya-patel.md")
        git_out(empty_vault, "commit", "-q", "-m", f"maya: {status}")
    vault = Vault.open(empty_vault)
    app = make_app(vault)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: app.automation.passes > 0 and app.automation.idle)
        await settle(pilot)
        assert len(onboarding_runs(empty_vault, "maya-patel")) == 1
    vault.close()
