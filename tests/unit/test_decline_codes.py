"""Issue 12 item 4: Stripe's decline codes sorted soft and hard, the `in` condition, and the
follow-up process whose two paths name exactly the hard codes."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from obm_tui.importers.stripe import decline_code
from obm_tui.model.conditions import DictFacts, Ref, evaluate, parse_condition
from obm_tui.model.decline_codes import HARD, SOFT, is_hard, kind_of

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = [ROOT / "templates" / "processes" / "follow-up-declined-payment.md",
             ROOT / "vault" / "processes" / "follow-up-declined-payment.md"]


@pytest.mark.parametrize(("code", "kind"), [
    ("insufficient_funds", "soft"), ("processing_error", "soft"), ("try_again_later", "soft"),
    ("stolen_card", "hard"), ("lost_card", "hard"), ("expired_card", "hard"), ("incorrect_number", "hard"),
    ("fraudulent", "hard"), ("pickup_card", "hard"), ("Stolen_Card ", "hard"), ("made_up_code", ""), ("", ""),
])
def test_codes_are_soft_or_hard(code: str, kind: str) -> None:
    assert kind_of(code) == kind and is_hard(code) == (kind == "hard")


def test_no_code_is_both() -> None:
    assert not SOFT & HARD


@pytest.mark.parametrize(("column", "message", "code"), [
    ("", "The bank returned the decline code `insufficient_funds`.", "insufficient_funds"),
    ("lost_card", "The bank returned the decline code `insufficient_funds`.", "lost_card"),
    ("", "Declined: expired_card (ask for a new card)", "expired_card"),
    ("", "Payment complete.", ""),
    ("", "see some_other_thing", ""),
], ids=["seller message", "column wins", "a documented code in the text", "none", "not a documented code"])
def test_the_decline_code_of_a_row(column: str, message: str, code: str) -> None:
    assert decline_code(column, message) == code


def holds(condition: str, code: str | None) -> bool:
    data = {"type": "decline", "id": "d1"} | ({"code": code} if code is not None else {})
    facts = DictFacts({("decline", "d1"): data})
    return evaluate(parse_condition(condition), facts, Ref("decline", "d1"), date(2026, 11, 23)).holds


def test_the_in_condition() -> None:
    assert holds("code in stolen_card, lost_card", "lost_card")
    assert holds("code in stolen_card, lost_card", "LOST_CARD")
    assert not holds("code in stolen_card, lost_card", "insufficient_funds")
    assert not holds("code in stolen_card, lost_card", None)
    assert holds("not code in stolen_card, lost_card", None)
    assert str(parse_condition("code in a, b").clauses[0]) == "code in a, b"


@pytest.mark.parametrize("path", PROCESSES, ids=["template", "sample vault"])
def test_the_follow_up_process_retries_soft_declines_and_asks_hard_ones_for_a_new_card(path: Path) -> None:
    steps = {re.search(r"\[id:: ([a-z0-9-]+)\]", line).group(1): line  # type: ignore[union-attr]
             for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("- [ ]")}
    listed = {name: set(re.search(r"\[when:: (?:not )?code in ([^\]]+)\]", steps[name]).group(1)  # type: ignore[union-attr]
                        .replace(",", " ").split()) for name in ("retry", "new-card")}
    assert listed == {"retry": set(HARD), "new-card": set(HARD)}
    assert "[when:: not code in " in steps["retry"] and "[when:: code in " in steps["new-card"]
    assert "[email:: payment-failed-new-card]" in steps["new-card"] and "retry" not in steps["new-card"].split("[")[0]
    assert (ROOT / "templates" / "emails" / "payment-failed-new-card.md").is_file()
