"""The one place the app takes `now` from, so tests and snapshots can fix it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from obm_tui.services.records import now_in
from obm_tui.vault.store import Vault

Clock = Callable[[], datetime]


def vault_clock(vault: Vault) -> Clock:
    """The wall clock in the vault's time zone (naive, to the minute), as services expect."""
    return lambda: now_in(vault)


def fixed_clock(moment: datetime) -> Clock:
    """Always `moment` (tests, snapshots, benchmarks)."""
    return lambda: moment
