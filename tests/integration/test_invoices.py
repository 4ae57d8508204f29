"""The invoice lifecycle over a real vault and git, through the `obm invoice …` commands:
send, pay (refunds, overpayment, currencies), void, write off, show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from tests.conftest import git_out
from tests.integration.finance_vault import add_config

CLIENT = """---
type: client
id: maya-patel
name: Maya Patel
email: maya@example.com
rate: "1500.00"
status: current
{extra}---
"""

INVOICE = """---
type: invoice
id: {id}
title: Retainer
client: "[[maya-patel]]"
amount: "{amount}"
{extra}status: {status}
---

Notes stay as they are.
"""


def obm(*args: str, vault: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--vault", str(vault), *args], catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def last_commit(root: Path) -> str:
    return git_out(root, "log", "-1", "--format=%s").strip()


def fields(root: Path, invoice: str) -> dict[str, object]:
    code, out, _ = obm("invoice", "show", invoice, "--json", vault=root)
    assert code == 0
    return dict(json.loads(out))


def add(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    git_out(root, "add", rel)
    git_out(root, "commit", "-q", "-m", f"test: {rel}")


@pytest.fixture
def vault(empty_vault: Path) -> Path:
    add(empty_vault, "clients/maya-patel.md", CLIENT.format(extra="payment_terms: 30\n"))
    add(empty_vault, "invoices/INV-261101-AAA.md",
        INVOICE.format(id="INV-261101-AAA", amount="1500.00", status="draft", extra=""))
    add(empty_vault, "invoices/INV-261101-BBB.md",
        INVOICE.format(id="INV-261101-BBB", amount="1500.00", status="sent",
                       extra="issued: 2026-11-01\ndue: 2026-11-15\n"))
    return empty_vault


def set_config(root: Path, text: str) -> None:
    add_config(root, text)
    git_out(root, "commit", "-q", "-am", "test: config")


def test_send_sets_issued_and_due_from_the_clients_terms(vault: Path) -> None:
    code, out, err = obm("invoice", "send", "INV-261101-AAA", vault=vault)
    assert code == 0, err
    shown = fields(vault, "INV-261101-AAA")
    assert shown["status"] == "sent"
    issued = str(shown["issued"])
    from datetime import date, timedelta

    assert shown["due"] == (date.fromisoformat(issued) + timedelta(days=30)).isoformat()
    assert last_commit(vault) == f"invoice INV-261101-AAA: draft -> sent, issued {issued}, due {shown['due']}"
    assert out.splitlines()[0] == last_commit(vault)
    code, _, err = obm("invoice", "send", "INV-261101-AAA", vault=vault)
    assert code == 2 and "only a draft can be sent" in err


def test_send_uses_the_vaults_terms_without_the_clients(empty_vault: Path) -> None:
    add(empty_vault, "clients/maya-patel.md", CLIENT.format(extra=""))
    add(empty_vault, "invoices/INV-261101-AAA.md",
        INVOICE.format(id="INV-261101-AAA", amount="100.00", status="draft", extra=""))
    set_config(empty_vault, "[finance]\npayment_terms = 7\n")
    assert obm("invoice", "send", "INV-261101-AAA", vault=empty_vault)[0] == 0
    from datetime import date

    shown = fields(empty_vault, "INV-261101-AAA")
    assert (date.fromisoformat(str(shown["due"])) - date.fromisoformat(str(shown["issued"]))).days == 7


def test_send_refuses_a_draft_with_unfilled_names(vault: Path) -> None:
    path = vault / "invoices" / "INV-261101-AAA.md"
    add(vault, "invoices/INV-261101-AAA.md", path.read_text().replace("Notes stay", "For ${company}: notes stay"))
    before = git_out(vault, "rev-parse", "HEAD")
    code, _, err = obm("invoice", "send", "INV-261101-AAA", vault=vault)
    assert code == 2 and "${company}" in err and "it was not sent" in err
    assert git_out(vault, "rev-parse", "HEAD") == before
    assert "status: draft" in path.read_text()


def test_payments_refund_and_status(vault: Path) -> None:
    code, out, err = obm("invoice", "pay", "INV-261101-BBB", "500.00", "--method", "card", "--ref", "ch_1",
                         "--date", "2026-11-20", vault=vault)
    assert code == 0, err
    message = "invoice INV-261101-BBB: payment 500.00 USD by card (ch_1), balance 1000.00, sent -> partly-paid"
    assert last_commit(vault) == message
    assert fields(vault, "INV-261101-BBB")["status"] == "partly-paid"
    assert obm("invoice", "pay", "INV-261101-BBB", "1000", "--date", "2026-11-25", vault=vault)[0] == 0
    shown = fields(vault, "INV-261101-BBB")
    assert (shown["status"], shown["paid"], shown["balance"]) == ("paid", "2026-11-25", "0.00")
    code, _, err = obm("invoice", "pay", "INV-261101-BBB", "-200.00", "--method", "refund", vault=vault)
    assert code == 0, err
    shown = fields(vault, "INV-261101-BBB")
    assert (shown["status"], shown["paid"], shown["balance"]) == ("partly-paid", "", "200.00")
    text = (vault / "invoices" / "INV-261101-BBB.md").read_text()
    assert "Notes stay as they are.\n" in text and "| -200.00 | refund |" in text
    assert [p["amount"] for p in shown["payments"]] == ["500.00", "1000.00", "-200.00"]  # type: ignore[index]


@pytest.mark.parametrize(("args", "error"), [
    pytest.param(("12,50",), "amount: expected an amount like 120.00", id="decimal-comma"),
    pytest.param(("0",), "a payment of 0 records nothing", id="zero"),
    pytest.param(("100", "--currency", "EUR"), "currency: the invoice is in USD, not EUR", id="other-currency"),
    pytest.param(("2000",), "more than the balance 1500.00 USD", id="overpayment"),
    pytest.param(("-10",), "a refund of 10.00 USD is more than the 0.00 USD paid", id="refund-of-nothing"),
    pytest.param(("10", "--date", "2026-13-01"), "date: a day like 2026-11-04", id="bad-date"),
])
def test_bad_payments_write_nothing(vault: Path, args: tuple[str, ...], error: str) -> None:
    before = git_out(vault, "rev-parse", "HEAD")
    raw = (vault / "invoices" / "INV-261101-BBB.md").read_bytes()
    code, _, err = obm("invoice", "pay", "INV-261101-BBB", *args, vault=vault)
    assert code == 2 and error in err, err
    assert git_out(vault, "rev-parse", "HEAD") == before
    assert (vault / "invoices" / "INV-261101-BBB.md").read_bytes() == raw


def test_yen_refuses_cents(empty_vault: Path) -> None:
    add(empty_vault, "clients/maya-patel.md", CLIENT.format(extra=""))
    add(empty_vault, "invoices/INV-261101-JPY.md",
        INVOICE.format(id="INV-261101-JPY", amount="150000", status="sent",
                       extra="currency: JPY\nissued: 2026-11-01\ndue: 2026-11-15\n"))
    code, _, err = obm("invoice", "pay", "INV-261101-JPY", "1500.50", vault=empty_vault)
    assert code == 2 and "amount:" in err and "JPY has 0 decimals" in err
    assert obm("invoice", "pay", "INV-261101-JPY", "150000", vault=empty_vault)[0] == 0
    assert last_commit(empty_vault).startswith("invoice INV-261101-JPY: payment 150000 JPY, balance 0,")


def test_a_reference_is_recorded_once(vault: Path) -> None:
    assert obm("invoice", "pay", "INV-261101-BBB", "100", "--ref", "ch_9", vault=vault)[0] == 0
    code, _, err = obm("invoice", "pay", "INV-261101-BBB", "100", "--ref", "ch_9", vault=vault)
    assert code == 2 and "'ch_9' is already recorded on invoice INV-261101-BBB" in err


def test_paying_a_draft_sends_it(vault: Path) -> None:
    assert obm("invoice", "pay", "INV-261101-AAA", "1500", vault=vault)[0] == 0
    shown = fields(vault, "INV-261101-AAA")
    assert shown["status"] == "paid" and shown["issued"] and shown["due"]


def test_overpayment_as_credit_in_one_commit(vault: Path) -> None:
    set_config(vault, '[finance]\noverpayment = "credit"\n')
    code, out, err = obm("invoice", "pay", "INV-261101-BBB", "1600.00", "--ref", "tr_5", vault=vault)
    assert code == 0, err
    assert fields(vault, "INV-261101-BBB")["status"] == "paid"
    changed = git_out(vault, "show", "--name-only", "--format=%s", "HEAD").split()
    credit = next(name for name in changed if name.startswith("payments/PAY-"))
    assert "invoices/INV-261101-BBB.md" in changed
    from obm_tui.vault.frontmatter import read_document

    data = read_document((vault / credit).read_bytes()).data
    assert (data["payment_type"], data["status"], data["client"], data["amount"], data["currency"],
            data["reference"]) == ("credit", "unmatched", "[[maya-patel]]", "100.00", "USD", "tr_5")
    assert "| 1500.00 |" in (vault / "invoices" / "INV-261101-BBB.md").read_text()
    assert "100.00 USD over the balance kept as the client's credit" in last_commit(vault)


def test_legacy_paid_invoice_is_not_paid_twice(vault: Path) -> None:
    add(vault, "invoices/INV-260601-OLD.md",
        INVOICE.format(id="INV-260601-OLD", amount="750.00", status="paid",
                       extra="issued: 2026-06-01\ndue: 2026-06-15\npaid: 2026-06-05\n"))
    code, _, err = obm("invoice", "pay", "INV-260601-OLD", "750", vault=vault)
    assert code == 2 and "marked paid with no payment rows" in err
    shown = fields(vault, "INV-260601-OLD")
    assert (shown["legacy_paid"], shown["balance"]) == (True, "0.00")


def test_void_and_write_off(vault: Path) -> None:
    assert obm("invoice", "pay", "INV-261101-BBB", "400", vault=vault)[0] == 0
    code, _, err = obm("invoice", "void", "INV-261101-BBB", vault=vault)
    assert code == 2 and "400.00 USD paid on it" in err
    code, out, err = obm("invoice", "write-off", "INV-261101-BBB", "--reason", "client gone", vault=vault)
    assert code == 0, err
    assert last_commit(vault) == "invoice INV-261101-BBB: written off 1100.00 USD (client gone)"
    shown = fields(vault, "INV-261101-BBB")
    assert shown["status"] == "written-off" and shown["closed"]
    code, _, err = obm("invoice", "pay", "INV-261101-BBB", "10", vault=vault)
    assert code == 2 and "is written-off: no payment can be recorded" in err
    code, _, err = obm("invoice", "write-off", "INV-261101-AAA", vault=vault)
    assert code == 2 and "void a draft instead" in err
    assert obm("invoice", "void", "INV-261101-AAA", vault=vault)[0] == 0
    shown = fields(vault, "INV-261101-AAA")
    assert shown["status"] == "void" and shown["closed"]


def test_a_paid_invoice_is_never_changed(vault: Path) -> None:
    assert obm("invoice", "pay", "INV-261101-BBB", "1500", vault=vault)[0] == 0
    raw = (vault / "invoices" / "INV-261101-BBB.md").read_bytes()
    for args in (("void",), ("write-off",), ("send",), ("pay", "5")):
        code, _, err = obm("invoice", args[0], "INV-261101-BBB", *args[1:], vault=vault)
        assert code == 2, (args, err)
    assert (vault / "invoices" / "INV-261101-BBB.md").read_bytes() == raw


def test_show_says_overdue_and_balance(vault: Path) -> None:
    code, out, _ = obm("invoice", "show", "INV-261101-BBB", vault=vault)
    assert code == 0
    assert "balance: 1,500.00 USD" in out and "overdue by" in out
    assert fields(vault, "INV-261101-BBB")["overdue"] is True
    assert fields(vault, "INV-261101-AAA")["overdue"] is False
