"""Recurring billing on a real vault: each due period's invoice once, one commit each; two clones agree."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from obm_tui.services.billing import billing_pass
from obm_tui.services.sync import sync
from obm_tui.vault.store import Vault
from tests.integration.finance_vault import add_config

CLIENT = """---
type: client
id: {id}
name: {name}
status: {status}
email: {id}@example.com
rate: "{rate}"
billing: FREQ=MONTHLY;BYMONTHDAY=1
billing_start: {start}
{extra}---

# {name}
"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def add_client(root: Path, cid: str, name: str, *, status: str = "current", rate: str = "1800.00",
               start: str = "2026-10-01", extra: str = "") -> None:
    (root / f"clients/{cid}.md").write_text(CLIENT.format(id=cid, name=name, status=status, rate=rate,
                                                          start=start, extra=extra))


def run_pass(root: Path, today: date) -> list:  # type: ignore[type-arg]
    vault = Vault.open(root)
    try:
        return billing_pass(vault, today)
    finally:
        vault.close()


def invoices(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((root / "invoices").glob("*.md"))}


def test_a_retainer_catches_up_each_missed_month_once_one_commit_each(empty_vault: Path) -> None:
    add_client(empty_vault, "aisha-khan", "Aisha Khan", extra="payment_terms: 7\n")
    changes = run_pass(empty_vault, date(2026, 12, 1))
    assert [c.error for c in changes] == ["", "", ""]
    made = invoices(empty_vault)
    assert len(made) == 3
    december = next(text for text in made.values() if "period: \"2026-12\"" in text)
    for line in ("title: Aisha Khan — December 2026", 'client: "[[aisha-khan]]"', "amount: 1800.00",
                 "currency: USD", "status: sent", "issued: 2026-12-01", "due: 2026-12-08", "| 1800.00 |"):
        assert line in december
    log = git(empty_vault, "log", "--format=%s", "-3").splitlines()
    assert all(s.startswith("invoice INV-26") and "for aisha-khan" in s for s in log)
    assert [s.split(": ")[1].split(",")[0] for s in log] == ["2026-12", "2026-11", "2026-10"]
    head = git(empty_vault, "rev-parse", "HEAD")
    assert run_pass(empty_vault, date(2026, 12, 1)) == []  # a second pass: nothing
    assert run_pass(empty_vault, date(2026, 12, 20)) == []
    assert git(empty_vault, "rev-parse", "HEAD") == head


def test_paused_past_lead_and_ended_clients_are_not_billed_and_vault_terms_apply(empty_vault: Path) -> None:
    add_client(empty_vault, "pia-paused", "Pia Paused", status="paused")
    add_client(empty_vault, "pat-past", "Pat Past", status="past")
    add_client(empty_vault, "lee-lead", "Lee Lead", status="lead")
    add_client(empty_vault, "ed-ended", "Ed Ended", extra="billing_end: 2026-11-15\n")
    add_config(empty_vault, "[finance]\npayment_terms = 30\n")
    run_pass(empty_vault, date(2026, 12, 1))
    made = invoices(empty_vault)
    assert sorted(t.split("period: \"")[1][:7] for t in made.values()) == ["2026-10", "2026-11"]  # Ed, to his end
    assert all("ed-ended" in t for t in made.values())
    assert any("due: 2026-12-01" in t for t in made.values())  # 2026-11-01 + 30 days


def test_a_period_billed_by_an_older_invoice_without_period_is_not_billed_again(empty_vault: Path) -> None:
    add_client(empty_vault, "aisha-khan", "Aisha Khan", start="2026-11-01")
    (empty_vault / "invoices/INV-261101-G4V.md").write_text(
        '---\ntype: invoice\nid: INV-261101-G4V\ntitle: Retainer — November 2026\nclient: "[[aisha-khan]]"\n'
        'amount: "1800.00"\nstatus: paid\nissued: 2026-11-01\ndue: 2026-11-08\n---\n')
    run_pass(empty_vault, date(2026, 12, 1))
    assert sorted(invoices(empty_vault)) == ["INV-261101-G4V.md", next(n for n in invoices(empty_vault)
                                                                       if n.startswith("INV-261201-"))]


