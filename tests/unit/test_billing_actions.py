"""`do:: start billing`: read, checked against the subject, turned into its effect; and where it starts."""

from __future__ import annotations

from datetime import date

import pytest

from obm_tui.model.actions import BILLING, Action, ActionError, StartBilling, cannot_undo, parse_action, to_effect
from obm_tui.model.billing import BillingError, first_period_after_month
from obm_tui.model.conditions import Ref

MAYA = Ref("client", "maya-patel")


def test_start_billing_is_its_own_action_on_a_client() -> None:
    action = parse_action("start  billing", "client")
    assert action == Action(BILLING, "billing") and str(action) == "start billing"
    assert parse_action("start welcome-pack", "client") == Action("start", "welcome-pack")
    effect = to_effect(action, key="k", step="recurring-invoice", subject=MAYA, today=date(2026, 11, 25))
    assert effect == StartBilling("k", "recurring-invoice", MAYA)
    assert effect.describe() == "billing started for client maya-patel"
    assert "keeps its billing" in cannot_undo(action, MAYA)


@pytest.mark.parametrize(("subject", "words"), [("ticket", "bills a client"), ("none", "no subject")])
def test_start_billing_needs_a_client(subject: str, words: str) -> None:
    with pytest.raises(ActionError, match=words):
        parse_action("start billing", subject)


@pytest.mark.parametrize(
    ("rule", "day", "start"),
    [
        ("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 11, 20), date(2026, 12, 1)),
        ("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 12, 1), date(2027, 1, 1)),
        ("FREQ=MONTHLY;BYMONTHDAY=15", date(2026, 12, 31), date(2027, 1, 15)),
        ("FREQ=WEEKLY;BYDAY=MO", date(2026, 11, 20), date(2026, 12, 7)),
        ("FREQ=MONTHLY;BYMONTHDAY=31", date(2027, 1, 10), date(2027, 3, 31)),
    ],
    ids=["first-of-next-month", "december-to-january", "mid-month", "first-monday", "no-31st-in-february"],
)
def test_billing_starts_at_the_first_period_after_the_first_invoices_month(rule: str, day: date, start: date) -> None:
    assert first_period_after_month("[finance] billing", rule, day) == start


def test_a_bad_default_rule_is_named() -> None:
    with pytest.raises(BillingError) as caught:
        first_period_after_month("[finance] billing", "FREQ=MINUTELY", date(2026, 1, 1))
    assert caught.value.where == "[finance] billing"
