"""The vault's business calendar (model/calendar.py), read from its `.obm/config.toml`."""

from __future__ import annotations

from obm_tui.model.calendar import BusinessCalendar, load_calendar
from obm_tui.vault.store import Vault


def business_calendar(vault: Vault) -> BusinessCalendar:
    """Working days and holidays for due dates, `set` actions and the ticket clocks alike."""
    return load_calendar(vault.config.raw)[0]


def calendar_problems(vault: Vault) -> tuple[str, ...]:
    """What is wrong in `[calendar]` (and `[care.hours] holidays`), for `obm check`."""
    return load_calendar(vault.config.raw)[1]