def test_a_template_invoice_bills_its_next_periods_with_its_lines(empty_vault: Path) -> None:
    add_client(empty_vault, "aisha-khan", "Aisha Khan", start="2026-10-01")
    (empty_vault / "clients/aisha-khan.md").write_text(
        (empty_vault / "clients/aisha-khan.md").read_text().replace("billing: FREQ=MONTHLY;BYMONTHDAY=1\n", ""))
    (empty_vault / "invoices/INV-261101-B5M.md").write_text(
        '---\ntype: invoice\nid: INV-261101-B5M\ntitle: Momentum Mastermind — monthly\nclient: "[[aisha-khan]]"\n'
        'amount: "900.00"\nstatus: paid\nissued: 2026-11-01\ndue: 2026-11-08\n'
        "recurrence: FREQ=MONTHLY;BYMONTHDAY=1\n---\n\n| Item | Amount |\n|---|---|\n"
        "| Mastermind membership | 900.00 |\n\n## Payments\n\n| Date | Amount | Method | Reference | Note | Id |\n"
        "|---|---:|---|---|---|---|\n| 2026-11-02 | 900.00 | card | ch_1 | | 6782SQ |\n")
    run_pass(empty_vault, date(2026, 12, 3))
    made = {n: t for n, t in invoices(empty_vault).items() if n != "INV-261101-B5M.md"}
    assert len(made) == 1  # the template's own month is billed by the template itself
    text = next(iter(made.values()))
    for line in ("title: Momentum Mastermind — December 2026", 'template: "[[INV-261101-B5M]]"', 'period: "2026-12"',
                 "| Mastermind membership | 900.00 |"):
        assert line in text
    assert "recurrence" not in text and "ch_1" not in text


@pytest.mark.parametrize(("rate", "words"), [("12,50", "dot before the cents"), ("", "needs a rate")])
def test_a_plan_that_cannot_bill_says_why_and_writes_nothing(empty_vault: Path, rate: str, words: str) -> None:
    add_client(empty_vault, "aisha-khan", "Aisha Khan", rate=rate)
    Vault.open(empty_vault).close()  # commits the client written above
    head = git(empty_vault, "rev-parse", "HEAD")
    changes = run_pass(empty_vault, date(2026, 12, 1))
    assert len(changes) == 1 and not changes[0].changed and words in changes[0].error
    assert changes[0].error.startswith("clients/aisha-khan.md ")
    assert invoices(empty_vault) == {} and git(empty_vault, "rev-parse", "HEAD") == head


def test_two_clones_billing_the_same_day_write_the_same_file_and_merge_to_one(empty_vault: Path,
                                                                               tmp_path: Path) -> None:
    add_client(empty_vault, "aisha-khan", "Aisha Khan", start="2026-12-01")
    Vault.open(empty_vault).close()
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(empty_vault), str(remote)], check=True)
    x, y = tmp_path / "x", tmp_path / "y"
    for clone in (x, y):
        subprocess.run(["git", "clone", "-q", str(remote), str(clone)], check=True)
        assert [c.error for c in run_pass(clone, date(2026, 12, 1))] == [""]
    assert invoices(x) == invoices(y) and len(invoices(x)) == 1
    for clone in (x, y):
        vault = Vault.open(clone)
        try:
            sync(vault)
        finally:
            vault.close()
    assert invoices(x) == invoices(y) and len(invoices(y)) == 1
    assert git(y, "status", "--porcelain") == ""
    assert run_pass(y, date(2026, 12, 1)) == []


def test_a_retainer_and_a_template_of_one_client_bill_each_period_once(empty_vault: Path) -> None:
    add_client(empty_vault, "aisha-khan", "Aisha Khan", start="2026-12-01")
    (empty_vault / "invoices/INV-261101-B5M.md").write_text(
        '---\ntype: invoice\nid: INV-261101-B5M\ntitle: Mastermind — monthly\nclient: "[[aisha-khan]]"\n'
        'amount: "900.00"\nstatus: sent\nissued: 2026-11-01\ndue: 2026-11-08\n'
        "recurrence: FREQ=MONTHLY;BYMONTHDAY=1\n---\n")
    changes = run_pass(empty_vault, date(2026, 12, 1))
    assert [c.changed for c in changes] == [True]
    assert sorted(invoices(empty_vault)) == ["INV-261101-B5M.md", changes[0].path.split("/")[1]]


def test_an_archived_client_is_not_billed_and_a_template_of_no_client_says_so(empty_vault: Path) -> None:
    add_client(empty_vault, "ann-archived", "Ann Archived", extra="archived: true\n")
    (empty_vault / "invoices/INV-261101-Z9Z.md").write_text(
        '---\ntype: invoice\nid: INV-261101-Z9Z\ntitle: Lost — monthly\nclient: "[[nobody-here]]"\n'
        'amount: "90.00"\nstatus: sent\nissued: 2026-11-01\nrecurrence: FREQ=MONTHLY;BYMONTHDAY=1\n---\n')
    changes = run_pass(empty_vault, date(2026, 12, 1))
    assert [(c.changed, c.error) for c in changes] == [
        (False, 'invoices/INV-261101-Z9Z.md client: no client [[nobody-here]]')]
    assert sorted(invoices(empty_vault)) == ["INV-261101-Z9Z.md"]
