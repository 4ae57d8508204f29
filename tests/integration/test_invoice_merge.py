"""Two clones pay the same invoice and `obm sync` merges them (obm's merge driver, real git, a
bare remote): every payment once, and the status and `paid` the merged rows make."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from obm_tui.cli import main
from obm_tui.model.payments import parse, row_id_for
from obm_tui.services.invoices import record_payment
from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.store import Vault

CLIENT = "---\ntype: client\nid: maya-patel\nname: Maya Patel\nemail: maya@example.com\nrate: \"1500.00\"\n---\n"
INVOICE = """---
type: invoice
id: INV-261101-AAA
title: Retainer
client: "[[maya-patel]]"
amount: "1500.00"
status: sent
issued: 2026-11-01
due: 2026-11-15
---

Notes.
"""
BILL = """---
type: bill
id: BILL-261101-BBB
title: Printing
supplier: Print Co
amount: "300.00"
status: unpaid
issued: 2026-11-01
---
"""


def sync(root: Path) -> None:
    result = CliRunner().invoke(main, ["--vault", str(root), "sync"], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "conflict" not in result.stderr


def clones(empty_vault: Path, tmp_path: Path) -> tuple[Path, Path]:
    (empty_vault / "clients").mkdir(exist_ok=True)
    (empty_vault / "clients/maya-patel.md").write_text(CLIENT)
    (empty_vault / "invoices").mkdir(exist_ok=True)
    (empty_vault / "invoices/INV-261101-AAA.md").write_text(INVOICE)
    (empty_vault / "bills").mkdir(exist_ok=True)
    (empty_vault / "bills/BILL-261101-BBB.md").write_text(BILL)
    Vault.open(empty_vault).close()
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(empty_vault), str(remote)], check=True)
    x, y = tmp_path / "x", tmp_path / "y"
    for clone in (x, y):
        subprocess.run(["git", "clone", "-q", str(remote), str(clone)], check=True)
    return x, y


def pay(root: Path, amount: str, day: date, **extra: str) -> None:
    vault = Vault.open(root)
    try:
        record_payment(vault, "INV-261101-AAA", amount, day=day, today=day, **extra)
    finally:
        vault.close()


def invoice(root: Path) -> tuple[dict[str, object], list[tuple[str, str]]]:
    doc = read_document((root / "invoices/INV-261101-AAA.md").read_bytes())
    return dict(doc.data), [(str(p.amount), p.reference) for p in parse(doc.body).payments]


def test_the_same_imported_charge_in_both_clones_is_one_payment(empty_vault: Path, tmp_path: Path) -> None:
    x, y = clones(empty_vault, tmp_path)
    for root in (x, y):
        pay(root, "1500.00", date(2026, 11, 20), method="card", reference="ch_3QM2", row_id=row_id_for("ch_3QM2"))
    for root in (x, y, x):
        sync(root)
    for root in (x, y):
        data, rows = invoice(root)
        assert rows == [("1500.00", "ch_3QM2")]
        assert (data["status"], data["paid"]) == ("paid", "2026-11-20")
        assert not (root / "conflicts").exists()


def test_two_payments_in_two_clones_add_up_to_paid(empty_vault: Path, tmp_path: Path) -> None:
    x, y = clones(empty_vault, tmp_path)
    pay(x, "500.00", date(2026, 11, 20), method="card", reference="ch_1")
    pay(y, "1000.00", date(2026, 11, 22), method="transfer")
    for root in (x, y):
        assert invoice(root)[0]["status"] == "partly-paid"
    for root in (x, y, x):
        sync(root)
    for root in (x, y):
        data, rows = invoice(root)
        assert sorted(rows) == [("1000.00", ""), ("500.00", "ch_1")]
        assert (data["status"], data["paid"]) == ("paid", "2026-11-22")
        assert "Notes.\n" in (root / "invoices/INV-261101-AAA.md").read_text()
        assert not (root / "conflicts").exists()


def test_a_bills_payments_merge_too(empty_vault: Path, tmp_path: Path) -> None:
    from obm_tui.model.payments import Payment, append

    x, y = clones(empty_vault, tmp_path)
    for root, amount, status in ((x, "100.00", "partly-paid"), (y, "200.00", "partly-paid")):
        vault = Vault.open(root)
        record = vault.find("BILL-261101-BBB")
        doc = vault.read_for_edit(record)
        body = append(doc.body, Payment(date(2026, 11, 20), __import__("decimal").Decimal(amount)))
        vault.update(record, {"status": status}, f"bill: paid {amount}", body=body, base_body=doc.body)
        vault.close()
    for root in (x, y, x):
        sync(root)
    for root in (x, y):
        doc = read_document((root / "bills/BILL-261101-BBB.md").read_bytes())
        assert sorted(str(p.amount) for p in parse(doc.body).payments) == ["100.00", "200.00"]
        assert (doc.data["status"], doc.data["paid"]) == ("paid", "2026-11-20")
