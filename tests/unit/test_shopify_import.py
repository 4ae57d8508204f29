"""Shopify orders export: grouping line items into orders, and a report for every row.

There is no real export in the corpus (see tests/corpus/README.md); these files follow the
documented header of Shopify's orders export, with later line-item rows repeating only Name.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from obm_tui.importers.shopify import Order, parse_created, parse_orders

HEADER = (  # noqa: SIM905 - the header as Shopify writes it
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,"
    "Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,"
    "Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,"
    "Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,"
    "Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,"
    "Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,"
    "Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,"
    "Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,"
    "Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,"
    "Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,"
    "Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References"
).split(",")
SKUS = {"MUG-01", "TOTE-02", "PRINT-03"}


def row(name: str, qty: str = "1", sku: str = "MUG-01", *, first: bool = True,
        created: str = "2026-11-20 10:14:05 -0500",
        financial: str = "paid", cancelled: str = "", shipping: str = "true", item: str = "Logo mug",
        price: str = "14.00", email: str = "jane@example.com", header: list[str] = HEADER) -> list[str]:
    values = {"Name": name, "Lineitem quantity": qty, "Lineitem sku": sku, "Lineitem name": item,
              "Lineitem price": price, "Lineitem requires shipping": shipping}
    if first:
        values.update({"Email": email, "Financial Status": financial, "Fulfillment Status": "fulfilled",
                       "Currency": "USD", "Created at": created, "Cancelled at": cancelled, "Total": "42.00",
                       "Billing Name": "Jane Doe", "Notes": "Gift, wrap it\nplease", "Id": "5550000001"})
    return [values.get(column, "") for column in header]


def export(*rows: list[str], header: list[str] = HEADER, bom: bool = False, newline: str = "\r\n") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def test_a_clean_export() -> None:
    data = export(
        row("#1042", "3"),
        row("#1042", "2", "TOTE-02", first=False, item="Tote", price="20.00"),
        row("#1043", "1", "PRINT-03"),
    )
    result = parse_orders(data, SKUS)
    assert result.refused == "" and result.rejected == ()
    first, second = result.orders
    assert (first.number, first.ref, first.email) == ("1042", "order 1042", "jane@example.com")
    assert first.financial_status == "paid"
    assert first.created == datetime(2026, 11, 20, 10, 14, 5, tzinfo=timezone(timedelta(hours=-5)))
    assert first.quantities() == {"MUG-01": 3, "TOTE-02": 2}
    assert first.lines[1].price == Decimal("20.00") and first.lines[1].row == 3
    assert second.quantities() == {"PRINT-03": 1}
    assert [str(r) for r in result.rows] == [
        "row 2, order 1042: MUG-01 x 3", "row 3, order 1042: TOTE-02 x 2", "row 4, order 1043: PRINT-03 x 1"]


def test_same_sku_twice_in_one_order_adds_up() -> None:
    result = parse_orders(export(row("#1"), row("#1", "2", first=False)), SKUS)
    assert result.orders[0].quantities() == {"MUG-01": 3}


REFUSED = [
    ("missing columns", export(row("#1", header=["Name", "Email"]), header=["Name", "Email"]),
     "missing column(s) Created at, Lineitem quantity, Lineitem sku"),
    ("empty", b"", "the file is empty"),
    ("not utf-8", export(row("#1", item="Caf\u00e9")).decode().encode("latin-1"), "not UTF-8"),
    ("not a csv at all", b"\x00\x01binary", "missing column(s)"),
]


@pytest.mark.parametrize("data, says", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_whole_file_refused(data: bytes, says: str) -> None:
    result = parse_orders(data, SKUS)
    assert says in result.refused
    assert result.orders == () and result.rows == ()


def test_header_spelling_variants() -> None:
    header = [{"Lineitem sku": "Lineitem SKU", "Cancelled at": "Canceled at"}.get(h, h) for h in HEADER]
    data = export(row("#1"), row("#2", cancelled="2026-11-21"), header=header)  # same positions, new names
    result = parse_orders(data, SKUS)
    assert [o.number for o in result.orders] == ["1"]
    assert result.rows[1].status == "skipped" and result.rows[1].reason.startswith("cancelled")


def test_bom_lf_and_semicolons() -> None:
    assert parse_orders(export(row("#1"), bom=True, newline="\n"), SKUS).orders[0].number == "1"
    semi = export(row("#1")).decode().replace(",", ";").encode()
    assert parse_orders(semi, SKUS).refused == ""


ROW_CASES = [
    # name, rows, expected (row, status, reason fragment) for each data row, orders imported
    ("unknown sku rejects the whole order",
     [row("#1", "1"), row("#1", "1", "CUP-99", first=False)],
     [(2, "rejected", "order not imported (row 3: unknown SKU CUP-99)"), (3, "rejected", "unknown SKU CUP-99")], []),
    ("sku in another case is the same product, spelled as the vault spells it", [row("#1", "1", "mug-01")],
     [(2, "ok", "MUG-01 x 1")], ["1"]),
    ("negative quantity", [row("#1", "-2")], [(2, "rejected", "whole number above 0, got '-2'")], []),
    ("zero quantity", [row("#1", "0")], [(2, "rejected", "got '0'")], []),
    ("fractional quantity", [row("#1", "1.5")], [(2, "rejected", "got '1.5'")], []),
    ("blank quantity", [row("#1", "")], [(2, "rejected", "got ''")], []),
    ("bad created at", [row("#1", created="last tuesday")], [(2, "rejected", "Created at is not a date")], []),
    ("already imported", [row("#1042"), row("#1042", first=False), row("#1043")],
     [(2, "skipped", "already imported"), (3, "skipped", "already imported"), (4, "ok", "MUG-01 x 1")], ["1043"]),
    ("cancelled", [row("#1", cancelled="2026-11-21 09:00:00 -0500")], [(2, "skipped", "cancelled (2026-11-21")], []),
    ("refunded", [row("#1", financial="refunded")], [(2, "skipped", "refunded")], []),
    ("voided", [row("#1", financial="Voided")], [(2, "skipped", "voided")], []),
    ("partially refunded still shipped", [row("#1", financial="partially_refunded")], [(2, "ok", "MUG-01 x 1")], ["1"]),
    ("digital item skipped, rest imported", [row("#1", sku="EBOOK-1", shipping="false"), row("#1", first=False)],
     [(2, "skipped", "no shipping needed"), (3, "ok", "MUG-01 x 1")], ["1"]),
    ("only digital items: no order", [row("#1", sku="", item="Course")], [(2, "skipped", "no SKU")], []),
    ("no name", [row("")], [(2, "rejected", "no Name")], []),
    ("order split apart in the file", [row("#1"), row("#2"), row("#1", first=False)],
     [(2, "rejected", "appears again apart from its other rows (a later row)"), (3, "ok", "MUG-01 x 1"),
      (4, "rejected", "appears again apart from its other rows (row 2)")], ["2"]),
    ("one bad order leaves the others", [row("#1", "x"), row("#2")],
     [(2, "rejected", "got 'x'"), (3, "ok", "MUG-01 x 1")], ["2"]),
]


@pytest.mark.parametrize(("rows", "expected", "orders"), [c[1:] for c in ROW_CASES], ids=[c[0] for c in ROW_CASES])
def test_every_row_is_reported(rows: list[list[str]], expected: list[tuple[int, str, str]], orders: list[str]) -> None:
    result = parse_orders(export(*rows), SKUS, imported={"#1042"})
    assert result.refused == ""
    assert [(r.row, r.status) for r in result.rows] == [(n, s) for n, s, _ in expected]
    for report, (_, _, fragment) in zip(result.rows, expected, strict=True):
        assert fragment in report.reason, report
    assert [o.number for o in result.orders] == orders


def test_rejected_orders_change_nothing_and_a_fixed_file_imports_them() -> None:
    bad = parse_orders(export(row("#7", "2"), row("#7", "1", "CUP-99", first=False)), SKUS)
    assert bad.orders == ()
    fixed = parse_orders(export(row("#7", "2"), row("#7", "1", "TOTE-02", first=False)), SKUS)
    assert [o.quantities() for o in fixed.orders] == [{"MUG-01": 2, "TOTE-02": 1}]


def test_re_import_is_idempotent() -> None:
    data = export(row("#1"), row("#2"))
    first = parse_orders(data, SKUS)
    again = parse_orders(data, SKUS, imported={o.number for o in first.orders})
    assert again.orders == () and {r.status for r in again.rows} == {"skipped"}


def test_quoted_cells_with_commas_and_newlines() -> None:
    result = parse_orders(export(row("#1", item='Mug, "large"\nblue')), SKUS)
    assert result.orders[0].lines[0].name == 'Mug, "large"\nblue'
    assert result.rows[0].row == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-20 10:14:05 -0500", datetime(2026, 11, 20, 10, 14, 5, tzinfo=timezone(timedelta(hours=-5)))),
    ("2026-11-20T10:14:05+01:00", datetime(2026, 11, 20, 10, 14, 5, tzinfo=timezone(timedelta(hours=1)))),
    ("2026-11-20", datetime(2026, 11, 20)),
    ("20/11/2026", None),
], ids=["shopify", "iso", "date only", "unreadable"])
def test_parse_created(text: str, expected: datetime | None) -> None:
    assert parse_created(text) == expected


def test_order_ref() -> None:
    assert Order("1042", datetime(2026, 1, 1), ()).ref == "order 1042"
