"""Pure helpers of the core: ids, typed input, queries, messages, display, merge, validation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from obm_tui.model import ids
from obm_tui.model.display import clean
from obm_tui.model.errors import UsageError
from obm_tui.model.fields import FieldValueError
from obm_tui.model.inputs import parse_input, to_raw
from obm_tui.model.kinds import KINDS, kind_named
from obm_tui.model.merge import DELETED, merge_changes
from obm_tui.model.messages import change_message, external_message
from obm_tui.model.query import filter_records, parse_term, sort_key
from obm_tui.model.records import Record, validate


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Fred Smith", "fred-smith"),
        ("  Zoë Ångström  ", "zoe-angstrom"),
        ("../../etc/passwd", "etc-passwd"),
        ("CON", "record-con"),
        ("", "record"),
        ("[TODO] call $5 client!", "todo-call-5-client"),
        ("日本語", "ri-ben-yu"),
    ],
    ids=["plain", "unicode", "traversal", "windows-reserved", "empty", "markup", "cjk"],
)
def test_slug_is_safe_file_name(title: str, expected: str) -> None:
    assert ids.slug(title) == expected


def test_unique_adds_numbers_case_insensitively() -> None:
    assert ids.unique("fred-smith", {"fred-smith", "fred-smith-2"}) == "fred-smith-3"
    assert ids.unique("fred", set()) == "fred"


@pytest.mark.parametrize("sku", ["../x", "", "a  b", "X" * 41, "-MUG", "a/b", "a\tb"],
                         ids=["traversal", "empty", "double-space", "long", "dash", "slash", "tab"])
def test_bad_skus_are_refused(sku: str) -> None:
    with pytest.raises(UsageError):
        ids.sku_id(sku)


@pytest.mark.parametrize(("sku", "expected", "shown"), [
    ("53075587-pink-s", "53075587-pink-s", "53075587-pink-s"),
    (" MUG-01 ", "MUG-01", "MUG-01"),
    ("TOTE 02", "TOTE 02", '"TOTE 02"'),
], ids=["lower-case-kept", "outer-spaces", "inner-space-quoted"])
def test_skus_keep_their_spelling(sku: str, expected: str, shown: str) -> None:
    assert ids.sku_id(sku) == expected and ids.sku_text(expected) == shown
    assert ids.sku_key(expected) == ids.sku_key(expected.upper())


def test_serial_and_run_ids() -> None:
    assert ids.serial_id("T", date(2026, 11, 23), "K7Q") == "T-261123-K7Q"
    assert ids.run_id(date(2026, 11, 23), "client-onboarding", "fred-smith") == (
        "2026-11-23-client-onboarding-fred-smith")
    suffixes = {ids.random_suffix() for _ in range(50)}
    assert all(len(s) == 3 and set(s) <= set(ids.CROCKFORD) for s in suffixes) and len(suffixes) > 40


@pytest.mark.parametrize(
    ("kind", "field", "text", "expected"),
    [
        ("client", "status", "current", "current"),
        ("client", "rate", "150", "150.00"),
        ("client", "rate", "$99.5", "99.50"),
        ("client", "since", "2026-05-01", "2026-05-01"),
        ("client", "tags", "vip, summer", ["vip", "summer"]),
        ("client", "archived", "yes", True),
        ("invoice", "client", "fred-smith", "[[fred-smith]]"),
        ("invoice", "client", "[[fred-smith]]", "[[fred-smith]]"),
        ("product", "on_hand", "+14", "14"),
        ("client", "nickname", "Freddie", "Freddie"),
        ("client", "phone", "01234", "01234"),
    ],
    ids=["enum", "money-whole", "money-symbol", "date", "list", "bool", "link-bare", "link-wiki", "int", "unknown-key",
         "leading-zero"],
)
def test_parse_input_gives_raw_form(kind: str, field: str, text: str, expected: object) -> None:
    assert parse_input(KINDS[kind].field(field), text) == expected


@pytest.mark.parametrize(
    ("kind", "field", "text", "reason"),
    [
        ("client", "status", "happy", "expected one of"),
        ("client", "since", "2026-02-30", "expected a date"),
        ("client", "rate", "lots", "expected an amount"),
        ("client", "email", "not-an-address", "expected an email"),
        ("product", "on_hand", "3.5", "whole number"),
        ("client", "archived", "maybe", "yes or no"),
    ],
    ids=["enum", "impossible-date", "money", "email", "int", "bool"],
)
def test_parse_input_refuses_with_reason(kind: str, field: str, text: str, reason: str) -> None:
    with pytest.raises(FieldValueError, match=reason):
        parse_input(KINDS[kind].field(field), text)


def test_to_raw() -> None:
    assert to_raw(date(2026, 1, 2)) == "2026-01-02"
    assert to_raw(datetime(2026, 1, 2, 9, 30)) == "2026-01-02T09:30"
    assert to_raw(Decimal("12.50")) == "12.50"
    assert to_raw([1, "a"]) == ["1", "a"]


def record(kind: str, data: dict, rid: str = "x") -> Record:
    return Record(kind, rid, f"{KINDS[kind].folder}/{rid}.md", {"type": kind, "id": rid, **data})


def test_validate_reports_each_field() -> None:
    found = validate(KINDS["invoice"], {"type": "invoice", "id": "INV-1", "amount": "abc", "due": "soon"}, "INV-1")
    assert [f for f, _ in found] == ["client", "amount", "due"]
    assert validate(KINDS["client"], {"type": "ticket", "id": "other", "name": "A"}, "a")[0][0] == "type"


def test_ticket_file_may_carry_a_slug_after_its_id() -> None:
    data = {"type": "ticket", "id": "T-261123-K7Q", "subject": "Mug"}
    assert validate(KINDS["ticket"], data, "T-261123-K7Q-broken-mug") == []
    assert validate(KINDS["client"], {"type": "client", "id": "fred", "name": "F"}, "fred-2")[0][0] == "id"


QUERY_RECORDS = [
    record("product", {"name": "Mug", "on_hand": "4", "reorder_point": "5", "tags": ["kitchen"]}, "MUG-01"),
    record("product", {"name": "Planner", "on_hand": "40", "reorder_point": "10"}, "PLN-01"),
    record("product", {"name": "Tote bag", "on_hand": "12"}, "TOTE-1"),
]


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (["on_hand<=5"], ["MUG-01"]),
        (["on_hand>5"], ["PLN-01", "TOTE-1"]),
        (["name=mug"], ["MUG-01"]),
        (["name~an"], ["PLN-01"]),
        (["name!=mug"], ["PLN-01", "TOTE-1"]),
        (["tags=kitchen"], ["MUG-01"]),
        (["reorder_point>=5", "on_hand>10"], ["PLN-01"]),
    ],
    ids=["int-le", "int-gt", "text-eq-folded", "contains", "not-equal", "list-has", "and"],
)
def test_filter_records(terms: list[str], expected: list[str]) -> None:
    found = filter_records(QUERY_RECORDS, [parse_term(t) for t in terms])
    assert [r.id for r in found] == expected


def test_bad_terms_are_usage_errors() -> None:
    with pytest.raises(UsageError):
        parse_term("no operator")
    with pytest.raises(UsageError, match="whole number"):
        filter_records(QUERY_RECORDS, [parse_term("on_hand>many")])


def test_sort_key_types_and_missing_last() -> None:
    ordered = sorted(QUERY_RECORDS, key=sort_key("reorder_point"))  # a missing int takes its default, 0
    assert [r.id for r in ordered] == ["TOTE-1", "MUG-01", "PLN-01"]
    assert [r.id for r in sorted(QUERY_RECORDS, key=sort_key("tags"))][-1] != "MUG-01"
    assert [r.id for r in sorted(QUERY_RECORDS, key=sort_key("on_hand"))] == ["MUG-01", "TOTE-1", "PLN-01"]


def test_messages_in_business_words() -> None:
    before = {"status": "onboarding", "rate": "100.00"}
    msg = change_message("client", "fred-smith", before, {"status": "current", "email": "f@x.com"}, ["rate"])
    assert msg == "client fred-smith: status onboarding -> current, email set to f@x.com, rate removed"
    assert external_message([f"clients/c{i}.md" for i in range(7)]).endswith("and 2 more")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("\x1b[31mred", "\u241b[31mred"),
        ("nul\x00", "nul\u2400"),
        ("c1\x9b", "c1\\u009b"),
        ("bidi\u202e", "bidi\\u202e"),
        ("two\nlines", "two\u240alines"),
        ("[@click=app.quit]x[/]", "[@click=app.quit]x[/]"),
    ],
    ids=["plain", "esc", "nul", "c1", "bidi", "newline", "markup-untouched"],
)
def test_clean_neutralises_control_characters(text: str, expected: str) -> None:
    assert clean(text) == expected


def test_merge_changes() -> None:
    base = {"status": "open", "priority": "low", "assignee": "sam"}
    theirs = {"status": "open", "priority": "high", "assignee": "sam"}
    to_apply, conflicts = merge_changes(base, {"status": "resolved"}, theirs)
    assert to_apply == {"status": "resolved"} and not conflicts
    to_apply, conflicts = merge_changes(base, {"priority": "urgent"}, theirs)
    assert not to_apply and conflicts[0].theirs == "high" and conflicts[0].mine == "urgent"
    to_apply, conflicts = merge_changes(base, {"priority": "high", "assignee": DELETED}, theirs)
    assert to_apply == {"assignee": DELETED} and not conflicts


def test_kind_names_and_aliases() -> None:
    assert kind_named("clients").name == "client"
    assert kind_named("po").name == "purchase-order"
    assert kind_named("stock").name == "product"
    assert kind_named("nonsense") is None
