"""`obm invoice pdf` and `obm invoice email`: the invoice a client receives.
Services: services/invoice_pdf.py, services/invoice_mail.py (docs/finances.md, docs/cli.md)."""

from __future__ import annotations

from pathlib import Path

import click

from obm_tui.cli.app import opened
from obm_tui.cli.completion import ids_of
from obm_tui.cli.finance import invoice
from obm_tui.cli.out import say


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
    target.write_bytes(data)
    say(str(target))
