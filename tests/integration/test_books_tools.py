"""The exports read by the accountant's own tools: `bean-check` in make test; `hledger check` and
`hledger bal` in make test-interop (marker `hledger`, skipped where hledger is not installed)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks import generate
from obm_tui.cli import main
from obm_tui.model import finance
from obm_tui.vault.store import Vault

BEAN_CHECK = Path(sys.executable).parent / "bean-check"
HLEDGER = shutil.which("hledger")


def export(vault: Path, fmt: str, target: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, ["--vault", str(vault), "export", fmt, "-o", str(target), *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return target


@pytest.fixture
def generated_vault(tmp_path: Path) -> Path:
    root = tmp_path / "generated"
    generate.build(root, 300)
    return root


def bean_check(path: Path) -> None:
    done = subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_bean_check_accepts_the_sample_vaults_books(sample_vault: Path, tmp_path: Path) -> None:
    bean_check(export(sample_vault, "beancount", tmp_path / "all.beancount"))
    bean_check(export(sample_vault, "beancount", tmp_path / "autumn.beancount", "--from", "2026-09-01"))


def test_bean_check_accepts_a_generated_vaults_books(generated_vault: Path, tmp_path: Path) -> None:
    path = export(generated_vault, "beancount", tmp_path / "books.beancount")
    assert path.read_text(encoding="utf-8").count("record: ") >= 10
    bean_check(path)


def hledger(*args: str) -> str:
    assert HLEDGER is not None
    done = subprocess.run([HLEDGER, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.hledger
@pytest.mark.skipif(HLEDGER is None, reason="hledger is not installed (make test-interop installs it)")
@pytest.mark.parametrize("period", [(), ("--from", "2026-09-01")], ids=["all", "from"])
def test_hledger_checks_the_sample_vaults_books(sample_vault: Path, tmp_path: Path, period: tuple[str, ...]) -> None:
    path = export(sample_vault, "hledger", tmp_path / "books.journal", *period)
    hledger("-f", str(path), "check", "--strict")
    rows = list(csv.reader(io.StringIO(hledger("-f", str(path), "bal", "--no-elide", "-O", "csv"))))
    got = {account: balance for account, balance in rows[1:]}
    assert got.pop("total") == "0"
    expected = obm_balances(sample_vault)
    assert {a: b for a, b in got.items() if a.startswith("Assets")} == {
        a: f"{b} USD" for (a, _), b in expected.items() if a.startswith("Assets")}


def obm_balances(root: Path) -> dict[tuple[str, str], Decimal]:
    """`model.finance.balances` of the vault's records (what every export must add up to)."""
    vault = Vault.open(root)
    try:
        settings = finance.finance_settings(vault.config.section("finance"), vault.config.currency)
        return {k: v for k, v in finance.balances(finance.collect(vault.records(archived=True), "USD").events,
                                                     settings).items() if v}
    finally:
        vault.close()


@pytest.mark.hledger
@pytest.mark.skipif(HLEDGER is None, reason="hledger is not installed (make test-interop installs it)")
def test_hledger_checks_a_generated_vaults_books(generated_vault: Path, tmp_path: Path) -> None:
    path = export(generated_vault, "hledger", tmp_path / "books.journal")
    hledger("-f", str(path), "check", "--strict")
    assert "Income:Sales" in hledger("-f", str(path), "bal")
