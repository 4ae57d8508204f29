"""The invoice a client receives: `obm invoice pdf` (read back with pypdf) and `obm invoice email`
(the .eml parsed back with the `email` package), over real vaults, files and git."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from obm_tui.cli import main
from tests.conftest import git_out

INVOICE = "INV-261201-Z0E"


def obm(*args: str, vault: Path | None = None) -> tuple[int, str, str]:
    prefix = ["--vault", str(vault)] if vault else []
    result = CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write_invoice(root: Path, body: str, *, amount: str = "1500.00", status: str = "sent",
                  invoice_id: str = INVOICE, client: str = "zoe-okubo", extra: str = "") -> Path:
    path = root / "invoices" / f"{invoice_id}.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"---\ntype: invoice\nid: {invoice_id}\ntitle: Coaching — December 2026\n"
                    f'client: "[[{client}]]"\namount: "{amount}"\nstatus: {status}\nissued: 2026-12-01\n'
                    f"due: 2026-12-15\n{extra}---\n\n{body}", encoding="utf-8")
    return path


@pytest.fixture
def zoe(empty_vault: Path) -> Path:
    code, _, err = obm("new", "client", "Zoë Ōkubo", "email=zoe@example.com", "company=Łódź Ceramics",
                       "rate=1500", vault=empty_vault)
    assert code == 0, err
    return empty_vault


ITEMS = """| Item | Qty | Amount |
|---|---|---|
| Strategy calls (Łódź trip) | 2 | 1000.00 |
| Voxer support | 1 | 500.00 |

## Payments

| Date | Amount | Method | Reference | Note | Id |
|------------|--------:|--------|-----------|------|--------|
| 2026-12-03 | 400.00 | card | ch_1 | | 6782SQ |
"""


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_the_pdf_shows_the_business_the_client_the_lines_and_the_balance(zoe: Path, tmp_path: Path) -> None:
    write_invoice(zoe, ITEMS)
    target = tmp_path / "out" / "zoe.pdf"
    target.parent.mkdir()
    code, out, err = obm("invoice", "pdf", INVOICE, "-o", str(target), vault=zoe)
    assert code == 0, err
    assert out.strip() == str(target)
    text = pdf_text(target.read_bytes())
    for shown in ("Test Business", "1 Test Street, Testville", "hello@test-business.example",
                  "Zoë Ōkubo", "Łódź Ceramics", "zoe@example.com", INVOICE, "Issued: 2026-12-01",
                  "Due: 2026-12-15", "Strategy calls (Łódź trip)", "1,000.00 USD", "500.00 USD",
                  "Total 1,500.00 USD", "Paid so far 400.00 USD", "Balance due 1,100.00 USD",
                  "https://pay.test-business.example/card"):
        assert shown in text, shown
    assert "?" not in text.replace("Voxer", "")
    assert git_out(zoe, "status", "--porcelain") == ""  # a PDF is made, nothing in the vault changes


def test_an_invoice_with_no_items_table_is_one_line_and_yen_have_no_decimals(zoe: Path, tmp_path: Path) -> None:
    write_invoice(zoe, "Thanks for a great month.\n", amount="150000", extra="currency: JPY\n")
    target = tmp_path / "yen.pdf"
    code, _, err = obm("invoice", "pdf", INVOICE, "-o", str(target), vault=zoe)
    assert code == 0, err
    text = pdf_text(target.read_bytes())
    assert "Coaching — December 2026" in text
    assert "Balance due 150,000 JPY" in text and "150,000.00" not in text


@pytest.mark.parametrize(("body", "said"), [
    pytest.param("| Item | Amount |\n|---|---|\n| Calls | 12,50 |\n", "INV-261201-Z0E.md): the items table, line 14: ",
                 id="decimal-comma"),
    pytest.param("| Item | Amount |\n|---|---|\n| Calls | 1000.00 |\n", "adds up to 1,000.00 USD", id="sum"),
])
def test_an_invoice_that_cannot_be_shown_is_refused_and_no_file_is_made(zoe: Path, tmp_path: Path, body: str,
                                                                          said: str) -> None:
    write_invoice(zoe, body)
    target = tmp_path / "no.pdf"
    code, out, err = obm("invoice", "pdf", INVOICE, "-o", str(target), vault=zoe)
    assert code == 2 and out == ""
    assert said in err and "Traceback" not in err
    assert not target.exists()


def test_a_pdf_that_cannot_be_written_is_said_in_words(zoe: Path, tmp_path: Path) -> None:
    write_invoice(zoe, ITEMS)
    code, out, err = obm("invoice", "pdf", INVOICE, "-o", str(tmp_path / "no-such-folder" / "x.pdf"), vault=zoe)
    assert code == 1 and out == ""
    assert "no-such-folder/x.pdf" in err and "No such file or directory; no PDF was written" in err
    assert "internal error" not in err and "Traceback" not in err


def test_a_name_the_font_cannot_draw_is_refused_never_dropped(empty_vault: Path, tmp_path: Path) -> None:
    code, out, err = obm("new", "client", "大久保 Ken", "email=ken@example.com", "rate=900", vault=empty_vault)
    assert code == 0, err
    assert "created client da-jiu-bao-ken" in out
    write_invoice(empty_vault, "", client="da-jiu-bao-ken")
    code, _, err = obm("invoice", "pdf", INVOICE, "-o", str(tmp_path / "ken.pdf"), vault=empty_vault)
    assert code == 2
    assert "the client's name has characters the PDF's font (DejaVu Sans) cannot draw: 久 保 大" in err
    assert not (tmp_path / "ken.pdf").exists()


def test_the_email_is_an_eml_draft_in_the_outbox_with_the_pdf_attached(zoe: Path) -> None:
    write_invoice(zoe, ITEMS)
    code, out, err = obm("invoice", "email", INVOICE, "--today", "2026-12-02", vault=zoe)
    assert code == 0, err
    (eml,) = (zoe / "outbox").glob("*.eml")
    assert eml.name == f"invoice-{INVOICE}.eml" and f"saved {eml}" in err
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["To"].addresses[0].addr_spec == "zoe@example.com"
    sender = message["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Test Business", "hello@test-business.example")
    assert message["Subject"] == f"Invoice {INVOICE} from Test Business"
    assert message["X-Unsent"] == "1"
    text = message.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert body.startswith("Hi Zoë,") and "1,500.00 USD, due on 2026-12-15" in body
    assert "https://pay.test-business.example/card" in body and "Max Manager" in body
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{INVOICE}.pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF") and "Balance due 1,100.00 USD" in pdf_text(pdf)
    assert out.startswith("To: zoe@example.com\nSubject: Invoice")
    code, _, _ = obm("invoice", "email", INVOICE, "--today", "2026-12-02", vault=zoe)
    assert code == 0 and (zoe / "outbox" / f"invoice-{INVOICE}-2.eml").is_file()  # never over the first
    assert git_out(zoe, "status", "--porcelain", "--", "invoices", "clients") == ""


def test_an_email_with_a_name_left_unfilled_is_refused_and_nothing_is_written(empty_vault: Path) -> None:
    code, _, err = obm("new", "client", "Noel Mail", "rate=900", vault=empty_vault)
    assert code == 0, err
    write_invoice(empty_vault, "", client="noel-mail")
    code, out, err = obm("invoice", "email", INVOICE, vault=empty_vault)
    assert code == 2 and out == ""
    assert "template invoice" in err and "${email}" in err and "no draft made" in err
    assert not (empty_vault / "outbox").exists()
