"""Imports on real vaults: mail (the corpus's real .eml and mbox files), Shopify orders, Stripe
payments (the corpus's real export, and a copy with failed rows). One commit per import."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from obm_tui.model import conversation, ledger
from obm_tui.model.errors import UsageError
from obm_tui.services.imports import import_shopify, import_stripe
from obm_tui.services.mail_import import import_mail
from obm_tui.vault.store import Vault
from tests.conftest import CORPUS, git_out
from tests.integration.demo_copy import demo_master, sample_copy  # noqa: F401  (fixtures)

NOW = datetime(2026, 11, 23, 11, 0)
EMAIL = CORPUS / "email"
MBOX_FIRST = "<f092d8d2-8781-469e-a1a6-c938087dc1f4@example.com>"  # mimekit_issue1189.mbox, message 1


def log(root: Path) -> list[str]:
    return git_out(root, "log", "--format=%s").splitlines()


def eml(folder: Path, name: str, sender: str, message_id: str, refs: str, date: str, text: str) -> Path:
    path = folder / name
    path.write_bytes((f"From: {sender}\r\nTo: help@test.example\r\nSubject: Re: Message 1\r\n"
                      f"Message-ID: {message_id}\r\nIn-Reply-To: {refs.split()[-1]}\r\nReferences: {refs}\r\n"
                      f"Date: {date}\r\n\r\n{text}\r\n").encode())
    return path


@pytest.fixture
def vault(empty_vault: Path) -> Vault:
    config = empty_vault / ".obm" / "config.toml"
    config.write_text(config.read_text().replace("[care]\n", '[care]\naddresses = ["help@test.example"]\n', 1))
    return Vault.open(empty_vault)  # commits the config change


def ticket_of(vault: Vault, message_id: str) -> tuple[dict[str, object], tuple[conversation.Message, ...]]:
    (record,) = [r for r in vault.records("ticket") if r.data.get("message_id") == message_id]
    return dict(record.data), conversation.parse(vault.read_body(record), vault.config.tz).messages


def test_mail_corpus_one_ticket_per_thread_in_one_commit_then_duplicates(vault: Vault) -> None:
    before = log(vault.root)
    result = import_mail(vault, [EMAIL], now=NOW)
    assert result.message == "import mail: 9 new tickets, 0 replies added, 0 duplicates skipped"
    assert log(vault.root) == [result.message, *before] and len(result.new_tickets) == 9
    files = git_out(vault.root, "show", "--name-only", "--format=", "HEAD").split()
    assert len(files) == 9 and all(f.startswith("tickets/T-") for f in files)
    fields, messages = ticket_of(vault, MBOX_FIRST)
    assert (fields["subject"], fields["customer"], fields["email"]) == ("Message 1", "Sender", "sender@example.com")
    assert (fields["status"], fields["channel"], fields["created"]) == ("new", "email", "2025-09-26T13:18")
    assert [(m.role, m.message_id) for m in messages] == [("customer", MBOX_FIRST)]
    assert any(line.text.startswith("warning: no Message-ID") for line in result.lines)
    again = import_mail(Vault.open(vault.root), [EMAIL], now=NOW)
    assert again.message == "import mail: 0 new tickets, 0 replies added, 9 duplicates skipped"
    assert again.commit is None and log(vault.root)[0] == result.message
    assert {line.status for line in again.lines} <= {"duplicate", "warning"}


def test_replies_join_their_ticket_by_references(vault: Vault, tmp_path: Path) -> None:
    import_mail(vault, [EMAIL / "mimekit_issue1189.mbox"], now=NOW)
    folder = tmp_path / "replies"
    folder.mkdir()
    eml(folder, "1-agent.eml", "Help Desk <help@test.example>", "<r1@test.example>", MBOX_FIRST,
        "Mon, 23 Nov 2026 10:00:00 -0500", "Thanks, looking into it.")
    eml(folder, "2-customer.eml", "Sender <sender@example.com>", "<r2@example.com>", f"{MBOX_FIRST} <r1@test.example>",
        "Mon, 23 Nov 2026 10:30:00 -0500", "Still waiting!")
    vault = Vault.open(vault.root)
    result = import_mail(vault, [folder], now=NOW)
    assert result.message == "import mail: 0 new tickets, 2 replies added, 0 duplicates skipped"
    fields, messages = ticket_of(vault, MBOX_FIRST)
    assert [(m.role, m.status, m.text) for m in messages[1:]] == [
        ("agent", "pending", "Thanks, looking into it."), ("customer", "open", "Still waiting!")]
    assert (fields["status"], fields["first_response"]) == ("open", "2026-11-23T10:00")
    again = import_mail(Vault.open(vault.root), [folder], now=NOW)
    assert again.duplicates == 2 and again.commit is None


def test_a_thread_imported_as_a_new_ticket_counts_its_messages(vault: Vault, tmp_path: Path) -> None:
    """Issue 11 item 16: a 5-message thread is `1 new ticket with 5 messages`, not `0 replies added`."""
    folder = tmp_path / "thread"
    folder.mkdir()
    first = "<t0@example.com>"
    (folder / "0.eml").write_bytes((
        f"From: Jane <jane@example.com>\r\nTo: help@test.example\r\nSubject: Where is it\r\n"
        f"Message-ID: {first}\r\nDate: Mon, 23 Nov 2026 09:00:00 -0500\r\n\r\nHi\r\n").encode())
    refs = first
    for n in range(1, 5):
        eml(folder, f"{n}.eml", "Jane <jane@example.com>", f"<t{n}@example.com>", refs,
            f"Mon, 23 Nov 2026 1{n}:00:00 -0500", f"Message {n}")
        refs += f" <t{n}@example.com>"
    result = import_mail(vault, [folder], now=NOW)
    assert result.message == "import mail: 1 new ticket with 5 messages, 0 replies added, 0 duplicates skipped"
    assert log(vault.root)[0] == result.message and result.new_messages == 5
    assert len(ticket_of(Vault.open(vault.root), first)[1]) == 5


def test_dry_run_and_unreadable_messages(vault: Vault, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(EMAIL / "mikel-mail_raw_email_reply.eml", folder)
    (folder / "empty.eml").write_bytes(b"")
    before = log(vault.root)
    dry = import_mail(vault, [folder, tmp_path / "missing"], now=NOW, dry_run=True)
    assert dry.message == "import mail: 1 new ticket, 0 replies added, 0 duplicates skipped, 2 not imported"
    assert log(vault.root) == before and not list((vault.root / "tickets").glob("T-*"))
    problems = [str(line) for line in dry.lines if line.status == "problem"]
    assert problems == ["inbox/empty.eml: not imported: empty message",
                        f"{tmp_path / 'missing'}: not imported: no such file or folder"]
    real = import_mail(vault, [folder], now=NOW)
    assert real.commit and real.problems == 1 and len(real.new_tickets) == 1


def test_a_reply_to_a_ticket_that_no_longer_parses_is_not_added(vault: Vault, tmp_path: Path) -> None:
    import_mail(vault, [EMAIL / "mimekit_issue1189.mbox"], now=NOW)
    vault = Vault.open(vault.root)
    (record,) = [r for r in vault.records("ticket") if r.data.get("message_id") == MBOX_FIRST]
    path = vault.root / record.path
    path.write_bytes(path.read_bytes() + b"<<<<<<< HEAD\n")
    reply = eml(tmp_path, "reply.eml", "Sender <sender@example.com>", "<r9@example.com>", MBOX_FIRST,
                "Mon, 23 Nov 2026 10:30:00 -0500", "Hello?")
    result = import_mail(vault, [reply], now=NOW)
    assert result.problems == 1 and result.commit is None
    (report,) = [str(x) for x in result.lines]
    assert report.startswith(f"reply.eml: not added to {record.id}: {record.path} does not parse (line ")
    assert report.endswith("unresolved git merge conflict markers (<<<<<<< / >>>>>>>)); fix it in an editor first")
    assert path.read_bytes().endswith(b"<<<<<<< HEAD\n")


def test_mail_senders_become_addresses_check_accepts_or_text(vault: Vault, tmp_path: Path) -> None:
    """Issue 11 item 14: a quoted local part is an address (obm check agrees); `xxxxx@xxxxx`
    cannot be mailed, so it is kept in `from:` and the customer's name, not in `email:`."""
    from click.testing import CliRunner

    from obm_tui.cli import main

    folder = tmp_path / "odd"
    folder.mkdir()
    for n, sender in enumerate(('"big bug bb"@bug.com', "xxxxx@xxxxx", "Jane <xxxxx@xxxxx>")):
        (folder / f"{n}.eml").write_bytes(
            (f"From: {sender}\r\nTo: help@test.example\r\nSubject: Bug {n}\r\nMessage-ID: <odd{n}@bug.com>\r\n"
             "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nIt broke.\r\n").encode())
    result = import_mail(vault, [folder], now=NOW)
    assert result.message == "import mail: 3 new tickets, 0 replies added, 0 duplicates skipped"
    quoted, dotless, named = (ticket_of(Vault.open(vault.root), f"<odd{n}@bug.com>")[0] for n in range(3))
    assert (quoted["email"], quoted["customer"], quoted.get("from")) == ('"big bug bb"@bug.com', '"big bug bb"@bug.com',
                                                                          None)
    assert ("email" not in dotless, dotless["customer"], dotless["from"]) == (True, "xxxxx@xxxxx", "xxxxx@xxxxx")
    assert ("email" not in named, named["customer"], named["from"]) == (True, "Jane", "Jane <xxxxx@xxxxx>")
    checked = CliRunner().invoke(main, ["--vault", str(vault.root), "check"])
    assert checked.exit_code == 0, checked.output


