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
