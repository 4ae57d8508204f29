"""The invoice a client receives, as a PDF: `obm invoice pdf ID` (docs/finances.md, "An invoice a
client can receive").

`invoice_sheet` gathers what the page shows, from the index only: the business (`[business]`
name, address, email, payment_link), the client (name, company, email), the invoice's id, issued
and due days, its lines (model/invoice_lines.py), total, payments so far and the balance, each
at its currency's rounding (model/money.py). `render` lays it out with fpdf2 in DejaVu Sans, a
Unicode TrueType font shipped in `obm_tui/fonts/` (with its licence): fpdf2's built-in fonts are
Latin-1 only, and `Łódź`, `Zoë` or `Ōkubo` must print as written (docs/architecture.md, "The
invoice PDF's font"). Nothing here writes to the vault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from obm_tui.model.errors import UsageError, ValidationError
from obm_tui.model.fields import day_or_none
from obm_tui.model.finance import record_amount, record_currency, record_payments
from obm_tui.model.invoice_lines import Line, line_items
from obm_tui.model.money import MoneyError, currency_code, shown
from obm_tui.model.records import Record
from obm_tui.vault.store import Vault

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parents[1] / "fonts"
FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


class InvoiceNotReady(ValidationError):
    """An invoice that cannot be shown to a client as it is; the message says what to fix."""

    title = "Invoice not ready"


@dataclass(frozen=True)
class InvoiceSheet:
    """Everything the client's copy of an invoice shows."""

    invoice_id: str
    title: str
    status: str
    currency: str
    issued: date | None
    due: date | None
    lines: tuple[Line, ...]
    total: Decimal
    paid: Decimal
    business: str
    business_address: str
    business_email: str
    payment_link: str
    client_id: str
    client_name: str
    client_company: str
    client_email: str

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid

    def money(self, amount: Decimal) -> str:
        """`1,500.00 USD`, at the currency's rounding."""
        return shown(amount, self.currency)


def invoice_of(vault: Vault, ref: str) -> Record:
    """The invoice `ref` names (id, unique prefix or path); UsageError when it is none."""
    record = vault.find(ref, "invoice")
    if record.kind != "invoice":
        raise UsageError(f"{record.id} is a {record.kind}, not an invoice")
    return record


def invoice_sheet(vault: Vault, invoice: Record) -> InvoiceSheet:
    """What the invoice's PDF shows; InvoiceNotReady naming the field to fix when it cannot be made."""
    if invoice.problems:
        first = invoice.problems[0]
        raise InvoiceNotReady(f"invoice {invoice.id} has problems ({invoice.path}:{first.line}: {first.reason}); "
                              "fix them first (obm check)")
    client = client_of(vault, invoice)
    try:
        currency = record_currency(invoice, _client_currency(client) or vault.config.currency)
        total = record_amount(invoice, currency)
        doc = vault.read_document(invoice)
        lines = line_items(doc.body, invoice.title, total, currency, doc.body_line)
        paid = paid_so_far(invoice, currency, total)
    except MoneyError as exc:
        raise InvoiceNotReady(f"invoice {invoice.id} ({invoice.path}): {exc}") from None
    business = vault.config.business
    return InvoiceSheet(
        invoice.id, str(invoice.data.get("title") or ""), str(invoice.data.get("status") or "draft"), currency,
        _day(invoice, "issued"), _day(invoice, "due"), lines, total, paid, vault.config.business_name,
        business.get("address", ""), business.get("email", ""), business.get("payment_link", ""),
        client.id, client.title, client.text("company"), client.text("email"))


def client_of(vault: Vault, invoice: Record) -> Record:
    """The invoice's client record; InvoiceNotReady when the link is missing or broken."""
    target = invoice.value("client")
    client = vault.index.get("client", str(target)) if target else None
    if client is None:
        raise InvoiceNotReady(f"invoice {invoice.id}: client {target or '(none)'!s} is no client in clients/; "
                              f"set it with obm set {invoice.id} client=<client id>")
    return client


def _client_currency(client: Record) -> str:
    raw = client.data.get("currency")
    return currency_code(raw) if isinstance(raw, str) and raw.strip() else ""


def paid_so_far(invoice: Record, currency: str, total: Decimal) -> Decimal:
    """The sum of the invoice's payment rows; an invoice marked paid by hand with none: all of it."""
    rows = record_payments(invoice)
    for row in rows:
        if row.currency and row.currency != currency:
            raise MoneyError(f"a payment of {row.amount} {row.currency} on a {currency} invoice ({row.day}): "
                             "amounts are never converted")
    if not rows and invoice.data.get("status") == "paid":
        return total
    return sum((row.amount for row in rows), Decimal(0))


def _day(record: Record, name: str) -> date | None:
    return day_or_none(record.data.get(name))
# ----- the page ----------------------------------------------------------------------------------

