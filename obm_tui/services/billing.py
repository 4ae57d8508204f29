"""Recurring billing: make each due period's invoice once (a part of `obm tick` and the app's pass).

`billing_pass(vault, today)` looks at every `current` client with `billing` and every template
invoice with `recurrence` (docs/finances.md, "Recurring billing") and writes the invoice of each
period due up to `today` that is not billed yet: status `sent`, `issued` the period's day, `due`
after the client's `payment_terms` (else `[finance] payment_terms`), with `period` and, from a
template, `template`. A period is billed when an invoice of the client has its `period`, when its
deterministic id is taken by an invoice of the client, or (invoices written before `period`
existed) when an invoice of the client with no `period`, issued in that period, has the plan's
amount.

One commit per invoice: each invoice is a fact of its own in `git log`, and a plan that cannot bill
(a bad `rate`, a clash) stops only its own invoices. Nothing in a new invoice depends on the clock
or the clone (no `created` time), so two clones billing the same day write byte-identical files
and a merge keeps one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from obm_tui.model.billing import (
    BillingError,
    Period,
    Plan,
    client_plan,
    due_periods,
    first_period_after_month,
    invoice_id,
    invoice_title,
    next_period,
    period_of,
    template_plan,
)
from obm_tui.model.errors import ObmError
from obm_tui.model.fields import FieldValueError, to_date, to_link
from obm_tui.model.finance import finance_settings
from obm_tui.model.money import MoneyError, format_amount, parse_amount
from obm_tui.model.records import Record
from obm_tui.vault.store import Vault

BILLED_STATUSES = ("current",)  # a lead, a paused or a past client is not billed
_PAYMENTS_RE = re.compile(r"^## Payments\s*$", re.MULTILINE)


@dataclass(frozen=True)
class BillingChange:
    """One invoice made (or that could not be), or a plan that cannot bill."""

    message: str
    path: str = ""
    commit: str | None = None
    changed: bool = True
    error: str = ""


@dataclass(frozen=True)
class PlanView:
    """For `obm finance billing`: a plan, what a tick would make now, and its next period."""

    plan: Plan | None
    source: str
    due: tuple[tuple[Period, str], ...] = ()  # (period, invoice id)
    next: Period | None = None
    error: str = ""


def plans(vault: Vault) -> tuple[list[Plan], list[BillingChange]]:
    """Every plan that bills now (current clients, templates of current clients), and the errors of
    the plans that cannot."""
    found: list[Plan] = []
    errors: list[BillingChange] = []
    currency = vault.config.currency
    clients = {c.id.casefold(): c for c in vault.records("client", archived=True)}
    for record in sorted(vault.records("client"), key=lambda r: r.id):  # an archived client is not billed
        if record.readable and str(record.data.get("status") or "") in BILLED_STATUSES:
            _add(found, errors, record, lambda r=record: client_plan(r, currency))
    for invoice in sorted(vault.records("invoice"), key=lambda r: r.id):
        if not invoice.readable or not invoice.data.get("recurrence") or invoice.data.get("status") == "void":
            continue
        owner = clients.get(_link(invoice.data.get("client")).casefold())
        if owner is None:
            errors.append(BillingChange(f"invoice {invoice.id}: not billed", invoice.path, changed=False,
                                        error=f"{invoice.path} client: no client {invoice.data.get('client')}"))
        elif owner.readable and not owner.data.get("archived") and \
                str(owner.data.get("status") or "") in BILLED_STATUSES:
            _add(found, errors, invoice, lambda r=invoice, c=owner: template_plan(r, c, currency))
    return found, errors


def _add(found: list[Plan], errors: list[BillingChange], record: Record, make: Any) -> None:
    try:
        plan = make()
    except BillingError as exc:
        errors.append(BillingChange(f"{record.kind} {record.id}: not billed", record.path, changed=False,
                                    error=str(exc)))
        return
    if plan is not None:
        found.append(plan)


def _link(raw: Any) -> str:
    try:
        return to_link(raw) if raw else ""
    except FieldValueError:
        return ""


@dataclass
class Invoices:
    """The vault's invoices as one pass sees them: by client, and who holds each id. The pass adds
    what it makes, so one look at the index serves every plan."""

    by_client: dict[str, list[Record]]
    holders: dict[str, str]  # casefolded id -> casefolded client id

    @classmethod
    def of(cls, vault: Vault) -> Invoices:
        found = cls({}, {})
        for invoice in vault.records("invoice", archived=True):
            found.add(invoice)
        return found

    def add(self, invoice: Record) -> None:
        client = _link(invoice.data.get("client")).casefold()
        self.by_client.setdefault(client, []).append(invoice)
        self.holders[invoice.id.casefold()] = client


def billed_labels(invoices: Invoices, plan: Plan) -> set[str]:
    """The periods of the plan's client already billed (see the module's doc)."""
    labels: set[str] = set()
    for invoice in invoices.by_client.get(plan.client.casefold(), []):
        period = str(invoice.data.get("period") or "").strip()
        if period:
            labels.add(period)
        elif _legacy_match(invoice, plan):
            found = period_of(plan, _issued(invoice) or date.min)
            if found is not None:
                labels.add(found.label)
    return labels


def _legacy_match(invoice: Record, plan: Plan) -> bool:
    """An invoice written before `period` existed bills the period it was issued in, if for the same amount."""
    if invoice.id == plan.template and invoice.data.get("status") == "draft":
        return False  # a template never sent bills nothing itself
    if _issued(invoice) is None or str(invoice.data.get("currency") or plan.currency).upper() != plan.currency:
        return False
    try:
        return parse_amount(str(invoice.data.get("amount") or ""), plan.currency) == plan.amount
    except MoneyError:
        return False


def _issued(invoice: Record) -> date | None:
    try:
        return to_date(invoice.data.get("issued")) if invoice.data.get("issued") else None
    except FieldValueError:
        return None


def due_now(invoices: Invoices, plan: Plan, today: date) -> list[tuple[Period, str]]:
    """(period, invoice id) of each invoice the plan must make on `today`; BillingError if it cannot."""
    made: list[tuple[Period, str]] = []
    for period in due_periods(plan, today, billed_labels(invoices, plan)):
        record_id = invoice_id(plan, period, invoices.holders)
        if record_id is not None:
            made.append((period, record_id))
    return made


def billing_pass(vault: Vault, today: date) -> list[BillingChange]:
    """Make every due period's invoice once, one commit each; errors are reported, never raised."""
    found, changes = plans(vault)
    if not found:
        return changes
    terms = finance_settings(vault.config.section("finance"), vault.config.currency).payment_terms
    invoices = Invoices.of(vault)
    for plan in found:
        try:
            due = due_now(invoices, plan, today)
        except BillingError as exc:
            changes.append(BillingChange(f"{plan.where}: not billed", plan.source, changed=False, error=str(exc)))
            continue
        for period, record_id in due:
            change = _make(vault, plan, period, record_id, terms)
            made = vault.index.by_path(change.path) if change.changed else None
            if made is not None:
                invoices.add(made)
            changes.append(change)
    return changes