# ----- Shopify -------------------------------------------------------------------------------

HEADER = (  # noqa: SIM905 - the header as Shopify writes it (abridged)
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,"
    "Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,"
    "Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,"
    "Lineitem taxable,Lineitem fulfillment status,Billing Name,Notes,Cancelled at,Id"
).split(",")


def orders_csv(*rows: dict[str, str], header: list[str] = HEADER) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([row.get(column, "") for column in header] for row in rows)
    return out.getvalue().encode()


def line(name: str, sku: str, qty: str, *, first: bool = True, shipping: str = "true") -> dict[str, str]:
    row = {"Name": name, "Lineitem sku": sku, "Lineitem quantity": qty, "Lineitem requires shipping": shipping}
    if first:
        row.update({"Email": "jane@example.com", "Financial Status": "paid", "Created at": "2026-11-23 10:14:05 -0500"})
    return row


EXPORT = orders_csv(
    line("#1301", "MUG-CLASSIC", "2"), line("#1301", "TOTE-CANVAS", "1", first=False),
    line("#1302", "MUG-GIANT", "1"),  # unknown SKU: the order is rejected
    line("#1252", "MUG-CLASSIC", "3"),  # already in the ledger
    line("#1303", "PLAN-2027", "60"),  # more than on hand: rejected
    line("#1304", "", "1", shipping="false"),  # a digital item
)


