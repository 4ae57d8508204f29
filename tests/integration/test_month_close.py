"""`obm finance close YYYY-MM`: the checks, the close record, and a later change to a closed
month's money said in its commit message, whatever made it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from obm_tui.services.records import set_fields
from obm_tui.vault.store import Vault
from tests.conftest import git_out
from tests.integration.finance_vault import BILL, CLIENT, EXPENSE, INVOICE, commit_all, payments_body, write

DECLINE = """---
type: decline
id: 2026-11-12-kim-lee-abc
customer: Kim Lee
email: kim@example.com
product: Course
amount: "99.00"
declined: 2026-11-12
status: contacted
---
"""

PAYMENT = """---
type: payment
id: PAY-261114-AAA
payer: Somebody
date: 2026-11-14
amount: "50.00"
payment_type: charge
status: unmatched
---
"""

ORDER = """---
type: purchase-order
id: PO-261101-AAA
title: Mugs
supplier: Clay Co
status: received
ordered: 2026-11-01
received: 2026-11-20
lines:
  - sku: MUG
    qty: 10
    received: 10
    unit_cost: "4.00"
---
"""


def obm(*args: str, vault: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--vault", str(vault), *args], catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def subject(root: Path) -> str:
    return git_out(root, "log", "-1", "--format=%s").strip()


@pytest.fixture
def november(empty_vault: Path) -> Path:
    """A month with one of each blocker, and money in two currencies."""
    root = empty_vault
    write(root, "clients/ann.md", CLIENT.format(id="ann", name="Ann"))
    write(root, "invoices/INV-261102-AAA.md", INVOICE.format(
        id="INV-261102-AAA", title="Coaching", client="ann", amount="1000.00", status="partly-paid",
        issued="2026-11-02", more="", body=payments_body(("2026-11-10", "600.00", "bank", "ROW001"))))
    write(root, "invoices/INV-261103-EEE.md", INVOICE.format(
        id="INV-261103-EEE", title="Workshop", client="ann", amount="200.00", status="sent", issued="2026-11-03",
        more="currency: EUR\n", body=""))
    write(root, "invoices/INV-261130-DDD.md", INVOICE.format(
        id="INV-261130-DDD", title="Draft", client="ann", amount="50.00", status="draft", issued="2026-12-01",
        more="period: 2026-11\n", body=""))
    write(root, "expenses/2026-11-05-notion-x1y.md", EXPENSE.format(
        id="2026-11-05-notion-x1y", payee="Notion", date="2026-11-05", amount="10.00", category="software", more=""))
    write(root, "payments/PAY-261114-AAA.md", PAYMENT)
    write(root, "purchase-orders/PO-261101-AAA.md", ORDER)
    write(root, "declines/2026-11-12-kim-lee-abc.md", DECLINE)
    commit_all(root)
    return root


def test_what_blocks_the_close_is_listed_by_file_and_nothing_is_written(november: Path) -> None:
    before = git_out(november, "rev-parse", "HEAD")
    code, out, _ = obm("finance", "close", "2026-11", "--dry-run", "--json", vault=november)
    found = json.loads(out)
    assert code == 1 and found["closed"] is False
    assert {b["path"]: b["why"].split(":")[0] for b in found["blockers"]} == {
        "invoices/INV-261130-DDD.md": "still a draft",
        "payments/PAY-261114-AAA.md": "a payment not matched",
        "purchase-orders/PO-261101-AAA.md": "received with no bill",
        "declines/2026-11-12-kim-lee-abc.md": "not followed up",
    }
    assert found["summary"] == {
        "EUR": {"invoiced": "200.00", "received": "0.00", "expenses": "0.00", "bills": "0.00", "receivables": "200.00"},
        "USD": {"invoiced": "1000.00", "received": "600.00", "expenses": "10.00", "bills": "0.00",
                "receivables": "400.00"}}
    code, out, _ = obm("finance", "close", "2026-11", vault=november)
    assert code == 1 and "2026-11 cannot be closed yet: 4 thing(s) to do first" in out
    assert git_out(november, "rev-parse", "HEAD") == before and not (november / "closes" / "2026-11.md").exists()


def clear_blockers(root: Path) -> None:
    for path, old, new in (("invoices/INV-261130-DDD.md", "status: draft", "status: void"),
                           ("payments/PAY-261114-AAA.md", "status: unmatched", "status: ignored"),
                           ("declines/2026-11-12-kim-lee-abc.md", "status: contacted", "status: lost")):
        file = root / path
        file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    write(root, "bills/BILL-261120-BBB.md", BILL.format(
        id="BILL-261120-BBB", title="Mugs", supplier="Clay Co", amount="40.00", status="unpaid", issued="2026-11-20",
        category="stock", more='purchase_order: "[[PO-261101-AAA]]"\n', body=""))
    commit_all(root, "cleared")


def test_a_clear_month_is_closed_in_one_commit_with_its_figures(november: Path) -> None:
    clear_blockers(november)
    code, out, err = obm("finance", "close", "2026-11", vault=november)
    assert code == 0, out + err
    assert "closed 2026-11 (closes/2026-11.md)" in out
    assert "2026-11 USD: invoiced 1,000.00 USD, received 600.00 USD, expenses 10.00 USD, bills 40.00 USD" in out
    assert subject(november) == "close 2026-11: month closed by Test Person"
    assert git_out(november, "show", "--name-only", "--format=", "HEAD").split() == ["closes/2026-11.md"]
    text = (november / "closes" / "2026-11.md").read_text(encoding="utf-8")
    assert 'month: "2026-11"' in text and "closed_by: Test Person" in text
    assert "| USD | 1,000.00 | 600.00 | 10.00 | 40.00 | 400.00 |" in text
    assert "| EUR | 200.00 | 0.00 | 0.00 | 0.00 | 200.00 |" in text
    code, _, err = obm("finance", "close", "2026-11", vault=november)
    assert code == 2 and "2026-11 is closed already (closes/2026-11.md" in err


def test_a_later_change_to_a_closed_months_money_says_so(november: Path) -> None:
    clear_blockers(november)
    assert obm("finance", "close", "2026-11", vault=november)[0] == 0
    code, _, err = obm("finance", "expense", "Canva", "12.00", "--date", "2026-11-20", vault=november)
    assert code == 0 and "closed month 2026-11" in err
    assert subject(november).endswith("(changes closed month 2026-11)")
    code, _, err = obm("finance", "pay-bill", "BILL-261120-BBB", "40.00", "--date", "2026-12-03", vault=november)
    assert code == 0 and err == "" and "closed month" not in subject(november)
    vault = Vault.open(november)  # the services' road, as the app takes it
    try:
        set_fields(vault, "INV-261102-AAA", {"amount": "1100.00"})
        assert subject(november).endswith("(changes closed month 2026-11)")
        set_fields(vault, "INV-261102-AAA", {"title": "Coaching, November"})
        assert "closed month" not in subject(november)
    finally:
        vault.close()


@pytest.mark.parametrize(("month", "error"), [
    ("2026-13", "expected a month like 2026-11"),
    ("november", "expected a month like 2026-11"),
    ("2999-01", "2999-01 is not over yet"),
])
def test_a_month_that_cannot_be_closed_is_one_line(november: Path, month: str, error: str) -> None:
    code, out, err = obm("finance", "close", month, vault=november)
    assert code == 2 and error in err and out == ""
