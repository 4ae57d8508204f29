"""Stripe payments export: the real corpus file (one Paid row) and synthetic failed rows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from obm_tui.importers.stripe import parse_amount, parse_payments

REAL = Path(__file__).resolve().parents[1] / "corpus" / "stripe" / "overlayon_unified_payments.csv"


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
    assert (report.row, report.status, report.reason) == (2, "skipped", "status Paid: not a decline")
    assert report.key == "ch_3POsheC8ukEwBaxR1SBP6Pvo"


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
    ("refunded skipped", {"Status": "Refunded"}, "skipped", "status Refunded: not a decline"),
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
    ("15.00", Decimal("15.00")), ("1,234.50", Decimal("1234.50")), ("15,5", Decimal("15.5")), ("abc", None), ("", None),
], ids=["plain", "thousands", "decimal comma", "text", "empty"])
def test_parse_amount(text: str, expected: Decimal | None) -> None:
    assert parse_amount(text) == expected
