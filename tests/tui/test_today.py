"""Today on the sample vault: each section shows its most urgent lines, and "… more" shows the rest."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from obm_tui.services.agenda import SECTIONS, AgendaItem, build_agenda
from obm_tui.tui.screens.record import RecordScreen
from obm_tui.tui.screens.run import RunScreen
from obm_tui.tui.screens.today import CAP, AgendaSource, TodayScreen
from obm_tui.tui.widgets.virtual_table import VirtualTable
from obm_tui.vault.store import Vault
from tests.tui.helpers import NOW, make_app, screen_text, settle, wait_for
from tests.tui.work_helpers import demo_copy

SIZE = (120, 40)
LONG = "Checklist steps"  # the sample vault's longest section (some sixty steps)


@pytest.fixture
def sample(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Vault]:
    """This test's copy of the sample vault."""
    vault = Vault.open(demo_copy(tmp_path_factory, tmp_path))
    yield vault
    vault.close()


def table_of(app) -> VirtualTable:  # type: ignore[no-untyped-def]
    return app.screen.query_one(VirtualTable)


def keys(table: VirtualTable) -> list[str]:
    return [table.source.key(i) for i in range(table.row_count)]


def section_keys(table: VirtualTable, section: str) -> list[str]:
    """The keys of a section's lines below its heading."""
    rows = keys(table)
    start = rows.index(f"section:{section}") + 1
    end = next((i for i in range(start, len(rows)) if rows[i].startswith("section:")), len(rows))
    return rows[start:end]


def expected(vault: Vault, section: str) -> list[AgendaItem]:
    """The section's items as the agenda service lists them, most urgent first."""
    return [i for i in build_agenda(vault, NOW) if i.section == section]


async def to_key(pilot, key: str) -> None:  # type: ignore[no-untyped-def]
    table = table_of(pilot.app)
    index = table.source.index_of(key)
    assert index is not None, key
    table.cursor = index
    await settle(pilot)



def full_agenda(per_section: int) -> list[AgendaItem]:
    return [AgendaItem(section, 0, date(2026, 11, n + 1), f"{section} {n}", f"x/{section}-{n}.md")
            for section in SECTIONS for n in range(per_section)]


