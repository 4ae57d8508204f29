"""The invoice's email: `obm invoice email ID` drafts it in the vault's `outbox/` as an `.eml`, with
the invoice's PDF attached (docs/finances.md, "An invoice a client can receive").

The text is the email template `invoice` (`templates/emails/invoice.md`, the vault's own first),
filled like every draft (services/drafts.py): a name with no value refuses the draft. Besides the
invoice's fields and the business's names, it can use `${invoice}` (the id), `${amount}` and
`${balance}` (`1,500.00 USD`), `${paid}`, `${issued}`, `${due}`, and the client's `${email}`,
`${first_name}`, `${client}` (name) and `${company}`.

The `.eml` is a draft for a person to send from their mail program, like the app's Save .eml: it is
written (atomically, never over another file) to `outbox/`, and is not a record, so it is not
committed — a draft committed would be in every clone, and sent from each.
"""

from __future__ import annotations

from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

from obm_tui.model.errors import VaultError
from obm_tui.model.records import Record
from obm_tui.services.drafts import Draft, email_draft
from obm_tui.services.invoice_pdf import InvoiceSheet, client_of, invoice_sheet, render
from obm_tui.vault.atomic import create_exclusive
from obm_tui.vault.paths import inside
from obm_tui.vault.store import Vault

OUTBOX = "outbox"
INVOICE_TEMPLATE = "invoice"


def invoice_values(sheet: InvoiceSheet, client: Record) -> dict[str, str]:
    """What `${…}` an invoice's email can name besides its fields and the business's."""
    words = client.title.split()
    return {"invoice": sheet.invoice_id, "amount": sheet.money(sheet.total), "balance": sheet.money(sheet.balance),
            "paid": sheet.money(sheet.paid), "issued": _iso(sheet.issued), "due": _iso(sheet.due),
            "email": sheet.client_email, "first_name": words[0] if words else "", "client": client.title,
            "company": sheet.client_company, "currency": sheet.currency}


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def invoice_email(vault: Vault, invoice: Record, today: date) -> tuple[Draft, bytes]:
    """The invoice's draft and its `.eml` bytes (the PDF attached). Refused, with what to fix, when
    the PDF cannot be made or a name of the template has no value."""
    sheet = invoice_sheet(vault, invoice)
    pdf = render(sheet)
    draft = email_draft(vault, INVOICE_TEMPLATE, invoice, today, invoice_values(sheet, client_of(vault, invoice)))
    return draft, with_attachment(vault, draft, pdf, f"{sheet.invoice_id}.pdf")


def with_attachment(vault: Vault, draft: Draft, pdf: bytes, filename: str) -> bytes:
    """The draft as an unsent `.eml` from the business, with `pdf` attached as `filename`."""
    message = message_from_bytes(draft.as_eml(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    sender = vault.config.business.get("email", "")
    if sender:
        message["From"] = formataddr((vault.config.business_name, sender))
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return bytes(message)


def save_to_outbox(vault: Vault, stem: str, data: bytes) -> Path:
    """Write `outbox/<stem>.eml` (never over another file: `-2`, `-3` … are added); its path."""
    folder = vault.root / OUTBOX
    if not inside(vault.root, folder):
        raise VaultError(f"{OUTBOX}/ is a symlink that leads out of the vault; no draft is written there")
    n = 1
    while True:
        path = folder / (f"{stem}.eml" if n == 1 else f"{stem}-{n}.eml")
        try:
            create_exclusive(path, data)
            return path
        except FileExistsError:
            n += 1
