"""Matching a processor's charge to an open invoice (model/matching.py)."""

from __future__ import annotations

from decimal import Decimal

from obm_tui.model.matching import BY_EMAIL_AMOUNT, BY_NUMBER, Match, OpenInvoice, Payer, candidates, match

D = Decimal
FRED = OpenInvoice("INV-261101-7KQ", "USD", D("1500.00"), D("1500.00"), "fred@example.com", "fred")
ANA_1 = OpenInvoice("INV-261102-AAA", "USD", D("49.00"), D("49.00"), "ana@example.com", "ana")
ANA_2 = OpenInvoice("INV-261103-BBB", "USD", D("49.00"), D("49.00"), "Ana@Example.com", "ana")
EURO = OpenInvoice("INV-261104-EUR", "EUR", D("1500.00"), D("1500.00"), "fred@example.com", "fred")


def test_the_invoice_number_wins() -> None:
    payer = Payer(D("1500.00"), "USD", "someone@else.com", "inv-261101-7kq")
    assert match(payer, [FRED, EURO]) == Match("INV-261101-7KQ", BY_NUMBER)


def test_a_number_in_another_currency_or_above_the_balance_does_not_match() -> None:
    assert match(Payer(D("1500.00"), "EUR", "", "INV-261101-7KQ"), [FRED]) == Match()
    assert match(Payer(D("1600.00"), "USD", "", "INV-261101-7KQ"), [FRED]) == Match()


def test_email_and_amount_match_one_invoice_of_the_currency() -> None:
    assert match(Payer(D("1500.00"), "USD", "FRED@example.com"), [FRED, EURO]) == Match(FRED.id, BY_EMAIL_AMOUNT)
    assert match(Payer(D("1499.00"), "USD", "fred@example.com"), [FRED]) == Match()
    assert match(Payer(D("1500.00"), "GBP", "fred@example.com"), [FRED, EURO]) == Match()


def test_two_invoices_that_fit_are_not_matched_and_both_are_named() -> None:
    found = match(Payer(D("49.00"), "USD", "ana@example.com"), [ANA_2, ANA_1, FRED])
    assert found.invoice == "" and found.ambiguous
    assert found.candidates == ("INV-261102-AAA", "INV-261103-BBB")


def test_candidates_are_ranked_number_then_email_then_amount() -> None:
    payer = Payer(D("49.00"), "USD", "fred@example.com", "INV-261103-BBB")
    assert [i.id for i in candidates(payer, [FRED, ANA_1, ANA_2, EURO])] == [
        "INV-261103-BBB", "INV-261101-7KQ", "INV-261102-AAA"]
