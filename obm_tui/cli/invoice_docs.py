"""`obm invoice pdf` and `obm invoice email`: the invoice a client receives.
Services: services/invoice_pdf.py, services/invoice_mail.py (docs/finances.md, docs/cli.md)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from obm_tui.cli.app import opened
from obm_tui.cli.completion import ids_of
from obm_tui.cli.finance import invoice
from obm_tui.cli.out import say
from obm_tui.cli.runs import _TODAY, _now


@invoice.command("pdf")
@click.argument("invoice_id", metavar="ID", shell_complete=ids_of("invoice"))
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Where to write the PDF (default: ID.pdf in the current folder).")
@click.pass_context
def invoice_pdf_cmd(ctx: click.Context, invoice_id: str, output: Path | None) -> None:
    """The invoice as a PDF for the client: obm invoice pdf INV-261201-T5F -o invoice.pdf"""
    from obm_tui.services.invoice_pdf import invoice_of, invoice_pdf

    with opened(ctx, change=False) as vault:
        record = invoice_of(vault, invoice_id)
        data = invoice_pdf(vault, record)
    target = output if output is not None else Path(f"{record.id}.pdf")
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise click.FileError(str(target), hint=f"{exc.strerror or exc}; no PDF was written") from None
    say(str(target))


@invoice.command("email")
@click.argument("invoice_id", metavar="ID", shell_complete=ids_of("invoice"))
@_TODAY
@click.pass_context
def invoice_email_cmd(ctx: click.Context, invoice_id: str, today: datetime | None) -> None:
    """Draft the invoice's email, its PDF attached, as an .eml in the vault's outbox/ (template
    emails/invoice). Never sends mail: open the .eml in your mail program and send it."""
    from obm_tui.services.invoice_mail import invoice_email, save_to_outbox
    from obm_tui.services.invoice_pdf import invoice_of

    with opened(ctx, change=False) as vault:
        record = invoice_of(vault, invoice_id)
        draft, data = invoice_email(vault, record, _now(vault, today).date())
        path = save_to_outbox(vault, f"invoice-{record.id}", data)
    say(draft.as_text())
    say(f"saved {path}", err=True)
