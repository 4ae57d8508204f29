"""The vault's shared settings, `.obm/config.toml` (committed, shared by the team).

Only the sections the core needs are typed here; other sections (sla, stock, dunning, rules) are
kept as plain dicts for the modules that own them. A broken config is a VaultError with its line.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from obm_tui.model.errors import VaultError

CONFIG_PATH = ".obm/config.toml"

DEFAULT_CONFIG = """\
# obm settings for this vault. Committed with the vault and shared by the team.
# Every key is optional; the values below are the defaults.

[business]
name = "{name}"
currency = "USD"            # ISO 4217 code used for every amount without its own currency
timezone = "{timezone}"     # IANA time zone: due dates and response clocks use it

# Commits made by obm use your git identity (git config user.name / user.email).
# Uncomment to give this vault an identity of its own.
# [author]
# name = "Mia Torres"
# email = "mia@example.com"

[sla]
# Response targets per priority, in hours. Counted in business hours when set below.
business_hours = "Mon-Fri 09:00-17:00"
first_response = {{ urgent = 1, high = 4, normal = 8, low = 24 }}
resolution = {{ urgent = 8, high = 24, normal = 40, low = 80 }}
breaching_soon = 2          # hours left before a ticket shows as breaching soon

[stock]
window_days = 30            # days of sales used for the rate of outflow
safety_days = 7             # reorder when days of cover <= lead time + this

[dunning]
# Days after a declined payment on which to follow up; then mark it lost.
follow_ups = [0, 3, 7, 14]
give_up_after = 30
"""


@dataclass(frozen=True)
class Config:
    """Typed view of `.obm/config.toml` with defaults for everything missing."""

    business_name: str = "My business"
    currency: str = "USD"
    timezone: str = "UTC"
    author: tuple[str, str] | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}


def load_config(root: Path) -> Config:
    """Read `.obm/config.toml` (missing -> defaults). Raises VaultError naming the line."""
    path = root / CONFIG_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise VaultError(f"{CONFIG_PATH}: cannot read: {exc}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise VaultError(f"{CONFIG_PATH}: {exc}") from None
    return _typed(raw)


def _typed(raw: dict[str, Any]) -> Config:
    business = raw.get("business", {}) if isinstance(raw.get("business"), dict) else {}
    timezone = str(business.get("timezone", "UTC"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise VaultError(f"{CONFIG_PATH}: unknown time zone {timezone!r} (use an IANA name like Europe/London)") from None
    author_section = raw.get("author", {})
    author = None
    if isinstance(author_section, dict) and author_section.get("name") and author_section.get("email"):
        author = (str(author_section["name"]), str(author_section["email"]))
    return Config(
        business_name=str(business.get("name", "My business")),
        currency=str(business.get("currency", "USD")),
        timezone=timezone,
        author=author,
        raw=raw,
    )
