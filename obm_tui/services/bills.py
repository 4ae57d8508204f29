"""Money out: a supplier's bill made from a received purchase order, paying a bill, recording an
expense (docs/finances.md, "Money out: bills and expenses").

A purchase order received in full makes its bill in the same commit as the receipt
(services/purchase_orders.py `receive` asks `bill_for_order` for the new file). A payment on a
bill is a row of its `## Payments` table (model/payments.py); its status and `paid` day follow
from `model.finance.settlement`, never typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from obm_tui.model import payments
from obm_tui.model.errors import ValidationError
from obm_tui.model.finance import record_amount, record_currency, record_payments, settlement
from obm_tui.model.kinds import KINDS
from obm_tui.model.md_table import escape_cell
from obm_tui.model.money import MoneyError, currency_code, format_amount, parse_amount, shown
from obm_tui.model.payments import Payment
from obm_tui.model.purchase import POLine
from obm_tui.model.records import Record
from obm_tui.services.records import make_id, now_in, require_readable
from obm_tui.vault.batch import NewFile
from obm_tui.vault.store import SaveResult, Vault

DEFAULT_STOCK_CATEGORY = "stock"


@dataclass(frozen=True)
class OrderBill:
    """What a received order makes: the bill's new file, or why there is none."""

    file: NewFile | None
    note: str


def vault_currency(vault: Vault) -> str:
    return currency_code(vault.config.currency)


def stock_category(vault: Vault) -> str:
    """`[finance] stock_category`, else `stock`: the category of the bills received orders make."""
    value = vault.config.section("finance").get("stock_category")
    return value.strip() if isinstance(value, str) and value.strip() else DEFAULT_STOCK_CATEGORY


def bill_for_order(vault: Vault, order: Record, lines: Sequence[POLine], day: date) -> OrderBill:
    """The bill of a purchase order received in full on `day`: supplier, amount = sum of qty x
    unit_cost, a line-item table. None (and why) when a line has no unit_cost, or a bill for the
    order exists already."""
    link = f"[[{order.id}]]"
    existing = next((b for b in vault.records("bill", archived=True) if b.data.get("purchase_order") == link), None)
    if existing is not None:
        return OrderBill(None, f"its bill is {existing.id} already")
    missing = [line.sku for line in lines if line.unit_cost is None]
    if missing:
        return OrderBill(None, f"no bill made: no unit_cost on {', '.join(missing)} (obm new bill, or set the costs "
                               "and make it by hand)")
    currency = vault_currency(vault)
    try:
        amount = sum((line.qty * parse_amount(str(line.unit_cost), currency) for line in lines), Decimal(0))
    except MoneyError as exc:
        return OrderBill(None, f"no bill made: {exc.message}")
    kind = KINDS["bill"]
    title = f"{order.data.get('title') or order.id}"
    record_id, stem = make_id(vault, kind, title, {}, datetime.combine(day, time()))
    data: dict[str, Any] = {"type": "bill", "id": record_id, "title": title,
                            "supplier": str(order.data.get("supplier") or ""),
                            "amount": format_amount(amount, currency),
                            "status": "unpaid", "issued": day.isoformat(), "purchase_order": link,
                            "category": stock_category(vault), "created": day.isoformat()}
    body = _line_items(lines, currency, amount)
    return OrderBill(NewFile(f"{kind.folder}/{stem}.md", data, body),
                     f"bill {record_id} {shown(amount, currency)} to {data['supplier']}")


def _line_items(lines: Sequence[POLine], currency: str, total: Decimal) -> str:
    rows = ["## Lines", "", "| SKU | Qty | Unit cost | Amount |", "|-----|----:|----------:|-------:|"]
    for line in lines:
        cost = line.unit_cost or Decimal(0)
        rows.append(f"| {escape_cell(line.sku)} | {line.qty} | {format_amount(cost, currency)} | "
                    f"{format_amount(line.qty * cost, currency)} |")
    rows.append(f"| **Total** | | | {format_amount(total, currency)} |")
    return "\n".join(rows) + "\n"


def find_bill(vault: Vault, ref: str) -> Record:
    return require_readable(vault.find(ref, "bill"))


def pay_bill(vault: Vault, ref: str, amount_text: str, *, day: date | None = None, method: str = "",
             reference: str = "") -> SaveResult:
    """A payment on a bill: a `## Payments` row, then its status and `paid` day from the rows.
    Refused (nothing written) for a void bill, an amount that is not above 0 or more than is owed."""
    bill = find_bill(vault, ref)
    currency = record_currency(bill, vault_currency(vault))
    status = str(bill.data.get("status") or "unpaid")
    if status == "void":
        raise ValidationError(f"bill {bill.id} is void: nothing is owed on it")
    amount = parse_amount(amount_text, currency)
    if amount <= 0:
        raise ValidationError(f"the amount paid must be above 0, got {amount_text}")
    owed = record_amount(bill, currency)
    rows = record_payments(bill)
    balance = owed - sum((p.amount for p in rows), Decimal(0))
    if amount > balance:
        raise ValidationError(f"bill {bill.id}: {shown(amount, currency)} is more than the "
                              f"{shown(balance, currency)} still owed on it")
    when = day or now_in(vault).date()
    body = vault.read_body(bill)
    row_id = payments.row_id_for(reference) if reference.strip() else ""
    if reference.strip() and reference.strip() in payments.known_references(rows):
        raise ValidationError(f"bill {bill.id} has a payment with reference {reference.strip()} already")
    payment = Payment(when, amount, method.strip(), reference.strip(), row_id=row_id)
    new_body = payments.append(body, payment)
    after = settlement("bill", status, owed, (*rows, payment))
    changes: dict[str, Any] = {}
    if after.status != status:
        changes["status"] = after.status
    if after.paid is not None and after.status == "paid":
        changes["paid"] = after.paid.isoformat()
    moved = f"; status {status} -> {after.status}" if "status" in changes else ""
    message = (f"bill {bill.id}: paid {shown(amount, currency)} on {when.isoformat()} "
               f"(owed {shown(after.balance, currency)}){moved}")
    return vault.update(bill, changes, message, body=new_body, base_body=body)


def new_expense(vault: Vault, payee: str, amount_text: str, *, day: date | None = None, category: str = "",
                receipt: str = "", currency: str = "", paid_with: str = "") -> SaveResult:
    """An expense (money spent and paid at once): `expenses/<date>-<payee>-xxx.md`; one commit."""
    from obm_tui.services.records import new_record

    pairs = {"date": (day or now_in(vault).date()).isoformat()}
    code = currency_code(currency) if currency.strip() else vault_currency(vault)
    amount = parse_amount(amount_text, code)
    if amount <= 0:
        raise ValidationError(f"an expense's amount must be above 0, got {amount_text}")
    pairs["amount"] = format_amount(amount, code)
    extra = {"category": category, "receipt": receipt, "paid_with": paid_with}
    pairs.update({k: v.strip() for k, v in extra.items() if v.strip()})
    if currency.strip():
        pairs["currency"] = code
    return new_record(vault, "expense", payee, pairs)

