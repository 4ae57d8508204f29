"""Conditions (`when::`): the grammar, its error messages, and evaluation over facts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from obm_tui.model.conditions import (
    ConditionError,
    DictFacts,
    Ref,
    evaluate,
    parse_condition,
)

TODAY = date(2026, 11, 20)
MAYA = Ref("client", "maya-patel")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("invoice.status = paid", "invoice.status = paid"),
        ("contract=signed", "contract = signed"),
        ("client.contract = signed", "client.contract = signed"),
        ("subject.status != lead", "subject.status != lead"),
        ("tags has current-client", "tags has current-client"),
        ("not tags has vip", "not tags has vip"),
        ("all invoice.status = paid", "all invoice.status = paid"),
        ("any invoice.status = paid", "invoice.status = paid"),
        ("on_hand <= reorder_point", "on_hand <= reorder_point"),
        ('status = "on hold"', 'status = "on hold"'),
        ("name = Maya Patel", "name = Maya Patel"),
        ("email != \"\"", 'email != ""'),
        ("status == current", "status = current"),
        ("invoices.status = paid", "invoice.status = paid"),
        ("po.status = ordered", "purchase-order.status = ordered"),
    ],
    ids=[
        "linked-kind", "no-spaces", "subject-kind", "subject-prefix", "has", "not-has", "all", "any",
        "field-vs-field", "quoted", "several-words", "empty-quoted", "double-equals", "plural-kind", "alias-kind",
    ],
)
def test_parse_one_clause(text: str, shown: str) -> None:
    condition = parse_condition(text)
    assert len(condition.clauses) == 1
    assert str(condition.clauses[0]) == shown


@pytest.mark.parametrize("text", ["status != lead and tags has vip", "status != lead; tags has vip"],
                         ids=["and", "semicolon"])
def test_clauses_join(text: str) -> None:
    assert [str(c) for c in parse_condition(text).clauses] == ["status != lead", "tags has vip"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("invoice.status paid", r"expected an operator \(=, !=, <, <=, >, >=, has, in\) after invoice.status"),
        ("invoice.status =", "expected a value after ="),
        ("= paid", "expected a field name"),
        ("invoce.status = paid", 'unknown record kind "invoce"'),
        ("status = paid and", "a condition is missing"),
        ('status = "paid', "an opening quote is never closed"),
        ("status ! paid", '"!" must be followed by "="'),
        ("a = b = c", "one operator per clause"),
        ("", "empty condition"),
        ("9lives = yes", '"9lives" is not a field name'),
    ],
    ids=["no-operator", "no-value", "no-field", "unknown-kind", "dangling-and", "open-quote", "bang", "two-ops",
         "empty", "bad-field"],
)
def test_bad_conditions(text: str, reason: str) -> None:
    with pytest.raises(ConditionError, match=reason):
        parse_condition(text)


def facts(**changes: object) -> DictFacts:
    client = {
        "type": "client", "id": "maya-patel", "name": "Maya Patel", "status": "onboarding",
        "contract": "signed", "tags": ["vip", "Newsletter"], "rate": "1200.00", "since": "2026-11-02",
        "follow_up": "2026-11-20",
    }
    client.update(changes)  # type: ignore[arg-type]
    return DictFacts({
        ("client", "maya-patel"): client,
        ("invoice", "INV-1"): {"client": "[[maya-patel]]", "status": "paid", "amount": "300.00"},
        ("invoice", "INV-2"): {"client": "[[maya-patel|Maya]]", "status": "sent", "amount": "1200.00"},
        ("invoice", "INV-3"): {"client": "[[someone-else]]", "status": "sent"},
        ("product", "MUG-01"): {"on_hand": "4", "reorder_point": "5", "supplier": "[[acme]]"},
        ("product", "TEE-01"): {"on_hand": "40", "reorder_point": "5"},
        ("decline", "d-1"): {"client": "[[maya-patel]]", "amount": "49.00", "status": "new"},
    })


@pytest.mark.parametrize(
    ("text", "subject", "holds"),
    [
        ("status = onboarding", MAYA, True),
        ("status = ONBOARDING", MAYA, True),
        ("status != lead", MAYA, True),
        ("contract = signed", MAYA, True),
        ("client.contract = signed", MAYA, True),
        ("subject.contract = signed", MAYA, True),
        ("invoice.status = paid", MAYA, True),
        ("all invoice.status = paid", MAYA, False),
        ("invoice.status = void", MAYA, False),
        ("not invoice.status = void", MAYA, True),
        ("tags has vip", MAYA, True),
        ("tags has newsletter", MAYA, True),
        ("tags has current-client", MAYA, False),
        ("not tags has current-client", MAYA, True),
        ("rate >= 1200", MAYA, True),
        ("rate = 1200", MAYA, True),
        ("rate > 1200.00", MAYA, False),
        ("since < 2026-12-01", MAYA, True),
        ("follow_up <= today", MAYA, True),
        ("follow_up < today", MAYA, False),
        ("missing = \"\"", MAYA, True),
        ("missing = something", MAYA, False),
        ("name < zebra", MAYA, False),
        ("name = Maya Patel", MAYA, True),
        ('status = "onboarding" and contract = signed', MAYA, True),
        ("status = onboarding and contract = sent", MAYA, False),
        ("on_hand <= reorder_point", Ref("product", "MUG-01"), True),
        ("on_hand <= reorder_point", Ref("product", "TEE-01"), False),
        ('on_hand = "reorder_point"', Ref("product", "MUG-01"), False),
        ("client.status = onboarding", Ref("decline", "d-1"), True),
        ("invoice.amount > 1000", MAYA, True),
        ("invoice.status = paid", Ref("client", "nobody"), False),
        ("decline.status = new", MAYA, True),
        ("status = onboarding", None, False),
    ],
    ids=[
        "eq", "eq-ignores-case", "ne", "field", "subject-kind", "subject-prefix", "any-linked", "all-linked",
        "no-linked-match", "not-linked", "has", "has-ignores-case", "has-not", "not-has", "number-ge",
        "number-eq-decimal", "number-gt", "date-lt", "today", "today-strict", "missing-is-empty",
        "missing-not-value", "text-order-false", "words", "quoted-and", "and-fails", "field-vs-field",
        "field-vs-field-false", "quoted-forces-text", "forward-link", "linked-number", "unknown-subject",
        "backlink-decline", "no-subject",
    ],
)
def test_evaluate(text: str, subject: Ref | None, holds: bool) -> None:
    assert evaluate(parse_condition(text), facts(), subject, TODAY).holds is holds


def test_no_linked_record_says_so() -> None:
    empty = DictFacts({("client", "maya-patel"): {"status": "onboarding"}})
    outcome = evaluate(parse_condition("invoice.status = paid"), empty, MAYA, TODAY)
    assert not outcome.holds
    assert "no invoice linked to client maya-patel" in outcome.why


def test_first_failing_clause_is_named() -> None:
    outcome = evaluate(parse_condition("status = onboarding and contract = sent"), facts(), MAYA, TODAY)
    assert outcome.why == "waiting for contract = sent"


def test_typed_values_compare_like_text() -> None:
    typed = facts(rate=Decimal(1200), since=date(2026, 11, 2), vip=True)
    assert evaluate(parse_condition("rate = 1200.00 and since < 2026-11-03 and vip = true"), typed, MAYA, TODAY).holds


def test_comma_text_counts_as_a_list() -> None:
    assert evaluate(parse_condition("tags has b"), facts(tags="a, b, c"), MAYA, TODAY).holds


def test_facts_change_the_answer() -> None:
    condition = parse_condition("contract = signed")
    assert not evaluate(condition, facts(contract="sent"), MAYA, TODAY).holds
    assert evaluate(condition, facts(contract="signed"), MAYA, TODAY).holds


def test_equality_takes_the_word_as_text_even_when_a_field_has_that_name() -> None:
    """`invoice.status = paid` on an invoice that also has a `paid` date (a bug found by wiring)."""
    facts = DictFacts({
        ("client", "maya"): {"type": "client", "id": "maya"},
        ("invoice", "INV-1"): {"client": "[[maya]]", "status": "paid", "paid": "2026-11-23"},
    })
    outcome = evaluate(parse_condition("invoice.status = paid"), facts, Ref("client", "maya"), date(2026, 11, 24))
    assert outcome.holds
