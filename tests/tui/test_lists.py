"""Today and the record lists, driven through Pilot against the fixed vault."""

from __future__ import annotations

import pytest

from obm_tui.tui.screens.record import RecordScreen
from obm_tui.tui.screens.records import RecordsScreen
from obm_tui.tui.widgets.virtual_table import VirtualTable
from obm_tui.vault.refresh import reload_paths
from obm_tui.vault.store import Vault
from tests.tui.helpers import make_app, screen_text, settle


async def test_today_counts_each_section_against_the_files(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        # fred (20 Nov, overdue) and ada (23 Nov, today); ben is not due until December
        assert "Follow-ups (2)" in text and "Follow up with Fred Smith" in text and "Ben Carter" not in text
        assert "Invoices (1)" in text and "INV-261101-AAA" in text and "INV-261120-BBB" not in text
        assert "Stock (1)" in text and "MUG-CLASSIC" in text and "PEN-SET" not in text
        assert "Declined payments (1)" in text and "Sam Oduya" in text
        assert "Checklist steps (0)" in text


async def test_today_opens_the_record_of_a_line(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert app.screen.path == "clients/fred-smith.md"  # the first item: Fred's overdue follow-up
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "today" and not isinstance(app.screen, RecordScreen)


@pytest.mark.parametrize(("key", "title", "shown"), [
    ("2", "Clients", "4 shown · 4 total · 1 with problems"),
    ("4", "Tickets", "1 shown · 1 total · no problems"),
    ("5", "Stock", "2 shown · 2 total · no problems"),
    ("6", "Declined payments", "1 shown · 1 total"),
    ("7", "Invoices", "2 shown · 2 total"),
    ("3", "Processes & runs", "1 shown · 1 total"),
], ids=["clients", "tickets", "stock", "declines", "invoices", "processes"])
async def test_every_main_list_opens_with_its_counts(vault: Vault, key: str, title: str, shown: str) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        text = screen_text(app)
        assert title in text and shown in text


async def clients(pilot) -> RecordsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RecordsScreen)
    return screen


async def test_filter_by_field_term_and_free_text_and_clear(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await clients(pilot)
        await pilot.press("slash", *"status:lead")
        await settle(pilot)
        assert screen.state()["shown"] == 1 and "1 shown · 4 total" in screen_text(app)
        await pilot.press("escape")  # leave the box, keep the filter? esc clears it
        await settle(pilot)
        assert screen.state()["shown"] == 4
        await pilot.press("slash", *"lovelaec")  # a typo: matched fuzzily
        await settle(pilot)
        assert screen.state()["shown"] == 1 and screen.state()["cursor"] == "clients/ada-lovelace.md"
        await pilot.press("enter")  # keep the filter, back to the table
        await pilot.press("enter")  # open the record
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.screen.path == "clients/ada-lovelace.md"


async def test_a_bad_filter_value_says_why(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await clients(pilot)
        await pilot.press("slash", *"follow_up<tomorrow")
        await settle(pilot)
        assert "expected a date" in screen_text(app)
        assert screen.state()["shown"] == 4


async def test_sort_by_next_column_and_reverse(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await clients(pilot)
        table = screen.query_one(VirtualTable)
        assert [table.source.key(i) for i in range(3)] == [
            "clients/ada-lovelace.md", "clients/ben-carter.md", "clients/broken.md"]
        await pilot.press("s")  # by name
        await pilot.press("S")  # reversed
        await settle(pilot)
        assert screen.sort_field == "name" and screen.descending
        assert table.source.key(0) == "clients/fred-smith.md"


async def test_cursor_and_scroll_survive_a_reload(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await clients(pilot)
        await pilot.press("j", "down")  # two rows down, with both keys
        assert screen.state()["cursor"] == "clients/broken.md"
        (vault.root / "clients" / "aaron-abbot.md").write_text(
            "---\ntype: client\nid: aaron-abbot\nname: Aaron Abbot\n---\n")
        app.note_changes(reload_paths(vault, ["clients/aaron-abbot.md"]).changed)
        await settle(pilot)
        assert screen.state()["shown"] == 5
        assert screen.state()["cursor"] == "clients/broken.md"  # same record, though it moved down a row
        await pilot.press("k", "up")
        assert screen.state()["cursor"] == "clients/ada-lovelace.md"


async def test_switch_between_processes_and_runs(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordsScreen) and screen.state()["kind"] == "process"
        await pilot.press("t")
        await settle(pilot)
        assert screen.state()["kind"] == "run" and "No runs yet" in screen_text(app)


async def test_archived_records_are_hidden_until_asked_for(vault: Vault) -> None:
    from obm_tui.services.records import archive_record

    archive_record(vault, "ben-carter")
    app = make_app(vault)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await clients(pilot)
        assert screen.state()["total"] == 3
        await pilot.press("a")
        await settle(pilot)
        assert screen.state()["total"] == 4 and "archived included" in screen_text(app)


async def test_number_keys_switch_screens_and_keep_each_stack(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 30)) as pilot:
        await clients(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        for key, mode in (("1", "today"), ("8", "history"), ("9", "problems"), ("2", "clients")):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
        assert isinstance(app.screen, RecordScreen)  # the clients tab kept the open record


async def test_list_keys_act_on_the_record_under_the_cursor(vault: Vault) -> None:
    from obm_tui.tui.screens.history import HistoryScreen

    app = make_app(vault)
    async with app.run_test(size=(120, 30)) as pilot:
        await clients(pilot)
        await pilot.press("j", "h")  # ben-carter's history
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen) and app.screen.path == "clients/ben-carter.md"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("d", "a")  # archive ben-carter from the list
        await settle(pilot)
        assert "archived: true" in (vault.root / "clients/ben-carter.md").read_text()
        assert app.screen.state()["total"] == 3
