"""The benchmarks still run against the code as it is: the generator makes a vault obm opens with
no problem, and the rule-pass benchmark measures on it (a config format change once broke both
without a test noticing)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import generate, rules_bench
from obm_tui.services.check import check_vault
from obm_tui.vault.store import Vault


def test_the_generated_vault_opens_and_the_rule_bench_measures(tmp_path: Path) -> None:
    source = tmp_path / "vault-300"
    generate.build(source, 300)
    vault = Vault.open(source)
    try:
        assert len(vault.index) >= 300
        assert vault.config.business_name == "Benchmark Shop"  # the config obm init would write, read back
        assert not any(p.path.startswith(("clients/", "tickets/")) for p in check_vault(vault).problems)
    finally:
        vault.close()
    figures = rules_bench.measure(rules_bench._clone(source, tmp_path / "work"), repetitions=1)
    assert set(figures) == {"save", "pass", "idle", "bare"} and all(v > 0 for v in figures.values())


def test_the_finance_profile_bills_with_payment_rows_and_its_bench_measures(tmp_path: Path) -> None:
    from benchmarks import finance_bench
    from obm_tui.model.finance import collect

    source = tmp_path / "vault-finance-300"
    generate.build(source, 300, profile="finance")
    vault = Vault.open(source)
    try:
        invoices = vault.records("invoice")
        assert len(invoices) == 90 and len(vault.records("bill")) == 9 and len(vault.records("expense")) == 12
        assert sum(1 for r in invoices if r.extra.get("payments")) >= 60  # most with their `## Payments` rows
        assert not collect(vault.records(), "USD").skipped  # every amount and row reads
        assert not [p for p in check_vault(vault).problems if p.path.startswith(("invoices/", "bills/", "expenses/"))]
    finally:
        vault.close()
    figures = finance_bench.measure_report(source, repeat=1)
    assert figures["report"] > 0 and figures["bare sum"] > 0 and figures["invoices with payments"] >= 60
