"""Mail import: every real file of the corpus, threading, dedupe keys, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from obm_tui.importers.html_text import html_to_text
from obm_tui.importers.mail import (
    MailMessage,
    MailProblem,
    clean_subject,
    content_key,
    message_ids,
    parse_message,
    plan_import,
    read_mail,
    role_of,
    split_mbox,
    thread,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "email"


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def only(name: str) -> MailMessage:
    messages, problems = read_mail(corpus(name), name)
    assert problems == []
    (message,) = messages
    return message


def test_every_corpus_file_is_read_without_problems() -> None:
    files = sorted(CORPUS.iterdir())
    assert len(files) == 6
    for path in files:
        messages, problems = read_mail(path.read_bytes(), path.name)
        assert problems == [], path.name
        assert messages and all(m.key for m in messages), path.name


def test_crlf_reply_with_references_to_absent_parents() -> None:
    m = only("mikel-mail_raw_email_reply.eml")
    assert m.key == m.message_id == "<473FFE27.20003@xxx.org>"
    assert m.in_reply_to == ("<348F04F142D69C21-291E56D292BC@xxxx.net>",)
    assert m.references == ("<473FF3B8.9020707@xxx.org>", "<348F04F142D69C21-291E56D292BC@xxxx.net>")
    assert (m.from_name, m.from_addr, m.subject) == ("Testing", "xxxxxxxx@xxx.org", "Re: Test reply email")
    assert m.date == datetime(2007, 11, 18, 8, 56, 7, tzinfo=UTC)
    assert m.text == "Message body" and "\r" not in m.text
    assert m.warnings == ()
    (orphan,) = thread([m])
    assert orphan.subject == "Test reply email"
    assert orphan.ids >= {m.key, *m.references}


def test_two_references_headers_one_broken() -> None:
    m = only("mikel-mail_multiple_references_with_one_invalid.eml")
    assert m.key == "<105647271315.NCV17523@x263.net>"
    assert m.references == ("<foo@bar.net>", "<baz@bar.net>")
    assert m.text == "foo"  # the text/plain part of multipart/alternative
    assert (m.from_name, m.from_addr) == ("", "redacted@flashmail.net")


def test_japanese_base64_subject_name_and_body() -> None:
    m = only("mikel-mail_japanese.eml")
    assert m.subject == "まみむめも"
    assert m.text.startswith("かきくえこ")
    assert m.from_name == "Mikel Lindsaar"
    assert m.key.startswith("sha256:") and m.message_id is None
    assert "no Message-ID: recognised by its content on re-import" in m.warnings


def test_mbox_from_line_mixed_subject_and_euc_kr_body() -> None:
    m = only("mikel-mail_raw_email_with_partially_quoted_subject.eml")
    assert m.subject == 'Re: Test: "漢字" mid "漢字" tail'
    assert m.text.startswith("대부분의 마찬가지로")
    assert m.in_reply_to == () and m.date is not None
    assert m.date.utcoffset() == timedelta(hours=-6)


def test_quoted_printable_without_headers_that_matter() -> None:
    m = only("mikel-mail_quoted-printable.eml")
    assert m.text == "Valid: 是 Invalid: \ufffd"
    assert (m.subject, m.from_addr, m.date, m.message_id) == ("", "", None, None)
    assert m.sender == "unknown sender"
    assert set(m.warnings) == {"no Message-ID: recognised by its content on re-import",
                               "no From: the customer is unknown", "no Date: placed in file order"}
    assert thread([m])[0].subject == "(no subject)"


def test_mbox_with_attachments() -> None:
    messages, problems = read_mail(corpus("mimekit_issue1189.mbox"), "takeout.mbox")
    assert problems == []
    assert [m.subject for m in messages] == ["Message 1", "Message 2", "Message 3", "Message 4"]
    assert [m.text for m in messages] == [f"Body of message {n}." for n in range(1, 5)]
    assert messages[1].attachments == ("Attachment.zip",)
    assert messages[1].source == "takeout.mbox: message 2"
    assert len(thread(messages)) == 4  # no references between them: four tickets


def test_content_keys_ignore_line_endings() -> None:
    data = corpus("mikel-mail_japanese.eml")
    assert content_key(data) == content_key(data.replace(b"\r\n", b"\n"))
    assert content_key(data) != content_key(data + b"x")


def mail(ident: str | None, *, reply_to: str = "", refs: str = "", date: str = "Mon, 16 Nov 2026 10:00:00 +0000",
         sender: str = "Jane Doe <jane@example.com>", subject: str = "Mug arrived cracked",
         body: str = "Hello") -> bytes:
    lines = [f"From: {sender}", f"Subject: {subject}", f"Date: {date}"]
    if ident:
        lines.append(f"Message-ID: {ident}")
    if reply_to:
        lines.append(f"In-Reply-To: {reply_to}")
    if refs:
        lines.append(f"References: {refs}")
    return ("\r\n".join([*lines, "Content-Type: text/plain; charset=utf-8", "", body, ""])).encode()


def parsed(data: bytes) -> MailMessage:
    result = parse_message(data, "test")
    assert isinstance(result, MailMessage)
    return result


A = parsed(mail("<a@x>", date="Mon, 16 Nov 2026 10:00:00 +0000"))
B = parsed(mail("<b@x>", reply_to="<a@x>", date="Mon, 16 Nov 2026 11:00:00 +0000", sender="Sam <sam@shop.example>",
                subject="Re: Mug arrived cracked"))
C = parsed(mail("<c@x>", refs="<a@x> <b@x>", date="Mon, 16 Nov 2026 12:00:00 +0000", subject="RE: Re: Mug"))
D = parsed(mail("<d@x>", date="Sun, 15 Nov 2026 09:00:00 +0000", subject="Other question"))
E = parsed(mail("<e@x>", refs="<missing@x>", date="Tue, 17 Nov 2026 09:00:00 +0000", subject="Re: lost parent"))
F = parsed(mail("<f@x>", reply_to="<missing@x>", date="Tue, 17 Nov 2026 10:00:00 +0000", subject="Re: lost parent"))

THREADS = [
    ("reply chain", [A, B, C], [["<a@x>", "<b@x>", "<c@x>"]]),
    ("order does not matter", [C, A, B], [["<a@x>", "<b@x>", "<c@x>"]]),
    ("separate threads, oldest first", [A, D], [["<d@x>"], ["<a@x>"]]),
    ("siblings joined through an absent parent", [F, E], [["<e@x>", "<f@x>"]]),
    ("subject alone does not thread", [A, parsed(mail("<z@x>", subject="Mug arrived cracked"))],
     [["<a@x>"], ["<z@x>"]]),
]


@pytest.mark.parametrize(("messages", "expected"), [c[1:] for c in THREADS], ids=[c[0] for c in THREADS])
def test_threading(messages: list[MailMessage], expected: list[list[str]]) -> None:
    assert [[m.key for m in t.messages] for t in thread(messages)] == expected


def test_plan_first_import() -> None:
    plan = plan_import([A, B, C, D], {})
    assert [t.key for t in plan.new_threads] == ["<d@x>", "<a@x>"]
    assert plan.additions == {} and plan.duplicates == ()
    assert plan.new_threads[1].subject == "Mug arrived cracked"


def test_plan_re_import_skips_duplicates_and_adds_replies() -> None:
    known = {"<a@x>": "T-261116-K7Q", "<b@x>": "T-261116-K7Q", "<d@x>": "T-261115-AAA"}
    plan = plan_import([A, B, C, D], known)
    assert plan.new_threads == ()
    assert {k: [m.key for m in v] for k, v in plan.additions.items()} == {"T-261116-K7Q": ["<c@x>"]}
    assert sorted(m.key for m in plan.duplicates) == ["<a@x>", "<b@x>", "<d@x>"]


def test_plan_reply_to_a_known_message_not_in_the_import() -> None:
    plan = plan_import([C], {"<b@x>": "T-1"})
    assert {k: [m.key for m in v] for k, v in plan.additions.items()} == {"T-1": ["<c@x>"]}


def test_plan_repeats_within_one_import_are_duplicates() -> None:
    plan = plan_import([A, A, B], {})
    assert [m.key for m in plan.duplicates] == ["<a@x>"]
    assert [len(t.messages) for t in plan.new_threads] == [2]


def test_role_of() -> None:
    assert role_of(B, {"Sam@Shop.example"}) == "agent"
    assert role_of(A, {"sam@shop.example"}) == "customer"


BAD = [
    ("empty", b"", "empty message"),
    ("blank lines", b"\r\n\r\n", "empty message"),
    ("no headers", b"just some text\nand more\n", "not an email: no header lines"),
]


@pytest.mark.parametrize(("data", "says"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_unreadable_input_is_a_problem(data: bytes, says: str) -> None:
    result = parse_message(data, "bad.eml")
    assert isinstance(result, MailProblem) and result.reason == says
    assert str(result) == f"bad.eml: {says}"


ODD = [
    ("bad date", mail("<q@x>", date="yesterday-ish"), "unreadable Date 'yesterday-ish': placed in file order"),
    ("unknown charset", mail("<q@x>").replace(b"charset=utf-8", b"charset=x-klingon"), None),
    ("html only", mail("<q@x>", body="<p>Hi&nbsp;<b>there</b></p><script>x()</script><p>Bye</p>").replace(
        b"text/plain", b"text/html"), None),
    ("no body part", b"From: a@b.c\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n",
     "no text part"),
    ("garbled from", mail("<q@x>", sender="<<<>>>"), None),
    ("binary bytes", mail("<q@x>", body="caf\udce9".encode("utf-8", "surrogateescape").decode("latin-1")), None),
]


@pytest.mark.parametrize(("data", "warning"), [c[1:] for c in ODD], ids=[c[0] for c in ODD])
def test_odd_messages_are_read_with_warnings(data: bytes, warning: str | None) -> None:
    result = parse_message(data, "odd.eml")
    assert isinstance(result, MailMessage)
    if warning:
        assert warning in result.warnings


def test_html_only_becomes_text() -> None:
    html = mail("<q@x>", body="<p>Hi&nbsp;<b>there</b></p><script>x()</script><p>Bye</p>")
    html = html.replace(b"text/plain", b"text/html")
    assert parsed(html).text == "Hi there\n\nBye"


def test_unknown_charset_is_decoded_with_replacement() -> None:
    result = parsed(mail("<q@x>", body="Hello \u00e9").replace(b"charset=utf-8", b"charset=x-klingon"))
    assert result.text == "Hello \u00e9"
    assert "unknown character set 'x-klingon': read as UTF-8" in result.warnings


def test_split_mbox_quoting_and_separators() -> None:
    data = (b"From a@b Mon Jan  1 00:00:00 2026\nSubject: one\n\nline\n>From the start\n\n"
            b"From b@b Mon Jan  1 00:00:00 2026\nSubject: two\n\nFrom here on, not a separator\n")
    chunks = split_mbox(data)
    assert len(chunks) == 2
    assert b"\nFrom the start\n" in chunks[0] and chunks[0].startswith(b"Subject: one")
    assert b"From here on" in chunks[1]
    messages, problems = read_mail(data, "box.mbox")
    assert [m.subject for m in messages] == ["one", "two"] and problems == []


def test_empty_mbox_and_broken_message_inside() -> None:
    data = b"From a@b x\nSubject: fine\n\nok\n\nFrom b@b x\n\n\n"
    messages, problems = read_mail(data, "box.mbox")
    assert [m.subject for m in messages] == ["fine"]
    assert [str(p) for p in problems] == ["box.mbox: message 2: empty message"]


@pytest.mark.parametrize(("subject", "clean"), [
    ("Re: Mug", "Mug"), ("RE: Fwd: re:  Mug  cracked", "Mug cracked"), ("AW: Frage", "Frage"),
    ("Re[2]: Mug", "Mug"), ("Regarding mugs", "Regarding mugs"), ("  ", "(no subject)"),
], ids=["re", "chain", "german", "counted", "not a prefix", "empty"])
def test_clean_subject(subject: str, clean: str) -> None:
    assert clean_subject(subject) == clean


def test_message_ids() -> None:
    assert message_ids("<a@x>, <b@x> <a@x> junk <in valid@x> <>") == ("<a@x>", "<b@x>", "<invalid@x>")


def test_dates_without_zone_are_utc() -> None:
    result = parsed(mail("<q@x>", date="Mon, 16 Nov 2026 10:00:00 -0000"))
    assert result.date == datetime(2026, 11, 16, 10, tzinfo=UTC)


def test_html_to_text_blocks() -> None:
    assert html_to_text("<div>a</div><div>b<br>c</div><style>p{}</style>") == "a\n\nb\nc"


def mail_from(sender: str) -> bytes:
    return (f"From: {sender}\r\nTo: help@test.example\r\nSubject: hello\r\nMessage-ID: <x1@test.example>\r\n"
            "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nHi\r\n").encode()


@pytest.mark.parametrize(("sender", "addr", "raw"), [
    ('"big bug bb"@bug.com', '"big bug bb"@bug.com', ""),
    ('Big Bug <"big bug bb"@bug.com>', '"big bug bb"@bug.com', ""),
    ("xxxxx@xxxxx", "", "xxxxx@xxxxx"),
    ("Jane <xxxxx@xxxxx>", "", "Jane <xxxxx@xxxxx>"),
    ("jane@example.com", "jane@example.com", ""),
    ("not an address at all", "", "not an address at all"),
], ids=["quoted-local-part", "quoted-with-name", "dotless-domain", "dotless-with-name", "plain", "no-address"])
def test_the_importer_and_the_field_check_agree_on_addresses(sender: str, addr: str, raw: str) -> None:
    """Issue 11 item 14: what the importer calls an address the field check accepts; what it
    does not is kept as text (`from_raw`), never dropped."""
    from obm_tui.model.fields import FieldValueError, to_email

    message = parse_message(mail_from(sender), "a.eml")
    assert isinstance(message, MailMessage)
    assert (message.from_addr, message.from_raw) == (addr, raw)
    if addr:
        assert to_email(addr) == addr
    else:
        with pytest.raises(FieldValueError):
            to_email(sender)
