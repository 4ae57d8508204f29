"""Blocking work in thread workers: an error reaches the user, and the spinner stops."""

from __future__ import annotations

from obm_tui.model.errors import ObmError
from obm_tui.tui.tasks import run_blocking
from obm_tui.vault.store import Vault
from tests.tui.helpers import make_app, notifications, settle


def _fail() -> None:
    raise ObmError("the disk is full", title="Not saved")


async def test_an_error_in_the_work_becomes_a_notification(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        run_blocking(app, _fail, label="Saving")
        await settle(pilot)
        assert "Not saved: the disk is full" in notifications(app)
        assert not app._busy


async def test_failed_is_handed_the_error_itself(vault: Vault) -> None:
    app = make_app(vault)
    seen: list[Exception] = []
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        run_blocking(app, _fail, failed=lambda exc: seen.append(exc) is None, label="Saving")
        await settle(pilot)
        assert [str(exc) for exc in seen] == ["the disk is full"]
        assert not any("disk is full" in note for note in notifications(app))
        assert not app._busy
