"""Rows that merge: ledger rows matched by identity, kept once, totals recomputed (model only)."""

from __future__ import annotations

import pytest

from obm_tui.model.ids import CROCKFORD
from obm_tui.model.ledger import identities, merge, parse
from obm_tui.model.row_merge import Row, content_ids, merge_rows, new_row_id

HEAD = ("Mug.\n\n## Ledger\n\n| Date | Movement | Qty | On hand | Ref | Note | Id |\n"
        "|------------|----------|----:|--------:|-----|------|--------|\n"
        "| 2026-11-01 | count | 0 | 100 | | opening stock | |\n")
X1 = "| 2026-11-02 | receive | +5 | {} | X1 | | AAAAA1 |\n"
Y1 = "| 2026-11-03 | ship | -7 | {} | Y1 | | BBBBB1 |\n"
X2 = "| 2026-11-04 | ship | -2 | {} | X2 | | AAAAA2 |\n"


def lines_only(base: str, ours: str, theirs: str) -> tuple[str, bool]:
    """The text around the table: one side's change wins; both: ours, not clean."""
    if theirs in (base, ours):
        return ours, True
    return (theirs, True) if ours == base else (ours, False)


def refs(body: str) -> list[tuple[str, int]]:
    return [(m.ref, m.on_hand) for m in parse(body).movements]


def test_a_row_whose_running_column_was_recomputed_is_kept_once() -> None:
    """The issue's case: y put Y1 before X1 and recomputed X1's total; x then shipped X2."""
    base = HEAD + X1.format(105)
    ours = base + X2.format(103)
    theirs = HEAD + Y1.format(93) + X1.format(98)
    done = merge(base, ours, theirs, lines_only)
    assert done is not None and done.clean
    assert refs(done.body) == [("", 100), ("X1", 105), ("Y1", 98), ("X2", 96)]
    assert done.balance == 96


def test_each_side_adds_a_row_both_stay_in_date_order() -> None:
    base = HEAD
    done = merge(base, base + X2.format(98), base + X1.format(105), lines_only)
    assert done is not None and refs(done.body) == [("", 100), ("X1", 105), ("X2", 103)]
    assert done.body.startswith(HEAD + X1.format(105))  # rows whose total still follows keep their bytes


def test_a_row_one_side_deleted_stays_deleted() -> None:
    base = HEAD + X1.format(105)
    done = merge(base, base + Y1.format(98), HEAD, lines_only)
    assert done is not None and refs(done.body) == [("", 100), ("Y1", 93)]


def test_rows_without_ids_are_known_by_content_and_equal_rows_stay_two() -> None:
    plain = HEAD.replace(" Id |", "").replace("--------|", "").replace(" | |\n", " |\n")
    sale = "| 2026-11-05 | ship | -1 | {} | | |\n"
    base = plain + sale.format(99) + sale.format(98)
    theirs = plain + sale.format(99) + sale.format(98) + "| 2026-11-06 | receive | +3 | 101 | PO-1 | |\n"
    done = merge(base, base, theirs, lines_only)
    assert done is not None and refs(done.body) == [("", 100), ("", 99), ("", 98), ("PO-1", 101)]


def test_rows_with_ids_added_to_an_old_table_on_one_side() -> None:
    plain = HEAD.replace(" Id |", "").replace("--------|", "").replace(" | |\n", " |\n")
    theirs = HEAD + X1.format(105)  # theirs added a row, and with it the Id column
    ours = plain + "| 2026-11-03 | ship | -1 | 99 | web | |\n"  # an older obm's row
    done = merge(plain, ours, theirs, lines_only)
    assert done is not None and refs(done.body) == [("", 100), ("X1", 105), ("web", 104)]
    assert "| Note | Id |" in done.body and "| 2026-11-02 | receive | +5 | 105 | X1 | | AAAAA1 |" in done.body


def test_crlf_stays_crlf() -> None:
    base = HEAD.replace("\n", "\r\n")
    done = merge(base, base + X2.format(98).replace("\n", "\r\n"), base + X1.format(105).replace("\n", "\r\n"),
                 lines_only)
    assert done is not None and "\n" not in done.body.replace("\r\n", "")
    assert refs(done.body) == [("", 100), ("X1", 105), ("X2", 103)]


def test_the_text_around_the_table_merges_too() -> None:
    base = HEAD
    done = merge(base, base.replace("Mug.", "Blue mug.") + X2.format(98), base + X1.format(105), lines_only)
    assert done is not None and done.body.startswith("Blue mug.") and done.clean


@pytest.mark.parametrize("broken", ["| 2026-11-09 | ship | lots | 3 | | | |\n",
                                    "| 2026-11-09 | steal | -1 | 3 | | | |\n"])
def test_an_unreadable_row_on_a_side_is_left_to_the_line_merge(broken: str) -> None:
    assert merge(HEAD, HEAD + broken, HEAD + X1.format(105), lines_only) is None


def test_identities_and_new_ids() -> None:
    assert content_ids(["a", "b", "a"])[0] != content_ids(["a", "b", "a"])[2]
    ids = identities(parse(HEAD + X1.format(105)).movements)
    assert ids[0].startswith("~") and ids[1] == "AAAAA1"
    fresh = new_row_id()
    assert len(fresh) == 6 and set(fresh) <= set(CROCKFORD)


def row(identity: str, content: str, key: int) -> Row:
    return Row(identity, content, key, identity)


def test_merge_rows_takes_the_only_side_that_changed_a_row() -> None:
    base = [row("a", "1", 1), row("b", "1", 2)]
    ours = [row("a", "1", 1), row("b", "2", 2)]
    theirs = [row("a", "3", 1), row("b", "1", 2), row("c", "1", 0)]
    merged = merge_rows(base, ours, theirs)
    assert [(r.identity, r.content) for r in merged] == [("c", "1"), ("a", "3"), ("b", "2")]
