"""Helpers for the tests of the work views (runs, tickets, stock): their classes, and waiting on
the app's automation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from obm_tui.vault.store import Vault
from tests.integration.demo_copy import demo_master, sample_copy  # noqa: F401 - fixtures

from obm_tui.tui.dialogs.draft import DraftDialog
from obm_tui.tui.dialogs.movement import MovementDialog
from obm_tui.tui.dialogs.new_ticket import NewTicketDialog
from obm_tui.tui.dialogs.pick_record import PickRecordDialog
from obm_tui.tui.dialogs.receive import ReceiveDialog
from obm_tui.tui.dialogs.reply import ReplyDialog
from obm_tui.tui.screens.processes import ProcessesScreen
from obm_tui.tui.screens.run import RunScreen
from obm_tui.tui.screens.stock import StockScreen
from obm_tui.tui.screens.ticket import TicketScreen
from obm_tui.tui.screens.tickets import TicketsScreen

WORK_CLASSES = (ProcessesScreen, RunScreen, TicketsScreen, TicketScreen, StockScreen, DraftDialog, MovementDialog,
                NewTicketDialog, PickRecordDialog, ReceiveDialog, ReplyDialog)


def press_until(table, key_matches) -> int:  # type: ignore[no-untyped-def]
    """The row index of the first row whose key matches (for moving the cursor there)."""
    for index in range(len(table.source)):
        if key_matches(table.source.key(index)):
            return index
    raise AssertionError("no such row")


def last_subjects(root, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    from tests.tui.helpers import git

    return git(root, "log", f"-{count}", "--format=%s").splitlines()


@pytest.fixture
def sample(sample_copy: Path) -> Iterator[Vault]:
    """The sample vault, copied from one made once per session (a tenth of make_demo's time)."""
    vault = Vault.open(sample_copy)
    yield vault
    vault.close()
