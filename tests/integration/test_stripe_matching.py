"""Issue 12 item 2: the Stripe import puts charges on the open invoices they match (by invoice
number, then the client's email and the amount), refunds of them as negative rows, and leaves
the rest (and a charge two invoices fit) as unmatched payment records; one commit, idempotent."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from obm_tui.model import payments
from obm_tui.model.finance import record_payments
from obm_tui.services.records import new_record
from obm_tui.services.stripe_import import import_stripe
from obm_tui.vault.store import Vault
from tests.conftest import CORPUS, git_out
from tests.integration.demo_copy import demo_master, sample_copy  # noqa: F401  (fixtures)

NOW = datetime(2026, 11, 23, 11, 0)


def export(*changes: dict[str, str]) -> bytes:
    """The real unified payments export's header, a row per change made to its one Paid row."""
    rows = list(csv.reader(io.StringIO((CORPUS / "stripe" / "overlayon_unified_payments.csv").read_text())))
    header, paid = rows[0], rows[1]
    base = dict(zip(header, paid, strict=True)) | {"Converted Currency": "", "Converted Amount": "", "Fee": "0.30",
                                                    "Customer Email": "", "Description": ""}
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for change in changes:
        writer.writerow([(base | change)[column] for column in header])
    return out.getvalue().encode()


def log(root: Path) -> list[str]:
    return git_out(root, "log", "--format=%s").splitlines()


def test_charges_go_on_the_invoices_they_match_in_one_commit(sample_copy: Path) -> None:  # noqa: F811
    vault = Vault.open(sample_copy)
    second = new_record(vault, "invoice", "Coaching — extra", {"client": "[[marco-bianchi]]", "amount": "1200.00",
                                                       "status": "sent", "issued": "2026-11-17"}).record.id
    before = len(log(sample_copy))
    data = export(
        {"id": "ch_by_number", "Amount": "2000.00", "Description": "Invoice INV-261101-R1X",
         "Created date (UTC)": "2026-11-20 15:00:00"},
        {"id": "ch_by_email", "Amount": "350.00", "Customer Email": "Priya@RamanYoga.com",
         "Created date (UTC)": "2026-11-20 16:00:00", "Status": "Partially refunded", "Amount Refunded": "50.00",
         "Refunded date (UTC)": "2026-11-21 16:00:00"},
        {"id": "ch_part", "Amount": "500.00", "Description": "INV-261101-W3H deposit",
         "Created date (UTC)": "2026-11-20 17:00:00"},
        {"id": "ch_two", "Amount": "1200.00", "Customer Email": "marco@bianchibakery.com",
         "Created date (UTC)": "2026-11-20 18:00:00"},
        {"id": "ch_euro", "Amount": "350.00", "Currency": "eur", "Customer Email": "priya@ramanyoga.com",
         "Created date (UTC)": "2026-11-20 19:00:00"},
    )
    result = import_stripe(Vault.open(sample_copy), data, now=NOW, source="payments.csv")
    assert result.message == ("import stripe payments.csv: 4 payments on invoices, 2 payments recorded; "
                              "0 rows rejected, 0 skipped")
    assert len(log(sample_copy)) == before + 1 and log(sample_copy)[0] == result.message
    assert [str(r) for r in result.rows] == [
        "row 2, ch_by_number: charge 2000.00 USD -> INV-261101-R1X",
        "row 3, ch_by_email: charge 350.00 USD -> INV-261103-H9Q; refund 50.00 USD -> INV-261103-H9Q",
        "row 4, ch_part: charge 500.00 USD -> INV-261101-W3H",
        f"row 5, ch_two: charge 1200.00 USD: fits {' and '.join(sorted(['INV-261116-C2Z', second]))}, left unmatched",
        "row 6, ch_euro: charge 350.00 EUR"]
    assert result.ambiguous and second in result.ambiguous[0] and "INV-261116-C2Z" in result.ambiguous[0]

    vault = Vault.open(sample_copy)
    by_number = vault.index.get("invoice", "INV-261101-R1X")
    assert by_number is not None and (by_number.data["status"], by_number.data["paid"]) == ("paid", "2026-11-20")
    (row,) = record_payments(by_number)
    assert (str(row.amount), row.method, row.reference, row.row_id) == (
        "2000.00", "card", "ch_by_number", payments.row_id_for("ch_by_number"))
    refunded = vault.index.get("invoice", "INV-261103-H9Q")
    assert refunded is not None and refunded.data["status"] == "partly-paid" and "paid" not in refunded.data
    assert [(str(p.amount), p.method, p.reference) for p in record_payments(refunded)] == [
        ("350.00", "card", "ch_by_email"), ("-50.00", "refund", "ch_by_email-refund")]
    part = vault.index.get("invoice", "INV-261101-W3H")
    assert part is not None and part.data["status"] == "partly-paid"
    body = (sample_copy / part.path).read_text(encoding="utf-8")
    row_text = f"| 2026-11-20 | 500.00 | card | ch_part |  | {payments.row_id_for('ch_part')} |"
    assert body.count("## Payments") == 1 and row_text in body
    sample_own = ("payments/PAY-261106-4TR.md", "payments/PAY-261120-9KB.md")
    left = {str(r.data["reference"]): r.data.get("status")
            for r in vault.records("payment") if r.path not in sample_own}
    assert left == {"ch_two": "unmatched", "ch_euro": "unmatched"}
    assert all(r.ok for r in vault.records("invoice")), [r.problems for r in vault.records("invoice")]

    again = import_stripe(Vault.open(sample_copy), data, now=NOW, source="payments.csv")
    assert (again.recorded, again.skipped, again.commit) == (0, 5, None)
    assert len(log(sample_copy)) == before + 1


def test_a_refund_in_the_balance_export_goes_on_its_charges_invoice(sample_copy: Path) -> None:  # noqa: F811
    header = "id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description\n"
    first = header + "txn_1,charge,ch_b1,900.00,26.40,873.60,usd,2026-11-20 15:00:00,,Invoice INV-261101-W3H\n"
    import_stripe(Vault.open(sample_copy), first.encode(), now=NOW, source="b1.csv")
    later = header + "txn_2,refund,re_b2,-100.00,0.00,-100.00,usd,2026-11-22 15:00:00,,REFUND FOR CHARGE (ch_b1)\n"
    result = import_stripe(Vault.open(sample_copy), later.encode(), now=NOW, source="b2.csv")
    assert [str(r) for r in result.rows] == ["row 2, re_b2: refund 100.00 USD -> INV-261101-W3H"]
    invoice = Vault.open(sample_copy).index.get("invoice", "INV-261101-W3H")
    assert invoice is not None and invoice.data["status"] == "partly-paid" and "paid" not in invoice.data
    assert [str(p.amount) for p in record_payments(invoice)] == ["900.00", "-100.00"]