def test_shopify_orders_become_shipments_once(sample_copy: Path) -> None:  # noqa: F811
    vault = Vault.open(sample_copy)
    before = log(sample_copy)
    result = import_shopify(vault, EXPORT, source="orders.csv")
    assert result.message == "import shopify orders.csv: 1 order recorded, 3 units shipped; 2 rows rejected, 2 skipped"
    assert log(sample_copy) == [result.message, *before]
    assert sorted(git_out(sample_copy, "show", "--name-only", "--format=", "HEAD").split()) == [
        "stock/MUG-CLASSIC.md", "stock/TOTE-CANVAS.md"]
    report = {r.row: (r.status, r.reason) for r in result.rows}
    assert report[4] == ("rejected", "unknown SKU MUG-GIANT")
    assert report[5] == ("skipped", "already imported")
    assert report[6] == ("rejected", "order not imported (cannot ship 60 of PLAN-2027: only 52 on hand)")
    mug = ledger.parse(vault.read_body(vault.find("MUG-CLASSIC", "product"))).movements[-1]
    assert (mug.kind, mug.qty, mug.on_hand, mug.ref, str(mug.when)) == (
        "ship", -2, 15, "order 1301", "2026-11-23 10:14:00")
    assert vault.find("MUG-CLASSIC", "product").data["on_hand"] == "15"
    again = import_shopify(Vault.open(sample_copy), EXPORT, source="orders.csv")
    assert again.commit is None and again.recorded == 0 and log(sample_copy)[0] == result.message


