"""`obm finance billing`: a dry run of recurring billing, through the CLI's entry point."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from obm_tui.cli import main
from obm_tui.vault.store import Vault
from tests.conftest import git_out

ZOE = """---
type: client
id: zoe-quinn
name: Zoe Quinn
status: current
email: zoe@example.com
rate: "{rate}"
billing: FREQ=MONTHLY;BYMONTHDAY=1
billing_start: 2026-11-01
---
"""


def obm(*args: str, vault: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--vault", str(vault), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def with_zoe(root: Path, rate: str = "950.00") -> Path:
    (root / "clients/zoe-quinn.md").write_text(ZOE.format(rate=rate))
    Vault.open(root).close()
    return root


def test_billing_shows_what_a_tick_would_make_and_writes_nothing(empty_vault: Path) -> None:
    with_zoe(empty_vault)
    head = git_out(empty_vault, "rev-parse", "HEAD")
    code, out, err = obm("finance", "billing", "--today", "2026-12-01", vault=empty_vault)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "zoe-quinn  retainer  950.00 USD  FREQ=MONTHLY;BYMONTHDAY=1"
    assert [line.split()[:2] for line in lines[1:3]] == [["due", "now"], ["due", "now"]]
    assert "2026-11" in lines[1] and "2026-12" in lines[2]
    assert lines[3].split() == ["next", "2027-01", "on", "2027-01-01"]
    assert git_out(empty_vault, "rev-parse", "HEAD") == head and not list((empty_vault / "invoices").glob("*.md"))
    code, out, _ = obm("finance", "billing", "--today", "2026-12-01", "--json", vault=empty_vault)
    (plan,) = json.loads(out)["plans"]
    ids = [d["id"] for d in plan["due"]]
    assert (plan["client"], plan["amount"], [d["period"] for d in plan["due"]]) == (
        "zoe-quinn", "950.00", ["2026-11", "2026-12"])
    # the ids it shows are the ones the tick makes
    assert obm("tick", "--today", "2026-12-01", vault=empty_vault)[0] == 0
    assert sorted(p.stem for p in (empty_vault / "invoices").glob("*.md")) == sorted(ids)
    code, out, _ = obm("finance", "billing", "--today", "2026-12-01", "--json", vault=empty_vault)
    assert json.loads(out)["plans"][0]["due"] == []


def test_billing_names_a_plan_that_cannot_bill_and_exits_1(empty_vault: Path) -> None:
    with_zoe(empty_vault, rate="12,50")
    code, out, err = obm("finance", "billing", "--today", "2026-12-01", vault=empty_vault)
    assert code == 1 and out == ""
    assert err.startswith("obm: clients/zoe-quinn.md rate: expected an amount like 120.00") and "Traceback" not in err
