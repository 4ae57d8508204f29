"""`obm check` names an invoice without a currency whose client pays in another one than the vault's:
the books and the reports would count it in the vault's currency."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from obm_tui.cli import main
from tests.integration.finance_vault import CLIENT, INVOICE, commit_all


def test_an_invoice_of_a_euro_client_without_currency_is_named(empty_vault: Path) -> None:
    euro_client = CLIENT.format(id="zoe", name="Zoë").replace("status: current\n", "status: current\ncurrency: EUR\n")
    (empty_vault / "clients/zoe.md").write_text(euro_client, encoding="utf-8")
    for rid, more in (("INV-261101-AAA", ""), ("INV-261101-BBB", "currency: EUR\n")):
        (empty_vault / f"invoices/{rid}.md").write_text(INVOICE.format(
            id=rid, title="Coaching", client="zoe", amount="100.00", status="sent", issued="2026-11-01", more=more,
            body=""), encoding="utf-8")
    commit_all(empty_vault)
    result = CliRunner().invoke(main, ["--vault", str(empty_vault), "check"])
    assert result.exit_code == 1
    assert "invoices/INV-261101-AAA.md:1: no currency, and its client zoe pays in EUR" in result.stdout
    assert "INV-261101-BBB" not in result.stdout
