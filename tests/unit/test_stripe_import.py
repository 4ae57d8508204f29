"""Stripe exports: the real payments export (one Paid row), synthetic failed and refunded rows, and
a balance history export written from Stripe's documented header (tests/data/stripe)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from obm_tui.importers.stripe import CHARGE, PAYOUT, REFUND, parse_amount, parse_payments

REAL = Path(__file__).resolve().parents[1] / "corpus" / "stripe" / "overlayon_unified_payments.csv"
BALANCE = Path(__file__).resolve().parents[1] / "data" / "stripe" / "balance_history.csv"


def real_rows() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(REAL.read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


def with_changes(**changes: str) -> bytes:
    """A copy of the real export with some cells of its row changed (by column name)."""
    header, rows = real_rows()
    row = list(rows[0])
    for name, value in changes.items():
        row[header.index(name.replace("_", " "))] = value
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows([header, row])
    return out.getvalue().encode()


def test_the_real_export_has_no_declines_and_no_problems() -> None:
    result = parse_payments(REAL.read_bytes())
    assert result.refused == "" and result.candidates == ()
    (report,) = result.rows
    assert (report.row, report.status, report.reason) == (2, "ok", "charge 15.00 USD")
    assert report.key == "ch_3POsheC8ukEwBaxR1SBP6Pvo"


def test_the_real_paid_row_is_a_charge_without_the_converted_fee() -> None:
    (charge,) = parse_payments(REAL.read_bytes()).movements
    assert (charge.kind, charge.reference, charge.amount, charge.currency) == (
        CHARGE, "ch_3POsheC8ukEwBaxR1SBP6Pvo", Decimal("15.00"), "USD")
    assert charge.day == date(2024, 6, 7) and charge.email == "redacted@example.com"
    assert charge.fee is None  # 35.40 is in THB, the converted currency: never taken as USD


def test_a_refunded_row_is_a_charge_and_its_refund() -> None:
    data = with_changes(Status="Refunded", **{"Amount Refunded": "5.00", "Refunded date (UTC)": "2024-06-09 10:00:00",
                                              "Converted Currency": "", "Fee": "0.74"})
    charge, refund = parse_payments(data).movements
    assert (charge.kind, charge.amount, charge.fee) == (CHARGE, Decimal("15.00"), Decimal("0.74"))
    assert (refund.kind, refund.amount, refund.charge, refund.day) == (
        REFUND, Decimal("5.00"), "ch_3POsheC8ukEwBaxR1SBP6Pvo", date(2024, 6, 9))
    assert refund.reference == "ch_3POsheC8ukEwBaxR1SBP6Pvo-refund"


PAID_ROWS = [
    ("decimal comma in a comma file", {"Amount": "12,50"}, "a comma only groups thousands"),
    ("unknown currency", {"Currency": "xyz"}, "unknown currency 'xyz'"),
    ("negative charge", {"Amount": "-15.00"}, "a charge must be above 0"),
    ("yen with cents", {"Currency": "jpy", "Amount": "1500.50"}, "JPY has 0 decimals"),
    ("refund above the amount", {"Amount Refunded": "99.00"}, "Amount Refunded '99.00' is not between"),
]


@pytest.mark.parametrize(("changes", "says"), [c[1:] for c in PAID_ROWS], ids=[c[0] for c in PAID_ROWS])
def test_a_bad_paid_row_is_rejected_with_its_reason(changes: dict[str, str], says: str) -> None:
    header, rows = real_rows()
    good = list(rows[0])
    good[header.index("id")] = "ch_good"
    bad = list(rows[0])
    for name, value in changes.items():
        bad[header.index(name)] = value
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows([header, bad, good])
    result = parse_payments(out.getvalue().encode())
    assert [(r.row, r.status) for r in result.rows] == [(2, "rejected"), (3, "ok")]
    assert says in result.rows[0].reason, result.rows[0].reason
    assert [m.reference for m in result.movements] == ["ch_good"]


def test_the_balance_export_reads_charges_refunds_and_payouts_row_by_row() -> None:
    result = parse_payments(BALANCE.read_bytes())
    assert result.refused == "" and result.balance and result.candidates == ()
    assert [(m.kind, m.reference, m.amount, m.fee) for m in result.movements] == [
        (CHARGE, "ch_3QAaaa0001", Decimal("1500.00"), Decimal("43.80")),
        (CHARGE, "ch_3QAaaa0002", Decimal("49.00"), Decimal("1.72")),
        (REFUND, "re_3QAaaa0003", Decimal("49.00"), None),
        (PAYOUT, "po_1QAaaa0004", Decimal("1000.00"), None)]
    assert result.movements[0].invoice == "INV-261101-7KQ"
    assert result.movements[2].charge == "ch_3QAaaa0002"
    assert [(r.row, r.status) for r in result.rows] == [
        (2, "ok"), (3, "ok"), (4, "ok"), (5, "ok"), (6, "skipped"), (7, "rejected"), (8, "rejected"), (9, "rejected")]
    reasons = [r.reason for r in result.rows[4:]]
    assert reasons[0] == "type stripe_fee: not a charge, refund or payout"
    assert "a comma only groups thousands" in reasons[1]
    assert reasons[2] == "unknown currency 'xyz'" and "a charge must be above 0" in reasons[3]


def test_the_balance_export_skips_known_ids() -> None:
    result = parse_payments(BALANCE.read_bytes(), known_charges={"ch_3QAaaa0001", "po_1QAaaa0004"})
    assert [m.reference for m in result.movements] == ["ch_3QAaaa0002", "re_3QAaaa0003"]
    assert [r.reason for r in result.rows if r.status == "skipped"][:2] == ["already recorded", "already recorded"]


def test_a_semicolon_balance_export_reads_decimal_commas() -> None:
    data = (b"id;Type;Source;Amount;Fee;Net;Currency;Created (UTC);Description\n"
            b"txn_9;charge;ch_9;1.234,50;0,30;1.234,20;eur;2026-11-04 10:00:00;x\n")
    (charge,) = parse_payments(data).movements
    assert (charge.amount, charge.fee, charge.currency) == (Decimal("1234.50"), Decimal("0.30"), "EUR")


def test_a_balance_export_without_its_columns_is_refused() -> None:
    assert parse_payments(b"id,Type,Amount\ntxn_1,charge,5\n").refused == (
        "not a Stripe balance export: missing column(s) Currency, Created (UTC)")


def test_a_failed_row_is_a_decline_candidate() -> None:
    message = "The bank returned the decline code `insufficient_funds`."
    data = with_changes(Status="Failed", **{"Seller Message": message})
    result = parse_payments(data)
    (candidate,) = result.candidates
    assert candidate.charge_id == "ch_3POsheC8ukEwBaxR1SBP6Pvo"
    assert (candidate.amount, candidate.currency) == (Decimal("15.00"), "USD")
    assert candidate.declined_at == datetime(2024, 6, 7, 2, 38, 54, tzinfo=UTC)
    assert candidate.declined == date(2024, 6, 7)
    assert candidate.email == "redacted@example.com" and candidate.customer == "REDACTED"
    assert candidate.reason.endswith("`insufficient_funds`.") and candidate.product == "Subscription update"
    assert [r.status for r in result.rows] == ["ok"]


def test_declined_date_is_in_the_vault_zone() -> None:
    result = parse_payments(with_changes(Status="Failed", **{"Created date (UTC)": "2024-06-07 23:30:00"}),
                            tz=ZoneInfo("Asia/Tokyo"))
    assert result.candidates[0].declined == date(2024, 6, 8)


ROWS = [
    ("blocked counts", {"Status": "Blocked"}, "ok", ""),
    ("pending skipped", {"Status": "Pending"}, "skipped", "status Pending: not a payment or a decline"),
    ("bad amount", {"Status": "Failed", "Amount": "fifteen"}, "rejected", "Amount must be a positive amount"),
    ("zero amount", {"Status": "Failed", "Amount": "0.00"}, "rejected", "positive"),
    ("bad date", {"Status": "Failed", "Created date (UTC)": "June 7"}, "rejected", "is not a date"),
    ("no id", {"Status": "Failed", "id": ""}, "rejected", "no id"),
]


@pytest.mark.parametrize(("changes", "status", "says"), [c[1:] for c in ROWS], ids=[c[0] for c in ROWS])
def test_rows(changes: dict[str, str], status: str, says: str) -> None:
    result = parse_payments(with_changes(**changes))
    (report,) = result.rows
    assert report.status == status and says in report.reason
    assert len(result.candidates) == (status == "ok")


def test_already_recorded_charges_are_skipped() -> None:
    result = parse_payments(with_changes(Status="Failed"), known_charges={"ch_3POsheC8ukEwBaxR1SBP6Pvo"})
    assert result.candidates == () and result.rows[0].reason == "already recorded"


@pytest.mark.parametrize(("data", "says"), [
    (b"id,Amount\nch_1,5\n", "missing column(s) Created date (UTC), Currency, Status"),
    (b"", "empty"),
    (b"\xff\xfeid", "not UTF-8"),
], ids=["missing columns", "empty", "utf-16"])
def test_refused_files(data: bytes, says: str) -> None:
    assert says in parse_payments(data).refused


def test_semicolon_export_with_decimal_commas() -> None:
    data = (b"id;Created date (UTC);Amount;Currency;Status;Customer Email\n"
            b"ch_9;2024-06-07 02:38:54;15,50;eur;Failed;a@b.c\n")
    (candidate,) = parse_payments(data).candidates
    assert (candidate.amount, candidate.currency, candidate.customer) == (Decimal("15.50"), "EUR", "a@b.c")


@pytest.mark.parametrize(("text", "expected"), [
    ("15.00", Decimal("15.00")), ("1,234.50", Decimal("1234.50")), ("15,5", None), ("abc", None), ("", None),
], ids=["plain", "thousands", "decimal comma refused", "text", "empty"])
def test_parse_amount(text: str, expected: Decimal | None) -> None:
    assert parse_amount(text) == expected


def test_parse_amount_reads_a_decimal_comma_only_in_its_context() -> None:
    assert parse_amount("15,5", decimal_comma=True) == Decimal("15.5")
    assert parse_amount("1.234,50", decimal_comma=True) == Decimal("1234.50")