def render(sheet: InvoiceSheet) -> bytes:
    """The invoice as PDF bytes (A4). The same sheet gives the same bytes (the creation date is
    the issue day), so a PDF made twice is the same file."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT, style, str(FONT_DIR / name))
    _refuse_missing_glyphs(sheet, getattr(pdf.fonts[FONT.lower()], "cmap", {}))
    pdf.set_title(f"Invoice {sheet.invoice_id}")
    pdf.set_author(sheet.business)
    pdf.set_creator("obm")
    pdf.set_creation_date(datetime.combine(sheet.issued or date(2000, 1, 1), time(), UTC))
    pdf.add_page()
    _header(pdf, sheet)
    _bill_to(pdf, sheet)
    _lines(pdf, sheet)
    _totals(pdf, sheet)
    _how_to_pay(pdf, sheet)
    return bytes(pdf.output())


def _refuse_missing_glyphs(sheet: InvoiceSheet, cmap: Mapping[int, object]) -> None:
    """A character the font has no glyph for would vanish from the page: refuse, naming it."""
    texts = {"the business's name": sheet.business, "[business] address": sheet.business_address,
             "the client's name": sheet.client_name, "the client's company": sheet.client_company,
             "the client's email": sheet.client_email, "the title": sheet.title,
             **{f"item {n}": line.item for n, line in enumerate(sheet.lines, 1)}}
    for where, text in texts.items():
        missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})
        if missing:
            raise InvoiceNotReady(f"invoice {sheet.invoice_id}: {where} has characters the PDF's font (DejaVu Sans) "
                                  f"cannot draw: {' '.join(missing)}; write them in Latin, Greek or Cyrillic letters")


def _header(pdf: FPDF, sheet: InvoiceSheet) -> None:
    width = pdf.epw / 2
    top = pdf.get_y()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(width, 8, sheet.business, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for text in (sheet.business_address, sheet.business_email):
        if text:
            pdf.multi_cell(width, 5, text, new_x="LMARGIN", new_y="NEXT")
    left_end = pdf.get_y()
    pdf.set_xy(pdf.l_margin + width, top)
    pdf.set_font(FONT, "B", 20)
    pdf.cell(width, 10, "INVOICE", align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    for label, value in (("Invoice", sheet.invoice_id), ("Issued", _iso(sheet.issued)), ("Due", _iso(sheet.due))):
        pdf.cell(width, 6, f"{label}: {value}", align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, max(left_end, pdf.get_y()) + 8)


def _bill_to(pdf: FPDF, sheet: InvoiceSheet) -> None:
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 6, "Bill to", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    for text in (sheet.client_name, sheet.client_company, sheet.client_email):
        if text:
            pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)


def _lines(pdf: FPDF, sheet: InvoiceSheet) -> None:
    with_qty = any(line.qty for line in sheet.lines)
    widths = (pdf.epw * 0.62, pdf.epw * 0.10, pdf.epw * 0.28) if with_qty else (pdf.epw * 0.72, 0, pdf.epw * 0.28)
    pdf.set_font(FONT, "B", 10)
    pdf.set_fill_color(235, 235, 235)
    pdf.cell(widths[0], 7, "Description", fill=True)
    if with_qty:
        pdf.cell(widths[1], 7, "Qty", align="R", fill=True)
    pdf.cell(widths[2], 7, f"Amount ({sheet.currency})", align="R", fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    for line in sheet.lines:
        top = pdf.get_y()
        pdf.multi_cell(widths[0], 6, line.item or "—", new_x="RIGHT", new_y="TOP")
        bottom = pdf.get_y() + 6
        if with_qty:
            pdf.cell(widths[1], 6, line.qty, align="R")
        pdf.cell(widths[2], 6, sheet.money(line.amount), align="R")
        pdf.set_xy(pdf.l_margin, max(top + 6, bottom, pdf.get_y()))
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(3)


def _totals(pdf: FPDF, sheet: InvoiceSheet) -> None:
    label_w, value_w = pdf.epw * 0.72, pdf.epw * 0.28
    rows = [("Total", sheet.total, False), ("Paid so far", sheet.paid, False), ("Balance due", sheet.balance, True)]
    for label, amount, bold in rows:
        pdf.set_font(FONT, "B" if bold else "", 11 if bold else 10)
        pdf.cell(label_w, 7, label, align="R")
        pdf.cell(value_w, 7, sheet.money(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)


def _how_to_pay(pdf: FPDF, sheet: InvoiceSheet) -> None:
    pdf.set_font(FONT, "", 10)
    if sheet.balance <= 0:
        pdf.multi_cell(0, 5, "Paid in full. Thank you!", new_x="LMARGIN", new_y="NEXT")
        return
    due = f" by {_iso(sheet.due)}" if sheet.due else ""
    pdf.multi_cell(0, 5, f"Please pay {sheet.money(sheet.balance)}{due}, quoting {sheet.invoice_id}.",
                   new_x="LMARGIN", new_y="NEXT")
    if sheet.payment_link:
        pdf.multi_cell(0, 5, f"Pay online: {sheet.payment_link}", new_x="LMARGIN", new_y="NEXT",
                       link=sheet.payment_link)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "—"


def invoice_pdf(vault: Vault, invoice: Record) -> bytes:
    """The invoice's PDF bytes (InvoiceNotReady when it cannot be made)."""
    return render(invoice_sheet(vault, invoice))
