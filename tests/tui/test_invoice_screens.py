"""Invoices from the app: the list's balance column, `m` marks a draft sent and `p` records a
payment from a small form (checked before anything is written), on the list and on an invoice's
own screen, which shows its balance — on the screen, in the files and in the commits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from obm_tui.tui.dialogs.payment import PaymentDialog
from obm_tui.tui.screens.invoices import InvoicesScreen
from obm_tui.tui.widgets.virtual_table import VirtualTable
from obm_tui.vault.store import Vault
from tests.tui.helpers import commit_count, git, make_app, notifications, screen_text, settle
from tests.tui.work_helpers import demo_copy

DRAFT = "invoices/INV-261120-P8K.md"  # 2400.00, a draft
SENT = "invoices/INV-261101-R1X.md"  # 2000.00, sent, due 2026-11-15


@pytest.fixture
def sample(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Vault]:
    vault = Vault.open(demo_copy(tmp_path_factory, tmp_path))
    yield vault
    vault.close()


def last_subject(vault: Vault) -> str:
    return git(vault.root, "log", "-1", "--format=%s").strip()


async def open_invoices(pilot) -> VirtualTable:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("7")
    await settle(pilot)
    assert isinstance(pilot.app.screen, InvoicesScreen)
    return pilot.app.screen.query_one(VirtualTable)


async def test_m_on_the_list_marks_a_draft_sent(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(180, 40), notifications=True) as pilot:
        table = await open_invoices(pilot)
        table.move_to_key(DRAFT)
        before = commit_count(sample.root)
        await pilot.press("m")
        await settle(pilot)
        assert commit_count(sample.root) == before + 1
        assert last_subject(sample).startswith("invoice INV-261120-P8K: draft -> sent, issued 2026-11-23, due ")
        assert last_subject(sample) in notifications(app)[-1]
        assert sample.index.by_path(DRAFT).text("status") == "sent"
        await pilot.press("m")  # sent already: said, nothing written
        await settle(pilot)
        assert commit_count(sample.root) == before + 1 and "only a draft can be sent" in notifications(app)[-1]


async def test_p_on_the_list_records_a_payment_from_the_form(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(180, 40), notifications=True) as pilot:
        table = await open_invoices(pilot)
        assert "BALANCE" in screen_text(app) and "2,000.00 USD" in screen_text(app)
        table.move_to_key(SENT)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PaymentDialog)
        before = commit_count(sample.root)
        await pilot.press(*"12,50", "enter")  # refused in the form: nothing written
        await settle(pilot)
        assert isinstance(app.screen, PaymentDialog) and "a comma only groups thousands" in screen_text(app)
        await pilot.press(*["backspace"] * 5, *"500.00", "tab", "tab", *"card", "tab", *"ch_77", "enter")
        await settle(pilot)
        assert commit_count(sample.root) == before + 1
        assert last_subject(sample) == ("invoice INV-261101-R1X: payment 500.00 USD by card (ch_77), "
                                        "balance 1500.00, sent -> partly-paid")
        assert "| 2026-11-23 | 500.00 | card | ch_77 |" in (sample.root / SENT).read_text()
        assert sample.index.by_path(SENT).text("status") == "partly-paid"
        await settle(pilot)
        assert "1,500.00 USD" in screen_text(app)


async def test_an_invoice_screen_shows_its_balance_and_takes_a_payment(sample: Vault) -> None:
    app = make_app(sample)
    async with app.run_test(size=(180, 40), notifications=True) as pilot:
        await settle(pilot)
        app.open_record(SENT)
        await settle(pilot)
        text = screen_text(app)
        assert "balance 2,000.00 USD" in text and "overdue by 8 days" in text
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PaymentDialog)
        await pilot.press(*"2500", "enter")  # more than the balance: the service refuses, nothing written
        await settle(pilot)
        before = commit_count(sample.root)
        assert "more than the balance 2000.00 USD" in notifications(app)[-1]
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"2000", "enter")
        await settle(pilot)
        assert commit_count(sample.root) == before + 1
        assert sample.index.by_path(SENT).text("status") == "paid"
        text = screen_text(app)
        assert "balance 0.00 USD" in text and "overdue" not in text.split("balance 0.00 USD")[1][:30]
