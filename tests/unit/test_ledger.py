"""The stock ledger: table format, parsing with line numbers, running totals, movements, appends."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from obm_tui.model.ledger import (
    Movement,
    StockError,
    adjust,
    append,
    check,
    commit_message,
    count,
    oversold,
    parse,
    receive,
    record,
    render_row,
    ship,
)

DAY = date(2026, 11, 20)
ID_HEADER = ("| Date | Movement | Qty | On hand | Ref | Note | Id |\n"
             "|------------|----------|----:|--------:|-----|------|--------|\n")


def ided(movement: Movement, row_id: str = "R00001") -> Movement:
    """A movement with a known row id (obm gives each new row a random one)."""
    return replace(movement, row_id=row_id)
DOC_BODY = """Stoneware mug with the logo on both sides. Ships in the blue box.

## Ledger

| Date | Movement | Qty | On hand | Ref | Note |
|------------|----------|----:|--------:|-----|------|
| 2026-09-01 | count | 0 | 20 | | opening stock |
| 2026-11-18 | ship | -6 | 14 | order 1038 | |
| 2026-11-20 | ship | -3 | 11 | order 1042 | |
"""

ID_BODY = DOC_BODY.replace("| Note |\n|------------|----------|----:|--------:|-----|------|\n",
                           "| Note | Id |\n|------------|----------|----:|--------:|-----|------|--------|\n")


def test_the_documented_example() -> None:
    ledger = parse(DOC_BODY)
    assert ledger.problems == ()
    assert ledger.heading_line == 3
    assert [(m.kind, m.qty, m.on_hand, m.ref, m.line) for m in ledger.movements] == [
        ("count", 0, 20, "", 7), ("ship", -6, 14, "order 1038", 8), ("ship", -3, 11, "order 1042", 9)]
    assert ledger.movements[0].note == "opening stock"
    assert ledger.balance == 11
    assert check(ledger, 11) == ()


ROWS = [
    # name, row, (when, kind, qty, on_hand, ref, note)
    ("receive", "| 2026-11-20 | receive | +24 | 35 | PO-261101-AB3 | |", (DAY, "receive", 24, 35, "PO-261101-AB3", "")),
    ("alias sold", "| 2026-11-20 | Sold | -1 | 10 | | |", (DAY, "ship", -1, 10, "", "")),
    ("date and time", "| 2026-11-20 14:05 | ship | -1 | 10 | | |",
     (datetime(2026, 11, 20, 14, 5), "ship", -1, 10, "", "")),
    ("escaped pipe", r"| 2026-11-20 | adjust | -1 | 10 | a\|b | broken \| dropped |",
     (DAY, "adjust", -1, 10, "a|b", "broken | dropped")),
    ("unicode minus", "| 2026-11-20 | ship | \u22122 | 9 | | |", (DAY, "ship", -2, 9, "", "")),
    ("no outer pipes at end", "| 2026-11-20 | ship | -2 | 9 | x | y", (DAY, "ship", -2, 9, "x", "y")),
]


@pytest.mark.parametrize(("row", "expected"), [c[1:] for c in ROWS], ids=[c[0] for c in ROWS])
def test_rows(row: str, expected: tuple[object, ...]) -> None:
    body = "## Ledger\n| Date | Movement | Qty | On hand | Ref | Note |\n|---|---|---|---|---|---|\n" + row + "\n"
    ledger = parse(body)
    assert ledger.problems == ()
    (m,) = ledger.movements
    assert (m.when, m.kind, m.qty, m.on_hand, m.ref, m.note) == expected


BAD_ROWS = [
    ("bad date", "| 2026-13-01 | ship | -1 | 9 | | |", "expected a date"),
    ("unknown movement", "| 2026-11-20 | steal | -1 | 9 | | |", "unknown movement 'steal'"),
    ("qty not a number", "| 2026-11-20 | ship | three | 9 | | |", "Qty must be a whole number"),
    ("decimal qty", "| 2026-11-20 | ship | -1.5 | 9 | | |", "Qty must be a whole number"),
    ("on hand not a number", "| 2026-11-20 | ship | -1 | nine | | |", "On hand must be a whole number"),
    ("ship adding", "| 2026-11-20 | ship | +1 | 11 | | |", "a ship must take units out"),
    ("receive taking", "| 2026-11-20 | receive | -1 | 9 | | |", "a receive must add units"),
    ("adjust zero", "| 2026-11-20 | adjust | 0 | 10 | | |", "an adjust must change"),
    ("count with qty", "| 2026-11-20 | count | +2 | 12 | | |", "a count row has Qty 0"),
]


@pytest.mark.parametrize(("row", "says"), [c[1:] for c in BAD_ROWS], ids=[c[0] for c in BAD_ROWS])
def test_bad_rows_are_problems_with_lines(row: str, says: str) -> None:
    body = ("intro\n\n## Ledger\n\n| Date | Movement | Qty | On hand |\n|---|---|---|---|\n"
            "| 2026-11-01 | count | 0 | 10 |\n" + row + "\n")
    ledger = parse(body)
    (problem,) = ledger.problems
    assert problem.line == 8 and says in problem.reason
    assert len(ledger.movements) == 1


def test_columns_found_by_name_in_any_order() -> None:
    body = "### ledger\n|on_hand|QTY|movement|date|\n|--|--|--|--|\n|11|-3|ship|2026-11-20|\n"
    ledger = parse(body)
    assert ledger.problems == () and ledger.movements[0].on_hand == 11
    moved = append(body, ided(ship(11, 1, DAY)))
    assert moved == ("### ledger\n|on_hand|QTY|movement|date| Id |\n|--|--|--|--|--------|\n"
                     "|11|-3|ship|2026-11-20|\n| 10 | -1 | ship | 2026-11-20 | R00001 |\n")


def test_missing_columns_are_one_problem() -> None:
    ledger = parse("## Ledger\n| Date | Movement |\n|--|--|\n| 2026-11-20 | ship |\n")
    (problem,) = ledger.problems
    assert problem.line == 2 and "no Qty, On hand column" in problem.reason
    with pytest.raises(StockError, match="columns"):
        record("## Ledger\n| Date | Movement |\n|--|--|\n", "MUG-01", 3, "ship", 1, DAY)


NO_LEDGER = [
    ("no heading", "Just a description.\n"),
    ("heading without table", "## Ledger\n\nNothing yet.\n"),
    ("table under another heading", "## Ledger\n## Other\n| a | b |\n"),
    ("empty body", ""),
]


@pytest.mark.parametrize("body", [c[1] for c in NO_LEDGER], ids=[c[0] for c in NO_LEDGER])
def test_no_ledger_table(body: str) -> None:
    ledger = parse(body)
    assert ledger.movements == () and ledger.problems == () and ledger.insert_at == -1
    new = append(body, receive(0, 5, DAY, "PO-1"))
    assert new.startswith(body.split("## Other")[0].split("Nothing yet")[0])
    again = parse(new)
    assert again.problems == () and [m.on_hand for m in again.movements] == [5]


def test_new_ledger_at_end_of_body_keeps_bytes() -> None:
    body = "Description"
    new = append(body, ided(receive(0, 5, DAY)))
    assert new == "Description\n\n## Ledger\n\n" + ID_HEADER + "| 2026-11-20 | receive | +5 | 5 |  |  | R00001 |\n"


def test_heading_without_table_gets_the_table_under_it() -> None:
    body = "## Ledger\n\n## Notes\nkeep me\n"
    new = append(body, receive(0, 5, DAY))
    assert new.startswith("## Ledger\n\n| Date |") and new.endswith("## Notes\nkeep me\n")


def test_append_inserts_after_the_last_row_only() -> None:
    new = append(ID_BODY + "\nAfter the table.\n", ided(ship(11, 2, DAY, "order 1050")))
    row = "| 2026-11-20 | ship | -2 | 9 | order 1050 |  | R00001 |\n"
    assert new == ID_BODY + row + "\nAfter the table.\n"


def test_append_to_a_table_without_ids_adds_the_column_and_keeps_old_rows() -> None:
    new = append(DOC_BODY, ided(ship(11, 2, DAY)))
    assert new == ID_BODY + "| 2026-11-20 | ship | -2 | 9 |  |  | R00001 |\n"
    assert [m.row_id for m in parse(new).movements] == ["", "", "", "R00001"]


def test_append_crlf_and_no_final_newline() -> None:
    crlf = ID_BODY.replace("\n", "\r\n")
    assert append(crlf, ided(ship(11, 1, DAY))) == crlf + "| 2026-11-20 | ship | -1 | 10 |  |  | R00001 |\r\n"
    assert append(DOC_BODY.replace("\n", "\r\n"), ided(ship(11, 1, DAY))) == crlf + (
        "| 2026-11-20 | ship | -1 | 10 |  |  | R00001 |\r\n")
    bare = ID_BODY.rstrip("\n")
    assert append(bare, ided(ship(11, 1, DAY))) == bare + "\n| 2026-11-20 | ship | -1 | 10 |  |  | R00001 |"


def test_running_total_breaks_and_end_mismatch() -> None:
    body = DOC_BODY.replace("| 2026-11-20 | ship | -3 | 11 |", "| 2026-11-20 | ship | -3 | 12 |")
    problems = check(parse(body), 11)
    assert [(p.line, p.reason) for p in problems] == [
        (9, "on hand 12 does not follow 14 -3 = 11"),
        (9, "the ledger ends at 12 but on_hand is 11"),
    ]


def test_opening_below_zero() -> None:
    body = "## Ledger\n|Date|Movement|Qty|On hand|\n|-|-|-|-|\n|2026-11-20|receive|+5|2|\n"
    (bad,) = check(parse(body), 2)
    assert (bad.line, bad.reason) == (4, "opening stock would be -3 (below 0)")
    assert check(parse(body.replace("|+5|2|", "|+5|5|")), 5) == ()


OVERSOLD_BODY = DOC_BODY.replace("| 2026-11-20 | ship | -3 | 11 | order 1042 | |\n",
                                 "| 2026-11-20 | ship | -14 | 0 | order 1042 | |\n"
                                 "| 2026-11-20 | ship | -2 | -2 | order 1043 | |\n"
                                 "| 2026-11-21 | ship | -1 | -3 | order 1044 | |\n"
                                 "| 2026-11-22 | receive | +1 | -2 | PO-1 | |\n")


def test_a_ledger_that_ends_below_zero_reads_and_says_oversold_at_its_lowest_row() -> None:
    parsed = parse(OVERSOLD_BODY)
    assert parsed.problems == () and parsed.balance == -2
    assert check(parsed, -2) == ()  # the arithmetic holds: the stock was oversold, not mistyped
    problem = oversold(parsed.movements)
    assert problem is not None and problem.line == 11
    assert problem.reason == ("oversold — on hand went to -3 on 2026-11-21 (both clones shipped the last units); "
                              "count the stock")


def test_a_dip_below_zero_that_came_back_is_history() -> None:
    body = OVERSOLD_BODY.replace("| 2026-11-22 | receive | +1 | -2 |", "| 2026-11-22 | receive | +5 | 2 |")
    assert oversold(parse(body).movements) is None and check(parse(body), 2) == ()
    assert oversold(parse(DOC_BODY).movements) is None and oversold(()) is None


OVERSOLD_PLANS = [
    ("count", "count", 4, "stock MUG-01: adjusted +6 (count), -2 -> 4"),
    ("count zero", "count", 0, "stock MUG-01: adjusted +2 (count), -2 -> 0"),
    ("receive", "receive", 24, "stock MUG-01: received 24, -2 -> 22"),
    ("receive, still short", "receive", 1, "stock MUG-01: received 1, -2 -> -1"),
    ("adjust up", "adjust", 3, "stock MUG-01: adjusted +3, -2 -> 1"),
]


@pytest.mark.parametrize(("kind", "qty", "message"), [c[1:] for c in OVERSOLD_PLANS],
                         ids=[c[0] for c in OVERSOLD_PLANS])
def test_an_oversold_product_takes_units_coming_in_and_a_count(kind: str, qty: int, message: str) -> None:
    done = record(OVERSOLD_BODY, "MUG-01", -2, kind, qty, DAY)
    assert done.message == message and done.problems == ()
    assert check(parse(done.body), done.movement.on_hand) == ()


@pytest.mark.parametrize(("kind", "qty", "verb"), [("ship", 1, "ship 1"), ("adjust", -1, "take out 1")])
def test_an_oversold_product_refuses_units_going_out_until_counted(kind: str, qty: int, verb: str) -> None:
    says = f"cannot {verb} of MUG-01: on hand is -2 (oversold); count the stock first"
    with pytest.raises(StockError) as refused:
        record(OVERSOLD_BODY, "MUG-01", -2, kind, qty, DAY)
    assert refused.value.message == says


def test_a_count_too_far_from_the_ledger_is_refused() -> None:
    with pytest.raises(StockError, match="more than 1,000,000,000 units apart"):
        count(-2, 1_000_000_000, DAY)


PLANS = [
    ("receive", lambda: receive(11, 24, DAY, "PO-1", sku="MUG-01"), ("receive", 24, 35)),
    ("ship", lambda: ship(14, 3, DAY, "order 1042", sku="MUG-01"), ("ship", -3, 11)),
    ("ship everything", lambda: ship(3, 3, DAY), ("ship", -3, 0)),
    ("adjust down", lambda: adjust(35, -1, DAY, "broken"), ("adjust", -1, 34)),
    ("adjust up", lambda: adjust(0, 2, DAY, "found"), ("adjust", 2, 2)),
    ("count matches", lambda: count(34, 34, DAY), ("count", 0, 34)),
    ("count lower", lambda: count(35, 34, DAY), ("adjust", -1, 34)),
    ("count higher", lambda: count(10, 12, DAY), ("adjust", 2, 12)),
    ("count zero", lambda: count(4, 0, DAY), ("adjust", -4, 0)),
]


@pytest.mark.parametrize(("plan", "expected"), [c[1:] for c in PLANS], ids=[c[0] for c in PLANS])
def test_planned_movements(plan: object, expected: tuple[str, int, int]) -> None:
    movement = plan()  # type: ignore[operator]
    assert (movement.kind, movement.qty, movement.on_hand) == expected


def test_a_disagreeing_count_is_an_adjustment_on_record() -> None:
    movement = count(35, 34, DAY, "shelf B")
    assert movement.ref == "count" and movement.note == "counted 34, ledger said 35; shelf B"


REFUSED = [
    ("ship more than on hand", lambda: ship(3, 5, DAY, sku="MUG-01"), "cannot ship 5 of MUG-01: only 3 on hand"),
    ("ship zero", lambda: ship(3, 0, DAY), "more than 0"),
    ("ship negative", lambda: ship(3, -2, DAY), "more than 0"),
    ("receive zero", lambda: receive(3, 0, DAY), "more than 0"),
    ("adjust below zero", lambda: adjust(1, -2, DAY, sku="MUG-01"), "cannot take out 2 of MUG-01: only 1 on hand"),
    ("adjust zero", lambda: adjust(1, 0, DAY), "changes nothing"),
    ("negative count", lambda: count(1, -1, DAY), "cannot be negative"),
    ("float quantity", lambda: ship(3, 1.0, DAY), "whole number"),  # type: ignore[arg-type]
    ("bool quantity", lambda: receive(3, True, DAY), "whole number"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("plan", "says"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_movements(plan: object, says: str) -> None:
    with pytest.raises(StockError, match=says.replace("(", r"\(")):
        plan()  # type: ignore[operator]


MESSAGES = [
    ("shipped", Movement(DAY, "ship", -3, 11, "order 1042"), "stock MUG-01: shipped 3 (order 1042), 14 -> 11"),
    ("received", Movement(DAY, "receive", 24, 35, "PO-261101-AB3"),
     "stock MUG-01: received 24 (PO-261101-AB3), 11 -> 35"),
    ("adjusted", Movement(DAY, "adjust", -1, 34, "count"), "stock MUG-01: adjusted -1 (count), 35 -> 34"),
    ("no ref", Movement(DAY, "adjust", 2, 5), "stock MUG-01: adjusted +2, 3 -> 5"),
    ("counted", Movement(DAY, "count", 0, 34), "stock MUG-01: counted 34, matches"),
]


@pytest.mark.parametrize(("movement", "message"), [c[1:] for c in MESSAGES], ids=[c[0] for c in MESSAGES])
def test_commit_messages(movement: Movement, message: str) -> None:
    assert commit_message("MUG-01", movement) == message


def test_record_ships_from_the_ledger_end() -> None:
    done = record(DOC_BODY, "MUG-01", 11, "ship", 3, DAY, "order 1050")
    assert done.message == "stock MUG-01: shipped 3 (order 1050), 11 -> 8"
    assert done.body.startswith(ID_BODY) and done.problems == () and len(done.movement.row_id) == 6
    assert parse(done.body).balance == 8


def test_record_on_an_empty_ledger_starts_from_on_hand() -> None:
    done = record("A mug.\n", "MUG-01", 14, "ship", 3, DAY, "order 1042")
    assert done.message == "stock MUG-01: shipped 3 (order 1042), 14 -> 11"
    assert check(parse(done.body), 11) == ()


def test_record_refuses_when_ledger_and_on_hand_disagree_except_a_count() -> None:
    with pytest.raises(StockError, match="ends at 11 but on_hand is 12"):
        record(DOC_BODY, "MUG-01", 12, "ship", 1, DAY)
    done = record(DOC_BODY, "MUG-01", 12, "count", 12, DAY)
    assert done.movement.kind == "adjust" and done.movement.qty == 1
    assert done.message == "stock MUG-01: adjusted +1 (count), 11 -> 12"
    assert check(parse(done.body), 12) == ()


def test_record_refuses_when_the_last_row_is_unreadable() -> None:
    body = DOC_BODY + "| 2026-11-21 | ship | lots | 5 | | |\n"
    with pytest.raises(StockError, match="cannot be read"):
        record(body, "MUG-01", 11, "ship", 1, DAY)


def test_record_refuses_negative_stock_and_unknown_kinds() -> None:
    with pytest.raises(StockError, match="only 11 on hand"):
        record(DOC_BODY, "MUG-01", 11, "ship", 12, DAY)
    with pytest.raises(StockError, match="unknown movement"):
        record(DOC_BODY, "MUG-01", 11, "steal", 1, DAY)


def test_record_reports_old_breaks_but_goes_on() -> None:
    body = DOC_BODY.replace("| 2026-11-18 | ship | -6 | 14 |", "| 2026-11-18 | ship | -6 | 15 |")
    done = record(body, "MUG-01", 11, "ship", 1, DAY)
    assert [p.line for p in done.problems] == [8, 9]
    assert done.movement.on_hand == 10


def test_rendered_cells_stay_one_line() -> None:
    assert render_row(Movement(DAY, "adjust", -1, 3, "a|b", "line one\nline two")) == (
        r"| 2026-11-20 | adjust | -1 | 3 | a\|b | line one line two |  |")


_steps = st.lists(st.tuples(st.sampled_from(["receive", "ship", "adjust", "count"]), st.integers(0, 60),
                            st.text(max_size=15)), min_size=1, max_size=25)


@given(_steps, st.integers(0, 50), st.sampled_from(["", "Notes.\n", "Notes.", "x\r\n"]))
def test_recorded_ledgers_always_add_up(steps: list[tuple[str, int, str]], start: int, body: str) -> None:
    on_hand = start
    for kind, qty, ref in steps:
        before = body
        try:
            done = record(body, "SKU-1", on_hand, kind, qty if kind != "adjust" else qty - 30, DAY, ref, ref)
        except StockError:
            assert body == before
            continue
        assert done.body.startswith(before)
        body, on_hand = done.body, done.movement.on_hand
        last = parse(body).movements[-1]
        assert (last.kind, last.qty, last.on_hand) == (done.movement.kind, done.movement.qty, on_hand)
        assert last.ref == " ".join(done.movement.ref.split())
        assert on_hand >= 0
    ledger = parse(body)
    assert check(ledger, on_hand) == ()
    assert ledger.balance in (None, on_hand)
    if ledger.movements:
        assert ledger.movements[0].before + sum(m.qty for m in ledger.movements) == on_hand
        assert all(m.ref == " ".join(m.ref.split()) for m in ledger.movements)


MERGED = """## Ledger

| date | movement | qty | onhand | ref | note |
|------|----------|----:|-------:|-----|------|
| 2026-11-01 | count | 0 | 10 | count | opening stock |
| 2026-11-20 | ship | -3 | 7 | order 1042 |  |
| 2026-11-21 | receive | +2 | 12 | PO-1 | |
"""


def test_rerun_runs_the_totals_through_merged_rows_and_leaves_right_ones_alone() -> None:
    from obm_tui.model.ledger import check, parse, rerun

    fixed = rerun(MERGED)
    assert "| 2026-11-21 | receive | +2 | 9 | PO-1 |  |" in fixed
    assert "| 2026-11-20 | ship | -3 | 7 | order 1042 |  |" in fixed  # already right: byte for byte
    assert check(parse(fixed), 9) == ()
    assert rerun(fixed) == fixed
    crlf = MERGED.replace("\n", "\r\n")
    assert rerun(crlf) == fixed.replace("\n", "\r\n")
    assert rerun("no ledger here\n") == "no ledger here\n"
