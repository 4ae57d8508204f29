"""Payment reminders, `[finance] reminders` in `.obm/config.toml` (docs/finances.md, "Reminders").

    [finance]
    reminders = [-3, 0, 7, 14, 30]   # days from an invoice's due day (below 0: before it)

`reminder_pass(vault, today)` (a part of `obm tick` and of the app's automation pass) looks at every
open invoice (`sent` or `partly-paid`, with a balance above 0 and a `due` day). Its rungs are the
due day plus each number of the ladder, those before the invoice was issued left out; the rung to
remind of is the latest one on or before today that is after the invoice's `reminded` day — the
rung of today, or the latest one missed (obm was not run that day) — so a missed rung is caught up
once, never one draft per missed rung.

At most one draft a day per client: the invoices of one client due a reminder are named in one
draft, from the template of the most pressing rung (`payment-reminder-before`, `-due` or
`-overdue` in `templates/emails/`), saved as `outbox/reminder-<client>-<day>.eml` (services/
invoice_mail.py: never committed, never over another file); then each of those invoices gets
`reminded: <today>` in ONE commit per client. A client with an invoice reminded today gets no
second draft that day. When the commit fails, the draft is removed again, so the next pass makes it.
A draft a template cannot fill (a client with no email) is not made, and the pass says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from obm_tui.model.errors import ObmError, Problem
from obm_tui.model.finance import finance_settings, record_amount, record_currency
from obm_tui.model.money import MoneyError, Totals, shown
from obm_tui.model.records import Record
from obm_tui.services.drafts import email_draft
from obm_tui.services.invoice_mail import save_to_outbox
from obm_tui.services.invoice_pdf import paid_so_far
from obm_tui.vault.batch import Edit
from obm_tui.vault.config import CONFIG_PATH
from obm_tui.vault.store import Vault

OPEN = ("sent", "partly-paid")
TEMPLATES = {"before": "payment-reminder-before", "due": "payment-reminder-due", "overdue": "payment-reminder-overdue"}


@dataclass(frozen=True)
class Owed:
    """An open invoice's balance and the rung (days from its due day) it is to be reminded of."""

    invoice: Record
    client: str  # the client's id
    currency: str
    balance: Decimal
    due: date
    rung: int

    def days_late(self, today: date) -> int:
        return (today - self.due).days

    def when(self, today: date) -> str:
        """`7 days overdue`, `due today`, `due in 3 days`."""
        late = self.days_late(today)
        if late == 0:
            return "due today"
        unit = "day" if abs(late) == 1 else "days"
        return f"{late} {unit} overdue" if late > 0 else f"due in {-late} {unit}"

    def line(self, today: date) -> str:
        """`INV-261101-7DA 1,500.00 USD, 7 days overdue`: how a draft, a commit and Today name it."""
        return f"{self.invoice.id} {shown(self.balance, self.currency)}, {self.when(today)}"


@dataclass(frozen=True)
class ReminderChange:
    """One client's reminder: drafted (its file and commit), or why not."""

    client: str
    message: str
    invoices: tuple[str, ...] = ()
    draft: str = ""  # the .eml's path in the vault
    commit: str | None = None
    changed: bool = True
    error: str = ""


@dataclass
class _Group:
    client: Record
    owed: list[Owed] = field(default_factory=list)


def ladder(vault: Vault) -> tuple[int, ...]:
    """`[finance] reminders`, sorted; the default ladder when the setting cannot be used."""
    return finance_settings(vault.config.section("finance"), vault.config.currency).reminders


def reminder_problems(vault: Vault) -> list[Problem]:
    """For `obm check`: a `[finance] reminders` that cannot be used (the default ladder is used)."""
    problems = finance_settings(vault.config.section("finance"), vault.config.currency).problems
    return [Problem(CONFIG_PATH, _finance_line(vault), f"{reason}; [-3, 0, 7, 14, 30] is used")
            for reason in problems if reason.startswith("[finance] reminders")]


def _finance_line(vault: Vault) -> int:
    try:
        text = (vault.root / CONFIG_PATH).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 0
    lines = text.splitlines()
    found = next((n for n, line in enumerate(lines, 1) if line.split("#", 1)[0].strip().startswith("reminders")), 0)
    return found or next((n for n, line in enumerate(lines, 1) if line.split("#", 1)[0].strip() == "[finance]"), 0)


def owed(vault: Vault, invoice: Record, rungs: Sequence[int], today: date) -> Owed | None:
    """The invoice's reminder due today (or the latest missed), or None."""
    if not invoice.readable or str(invoice.data.get("status") or "") not in OPEN:
        return None
    due, issued, reminded = invoice.value("due"), invoice.value("issued"), invoice.value("reminded")
    client = invoice.value("client")
    if not isinstance(due, date) or not client:
        return None
    days = [d for d in rungs if due + timedelta(days=d) <= today
            and (not isinstance(issued, date) or due + timedelta(days=d) >= issued)
            and (not isinstance(reminded, date) or due + timedelta(days=d) > reminded)]
    if not days:
        return None
    money = _balance(vault, invoice, vault.index.get("client", str(client)))
    if money is None or money[1] <= 0:
        return None
    return Owed(invoice, str(client), money[0], money[1], due, max(days))


