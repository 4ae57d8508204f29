"""Bad values stay out: one-line fields hold one line, numbers are ASCII and bounded, counts are not negative.

The same checks serve what a person types (parse_input), what a file holds (validate) and imports.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from obm_tui.model.fields import MAX_LINE, FieldValueError
from obm_tui.model.inputs import parse_input
from obm_tui.model.kinds import KINDS
from obm_tui.model.records import validate

CLIENT, PRODUCT, TICKET = KINDS["client"], KINDS["product"], KINDS["ticket"]

BREAKS = {
    "line-feed": "\n", "carriage-return": "\r", "crlf": "\r\n", "next-line": "\x85",
    "line-separator": "\u2028", "paragraph-separator": "\u2029", "vertical-tab": "\x0b", "form-feed": "\x0c",
}


@pytest.mark.parametrize("brk", BREAKS.values(), ids=BREAKS.keys())
@pytest.mark.parametrize(("kind", "name"), [
    pytest.param(CLIENT, "name", id="client-name"), pytest.param(CLIENT, "company", id="client-company"),
    pytest.param(TICKET, "subject", id="ticket-subject"), pytest.param(PRODUCT, "sku", id="product-sku"),
    pytest.param(CLIENT, "status", id="enum"), pytest.param(TICKET, "client", id="link"),
    pytest.param(CLIENT, "tags", id="list"), pytest.param(CLIENT, "nickname", id="field-not-in-schema"),
])
def test_a_line_break_is_refused_in_every_one_line_field(kind: Any, name: str, brk: str) -> None:
    with pytest.raises(FieldValueError, match="must be one line"):
        parse_input(kind.field(name), f"Acme{brk}Bcc: eve@example.com")


@pytest.mark.parametrize("brk", BREAKS.values(), ids=BREAKS.keys())
def test_a_file_holding_a_line_break_in_a_one_line_field_is_a_problem(brk: str) -> None:
    data = {"type": "client", "id": "acme", "name": f"Acme{brk}Bcc: eve@example.com", "tags": ["a", f"b{brk}c"]}
    found = dict(validate(CLIENT, data, "acme"))
    assert "must be one line" in found["name"] and "must be one line" in found["tags"]


def test_a_text_field_may_hold_lines() -> None:
    assert parse_input(KINDS["process"].field("description"), "one\ntwo") == "one\ntwo"


def test_a_one_line_value_is_bounded() -> None:
    assert parse_input(TICKET.field("subject"), "x" * MAX_LINE) == "x" * MAX_LINE
    with pytest.raises(FieldValueError, match="longer than 1,000 characters"):
        parse_input(TICKET.field("subject"), "x" * (MAX_LINE + 1))


@pytest.mark.parametrize("address", [
    pytest.param("maya@example.com\r\nBcc: eve@example.com", id="crlf-header"),
    pytest.param("maya@example.com\nBcc: eve@example.com", id="lf-header"),
    pytest.param("x,eve@example.com", id="comma-second-recipient"),
    pytest.param("x;eve@example.com", id="semicolon"),
    pytest.param('"eve"@example.com', id="quotes"),
    pytest.param("maya@example.com\x85Bcc", id="next-line"),
    pytest.param("a" * 250 + "@example.com", id="too-long"),
])
def test_an_address_that_could_add_a_header_or_a_recipient_is_refused(address: str) -> None:
    with pytest.raises(FieldValueError, match="expected an email address"):
        CLIENT.field("email").convert(address)  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "reason"), [
    pytest.param("٣", "expected a whole number", id="arabic-indic-digit"),
    pytest.param("１２", "expected a whole number", id="fullwidth-digits"),
    pytest.param("1e20", "expected a whole number", id="exponent"),
    pytest.param("100000000000000000000000", "up to 1,000,000,000", id="1e23"),
    pytest.param("1000000001", "up to 1,000,000,000", id="just-over"),
    pytest.param("-5", "cannot be below 0", id="negative"),
    pytest.param("3\n", "must be one line", id="trailing-line-feed"),
])
def test_a_stock_quantity_is_ascii_bounded_and_not_negative(text: str, reason: str) -> None:
    with pytest.raises(FieldValueError, match=reason):
        parse_input(PRODUCT.field("on_hand"), text)


def test_quantities_at_the_bounds_are_kept() -> None:
    assert parse_input(PRODUCT.field("on_hand"), "1000000000") == "1000000000"
    assert parse_input(PRODUCT.field("on_hand"), "0") == "0"
    assert KINDS["decline"].field("attempts").convert("0") == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "reason"), [
    pytest.param("1.999", "at most 2 decimals", id="three-decimals"),
    pytest.param("١٢٠.00", "expected an amount", id="arabic-indic-digits"),
    pytest.param("1e9", "expected an amount", id="exponent"),
    pytest.param("1000000000.01", "up to 1,000,000,000", id="over-the-bound"),
    pytest.param("-1000000001", "up to 1,000,000,000", id="negative-over-the-bound"),
])
def test_money_is_ascii_bounded_with_two_decimals(text: str, reason: str) -> None:
    with pytest.raises(FieldValueError, match=reason):
        parse_input(PRODUCT.field("price"), text)


def test_money_within_the_bounds_is_kept() -> None:
    assert parse_input(PRODUCT.field("price"), "1,000,000,000") == "1000000000.00"
    assert PRODUCT.field("price").convert("-30.5") == Decimal("-30.5")  # type: ignore[union-attr]


def test_a_file_with_an_unbounded_or_negative_count_is_a_problem() -> None:
    data = {"type": "product", "id": "MUG", "sku": "MUG", "name": "Mug", "on_hand": "100000000000000000000",
            "reorder_point": "-1", "lead_time_days": "٣"}
    found = dict(validate(PRODUCT, data, "MUG"))
    assert "up to 1,000,000,000" in found["on_hand"]
    assert "cannot be below 0" in found["reorder_point"]
    assert "expected a whole number" in found["lead_time_days"]
