"""The month close (`obm finance close 2026-11`): run the checks, and when nothing blocks, write
`closes/2026-11.md` with the month's figures per currency and commit it
(docs/finances.md, "Month close"). The checks and figures are model/month_close.py; a later
change to the month's money is said in its commit message by the vault's write road.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from obm_tui.model import finance
from obm_tui.model.errors import ValidationError
from obm_tui.model.money import Totals, currency_code, format_amount
from obm_tui.model.month_close import SUMMARY_COLUMNS, Blocker, Month, blockers, currencies, month, summary
from obm_tui.services.records import now_in
from obm_tui.vault.store import Vault

DEFAULT_DUNNING_PROCESS = "follow-up-declined-payment"
HEADINGS = {"invoiced": "Invoiced", "received": "Received", "expenses": "Expenses", "bills": "Bills",
            "receivables": "Receivables at month end"}


@dataclass(frozen=True)
class CloseResult:
    """What a close found and did: the blockers, the figures, and the file written (None: not)."""

    month: Month
    blockers: tuple[Blocker, ...]
    figures: dict[str, Totals]
    path: str | None = None
    commit: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"month": self.month.name, "closed": self.path is not None, "path": self.path,
                "blockers": [{"path": b.path, "why": b.why} for b in self.blockers],
                "summary": {code: {name: str(self.figures[name].get(code)) for name in SUMMARY_COLUMNS}
                            for code in currencies(self.figures)}}


def close_path(name: str) -> str:
    return f"closes/{name}.md"


def dunning_process(vault: Vault) -> str:
    value = vault.config.section("dunning").get("process")
    return value.strip() if isinstance(value, str) and value.strip() else DEFAULT_DUNNING_PROCESS


def close_month(vault: Vault, text: str, *, dry_run: bool = False, today: date | None = None) -> CloseResult:
    """Check the month; write and commit its close when nothing blocks (and not `dry_run`)."""
    when = month(text)
    today = today or now_in(vault).date()
    if today <= when.last:
        raise ValidationError(f"{when.name} is not over yet: a month is closed from its next day on")
    existing = next((r for r in vault.records("close", archived=True) if r.id == when.name), None)
    if existing is not None:
        raise ValidationError(f"{when.name} is closed already ({existing.path}, on {existing.data.get('closed')})")
    currency = currency_code(vault.config.currency)
    records = vault.records(archived=True)
    settings = finance.finance_settings(vault.config.section("finance"), currency)
    figures = summary(finance.collect(records, currency).events, when, settings)
    found = tuple(blockers(records, when, dunning_process(vault), currency))
    if found or dry_run:
        return CloseResult(when, found, figures)
    data = {"type": "close", "id": when.name, "month": when.name, "closed": today.isoformat(),
            "closed_by": closed_by(vault)}
    saved = vault.create(close_path(when.name), data, summary_body(when, figures),
                         f"close {when.name}: month closed by {data['closed_by']}")
    return CloseResult(when, found, figures, saved.record.path, saved.commit)


def closed_by(vault: Vault) -> str:
    """Who closes: [author] name, else git's user.name, else the manager."""
    if vault.config.author is not None:
        return vault.config.author[0]
    name = vault.git.identity[0]
    return name or vault.config.manager or "obm"


def summary_body(when: Month, figures: dict[str, Totals]) -> str:
    lines = [f"# {when.first:%B %Y} closed", "",
             "| Currency | " + " | ".join(HEADINGS[n] for n in SUMMARY_COLUMNS) + " |",
             "|---|" + "---:|" * len(SUMMARY_COLUMNS)]
    for code in currencies(figures) or [""]:
        cells = [format_amount(figures[n].get(code), code, grouped=True) if code else "0" for n in SUMMARY_COLUMNS]
        lines.append(f"| {code or '-'} | " + " | ".join(cells) + " |")
    lines += ["", "Worked out from the records when the month was closed; a later change to this month's money "
              "says so in its commit message (`changes closed month " + when.name + "`)."]
    return "\n".join(lines) + "\n"
