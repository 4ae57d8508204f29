"""Helpers for the tests of the work views (runs, tickets, stock): their classes, and waiting on
the app's automation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from obm_tui.tui.dialogs.draft import DraftDialog
from obm_tui.tui.dialogs.movement import MovementDialog
from obm_tui.tui.dialogs.new_ticket import NewTicketDialog
from obm_tui.tui.dialogs.payment import PaymentDialog
from obm_tui.tui.dialogs.pick_record import PickRecordDialog
from obm_tui.tui.dialogs.receive import ReceiveDialog
from obm_tui.tui.dialogs.reply import ReplyDialog
from obm_tui.tui.screens.invoices import InvoicesScreen
from obm_tui.tui.screens.payments import PaymentsScreen
from obm_tui.tui.screens.processes import ProcessesScreen
from obm_tui.tui.screens.run import RunScreen
from obm_tui.tui.screens.stock import StockScreen
from obm_tui.tui.screens.ticket import TicketScreen
from obm_tui.tui.screens.tickets import TicketsScreen
from tests.integration.demo_copy import _copy

WORK_CLASSES = (ProcessesScreen, RunScreen, TicketsScreen, TicketScreen, StockScreen, DraftDialog, MovementDialog,
                NewTicketDialog, PickRecordDialog, ReceiveDialog, ReplyDialog, InvoicesScreen, PaymentDialog,
                PaymentsScreen)


def press_until(table, key_matches) -> int:  # type: ignore[no-untyped-def]
    """The row index of the first row whose key matches (for moving the cursor there)."""
    for index in range(len(table.source)):
        if key_matches(table.source.key(index)):
            return index
    raise AssertionError("no such row")


def last_subjects(root, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    from tests.tui.helpers import git

    return git(root, "log", f"-{count}", "--format=%s").splitlines()


_MASTER: dict[str, Path] = {}


def demo_copy(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    """A private copy of the sample vault, copied from one made once per session (a tenth of
    make_demo's time; git's objects are hard-linked, see tests/integration/demo_copy.py)."""
    from obm_tui.services.setup import make_demo

    key = str(tmp_path_factory.getbasetemp())
    if key not in _MASTER:
        _MASTER[key] = make_demo(tmp_path_factory.mktemp("work-master") / "demo")
    return Path(shutil.copytree(_MASTER[key], tmp_path / "demo", symlinks=True, copy_function=_copy))
