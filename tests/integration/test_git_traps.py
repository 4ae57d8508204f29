"""A vault whose git config names a program, one setting at a time: through every obm command that
touches git (open, list, show, set, log, check, sync to a local and a file:// remote, history,
revert), the program never runs. obm either switches the setting off or refuses the vault,
naming the key, in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from obm_tui.model.errors import VaultError
from obm_tui.vault.store import Vault
from tests.integration.traps import REL, TRAPS, Team, Trap, make_team, set_trap


@pytest.fixture
def team(empty_vault: Path, tmp_path: Path) -> Team:
    return make_team(empty_vault, tmp_path)


def obm(team: Team, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--vault", str(team.vault), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def history(team: Team) -> None:
    try:
        vault = Vault.open(team.vault)
    except VaultError:
        return
    try:
        commits = vault.git.log(REL)
        vault.git.diff(commits[0].sha, REL)
        vault.git.revert(commits[0].sha)
    except VaultError:
        pass
    finally:
        vault.close()


@pytest.mark.parametrize("trap", TRAPS, ids=str)
def test_no_program_the_vault_names_runs(team: Team, trap: Trap) -> None:
    set_trap(team, trap)
    codes = {}
    codes["list"] = obm(team, "list", "clients")
    codes["show"] = obm(team, "show", "ann-lee")
    codes["set"] = obm(team, "set", "ann-lee", "email=ann@lee.example")
    team.teammate_edit("status: lead", "status: onboarding")
    codes["sync"] = obm(team, "sync")
    team.teammate_edit("name: Ann Lee", "name: Ann Leigh")
    codes["sync-file"] = obm(team, "sync", "--remote", "byfile")
    codes["log"] = obm(team, "log", "ann-lee")
    codes["check"] = obm(team, "check")
    synced_text = (team.vault / REL).read_text()
    history(team)
    assert team.programs_run() == []
    for name, (code, output) in codes.items():
        assert code in (0, 1) or output.startswith("obm: ") and len(output.splitlines()) == 1, (name, output)
    expect_outcome(trap, codes, synced_text)


def expect_outcome(trap: Trap, codes: dict[str, tuple[int, str]], text: str) -> None:
    if trap.expect == "refused":
        assert all(code == 3 and "The vault's git config sets" in out for code, out in codes.values()), codes
        return
    assert all(codes[name][0] == 0 for name in ("list", "show", "set", "log")), codes
    syncs = [codes["sync"], codes["sync-file"]]
    if trap.expect == "sync refused":
        assert all(code == 3 and "merge.trap.driver" in out for code, out in syncs), syncs
    elif trap.expect == "works":  # both of the teammate's edits merged in, ours kept
        assert all(code == 0 for code, _out in syncs), syncs
        assert "status: onboarding" in text and "name: Ann Leigh" in text and "ann@lee.example" in text