def _make(vault: Vault, plan: Plan, period: Period, record_id: str, default_terms: int) -> BillingChange:
    data = invoice_fields(plan, period, record_id, default_terms)
    amount = format_amount(plan.amount, plan.currency)
    what = f"{plan.field} {plan.rule}" if not plan.template else f"from template {plan.template}"
    message = (f"invoice {record_id} for {plan.client}: {period.label}, {amount} {plan.currency}, "
               f"due {data['due']} ({what})")
    try:
        saved = vault.create(f"invoices/{record_id}.md", data, invoice_body(vault, plan, period), message)
    except ObmError as exc:
        return BillingChange(f"invoice {record_id} for {plan.client} ({period.label}): not made",
                             f"invoices/{record_id}.md", changed=False, error=exc.message)
    return BillingChange(message, saved.record.path, saved.commit)


def invoice_fields(plan: Plan, period: Period, record_id: str, default_terms: int) -> dict[str, Any]:
    """The front matter of a period's invoice: the same on every clone (no clock in it)."""
    due = period.day + timedelta(days=plan.terms if plan.terms is not None else default_terms)
    data: dict[str, Any] = {
        "type": "invoice", "id": record_id, "title": invoice_title(plan, period), "client": f"[[{plan.client}]]",
        "amount": format_amount(plan.amount, plan.currency), "currency": plan.currency, "status": "sent",
        "issued": period.day.isoformat(), "due": due.isoformat(), "period": period.label,
    }
    if plan.template:
        data["template"] = f"[[{plan.template}]]"
    return data


