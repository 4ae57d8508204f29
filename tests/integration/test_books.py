"""`obm export beancount|hledger|csv`: the books for the accountant, read back by the real tools."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from tests.integration.finance_vault import (
    BILL,
    CLIENT,
    EXPENSE,
    INVOICE,
    add_config,
    commit_all,
    payments_body,
    write,
)


def obm(*args: str, vault: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--vault", str(vault), *args], catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def books_vault(empty_vault: Path) -> Path:
    """A client with quotes in the name, an invoice paid in part, a bill whose category has a colon
    (mapped to an account with a space), an expense, and a euro invoice."""
    root = empty_vault
    add_config(root, '[finance.categories]\n"travel:air" = "Expenses:Travel:Air fare"\n')
    write(root, "clients/ben-carter.md", CLIENT.format(id="ben-carter", name='Ben "BC" Carter'))
    write(root, "invoices/INV-261001-AAA.md", INVOICE.format(
        id="INV-261001-AAA", title="October coaching", client="ben-carter", amount="1500.00", status="partly-paid",
        issued="2026-10-01", more="", body=payments_body(("2026-10-05", "1000.00", "card", "ROW001"))))
    write(root, "invoices/INV-261102-EEE.md", INVOICE.format(
        id="INV-261102-EEE", title="Workshop", client="ben-carter", amount="200.00", status="sent",
        issued="2026-11-02", more="currency: EUR\n", body=""))
    write(root, "bills/BILL-261003-BBB.md", BILL.format(
        id="BILL-261003-BBB", title="Flights", supplier="Air; Lines | Co", amount="300.00", status="unpaid",
        issued="2026-10-03", category="travel:air", more="", body=""))
    write(root, "expenses/2026-11-04-notion-x1y.md", EXPENSE.format(
        id="2026-11-04-notion-x1y", payee="=Notion", date="2026-11-04", amount="10.00", category="misc", more=""))
    commit_all(root)
    return root


def test_beancount_export_reads_back_with_every_record_and_name(books_vault: Path) -> None:
    from beancount import loader
    from beancount.core import data

    code, out, err = obm("export", "beancount", vault=books_vault)
    assert (code, err) == (0, "")
    entries, errors, _ = loader.load_string(out)
    assert errors == []
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    by_record = {(t.meta["record"], t.narration): t for t in txns}
    paid = by_record[("INV-261001-AAA", "Payment on INV-261001-AAA")]
    assert paid.payee == 'Ben "BC" Carter' and paid.meta["row"] == "ROW001"
    assert {p.account for p in paid.postings} == {"Assets:Stripe", "Assets:Receivable"}
    bill = next(t for t in txns if t.meta["record"] == "BILL-261003-BBB")
    assert bill.payee == "Air; Lines | Co" and bill.meta["category"] == "travel:air"
    assert {p.account for p in bill.postings} == {"Expenses:Travel:Air-fare", "Liabilities:Payable"}
    euro = next(t for t in txns if t.meta["record"] == "INV-261102-EEE")
    assert {p.units.currency for p in euro.postings} == {"EUR"}
    opened = {e.account for e in entries if isinstance(e, data.Open)}
    assert opened >= {"Assets:Receivable", "Income:Sales", "Expenses:Other", "Expenses:Travel:Air-fare"}
    assert {e.currency for e in entries if isinstance(e, data.Commodity)} == {"USD", "EUR"}


def test_hledger_export_tags_every_transaction(books_vault: Path) -> None:
    code, out, err = obm("export", "hledger", vault=books_vault)
    assert (code, err) == (0, "")
    assert "account Expenses:Travel:Air-fare" in out and "commodity 1000.00 EUR" in out
    assert ("2026-10-05 Ben \"BC\" Carter | Payment on INV-261001-AAA  ; record:INV-261001-AAA, row:ROW001"
            in out.splitlines())
    assert any(line.startswith("2026-10-03 Air, Lines / Co | Bill BILL-261003-BBB: Flights  ; record:BILL-261003-BBB")
               for line in out.splitlines())
    headers = [line for line in out.splitlines() if line[:4].isdigit() and " open " not in line]
    assert headers and all("; record:" in line for line in headers)


def test_csv_export_is_one_line_per_posting_and_safe_in_a_spreadsheet(books_vault: Path) -> None:
    code, out, _ = obm("export", "csv", vault=books_vault)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 2 * 5
    assert {r["payee"] for r in rows if r["record"] == "INV-261001-AAA"} == {'Ben "BC" Carter'}
    assert {r["payee"] for r in rows if r["event"] == "expense"} == {"'=Notion"}
    for currency in ("USD", "EUR"):
        assert sum(Decimal(r["amount"]) for r in rows if r["currency"] == currency) == 0


def test_a_period_starts_with_opening_balances(books_vault: Path, tmp_path: Path) -> None:
    from beancount import loader
    from beancount.core import data

    target = tmp_path / "books.beancount"
    code, out, err = obm("export", "beancount", "--from", "2026-11-01", "-o", str(target), vault=books_vault)
    assert code == 0 and out == "" and "to " in err
    entries, errors, _ = loader.load_file(str(target))
    assert errors == []
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    opening = txns[0]
    legs = {p.account: p.units.number for p in opening.postings}
    assert opening.narration == "Opening balances on 2026-11-01"
    assert legs == {"Assets:Receivable": Decimal("500.00"), "Assets:Stripe": Decimal("1000.00"),
                    "Liabilities:Payable": Decimal("-300.00"), "Equity:Opening": Decimal("-1200.00")}
    assert {t.meta.get("record") for t in txns[1:]} == {"INV-261102-EEE", "2026-11-04-notion-x1y"}


def test_a_record_left_out_is_named_and_exits_1(books_vault: Path) -> None:
    write(books_vault, "invoices/INV-261105-BAD.md", INVOICE.format(
        id="INV-261105-BAD", title="Bad", client="ben-carter", amount="100.00", status="sent", issued="2026-11-05",
        more="", body=payments_body(("2026-11-06", "50.00", "card", "ROW002")).replace("50.00 |", "50.00 GBP |")))
    commit_all(books_vault)
    code, out, err = obm("export", "hledger", vault=books_vault)
    assert code == 1 and "invoices/INV-261105-BAD.md: left out of the books" in err
    assert "record:INV-261001-AAA" in out and "INV-261105-BAD" not in out


@pytest.mark.parametrize(("args", "error"), [
    (("--from", "2026-13-01"), "--from: expected a date like 2026-11-22"),
    (("--from", "2026-11-02", "--to", "2026-11-01"), "--to 2026-11-01 is before --from 2026-11-02"),
])
def test_bad_dates_are_one_line(books_vault: Path, args: tuple[str, ...], error: str) -> None:
    code, out, err = obm("export", "csv", *args, vault=books_vault)
    assert code == 2 and error in err and out == ""


def test_an_account_that_no_book_can_hold_is_refused(books_vault: Path) -> None:
    add_config(books_vault, '[finance.accounts]\nbank = "Bank"\n')
    code, out, err = obm("export", "beancount", vault=books_vault)
    assert code == 2 and "[finance.accounts] bank 'Bank' cannot be an account of the books" in err and out == ""