def test_shopify_refuses_a_wrong_file_and_dry_run_writes_nothing(sample_copy: Path) -> None:  # noqa: F811
    vault = Vault.open(sample_copy)
    stock = {p: p.read_bytes() for p in (sample_copy / "stock").glob("*.md")}
    no_sku = orders_csv(line("#1301", "MUG-CLASSIC", "2"), header=[h for h in HEADER if h != "Lineitem sku"])
    with pytest.raises(UsageError, match=r"orders\.csv: not a Shopify orders export: missing column\(s\) Lineitem sku"):
        import_shopify(vault, no_sku, source="orders.csv")
    with pytest.raises(UsageError, match="not UTF-8"):
        import_shopify(vault, b"\xff\xfeN\x00", source="orders.csv")
    dry = import_shopify(vault, EXPORT, dry_run=True)
    assert dry.recorded == 1 and dry.commit is None and dry.paths
    assert {p: p.read_bytes() for p in stock} == stock


# ----- Stripe --------------------------------------------------------------------------------

def stripe_rows(*changes: dict[str, str]) -> bytes:
    rows = list(csv.reader(io.StringIO((CORPUS / "stripe" / "overlayon_unified_payments.csv").read_text())))
    header, paid = rows[0], rows[1]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerows([header, paid])
    for change in changes:
        writer.writerow([change.get(column, value) for column, value in zip(header, paid, strict=True)])
    return out.getvalue().encode()


def test_stripe_real_export_records_its_charge_once(sample_copy: Path) -> None:  # noqa: F811
    """Issue 12 item 1: the real export's Paid row is a charge; matching no invoice, it is an
    unmatched payment record named from its charge id; a second import adds nothing."""
    vault = Vault.open(sample_copy)
    data = (CORPUS / "stripe" / "overlayon_unified_payments.csv").read_bytes()
    result = import_stripe(vault, data, now=NOW, source="payments.csv")
    assert result.message == "import stripe payments.csv: 1 payment recorded; 0 rows rejected, 0 skipped"
    assert log(sample_copy)[0] == result.message and result.commit
    (path,) = result.paths
    assert path.startswith("payments/PAY-240606-") and len(path) == len("payments/PAY-240606-XXX.md")  # New York
    record = Vault.open(sample_copy).index.by_path(path)
    assert record is not None and record.ok, record and record.problems
    shown = ("date", "amount", "currency", "payment_type", "status", "email", "reference", "source")
    assert {k: record.data[k] for k in shown} == {
        "date": "2024-06-06", "amount": "15.00", "currency": "USD", "payment_type": "charge", "status": "unmatched",
        "email": "redacted@example.com", "reference": "ch_3POsheC8ukEwBaxR1SBP6Pvo", "source": "stripe"}
    assert "fee" not in record.data  # the export's fee is in THB
    before = log(sample_copy)
    again = import_stripe(Vault.open(sample_copy), data, now=NOW, source="payments.csv")
    assert (again.recorded, again.skipped, again.commit) == (0, 1, None) and log(sample_copy) == before


SAMPLE_PAYMENTS = {"payments/PAY-261106-4TR.md", "payments/PAY-261120-9KB.md"}  # the sample vault's own


def test_stripe_balance_export_refunds_and_payouts_are_payment_records(sample_copy: Path) -> None:  # noqa: F811
    data = (Path(__file__).resolve().parents[1] / "data" / "stripe" / "balance_history.csv").read_bytes()
    result = import_stripe(Vault.open(sample_copy), data, now=NOW, source="balance_history.csv")
    assert result.message == ("import stripe balance_history.csv: 4 payments recorded; 3 rows rejected, "
                              "1 skipped")
    vault = Vault.open(sample_copy)
    kinds = sorted((str(r.data["payment_type"]), str(r.data["amount"]), str(r.data.get("fee", "")))
                   for r in vault.records("payment") if r.path not in SAMPLE_PAYMENTS)
    assert kinds == [("charge", "1500.00", "43.80"), ("charge", "49.00", "1.72"), ("payout", "1000.00", ""),
                     ("refund", "49.00", "")]
    assert all(r.ok for r in vault.records("payment"))