def invoice_body(vault: Vault, plan: Plan, period: Period) -> str:
    """The line items: the template's body (without its payments), or one line for the retainer."""
    if plan.template:
        template = vault.index.get("invoice", plan.template)
        if template is not None:
            text = _PAYMENTS_RE.split(vault.read_body(template), 1)[0].strip()
            if text:
                return f"\n{text}\n"
    amount = format_amount(plan.amount, plan.currency)
    return (f"\n| Item | Amount |\n|---|---:|\n| {invoice_title(plan, period)} | {amount} |\n\n"
            f"Billed by obm from the retainer of [[{plan.client}]] ({plan.rule}).\n")


DEFAULT_RULE = "FREQ=MONTHLY;BYMONTHDAY=1"


def default_rule(vault: Vault) -> str:
    """`[finance] billing`: the rule `start billing` gives a client (a monthly retainer on the 1st)."""
    value = vault.config.section("finance").get("billing", DEFAULT_RULE)
    if not isinstance(value, str) or not value.strip():
        raise BillingError("[finance] billing", f"write an RRULE like {DEFAULT_RULE}, got {value!r}")
    return value.strip()


def billing_start_for(vault: Vault, client: Mapping[str, Any], client_path: str, run_id: str,
                      today: date) -> tuple[str, date]:
    """For `do:: start billing`: the rule and the first day to bill, the first period after the month
    of the run's invoice (the onboarding invoice bills its own month; none: after this month)."""
    rule = default_rule(vault)
    currency = str(client.get("currency") or vault.config.currency)
    if not str(client.get("rate") or "").strip():
        raise BillingError(f"{client_path} rate", f"a retainer needs a rate (obm set {client.get('id')} rate=…)")
    try:
        parse_amount(str(client.get("rate")), currency)
    except MoneyError as exc:
        raise BillingError(f"{client_path} rate", str(exc)) from None
    days = [_issued(r) or _created(r) for r in vault.records("invoice", archived=True)
            if _link(r.data.get("run")).casefold() == run_id.casefold()]
    month_of = max((d for d in days if d is not None), default=today)
    return rule, first_period_after_month("[finance] billing", rule, month_of)


def _created(record: Record) -> date | None:
    raw = str(record.data.get("created") or "")[:10]
    try:
        return to_date(raw) if raw else None
    except FieldValueError:
        return None


def billing_views(vault: Vault, today: date) -> list[PlanView]:
    """For `obm finance billing`: each plan, what a tick would make now, and its next period."""
    found, errors = plans(vault)
    views = [PlanView(None, e.path, error=e.error) for e in errors]
    invoices = Invoices.of(vault)
    for plan in found:
        try:
            due = tuple(due_now(invoices, plan, today))
        except BillingError as exc:
            views.append(PlanView(plan, plan.source, error=str(exc)))
            continue
        views.append(PlanView(plan, plan.source, due, next_period(plan, today)))
    return views
