"""Customer care from the app: the queue with both clocks, a ticket's conversation (newest last,
notes marked internal), replies typed or started from a canned reply, notes, status moves (only
the allowed ones), and new tickets from a form — on the screen and in the files and commits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Select

from obm_tui.model.tickets import allowed_moves
from obm_tui.services.care_queue import queue
from obm_tui.tui.care_flows import open_ticket
from obm_tui.tui.dialogs.choice import ChoiceDialog
from obm_tui.tui.dialogs.new_ticket import NewTicketDialog
from obm_tui.tui.dialogs.reply import ReplyDialog
from obm_tui.tui.screens.ticket import TicketScreen
from obm_tui.tui.screens.tickets import TicketsScreen
from obm_tui.tui.widgets.safe_text_area import SafeTextArea
from obm_tui.tui.widgets.virtual_table import VirtualTable
from obm_tui.vault.store import Vault
from tests.tui.helpers import (
    NOW,
    commit_count,
    git,
    make_app,
    notifications,
    screen_text,
    settle,
)
from tests.tui.work_helpers import demo_copy

URGENT = "tickets/T-261123-H2V-launch-lab-checkout-page-gives-an-error.md"


@pytest.fixture
def sample(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Vault]:
    """This test's copy of the sample vault (see work_helpers.demo_copy)."""
    vault = Vault.open(demo_copy(tmp_path_factory, tmp_path))
    yield vault
    vault.close()



def last_subject(vault: Vault) -> str:
    return git(vault.root, "log", "-1", "--format=%s").strip()


async def test_the_queue_is_in_the_order_to_answer_with_both_clocks(sample: Vault) -> None:
    entries, _ = queue(sample, NOW)
    app = make_app(sample)
    async with app.run_test(size=(180, 50)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, TicketsScreen)
        source = app.screen.query_one(VirtualTable).source
        assert [source.key(i) for i in range(len(entries))] == [e.record.path for e in entries]
        text = screen_text(app)
        assert "FIRST RESPONSE" in text and "RESOLUTION" in text and "overdue" in text and "left" in text
        overdue = next(i for i in range(len(entries)) if "overdue" in " ".join(source.cells(i)))
        assert source.style(overdue) == "overdue"


async def test_enter_opens_the_conversation_newest_last_with_notes_marked(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        table.move_to_key(URGENT)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        text = screen_text(app)
        assert text.index("CUSTOMER") < text.index("INTERNAL NOTE") and "(never sent to the customer)" in text
        assert "first response:" in text and "resolution:" in text


async def test_reply_from_a_canned_reply_edited_before_it_goes(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 44), notifications=True) as pilot:
        await settle(pilot)
        open_ticket(app, URGENT)
        await settle(pilot)
        before = commit_count(sample.root)
        await pilot.press("r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReplyDialog)
        dialog.query_one("#canned", Select).value = "holiday-shipping"
        await settle(pilot)
        area = dialog.query_one(SafeTextArea)
        assert area.text.startswith("Hi Ethan,")
        assert dialog.query_one("#status", Select).value == "pending"  # the canned reply's status
        await pilot.press("end", *" PS:")
        area.insert(" checkout works again.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert commit_count(sample.root) == before + 1
        assert last_subject(sample) == "ticket T-261123-H2V: replied; status new -> pending"
        text = (sample.root / URGENT).read_text()
        assert "Hi Ethan," in text and "PS: checkout works again." in text and "status: pending" in text
        assert "ticket T-261123-H2V: replied; status new -> pending" in notifications(app)[-1]
        assert "PS: checkout works again." in screen_text(app)


async def test_a_canned_reply_sent_as_it_is_is_named_in_the_commit(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 44)) as pilot:
        await settle(pilot)
        open_ticket(app, URGENT)
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one("#canned", Select).value = "holiday-shipping"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert last_subject(sample) == "ticket T-261123-H2V: replied (holiday-shipping); status new -> pending"


async def test_an_internal_note_and_an_empty_reply(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 44)) as pilot:
        await settle(pilot)
        open_ticket(app, URGENT)
        await settle(pilot)
        before = commit_count(sample.root)
        await pilot.press("r", "ctrl+s")  # empty: refused in the dialog, nothing written
        await settle(pilot)
        assert isinstance(app.screen, ReplyDialog) and "The reply is empty." in screen_text(app)
        await pilot.press("escape", "i", *"Fred says:")
        app.screen.query_one(SafeTextArea).insert(" refund if it fails again")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert commit_count(sample.root) == before + 1
        assert last_subject(sample) == "ticket T-261123-H2V: note added"
        text = (sample.root / URGENT).read_text()
        assert "(note)\nFred says: refund if it fails again" in text and "status: new" in text
        assert screen_text(app).count("INTERNAL NOTE") == 2


async def test_status_moves_offer_only_the_allowed_ones(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 44)) as pilot:
        await settle(pilot)
        open_ticket(app, URGENT)
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert [key for key, _ in dialog.options] == list(allowed_moves("new"))
        await pilot.press("down", "enter")  # pending
        await settle(pilot)
        assert last_subject(sample) == "ticket T-261123-H2V: status new -> pending"
        assert sample.index.by_path(URGENT).text("status") == "pending"
        assert " pending " in screen_text(app)


async def test_n_opens_a_new_ticket_form(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("4", "n")
        await settle(pilot)
        assert isinstance(app.screen, NewTicketDialog)
        await pilot.press(*"Mug", "enter", *"Lena", "enter", *"lena@", "enter")
        app.screen.query_one("#subject").value = "Mug handle broke"
        app.screen.query_one(SafeTextArea).load("The handle came off on day two.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NewTicketDialog) and "email" in screen_text(app)  # a bad address
        assert app.screen.focused is app.screen.query_one("#email")  # the field to fix
        await pilot.press("end", *"example.com", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        record = sample.index.by_path(app.screen.path)
        assert record.title == "Mug handle broke" and record.text("email") == "lena@example.com"
        assert last_subject(sample).startswith(f"ticket {record.id}: created")
        assert "The handle came off on day two." in (sample.root / record.path).read_text()
        assert "Lena" in screen_text(app)


async def test_a_ticket_line_of_today_opens_the_conversation(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        table.cursor = next(i for i in range(table.row_count) if "#Tickets#" in table.source.key(i))
        expected = table.cursor_key.split("#")[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.path == expected