async def test_every_section_heading_is_on_the_first_screen(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table, text = table_of(app), screen_text(app)
        visible = table.scrollable_content_region.height - 1  # below the header line
        for section in SECTIONS:
            assert table.source.index_of(f"section:{section}") < min(40, visible), section
            assert f"{section} ({len(expected(sample, section))})" in text
        assert len(expected(sample, LONG)) > CAP  # the sample really has a long section
        # and six sections full to the brim would still fit
        assert len(AgendaSource(full_agenda(CAP + 10))) <= visible


async def test_a_long_section_shows_its_most_urgent_items_and_how_many_more(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table, items = table_of(app), expected(sample, LONG)
        lines = section_keys(table, LONG)
        assert len(lines) == CAP + 1 and lines[-1] == f"more:{LONG}"
        shown = [table.source.item(table.source.index_of(k)) for k in lines[:CAP]]
        assert [(i.path, i.title) for i in shown] == [(i.path, i.title) for i in items[:CAP]]
        more = table.source.cells(table.source.index_of(f"more:{LONG}"))
        assert f"… {len(items) - CAP} more checklist steps (enter: all)" in more
        assert table.source.style(table.source.index_of(f"more:{LONG}")) == "muted"
        everything = build_agenda(sample, NOW)
        overdue = sum(1 for i in everything if i.urgency == 0)
        assert f"{overdue} overdue" in screen_text(app) and f"{len(everything)} in all" in screen_text(app)


async def test_enter_on_more_shows_all_in_place_and_show_fewer_collapses(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table, items = table_of(app), expected(sample, LONG)
        await to_key(pilot, f"more:{LONG}")
        line = table.cursor
        await pilot.press("enter")
        await settle(pilot)
        lines = section_keys(table, LONG)
        assert len(lines) == len(items) + 1 and lines[-1] == f"fewer:{LONG}"
        assert table.cursor == line and table.source.item(line) is not None  # the next item, same line
        assert table.source.item(line).title == items[CAP].title
        assert isinstance(app.screen, TodayScreen)
        await to_key(pilot, f"fewer:{LONG}")
        await pilot.press("enter")
        await settle(pilot)
        assert len(section_keys(table, LONG)) == CAP + 1
        assert table.cursor_key == f"more:{LONG}"


async def test_an_expanded_section_stays_expanded_and_the_cursor_stays_when_the_agenda_is_rebuilt(
        sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        app.screen.show_all(LONG)  # type: ignore[attr-defined]
        await settle(pilot)
        key = section_keys(table, LONG)[CAP + 5]
        await to_key(pilot, key)
        app.screen.refresh_data(None)  # type: ignore[attr-defined]
        await settle(pilot)
        assert section_keys(table, LONG)[-1] == f"fewer:{LONG}" and table.cursor_key == key


async def test_an_expanded_section_survives_an_edit_from_another_process(sample: Vault) -> None:
    app = make_app(sample, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        follow_up = expected(sample, "Follow-ups")[0]
        await to_key(pilot, f"more:{LONG}")
        await pilot.press("enter")
        await settle(pilot)
        key = table.cursor_key
        due = follow_up.due.isoformat()  # type: ignore[union-attr]
        edit_in_another_process(sample.root / follow_up.path, f"follow_up: {due}", "follow_up: 2026-11-01")

        def moved() -> bool:
            lines = [table.source.item(table.source.index_of(k)) for k in section_keys(table, "Follow-ups")]
            return any(i is not None and i.path == follow_up.path and i.due == date(2026, 11, 1) for i in lines)

        await wait_for(pilot, moved)
        await settle(pilot)
        assert section_keys(table, LONG)[-1] == f"fewer:{LONG}" and table.cursor_key == key


def edit_in_another_process(path: Path, old: str, new: str) -> None:
    code = ("import os, sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
            "t = p.with_name('.' + p.name + '.swp')\n"  # temp + rename, as editors save
            "t.write_text(p.read_text().replace(sys.argv[2], sys.argv[3], 1))\nos.replace(t, p)\n")
    subprocess.run([sys.executable, "-c", code, str(path), old, new], check=True)


@pytest.mark.parametrize(("section", "screen"), [(LONG, RunScreen), ("Follow-ups", RecordScreen)],
                         ids=["checklist-step", "follow-up"])
async def test_an_item_of_a_capped_section_still_opens(sample: Vault, section: str, screen: type) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert section_keys(table, section)[-1] == f"more:{section}"
        await to_key(pilot, section_keys(table, section)[CAP - 1])
        item = table.source.item(table.cursor)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, screen) and app.screen.path == item.path


@pytest.mark.parametrize("key", ["section:Follow-ups", "none:Checklist steps"], ids=["heading", "nothing-due"])
async def test_enter_on_a_heading_or_nothing_due_does_nothing(vault: Vault, key: str) -> None:
    app = make_app(vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        before = keys(table)
        await to_key(pilot, key)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen) and keys(table) == before and table.cursor_key == key


async def test_brackets_jump_between_section_headings(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        for section in SECTIONS[1:]:
            await pilot.press("right_square_bracket")
            assert table.cursor_key == f"section:{section}"
        await pilot.press("right_square_bracket")  # the last heading: stays
        assert table.cursor_key == f"section:{SECTIONS[-1]}"
        for section in reversed(SECTIONS[:-1]):
            await pilot.press("left_square_bracket")
            assert table.cursor_key == f"section:{section}"


@pytest.mark.parametrize(("count", "lines"), [
    (0, ["none:Invoices"]),
    (CAP, [f"x/Invoices-{n}.md#Invoices#Invoices {n}" for n in range(CAP)]),
    (CAP + 1, [f"x/Invoices-{n}.md#Invoices#Invoices {n}" for n in range(CAP)] + ["more:Invoices"]),
], ids=["empty", "exactly-full", "one-too-many"])
def test_the_lines_of_a_section(count: int, lines: list[str]) -> None:
    items = [i for i in full_agenda(count) if i.section == "Invoices"]
    source = AgendaSource(items)
    rows = [source.key(i) for i in range(len(source))]
    start = rows.index("section:Invoices")
    assert rows[start + 1:] == lines and source.cells(start) == (f"Invoices ({count})",)
    if count > CAP:
        assert source.cells(len(source) - 1)[2] == "… 1 more invoice (enter: all)"


async def test_an_oversold_product_is_the_first_line_of_stock(tmp_path_factory: pytest.TempPathFactory,
                                                             tmp_path: Path) -> None:
    """After a merge took MUG-CLASSIC to -2 (as `obm sync` writes it), Today lists it first, in words."""
    root = demo_copy(tmp_path_factory, tmp_path)
    path = root / "stock/MUG-CLASSIC.md"
    last = "| 2026-11-19 14:13 | ship | -3 | 17 | order 1252 |  | JRQKJG |\n"
    text = path.read_text().replace("on_hand: 17\n", "on_hand: -2\n")
    path.write_text(text.replace(last, last + "| 2026-11-20 | ship | -19 | -2 | order 1260 | | QV7M2P |\n"))
    subprocess.run(["git", "-C", str(root), "commit", "-qam", "merge: MUG-CLASSIC oversold"], check=True)
    vault = Vault.open(root)
    try:
        app = make_app(vault)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            table = table_of(app)
            first = table.source.item(table.source.index_of(section_keys(table, "Stock")[0]))
            assert first.path == "stock/MUG-CLASSIC.md" and first.state == "overdue"
            assert first.title.startswith("MUG-CLASSIC Classic logo mug, 11 oz: oversold, -2 on hand; count the stock")
            assert first.detail == "on hand went to -2 on 2026-11-20"
    finally:
        vault.close()
