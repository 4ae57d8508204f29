"""Bad input stays out, through the `obm` command over real vaults: one line of obm's words, nothing written."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from tests.conftest import git_out


def obm(*args: str, vault: Path | None = None) -> tuple[int, str, str]:
    prefix = ["--vault", str(vault)] if vault else []
    result = CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def commits(root: Path) -> int:
    return int(git_out(root, "rev-list", "--count", "HEAD"))


@pytest.mark.parametrize("args", [
    pytest.param(("client", "Acme\r\nBcc: eve@example.com"), id="title-crlf"),
    pytest.param(("client", "Acme\u2028Ltd"), id="title-line-separator"),
    pytest.param(("client", "Acme", "company=Acme\nLtd"), id="field-lf"),
    pytest.param(("client", "Acme", "email=a@example.com\r\nBcc: eve@example.com"), id="email-header"),
    pytest.param(("ticket", "Broken\x85mug"), id="subject-next-line"),
    pytest.param(("product", "Mug", "sku=MUG\r01"), id="sku-cr"),
    pytest.param(("product", "Mug", "on_hand=-5"), id="negative-stock"),
    pytest.param(("product", "Mug", "on_hand=100000000000000000000000"), id="stock-1e23"),
    pytest.param(("product", "Mug", "on_hand=٣"), id="arabic-indic-digit"),
    pytest.param(("product", "Mug", "price=1.999"), id="three-decimals"),
])
def test_new_refuses_bad_values_with_one_line_and_writes_nothing(empty_vault: Path, args: tuple[str, ...]) -> None:
    before = commits(empty_vault)
    code, out, err = obm("new", *args, vault=empty_vault)
    assert code == 2 and out == ""
    assert err.startswith("obm: ") and err.count("\n") == 1 and "Traceback" not in err
    assert commits(empty_vault) == before
    assert not list((empty_vault / "clients").glob("*.md")) and not list((empty_vault / "stock").glob("*.md"))


def test_set_refuses_a_negative_count_and_a_line_break(empty_vault: Path) -> None:
    assert obm("new", "product", "Mug", "sku=MUG", "on_hand=4", vault=empty_vault)[0] == 0
    before = (empty_vault / "stock/MUG.md").read_bytes()
    code, _, err = obm("set", "MUG", "on_hand=-1", vault=empty_vault)
    assert code == 2 and err == "obm: product on_hand: cannot be below 0, got -1\n"
    code, _, err = obm("set", "MUG", "name=Mug\nBcc: x", vault=empty_vault)
    assert code == 2 and "product name: must be one line, got a line feed" in err
    assert (empty_vault / "stock/MUG.md").read_bytes() == before


def test_check_names_each_bad_value_and_merge_key_at_its_line(empty_vault: Path) -> None:
    (empty_vault / "stock/MUG.md").write_text(
        "---\ntype: product\nid: MUG\nsku: MUG\nname: Mug\non_hand: 100000000000000000000\nlead_time_days: ٣\n---\n",
        encoding="utf-8")
    (empty_vault / "clients/acme.md").write_text(
        '---\ntype: client\nid: acme\nname: "Acme\\r\\nBcc: eve@example.com"\n'
        'email: "a@example.com\\r\\nBcc: e@x.com"\n---\n',
        encoding="utf-8")
    (empty_vault / "clients/merged.md").write_text(
        "---\ntype: client\nid: merged\nname: Merged\n<<: {status: current}\n---\n", encoding="utf-8")
    code, out, err = obm("check", vault=empty_vault)
    assert code == 1 and "Traceback" not in out + err
    assert "stock/MUG.md:6: on_hand: expected a whole number up to 1,000,000,000, got '100000000000000000000'" in out
    assert "stock/MUG.md:7: lead_time_days: expected a whole number, got '٣'" in out
    assert "clients/acme.md:4: name: must be one line, got a carriage return" in out
    assert "clients/acme.md:5: email: expected an email address" in out
    assert "clients/merged.md:5: unreadable: merge keys (<<) are not allowed" in out


@pytest.mark.parametrize(("args", "reason"), [
    pytest.param(("receive", "MUG", "٣"), "the quantity must be a whole number, got '٣'", id="arabic"),
    pytest.param(("receive", "MUG", "100000000000000000000000"), "must be a whole number up to", id="1e23"),
    pytest.param(("receive", "MUG", "1000000000"), "on hand would pass 1,000,000,000", id="past-the-bound"),
    pytest.param(("count", "MUG", "-3"), "a count cannot be negative", id="negative-count"),
])
def test_stock_quantities_are_ascii_and_bounded(empty_vault: Path, args: tuple[str, ...], reason: str) -> None:
    assert obm("new", "product", "Mug", "sku=MUG", "on_hand=4", vault=empty_vault)[0] == 0
    before = (empty_vault / "stock/MUG.md").read_bytes()
    code, _, err = obm("stock", *args, vault=empty_vault)
    assert code == 2 and reason in err and err.count("\n") == 1
    assert (empty_vault / "stock/MUG.md").read_bytes() == before


RUN = "2026-11-20-client-onboarding-maya-patel"


@pytest.fixture
def maya(empty_vault: Path) -> Path:
    obm("new", "client", "Maya Patel", "email=maya@example.com", "rate=1500", vault=empty_vault)
    code, _, err = obm("run", "start", "client-onboarding", "--for", "maya-patel", "--today", "2026-11-20",
                       vault=empty_vault)
    assert code == 0, err
    return empty_vault


def _give_maya_the_address(root: Path, quoted: str) -> None:
    path = root / "clients/maya-patel.md"
    path.write_text(path.read_text(encoding="utf-8").replace("email: maya@example.com", f"email: {quoted}"),
                    encoding="utf-8")


@pytest.mark.parametrize("quoted", [
    pytest.param('"maya@example.com\\r\\nBcc: eve@example.com"', id="crlf-bcc"),
    pytest.param('"maya@example.com\\nBcc: eve@example.com"', id="lf-bcc"),
    pytest.param('"maya@example.com\\u2028Bcc: eve@example.com"', id="line-separator"),
    pytest.param('"x,eve@example.com"', id="second-recipient"),
])
def test_a_draft_refuses_an_address_that_fails_its_field_check(maya: Path, tmp_path: Path, quoted: str) -> None:
    _give_maya_the_address(maya, quoted)
    eml = tmp_path / "welcome.eml"
    for extra in (("--eml", str(eml)), ("--mailto",)):
        code, out, err = obm("draft", "maya", "welcome", *extra, vault=maya)
        assert code != 0 and out == "" and "Traceback" not in err
        assert err.startswith("obm: client maya-patel email: expected an email address") and err.count("\n") == 1
    assert not eml.exists()


def test_a_template_to_line_cannot_add_a_header(maya: Path, tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parents[2] / "templates/emails/welcome-email.md"
    own = maya / "templates/emails/welcome-email.md"
    own.parent.mkdir(parents=True, exist_ok=True)
    text = shipped.read_text(encoding="utf-8").replace("to: ${email}", 'to: "${email}\\r\\nBcc: eve@example.com"')
    own.write_text(text, encoding="utf-8")
    eml = tmp_path / "welcome.eml"
    code, out, err = obm("draft", "maya", "welcome", "--eml", str(eml), vault=maya)
    assert code != 0 and out == "" and not eml.exists()
    assert "template welcome-email to: expected an email address" in err


def test_a_good_draft_has_one_recipient_and_no_injected_header(maya: Path, tmp_path: Path) -> None:
    eml = tmp_path / "welcome.eml"
    code, _, err = obm("draft", "maya", "welcome", "--eml", str(eml), vault=maya)
    assert code == 0, err
    message = message_from_bytes(eml.read_bytes())
    assert message["To"] == "maya@example.com" and message["Bcc"] is None
    code, out, _ = obm("draft", "maya", "welcome", "--mailto", vault=maya)
    assert out.startswith("mailto:maya@example.com?subject=") and "%0A" not in out.split("&body=")[0]


def _mail(folder: Path, name: str, *, subject: str = "Mug arrived broken", sender: str = "Ann <ann@example.com>",
          headers: str = "", text: str = "hello") -> None:
    ident = name.split(".")[0]
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"From: {sender}\nSubject: {subject}\nMessage-ID: <{ident}@example.com>\n{headers}"
                               f"Date: Mon, 23 Nov 2026 10:00:00 +0000\n\n{text}\n", encoding="utf-8")


@pytest.mark.parametrize(("odd", "reason"), [
    pytest.param({"subject": "A" * 2_000_000}, "the Subject header is larger than 64 KB", id="2mb-subject"),
    pytest.param({"subject": "word " * 400_000}, "the Subject header is larger than 64 KB", id="2mb-subject-of-words"),
    pytest.param({"subject": "x" * 1001}, "Subject: longer than 1,000 characters", id="subject-over-1000"),
    pytest.param({"sender": "A" * 2000 + " <ann@example.com>"}, "From name: longer than 1,000", id="long-name"),
    pytest.param({"headers": "References: <" + "r" * 1000 + "@example.com>\n"}, "a Message-ID longer than 998",
                 id="long-reference"),
    pytest.param({"headers": "X-Junk: " + "j" * 70_000 + "\n"}, "the X-Junk header is larger than 64 KB",
                 id="any-huge-header"),
    pytest.param({"text": "t" * 1_000_001}, "the text is longer than 1,000,000 characters", id="huge-text"),
])
def test_one_odd_mail_is_refused_alone_and_the_others_go_in(empty_vault: Path, tmp_path: Path, odd: dict[str, str],
                                                            reason: str) -> None:
    folder = tmp_path / "mail"
    _mail(folder, "a-odd.eml", **odd)
    _mail(folder, "b-fine.eml", subject="Where is my order?", sender="Bob <bob@example.com>")
    code, out, err = obm("import", "mail", str(folder), vault=empty_vault)
    assert code == 1 and "Traceback" not in err
    assert f"mail/a-odd.eml: not imported: {reason}" in err
    assert "new ticket" in out and "1 new ticket" in out and "1 not imported" in out
    tickets = list((empty_vault / "tickets").glob("*.md"))
    assert len(tickets) == 1 and "Where is my order?" in tickets[0].read_text(encoding="utf-8")
    assert obm("check", vault=empty_vault)[0] == 0


def test_a_from_without_an_address_is_kept_as_text_not_refused(empty_vault: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    _mail(folder, "a-odd.eml", sender="Ann <ann@exa,mple.com>")
    code, out, err = obm("import", "mail", str(folder), vault=empty_vault)
    assert code == 0 and "1 new ticket" in out and "holds no address mail can reach" in out + err
    (ticket,) = (empty_vault / "tickets").glob("*.md")
    text = ticket.read_text(encoding="utf-8")
    assert "customer: Ann\n" in text and "from: Ann <ann@exa,mple.com>\n" in text and "\nemail:" not in text
    assert obm("check", vault=empty_vault)[0] == 0


def test_a_thread_too_big_for_one_ticket_is_refused_alone(empty_vault: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    for n in range(9):  # nine replies of a million characters: past a ticket file's 8 MB
        refs = "" if n == 0 else "References: <big0@example.com>\n"
        _mail(folder, f"big{n}.eml", headers=refs, text="t" * 999_999)
    _mail(folder, "small.eml", subject="Where is my order?")
    code, out, err = obm("import", "mail", str(folder), vault=empty_vault)
    assert code == 1 and "mail/big3.eml: not imported: the ticket would pass 8 MB" in err
    assert "1 new ticket" in out and "9 not imported" in out
    assert len(list((empty_vault / "tickets").glob("*.md"))) == 1


SHOPIFY_HEADER = "Name,Created at,Lineitem quantity,Lineitem sku,Lineitem price\n"


@pytest.mark.parametrize(("row", "reason"), [
    pytest.param('#1001,2026-11-20 10:00:00 +0000,100000000000000000000,MUG,5.00', "up to 1,000,000,000",
                 id="quantity-1e20"),
    pytest.param('#1001,2026-11-20 10:00:00 +0000,٣,MUG,5.00', "quantity must be a whole number above 0, got '٣'",
                 id="arabic-indic-quantity"),
    pytest.param('"#1001\nBcc",2026-11-20 10:00:00 +0000,1,MUG,5.00', "Name: must be one line", id="name-line-feed"),
    pytest.param('#' + "1" * 1200 + ',2026-11-20 10:00:00 +0000,1,MUG,5.00', "Name: longer than 1,000 characters",
                 id="name-oversized"),
    pytest.param('#1001,2026-11-20 10:00:00 +0000,1,MUG,1e400', "Lineitem price: expected an amount", id="odd-price"),
])
def test_one_odd_shopify_row_is_refused_alone(empty_vault: Path, tmp_path: Path, row: str, reason: str) -> None:
    assert obm("new", "product", "Mug", "sku=MUG", "on_hand=10", vault=empty_vault)[0] == 0
    csv = tmp_path / "orders.csv"
    csv.write_text(SHOPIFY_HEADER + row + "\n#1002,2026-11-21 10:00:00 +0000,2,MUG,5.00\n", encoding="utf-8")
    code, out, err = obm("import", "shopify", str(csv), vault=empty_vault)
    assert code == 1 and "Traceback" not in err
    assert "row 2" in err and reason in err
    assert "1 order recorded, 2 units shipped" in out
    assert "on_hand: 8" in (empty_vault / "stock/MUG.md").read_text(encoding="utf-8")


STRIPE_HEADER = "id,Created date (UTC),Amount,Currency,Status,Customer Description,Seller Message\n"


@pytest.mark.parametrize(("row", "reason"), [
    pytest.param("ch_1,2026-11-20 10:00:00,1e20,usd,Failed,Ann,card_declined", "Amount must be a positive amount",
                 id="amount-exponent"),
    pytest.param("ch_1,2026-11-20 10:00:00,100000000000.00,usd,Failed,Ann,card_declined", "up to 1,000,000,000",
                 id="amount-over-the-bound"),
    pytest.param("ch_1,2026-11-20 10:00:00,١٢.00,usd,Failed,Ann,card_declined", "Amount must be a positive amount",
                 id="arabic-indic-amount"),
    pytest.param("ch_1,2026-11-20 10:00:00,12.345,usd,Failed,Ann,card_declined", "at most 2 decimals",
                 id="three-decimals"),
    pytest.param('ch_1,2026-11-20 10:00:00,12.00,usd,Failed,"Ann\r\nBcc: x",card_declined',
                 "Customer Description: must be one line", id="customer-crlf"),
    pytest.param("ch_1,2026-11-20 10:00:00,12.00,usd,Failed,Ann," + "x" * 1001, "Seller Message: longer than 1,000",
                 id="reason-oversized"),
])
def test_one_odd_stripe_row_is_refused_alone(empty_vault: Path, tmp_path: Path, row: str, reason: str) -> None:
    csv = tmp_path / "payments.csv"
    csv.write_text(STRIPE_HEADER + row + "\nch_2,2026-11-21 10:00:00,15.00,usd,Failed,Bob,expired_card\n",
                   encoding="utf-8", newline="")
    code, out, err = obm("import", "stripe", str(csv), vault=empty_vault)
    assert code == 1 and "Traceback" not in err
    assert "row 2" in err and reason in err
    assert "1 decline recorded" in out
    assert len(list((empty_vault / "declines").glob("*.md"))) == 1
    assert obm("check", vault=empty_vault)[0] == 0
