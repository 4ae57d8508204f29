"""`obm tick` makes the due recurring invoices (once), and so does the app when it opens."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from obm_tui.cli import main
from obm_tui.vault.store import Vault

ZOE = """---
type: client
id: zoe-quinn
name: Zoe Quinn
status: current
email: zoe@example.com
rate: "950.00"
billing: FREQ=MONTHLY;BYMONTHDAY=1
billing_start: 2026-11-01
---
"""


def obm(*args: str, vault: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--vault", str(vault), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_tick_on_the_first_of_december_makes_the_december_retainers_once(sample_vault: Path) -> None:
    (sample_vault / "clients/zoe-quinn.md").write_text(ZOE)
    Vault.open(sample_vault).close()
    code, out, err = obm("tick", "--today", "2026-12-01", vault=sample_vault)
    assert code == 0, err
    made = [line for line in out.splitlines() if line.startswith("invoice ")]
    periods = {line.split(" for ")[1].split(":")[0] + " " + line.split(": ")[1].split(",")[0] for line in made}
    # Zoe's November and December (she was never billed); December for the sample's retainers
    # (Daniel, Grace, Lucía) and for Aisha Khan from her template invoice (her November invoice
    # counts); nothing for Priya, whose December draft exists, or James, who is paused
    assert periods == {"zoe-quinn 2026-11", "zoe-quinn 2026-12", "daniel-okafor 2026-12", "grace-nakamura 2026-12",
                       "lucia-fernandez 2026-12", "aisha-khan 2026-12"}
    assert len(made) == len(periods)
    assert any("for aisha-khan" in line and "from template INV-260701-B5M" in line for line in made)
    assert len(list((sample_vault / "invoices").glob("INV-2612*.md"))) == 5 + 1  # + Priya's draft
    code, out, err = obm("tick", "--today", "2026-12-01", vault=sample_vault)
    assert (code, out, err.strip()) == (0, "", "nothing to do")


def test_a_plan_that_cannot_bill_makes_tick_exit_1_and_says_why(sample_vault: Path) -> None:
    (sample_vault / "clients/zoe-quinn.md").write_text(ZOE.replace('"950.00"', '"12,50"'))
    Vault.open(sample_vault).close()
    code, out, err = obm("tick", "--today", "2026-12-01", vault=sample_vault)
    assert code == 1
    assert "obm: clients/zoe-quinn.md rate: expected an amount like 120.00" in err
    assert "Traceback" not in err
    assert not any("zoe-quinn" in p.read_text() for p in (sample_vault / "invoices").glob("*.md"))
