"""Money out: a purchase order received in full makes its bill in the same commit; paying a bill;
expenses through `obm new expense` and `obm finance expense`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from obm_tui.vault.store import Vault
from tests.conftest import git_out
from tests.integration.demo_copy import demo_master, sample_copy  # noqa: F401  (fixtures)
from tests.integration.finance_vault import add_config, commit_all


def obm(*args: str, vault: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--vault", str(vault), *args], catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def commit_of(root: Path, start: str) -> tuple[str, list[str]]:
    """The newest commit whose message starts with `start`, and the files it changed."""
    sha = git_out(root, "log", "--format=%H", f"--grep=^{start}", "-n", "1").strip()
    assert sha, start
    files = git_out(root, "show", "--name-only", "--format=", sha).split()
    return git_out(root, "log", "-1", "--format=%s", sha).strip(), files


def bills(root: Path, order: str) -> list[dict[str, object]]:
    """The bills of a purchase order (the sample vault has bills of its own)."""
    vault = Vault.open(root)
    try:
        return [{**r.data, "path": r.path} for r in vault.records("bill")
                if r.data.get("purchase_order") == f"[[{order}]]"]
    finally:
        vault.close()


def test_a_purchase_order_received_in_full_makes_its_bill_in_the_same_commit(sample_copy: Path) -> None:  # noqa: F811
    add_config(sample_copy, '[finance]\nstock_category = "cost-of-goods"\n')
    commit_all(sample_copy, "config")
    code, out, _ = obm("po", "receive", "PO-261109-J2R", "CAL-2027=100", vault=sample_copy)
    assert code == 0 and "bill" not in out and bills(sample_copy, "PO-261109-J2R") == []
    code, out, _ = obm("po", "receive", "PO-261109-J2R", vault=sample_copy)
    assert code == 0 and "585.00 USD to Northwind Print Co." in out
    [bill] = bills(sample_copy, "PO-261109-J2R")
    message, files = commit_of(sample_copy, "purchase-order PO-261109-J2R: received CAL-2027 50")
    assert set(files) == {"purchase-orders/PO-261109-J2R.md", "stock/CAL-2027.md", bill["path"]}
    assert f"bill {bill['id']} 585.00 USD" in message
    assert {k: bill[k] for k in ("supplier", "amount", "status", "purchase_order", "category")} == {
        "supplier": "Northwind Print Co.", "amount": "585.00", "status": "unpaid",
        "purchase_order": "[[PO-261109-J2R]]", "category": "cost-of-goods"}
    body = (sample_copy / str(bill["path"])).read_text(encoding="utf-8")
    assert "| CAL-2027 | 150 | 3.90 | 585.00 |" in body


def test_a_line_without_unit_cost_makes_no_bill_and_the_receipt_says_so(sample_copy: Path) -> None:  # noqa: F811
    order = sample_copy / "purchase-orders" / "PO-261103-W9K.md"
    order.write_text(order.read_text(encoding="utf-8").replace('    unit_cost: "7.20"\n', ""), encoding="utf-8")
    commit_all(sample_copy, "no cost")
    code, out, _ = obm("po", "receive", "PO-261103-W9K", vault=sample_copy)
    assert code == 0 and "no bill made: no unit_cost on PLAN-2027" in out
    assert bills(sample_copy, "PO-261103-W9K") == []


def test_paying_a_bill_in_two_parts(sample_copy: Path) -> None:  # noqa: F811
    assert obm("po", "receive", "PO-261103-W9K", vault=sample_copy)[0] == 0
    [bill] = bills(sample_copy, "PO-261103-W9K")
    bid = str(bill["id"])
    code, out, err = obm("finance", "pay-bill", bid, "1000", "--date", "2026-11-28", "--method", "bank",
                         vault=sample_copy)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (f"bill {bid}: paid 1,000.00 USD on 2026-11-28 (owed 440.00 USD); "
                                   "status unpaid -> partly-paid")
    code, out, _ = obm("finance", "pay-bill", bid, "440.00", "--date", "2026-11-30", "--ref", "wire-77",
                       vault=sample_copy)
    assert code == 0 and "status partly-paid -> paid" in out
    [bill] = bills(sample_copy, "PO-261103-W9K")
    assert (bill["status"], str(bill["paid"])) == ("paid", "2026-11-30")
    body = (sample_copy / str(bill["path"])).read_text(encoding="utf-8")
    assert "| 2026-11-28 | 1000.00 | bank |" in body and "| 2026-11-30 | 440.00 |  | wire-77 |" in body


@pytest.mark.parametrize(("amount", "error"), [
    ("12,50", "a comma only groups thousands"),
    ("1440.01", "1,440.01 USD is more than the 1,440.00 USD still owed"),
    ("0", "must be above 0"),
])
def test_a_bad_bill_payment_changes_nothing(sample_copy: Path, amount: str, error: str) -> None:  # noqa: F811
    assert obm("po", "receive", "PO-261103-W9K", vault=sample_copy)[0] == 0
    before = git_out(sample_copy, "rev-parse", "HEAD")
    bill = str(bills(sample_copy, "PO-261103-W9K")[0]["id"])
    code, out, err = obm("finance", "pay-bill", bill, amount, vault=sample_copy)
    assert code == 2 and error in err and out == ""
    assert git_out(sample_copy, "rev-parse", "HEAD") == before


def test_obm_new_expense_names_it_by_its_day_and_payee(sample_copy: Path) -> None:  # noqa: F811
    code, out, err = obm("new", "expense", "Notion Labs", "date=2026-11-04", "amount=10.00", "category=software",
                         vault=sample_copy)
    assert code == 0, err
    [path] = (sample_copy / "expenses").glob("2026-11-04-notion-labs-*.md")
    assert path.name.startswith("2026-11-04-notion-labs-") and path.name in out
    code, _, err = obm("new", "expense", "Notion Labs", "date=2026-11-04", vault=sample_copy)
    assert code == 2 and "amount is required for an expense" in err


def test_obm_finance_expense(sample_copy: Path) -> None:  # noqa: F811
    code, out, err = obm("finance", "expense", "Canva", "12.99", "--date", "2026-11-20", "--category", "software",
                         "--receipt", "https://canva.example/r/1", vault=sample_copy)
    assert code == 0, err
    [path] = (sample_copy / "expenses").glob("2026-11-20-canva-*.md")
    text = path.read_text(encoding="utf-8")
    assert "amount: 12.99" in text and "category: software" in text and "receipt: https://canva.example/r/1" in text
    code, out, err = obm("finance", "expense", "Canva", "1500.5", "--currency", "JPY", vault=sample_copy)
    assert code == 2 and "JPY has 0 decimals" in err
