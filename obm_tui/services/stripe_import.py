"""`obm import stripe FILE`: Stripe's payments or balance export into the vault, in one commit.

- a failed or blocked payment becomes a decline record (to follow up);
- a charge, a refund and a payout become `payment` records (`payments/PAY-…`, status
  `unmatched`), with an id made from Stripe's id so two clones importing the same export write
  the same file.

Idempotent on Stripe's ids: a charge id already in a decline, a reference already in a payment
record or on an invoice's or bill's payments row is skipped. The parser is importers/stripe.py;
the rules are docs/finances.md, "Payments in: the Stripe import".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from obm_tui.importers.csvrows import RowReport
from obm_tui.importers.stripe import CHARGE, PAYOUT, REFUND, DeclineCandidate, Movement, parse_payments
from obm_tui.model import ids
from obm_tui.model.errors import ObmError, UsageError
from obm_tui.model.fields import email_address
from obm_tui.model.finance import record_payments
from obm_tui.model.ids import CROCKFORD
from obm_tui.model.kinds import KINDS
from obm_tui.model.records import Record, validate
from obm_tui.services.templates import record_template_body
from obm_tui.vault.batch import Edit, NewFile, write_many
from obm_tui.vault.store import Vault

PAYMENT_TYPE = {CHARGE: "charge", REFUND: "refund", PAYOUT: "payout"}


@dataclass(frozen=True)
class StripeResult:
    """What a Stripe import did (or would do, with dry_run): a report line per row and the commit."""

    rows: tuple[RowReport, ...]
    recorded: int
    message: str
    commit: str | None = None
    pending: bool = False
    dry_run: bool = False
    paths: tuple[str, ...] = ()
    payments: int = 0  # payment records made
    on_invoices: int = 0  # rows put on invoices
    ambiguous: tuple[str, ...] = field(default_factory=tuple)  # lines: a charge and its candidates

    @property
    def rejected(self) -> int:
        return sum(1 for r in self.rows if r.status == "rejected")

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.rows if r.status == "skipped")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def known_references(vault: Vault) -> set[str]:
    """Stripe ids already in the vault: declines' charge ids, payment records' references, and the
    references of every invoice's and bill's payments rows (as the loader keeps them)."""
    found = {str(r.data["charge_id"]).strip() for r in vault.records("decline", archived=True)
             if r.data.get("charge_id")}
    found |= {str(r.data["reference"]).strip() for r in vault.records("payment", archived=True)
              if r.data.get("reference")}
    for kind in ("invoice", "bill"):
        for record in vault.records(kind, archived=True):
            found |= {p.reference.strip() for p in record_payments(record) if p.reference}
    return found


def payment_id(movement: Movement, taken: set[str]) -> str:
    """`PAY-<yymmdd>-<3 chars of a hash of Stripe's id>`: the same in every clone; a longer hash
    only when another record already has those 3."""
    digest = int.from_bytes(hashlib.sha256(movement.reference.encode("utf-8")).digest()[:8], "big")
    chars = "".join(CROCKFORD[(digest >> (5 * i)) & 31] for i in range(12))
    for length in range(3, 13):
        record_id = ids.serial_id("PAY", movement.day, chars[:length])
        if record_id.casefold() not in taken:
            taken.add(record_id.casefold())
            return record_id
    raise ObmError("could not find a free payment id")  # pragma: no cover - 12 hash characters


def _created(now: datetime, vault: Vault) -> str:
    local = now.astimezone(vault.config.tz).replace(tzinfo=None) if now.tzinfo else now
    return local.replace(second=0, microsecond=0).isoformat(timespec="minutes")


def payment_fields(movement: Movement, record_id: str, created: str) -> dict[str, Any]:
    """The front matter of the payment record of a movement nothing matched."""
    data: dict[str, Any] = {"type": "payment", "id": record_id}
    payer = movement.customer or movement.email
    if payer:
        data["payer"] = payer
    data.update({"date": movement.day.isoformat(), "amount": str(movement.amount), "currency": movement.currency,
                 "payment_type": PAYMENT_TYPE[movement.kind], "status": "unmatched"})
    if email_address(movement.email):
        data["email"] = movement.email
    data["reference"] = movement.reference
    if movement.description:
        data["description"] = movement.description
    if movement.fee:
        data["fee"] = str(movement.fee)
    data.update({"source": "stripe", "created": created})
    return data


class _Plan:
    """What the import will write: new files, and edits of loaded records (one per record)."""

    def __init__(self) -> None:
        self.files: list[NewFile] = []
        self.edits: dict[str, Edit] = {}

    def items(self) -> list[NewFile | Edit]:
        return [*self.files, *self.edits.values()]

    def paths(self) -> tuple[str, ...]:
        return tuple(f.rel for f in self.files) + tuple(self.edits)


def import_stripe(vault: Vault, data: bytes, *, now: datetime, source: str = "payments.csv",
                  dry_run: bool = False) -> StripeResult:
    """Declines for failed payments, payment records for charges, refunds and payouts; one commit."""
    parsed = parse_payments(data, known_references(vault), vault.config.tz)
    if parsed.refused:
        raise UsageError(f"{source}: {parsed.refused}")
    created = _created(now, vault)
    plan = _Plan()
    rows = list(parsed.rows)
    declines = _plan_declines(vault, parsed.candidates, plan, rows, created)
    taken = vault.index.ids("payment")
    payments = 0
    for movement in parsed.movements:
        fields = payment_fields(movement, payment_id(movement, taken), created)
        problems = validate(KINDS["payment"], fields, fields["id"])
        if problems:
            rows = [_refused(row, movement.row, problems[0][1]) for row in rows]
            continue
        plan.files.append(NewFile(f"payments/{fields['id']}.md", fields, ""))
        payments += 1
    rejected = sum(1 for r in rows if r.status == "rejected")
    skipped = sum(1 for r in rows if r.status == "skipped")
    done = [f"{_plural(count, word)} recorded" for count, word in ((declines, "decline"), (payments, "payment"))
            if count]
    message = (f"import stripe {source}: {', '.join(done) or 'nothing recorded'}; "
               f"{rejected} rows rejected, {skipped} skipped")
    result = StripeResult(tuple(rows), declines + payments, message, dry_run=dry_run, paths=plan.paths(),
                          payments=payments)
    items = plan.items()
    if dry_run or not items:
        return result
    written = write_many(vault, items, message)
    return replace(result, commit=written.commit, pending=written.pending)


def _refused(row: RowReport, number: int, reason: str) -> RowReport:
    return RowReport(row.row, row.key, "rejected", reason) if row.row == number and row.status == "ok" else row


def _plan_declines(vault: Vault, candidates: tuple[DeclineCandidate, ...], plan: _Plan, rows: list[RowReport],
                   created: str) -> int:
    taken = vault.index.ids("decline")
    body = record_template_body("decline")
    count = 0
    for candidate in candidates:
        rel, fields = _decline(candidate, taken, created)
        problems = validate(KINDS["decline"], fields, fields["id"])
        if problems:  # a value the importer let through but the record's own checks refuse
            rows[:] = [_refused(row, candidate.row, problems[0][1]) for row in rows]
        else:
            plan.files.append(NewFile(rel, fields, body))
            count += 1
    return count


def _decline(candidate: DeclineCandidate, taken: set[str], created: str) -> tuple[str, dict[str, Any]]:
    customer = candidate.customer or candidate.email or "unknown customer"
    for _ in range(100):
        record_id = ids.event_id(candidate.declined, customer, ids.random_suffix())
        if record_id.casefold() not in taken:
            taken.add(record_id.casefold())
            break
    else:  # pragma: no cover - 32,768 suffixes a day
        raise ObmError("could not find a free decline id for that day")
    data: dict[str, Any] = {"type": "decline", "id": record_id, "customer": customer}
    if email_address(candidate.email):
        data["email"] = candidate.email
    data.update({"amount": str(candidate.amount), "currency": candidate.currency})
    if candidate.product:
        data["product"] = candidate.product
    data.update({"declined": candidate.declined.isoformat(), "status": "new", "charge_id": candidate.charge_id})
    if candidate.reason:
        data["reason"] = candidate.reason
    data["created"] = created
    return f"declines/{record_id}.md", data


__all__ = ["Record", "StripeResult", "import_stripe", "known_references", "payment_id"]
