"""Two clones ship the last units of a product; `obm sync` merges their ledgers into one whose
running total goes below 0 (issue 10 follow-up). The product is then a problem to show and fix:
it reads, `obm check` says it is oversold, a count brings it back, a ship is refused until then.
Real git, a bare remote, the `obm` command."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from obm_tui.model import ledger
from obm_tui.services.agenda import build_agenda
from obm_tui.services.stock import forecast_all, record_movement
from obm_tui.vault.store import Vault
from tests.conftest import git_out

PRODUCT = """---
type: product
id: MUG-CLASSIC
sku: MUG-CLASSIC
name: Classic mug
on_hand: 3
reorder_point: 2
reorder_qty: 24
lead_time_days: 10
---

## Ledger

| Date | Movement | Qty | On hand | Ref | Note | Id |
|------------|----------|----:|--------:|-----|------|--------|
| 2026-11-01 | count | 0 | 3 | | opening stock | 0PEN00 |
"""
OVERSOLD = ("MUG-CLASSIC: oversold — on hand went to -2 on 2026-11-20 (both clones shipped the last units); "
            "count the stock")


def obm(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--vault", str(root), *args], catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def ship(root: Path, qty: int, day: date, ref: str) -> None:
    vault = Vault.open(root)
    try:
        record_movement(vault, "MUG-CLASSIC", "ship", qty, when=day, ref=ref)
    finally:
        vault.close()


@pytest.fixture
def oversold(empty_vault: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Clones x and y after x shipped 2 and y shipped 3 of the 3 mugs, and both synced (x first)."""
    (empty_vault / "stock/MUG-CLASSIC.md").write_text(PRODUCT)
    Vault.open(empty_vault).close()
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(empty_vault), str(remote)], check=True)
    x, y = tmp_path / "x", tmp_path / "y"
    for clone in (x, y):
        subprocess.run(["git", "clone", "-q", str(remote), str(clone)], check=True)
    ship(x, 2, date(2026, 11, 19), "order 1041")
    ship(y, 3, date(2026, 11, 20), "order 1042")
    for clone in (x, y, x):
        assert obm(clone, "sync")[0] == 0
    return x, y


def test_the_merged_ledger_reads_and_check_says_oversold_at_its_line(oversold: tuple[Path, Path]) -> None:
    for root in oversold:
        text = (root / "stock/MUG-CLASSIC.md").read_text()
        assert "on_hand: -2" in text
        parsed = ledger.parse(text)
        assert parsed.problems == () and [m.on_hand for m in parsed.movements] == [3, 1, -2]
        code, out, _ = obm(root, "check")
        assert code == 1
        assert out.splitlines()[0] == f"stock/MUG-CLASSIC.md:18: {OVERSOLD}"
        assert "cannot be below 0" not in out and "unreadable" not in out


def test_a_count_brings_it_back_and_a_ship_is_refused_until_then(oversold: tuple[Path, Path]) -> None:
    x, _ = oversold
    before = git_out(x, "rev-parse", "HEAD")
    code, _, err = obm(x, "stock", "ship", "MUG-CLASSIC", "1")
    assert code != 0 and err.count("\n") == 1
    assert "on hand is -2" in err and "count the stock first" in err
    assert git_out(x, "rev-parse", "HEAD") == before
    code, out, _ = obm(x, "stock", "count", "MUG-CLASSIC", "1")
    assert code == 0 and out == "stock MUG-CLASSIC: adjusted +3 (count), -2 -> 1\n"
    assert git_out(x, "log", "-1", "--format=%s").strip() == "stock MUG-CLASSIC: adjusted +3 (count), -2 -> 1"
    assert "on_hand: 1\n" in (x / "stock/MUG-CLASSIC.md").read_text()
    assert obm(x, "check")[:2] == (0, "")  # the rows below 0 stay as history; the product is fine
    assert obm(x, "stock", "ship", "MUG-CLASSIC", "1")[0] == 0


@pytest.mark.parametrize(("kind", "qty", "after"), [
    pytest.param("receive", "24", "22", id="receive"),
    pytest.param("adjust", "+1", "-1", id="adjust-up"),
])
def test_units_coming_in_are_taken(oversold: tuple[Path, Path], kind: str, qty: str, after: str) -> None:
    x, _ = oversold
    code, out, err = obm(x, "stock", kind, "MUG-CLASSIC", qty)
    assert code == 0, err
    assert out.endswith(f"-2 -> {after}\n")
    assert f"on_hand: {after}\n" in (x / "stock/MUG-CLASSIC.md").read_text()


def test_an_adjustment_down_is_refused_like_a_ship(oversold: tuple[Path, Path]) -> None:
    code, _, err = obm(oversold[0], "stock", "adjust", "MUG-CLASSIC", "-1")
    assert code != 0 and "count the stock first" in err


def test_the_forecast_and_today_show_it_first(oversold: tuple[Path, Path]) -> None:
    x, _ = oversold
    empty = PRODUCT.replace("MUG-CLASSIC", "BAG").replace("on_hand: 3", "on_hand: 0").replace("| 3 |", "| 0 |")
    (x / "stock/BAG.md").write_text(empty)  # out of stock, and first by name: the oversold mug still comes first
    vault = Vault.open(x)
    try:
        (item,) = [i for i in forecast_all(vault, date(2026, 11, 23)) if i.record.id == "MUG-CLASSIC"]
        assert item.forecast is not None and item.forecast.on_hand == -2 and item.forecast.reorder_now
        assert item.forecast.days_of_cover == 0
        stock = [i for i in build_agenda(vault, datetime(2026, 11, 23, 9)) if i.section == "Stock"]
    finally:
        vault.close()
    assert [i.path for i in stock] == ["stock/MUG-CLASSIC.md", "stock/BAG.md"]
    assert stock[0].title == "MUG-CLASSIC Classic mug: oversold, -2 on hand; count the stock"
    assert stock[0].detail == "on hand went to -2 on 2026-11-20"
    code, out, _ = obm(x, "stock", "forecast")
    assert code == 0 and "MUG-CLASSIC  -2" in out


def test_a_negative_on_hand_typed_by_a_person_stays_refused(oversold: tuple[Path, Path]) -> None:
    x, _ = oversold
    code, _, err = obm(x, "set", "MUG-CLASSIC", "on_hand=-5")
    assert code == 2 and err == "obm: product on_hand: cannot be below 0, got -5\n"
    code, _, err = obm(x, "new", "product", "Bowl", "on_hand=-1")
    assert code == 2 and "cannot be below 0" in err
