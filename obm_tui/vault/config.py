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
from obm_tui.model.template_text import BUSINESS_SETTINGS

CONFIG_PATH = ".obm/config.toml"

DEFAULT_CONFIG = """\
# obm settings for this vault. Committed with the vault and shared by the team.
# Every key is optional; the values below are the defaults (see docs/vault-format.md).

[business]
{business}
# Commits made by obm use your git identity (git config user.name / user.email).
# Uncomment to give this vault an identity of its own.
# [author]
# name = "Your Name"
# email = "you@example.com"

# Customer care: response targets per priority (docs/customer-care.md).
[care]
breaching_soon = "2h"       # list a ticket on Today when this little time is left
pause_on = ["pending"]      # clocks stop while a ticket waits on the customer

[care.hours]
days = ["mon", "tue", "wed", "thu", "fri"]
open = "09:00-17:00"

[care.targets.urgent]
first_response = "1h"
resolution = "8h"

[care.targets.high]
first_response = "4h"
resolution = "24h"

[care.targets.normal]
first_response = "8h"
resolution = "40h"

[care.targets.low]
first_response = "24h"
resolution = "80h"

# Stock: when to reorder (docs/stock.md).
[stock]
window_days = 28            # sales of the last 4 weeks set the rate of outflow
safety_days = 3             # reorder when days of cover <= lead time + this

# Declined payments: the process started for each new decline (its steps' due:: dates are the
# follow-up days), and after how many days of following up `obm tick` marks a decline lost.
[dunning]
process = "follow-up-declined-payment"
give_up_after = 30          # days after its follow-up started; 0 never gives up

# Finances: invoices and their payments, bills, expenses, the month close and the books
# for your accountant (docs/finances.md).
[finance]
payment_terms = 14          # days from an invoice's issue to its due day (a client's payment_terms wins)
overpayment = "refuse"      # or "credit": a payment above what is owed becomes the client's credit
reminders = [-3, 0, 7, 14, 30]  # days from the due day on which a payment reminder is drafted

# The accounts of the books (obm export beancount / hledger). These are the defaults:
# rename one to match your accountant's chart of accounts.
[finance.accounts]
bank = "Assets:Bank"
processor = "Assets:Stripe"
receivable = "Assets:Receivable"
payable = "Liabilities:Payable"
unapplied = "Liabilities:Unapplied"
revenue = "Income:Sales"
write_offs = "Expenses:BadDebt"
fees = "Expenses:Fees"
expenses = "Expenses:Other"  # a bill's or expense's category that is not listed below
opening = "Equity:Opening"

# An expense's or a bill's `category` -> its account. None by default; a start:
[finance.categories]
software = "Expenses:Software"
ads = "Expenses:Advertising"
stock = "Expenses:CostOfGoods"

# Rules start a process by themselves when a record matches (docs/processes.md).
[[rules]]
name = "Onboard every new client"
kind = "client"
when = "status = onboarding"
start = "client-onboarding"

[[rules]]
name = "Restock before we run out"
kind = "product"
when = "on_hand <= reorder_point"
start = "restock-product"

[[rules]]
name = "Follow up every declined payment"
kind = "decline"
when = "status = new"
start = "follow-up-declined-payment"
"""


def toml_string(text: str) -> str:
    """`text` as a TOML basic string (quotes, backslashes and control characters escaped)."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def business_section(name: str, timezone: str, settings: dict[str, str]) -> str:
    """The lines of a new vault's `[business]` table: the settings given, the others commented
    out so that one can see where to set them (docs/vault-format.md)."""
    lines = [f"name = {toml_string(name)}",
             'currency = "USD"            # ISO 4217 code used for every amount without its own currency',
             f"timezone = {toml_string(timezone)}  # IANA time zone: due dates, \"today\" and ticket clocks use it",
             "# What templates fill in (${owner}, ${calendar_link} …); a template that needs one that is",
             "# not set refuses to draft, naming it."]
    for setting in BUSINESS_SETTINGS[1:]:
        value = settings.get(setting.key, "")
        if value:
            lines.append(f"{setting.key} = {toml_string(value)}")
        else:
            lines.append(f'# {setting.key} = ""    # {setting.words}')
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Config:
    """Typed view of `.obm/config.toml` with defaults for everything missing."""

    business_name: str = "My business"
    currency: str = "USD"
    timezone: str = "UTC"
    owner: str = ""
    manager: str = ""
    author: tuple[str, str] | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    business: dict[str, str] = field(default_factory=dict)  # [business]'s text values by key

    def business_values(self) -> dict[str, str]:
        """Every `${variable}` of BUSINESS_SETTINGS with its value ('' when not set)."""
        values = {s.variable: self.business.get(s.key, "") for s in BUSINESS_SETTINGS}
        values["business"] = self.business_name
        values["signature"] = values["signature"] or self.manager
        return values

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}


def vault_tz(root: Path) -> ZoneInfo | None:
    """The vault's time zone, or None (the machine's) when its config cannot be read."""
    try:
        return load_config(root).tz
    except (VaultError, OSError, ValueError):
        return None


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
        raise VaultError(f"{CONFIG_PATH}: unknown time zone {timezone!r} "
                         "(use an IANA name like Europe/London)") from None
    author_section = raw.get("author", {})
    author = None
    if isinstance(author_section, dict) and author_section.get("name") and author_section.get("email"):
        author = (str(author_section["name"]), str(author_section["email"]))
    return Config(
        business_name=str(business.get("name", "My business")),
        currency=str(business.get("currency", "USD")),
        timezone=timezone,
        owner=str(business.get("owner", "")),
        manager=str(business.get("manager", "")),
        author=author,
        raw=raw,
        business={str(k): str(v).strip() for k, v in business.items() if isinstance(v, str)},
    )