def test_stripe_failed_rows_become_declines_once(sample_copy: Path) -> None:  # noqa: F811
    vault = Vault.open(sample_copy)
    data = stripe_rows(
        {"id": "ch_failed_1", "Status": "Failed", "Seller Message": "The bank declined the payment.", "Amount": "49.00",
         "Card Name": "", "Customer Email": "ana@example.com", "Created date (UTC)": "2026-11-23 03:30:00"},
        {"id": "ch_failed_2", "Status": "Failed", "Amount": "-3.00"},
    )
    result = import_stripe(vault, data, now=NOW, source="payments.csv")
    assert result.message == ("import stripe payments.csv: 1 decline recorded, 1 payment recorded; "
                              "1 rows rejected, 0 skipped")
    assert log(sample_copy)[0] == result.message
    (path,) = [p for p in result.paths if p.startswith("declines/")]
    record = Vault.open(sample_copy).index.by_path(path)
    assert record is not None and record.ok, record and record.problems
    assert path.startswith("declines/2026-11-22-ana-example-com-")  # 03:30 UTC is the 22nd in New York
    shown = ("customer", "amount", "currency", "declined", "status", "charge_id", "reason")
    assert {k: record.data[k] for k in shown} == {
        "customer": "ana@example.com", "amount": "49.00", "currency": "USD", "declined": "2026-11-22",
        "status": "new", "charge_id": "ch_failed_1", "reason": "The bank declined the payment."}
    again = import_stripe(Vault.open(sample_copy), data, now=NOW, source="payments.csv")
    assert again.recorded == 0 and ("skipped", "already recorded") in [(r.status, r.reason) for r in again.rows]


# The payments export before the "unified payments" one (Stripe dashboard, up to 2023): `Created (UTC)`.
OLD_STRIPE_HEADER = ("id,Description,Seller Message,Created (UTC),Amount,Amount Refunded,Currency,Converted Amount,"
                     "Converted Amount Refunded,Fee,Tax,Converted Currency,Mode,Status,Statement Descriptor,"
                     "Customer ID,Customer Description,Customer Email,Captured,Card ID,Card Last4,Card Brand,"
                     "Card Funding,Card Exp Month,Card Exp Year,Card Name")


def test_stripe_older_created_utc_export_imports_row_by_row(sample_copy: Path) -> None:  # noqa: F811
    """Issue 11 item 15: the older `Created (UTC)` header is read; a bad row is reported with its
    line and the good rows go in."""
    columns = OLD_STRIPE_HEADER.split(",")

    def row(**cells: str) -> str:
        return ",".join(cells.get(c.replace(" ", "_").replace("(", "").replace(")", ""), "") for c in columns)

    data = "\r\n".join([
        OLD_STRIPE_HEADER,
        row(id="ch_old_1", Created_UTC="2019-05-14 13:17", Amount="25.00", Currency="usd", Status="Failed",
            Seller_Message="Insufficient funds", Customer_Email="kim@example.com", Customer_Description="Kim Lee"),
        row(id="ch_old_2", Created_UTC="14/05/2019", Amount="9.00", Currency="usd", Status="Failed"),
        row(id="ch_old_3", Created_UTC="2019-05-15 09:00", Amount="9.00", Currency="usd", Status="Paid"),
    ]).encode()
    result = import_stripe(Vault.open(sample_copy), data, now=NOW, source="payments-2019.csv")
    assert result.message == ("import stripe payments-2019.csv: 1 decline recorded, 1 payment recorded; "
                              "1 rows rejected, 0 skipped")
    assert [str(r) for r in result.rows] == [
        "row 2, ch_old_1: declined 25.00 USD: Insufficient funds",
        "row 3, ch_old_2: Created (UTC) is not a date: '14/05/2019'",
        "row 4, ch_old_3: charge 9.00 USD"]
    path = result.paths[0]
    record = Vault.open(sample_copy).index.by_path(path)
    assert record is not None and record.ok and record.data["declined"] == "2019-05-14"
    assert log(sample_copy)[0] == result.message