def reminder_pass(vault: Vault, today: date) -> list[ReminderChange]:
    """Draft the reminders due today, one per client at most, and set their invoices' `reminded`."""
    rungs = ladder(vault)
    if not rungs:
        return []
    groups: dict[str, _Group] = {}
    reminded_today: set[str] = set()
    for invoice in sorted(vault.records("invoice"), key=lambda r: r.id):
        client = str(invoice.value("client") or "")
        if invoice.value("reminded") == today:
            reminded_today.add(client)
        found = owed(vault, invoice, rungs, today)
        record = vault.index.get("client", client) if found is not None else None
        if found is not None and record is not None:
            groups.setdefault(client, _Group(record)).owed.append(found)
    return [_remind(vault, group, today) for client, group in sorted(groups.items()) if client not in reminded_today]


def reminded_today(vault: Vault, today: date) -> list[tuple[str, Owed]]:
    """(client's name, invoice) of each open invoice whose reminder was drafted today (Today shows them)."""
    found = []
    for invoice in sorted(vault.records("invoice"), key=lambda r: r.id):
        if invoice.value("reminded") != today or str(invoice.data.get("status") or "") not in OPEN:
            continue
        client = vault.index.get("client", str(invoice.value("client") or ""))
        item = _balance(vault, invoice, client)
        due = invoice.value("due")
        if item is not None and item[1] > 0 and isinstance(due, date) and client is not None:
            found.append((client.title, Owed(invoice, client.id, item[0], item[1], due, (today - due).days)))
    return found


def _balance(vault: Vault, invoice: Record, client: Record | None) -> tuple[str, Decimal] | None:
    """(currency, balance) of an invoice; None when its money cannot be read."""
    try:
        default = record_currency(client, vault.config.currency) if client is not None else vault.config.currency
        currency = record_currency(invoice, default)
        total = record_amount(invoice, currency)
        return currency, total - paid_so_far(invoice, currency, total)
    except MoneyError:
        return None  # obm check names it; no reminder of an amount obm cannot read


def reminder_values(group: Sequence[Owed], today: date) -> dict[str, str]:
    """`${invoice}`, `${amount}`, `${balance}`, `${due}`, `${days}` and `${invoices}` (a line each)."""
    ids = [o.invoice.id for o in group]
    amounts, balances = Totals(), Totals()
    for o in group:
        amounts.add(record_amount(o.invoice, o.currency), o.currency)
        balances.add(o.balance, o.currency)
    first = min(group, key=lambda o: o.due)
    return {"invoice": _and(ids), "amount": _and([shown(v, c) for c, v in amounts.items()]),
            "balance": _and([shown(v, c) for c, v in balances.items()]), "due": first.due.isoformat(),
            "days": str(abs(first.days_late(today))),
            "invoices": "\n".join(f"- {o.invoice.id}: {shown(o.balance, o.currency)}, due {o.due.isoformat()} "
                                  f"({o.when(today)})" for o in group)}


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def template_for(group: Sequence[Owed]) -> str:
    """The most pressing rung's template: overdue, else due today, else before."""
    worst = max(o.rung for o in group)
    return TEMPLATES["overdue" if worst > 0 else "due" if worst == 0 else "before"]


def _remind(vault: Vault, group: _Group, today: date) -> ReminderChange:
    client, items = group.client, group.owed
    ids = tuple(o.invoice.id for o in items)
    said = f"Payment reminder drafted for {client.title} — " + "; ".join(o.line(today) for o in items)
    try:
        draft = email_draft(vault, template_for(items), client, today, reminder_values(items, today))
        path = save_to_outbox(vault, f"reminder-{client.id}-{today.isoformat()}", draft.as_eml())
    except ObmError as exc:
        return ReminderChange(client.id, f"payment reminder for {client.title} not drafted", ids, changed=False,
                              error=exc.message)
    rel = path.relative_to(vault.root).as_posix()
    message = f"invoice {', '.join(ids)}: reminded {today.isoformat()} ({said[len('Payment reminder '):]}; {rel})"
    try:
        result = vault.write_many([Edit(o.invoice, {"reminded": today.isoformat()}) for o in items], message)
    except ObmError as exc:
        path.unlink(missing_ok=True)  # not marked reminded: the next pass drafts it again
        return ReminderChange(client.id, f"payment reminder for {client.title} not drafted", ids, changed=False,
                              error=exc.message)
    return ReminderChange(client.id, said, ids, rel, result.commit)
