"""Ticket conversations: the heading format, parsing, appending byte for byte, canned replies."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from obm_tui.model.conversation import (
    append,
    first_response_at,
    format_time,
    history,
    parse,
    render_heading,
    render_reply,
    reply_variables,
)
from obm_tui.model.sla import StatusEvent
from obm_tui.model.tickets import Moves

LONDON = ZoneInfo("Europe/London")


def ldn(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


DOC_BODY = """
### 2026-11-20 10:14 — Jane Doe (customer)
<!-- message-id: <CAF1234@mail.example.com> -->
Hi, my mug arrived with a crack in the handle. Order #1042.

### 2026-11-20 11:02 — Sam (agent) → pending
Hi Jane, so sorry! Could you send a photo of the crack? We'll send a new one at once.

### 2026-11-20 11:05 — Sam (note)
Third cracked mug from this batch: tell the supplier.
"""


def test_the_documented_example() -> None:
    conv = parse(DOC_BODY, LONDON)
    assert conv.problems == ()
    assert conv.preamble == ""
    assert [(m.author, m.role, m.status) for m in conv.messages] == [
        ("Jane Doe", "customer", None), ("Sam", "agent", "pending"), ("Sam", "note", None)]
    first = conv.messages[0]
    assert first.message_id == "<CAF1234@mail.example.com>"
    assert first.text == "Hi, my mug arrived with a crack in the handle. Order #1042."
    assert first.at == ldn(2026, 11, 20, 10, 14)
    assert first.line == 2
    assert conv.messages[2].internal and not conv.messages[1].internal


HEADINGS = [
    # name, heading, (at, author, role, status, explicit role)
    ("no role is a customer", "### 2026-11-20 10:14 — Jane Doe",
     (ldn(2026, 11, 20, 10, 14), "Jane Doe", "customer", None, False)),
    ("other parenthesis is part of the name", "### 2026-11-20 10:14 — Jane Doe (Acme)",
     (ldn(2026, 11, 20, 10, 14), "Jane Doe (Acme)", "customer", None, False)),
    ("en dash and ascii arrow", "### 2026-11-20 10:14 \u2013 Sam (agent) -> resolved",
     (ldn(2026, 11, 20, 10, 14), "Sam", "agent", "resolved", True)),
    ("hyphen, T and seconds", "### 2026-11-20T09:05:30 - Sam (note)",
     (ldn(2026, 11, 20, 9, 5, 30), "Sam", "note", None, True)),
    ("one-digit hour", "### 2026-11-20 9:05 — Sam (agent)",
     (ldn(2026, 11, 20, 9, 5), "Sam", "agent", None, True)),
    ("explicit offset", "### 2026-07-01 10:00+02:00 — Ana (customer)",
     (datetime(2026, 7, 1, 8, tzinfo=UTC), "Ana", "customer", None, True)),
    ("Z offset", "### 2026-07-01 10:00Z — Ana",
     (datetime(2026, 7, 1, 10, tzinfo=UTC), "Ana", "customer", None, False)),
    ("compact offset", "### 2026-07-01 10:00-0500 — Ana",
     (datetime(2026, 7, 1, 15, tzinfo=UTC), "Ana", "customer", None, False)),
    ("status only", "### 2026-11-22 09:30 — Sam (agent) → closed",
     (ldn(2026, 11, 22, 9, 30), "Sam", "agent", "closed", True)),
    ("trailing spaces", "### 2026-11-22 09:30 — Sam (agent)   ",
     (ldn(2026, 11, 22, 9, 30), "Sam", "agent", None, True)),
    ("unicode name", "### 2026-11-22 09:30 — みける (customer)",
     (ldn(2026, 11, 22, 9, 30), "みける", "customer", None, True)),
]


@pytest.mark.parametrize(("heading", "expected"), [c[1:] for c in HEADINGS], ids=[c[0] for c in HEADINGS])
def test_heading_variants(heading: str, expected: tuple[object, ...]) -> None:
    conv = parse(heading + "\nhello\n", LONDON)
    assert conv.problems == ()
    (message,) = conv.messages
    assert (message.at, message.author, message.role, message.status, message.explicit_role) == expected
    assert message.at.utcoffset() is not None


BAD = [
    ("impossible date", "### 2026-02-30 10:00 — Jane", "impossible date"),
    ("impossible time", "### 2026-02-03 25:00 — Jane", "impossible date or time"),
    ("unknown status", "### 2026-02-03 10:00 — Sam (agent) → waiting", "unknown status 'waiting'"),
    ("no dash", "### 2026-02-03 10:00 Jane", "needs a date, a time, a dash"),
]


@pytest.mark.parametrize(("heading", "says"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_headings_are_problems_and_text(heading: str, says: str) -> None:
    body = "### 2026-02-01 10:00 — Jane\nfirst\n" + heading + "\nmore\n"
    conv = parse(body, LONDON)
    (problem,) = conv.problems
    assert problem.line == 3 and says in problem.reason
    (message,) = conv.messages
    assert heading in message.text and "more" in message.text


def test_other_headings_and_preamble_are_text() -> None:
    body = "Summary: cracked mug.\n\n## Notes\n### 2026-11-20 10:14 — Jane\n### Details\nbody\n"
    conv = parse(body, LONDON)
    assert conv.preamble == "Summary: cracked mug.\n\n## Notes"
    assert conv.messages[0].text == "### Details\nbody"


def test_crlf_body() -> None:
    conv = parse(DOC_BODY.replace("\n", "\r\n"), LONDON)
    assert conv.problems == ()
    assert conv.messages[1].text.startswith("Hi Jane, so sorry!")
    assert conv.messages[1].text.endswith("We'll send a new one at once.")
    assert conv.messages[1].line == 6


def test_empty_message_is_a_status_change() -> None:
    conv = parse("### 2026-11-22 09:30 — Sam (agent) → resolved\n\n### 2026-11-22 10:00 — Jane\nthanks\n", LONDON)
    assert conv.messages[0].text == "" and conv.messages[0].status == "resolved"


APPEND = [
    ("empty body", ""),
    ("only a newline", "\n"),
    ("no final newline", "### 2026-11-20 10:14 — Jane\nhello"),
    ("one final newline", "### 2026-11-20 10:14 — Jane\nhello\n"),
    ("blank line already", "### 2026-11-20 10:14 — Jane\nhello\n\n"),
    ("crlf", "### 2026-11-20 10:14 — Jane\r\nhello\r\n"),
    ("preamble only", "Summary\n"),
]


@pytest.mark.parametrize("body", [c[1] for c in APPEND], ids=[c[0] for c in APPEND])
def test_append_keeps_existing_bytes(body: str) -> None:
    new = append(body, ldn(2026, 11, 21, 9), "Sam", "agent", "Thanks!\nSam", LONDON, status="pending")
    assert new.startswith(body)
    conv = parse(new, LONDON)
    last = conv.messages[-1]
    assert (last.at, last.author, last.role, last.status, last.text) == (
        ldn(2026, 11, 21, 9), "Sam", "agent", "pending", "Thanks!\nSam")
    if "\r\n" in body:
        assert "\n" not in new.replace("\r\n", "")
    text = new.replace("\r\n", "\n")
    at = text.rfind("### 2026-11-21")
    assert text[:at].endswith("\n\n") or not body.strip()


def test_append_writes_the_documented_heading() -> None:
    new = append("", ldn(2026, 11, 20, 11, 2), "Sam", "agent", "Hi", LONDON, status="pending",
                 message_id="<a@b>")
    assert new == "### 2026-11-20 11:02 — Sam (agent) → pending\n<!-- message-id: <a@b> -->\nHi\n"


def test_heading_like_lines_in_text_are_escaped_and_come_back() -> None:
    text = "Quoted:\n### 2026-01-01 10:00 — Someone\nend"
    new = append("", ldn(2026, 11, 20, 11), "Jane", "customer", text, LONDON)
    assert "\n\\### 2026-01-01" in new
    (message,) = parse(new, LONDON).messages
    assert message.text == text


def test_ambiguous_local_time_gets_an_offset() -> None:
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    second = first + timedelta(hours=1)  # 01:30 GMT
    assert format_time(first, LONDON) == "2026-10-25 01:30+01:00"
    assert format_time(second, LONDON) == "2026-10-25 01:30+00:00"
    assert format_time(ldn(2026, 11, 20, 9), LONDON) == "2026-11-20 09:00"
    body = append(append("", first, "A", "customer", "x", LONDON), second, "B", "agent", "y", LONDON)
    assert [m.at for m in parse(body, LONDON).messages] == [first, second]


def test_author_is_one_line() -> None:
    heading = render_heading(ldn(2026, 1, 5, 9), "Jane\nDoe ", "customer", LONDON)
    assert heading == "### 2026-01-05 09:00 — Jane Doe (customer)"


def test_render_heading_refuses_unknown_role() -> None:
    with pytest.raises(ValueError):
        render_heading(ldn(2026, 1, 5, 9), "Jane", "bot", LONDON)


_line = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=40),
    st.sampled_from(["", "  ", "### 2026-01-01 10:00 — X", "\\### 2026-01-01 10:00 — X",
                     "<!-- message-id: <x@y> -->", "\\<!-- message-id: <x@y> -->", "### Heading"]),
)
_text = st.lists(_line, max_size=6).map("\n".join)


def _normal(text: str) -> str:
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


@given(st.lists(st.tuples(st.sampled_from(["customer", "agent", "note"]), _text, st.integers(0, 10_000)),
                min_size=1, max_size=5), _text)
def test_append_parse_round_trip(messages: list[tuple[str, str, int]], preamble: str) -> None:
    body = preamble if not any(line.startswith("###") for line in preamble.split("\n")) else ""
    start = datetime(2026, 11, 20, 9, tzinfo=UTC)
    for role, text, minutes in messages:
        before = body
        body = append(body, start + timedelta(minutes=minutes), "Sam", role, text, LONDON)
        assert body.startswith(before)
    conv = parse(body, LONDON)
    assert conv.problems == ()
    got = [(m.role, m.text, m.at) for m in conv.messages]
    want = [(role, _normal(text), start + timedelta(minutes=minutes))
            for role, text, minutes in messages]
    assert got == want


def test_history_from_markers_and_roles() -> None:
    body = (
        "### 2026-11-16 09:00 — Jane\nhelp\n"
        "### 2026-11-16 10:00 — Sam (agent)\nreply\n"  # implied: pending
        "### 2026-11-16 10:05 — Sam (note)\nnote\n"  # no move
        "### 2026-11-17 10:00 — Jane (customer)\nmore\n"  # implied: open
        "### 2026-11-17 11:00 — Sam (agent) → resolved\ndone\n"
    )
    conv = parse(body, LONDON)
    events = history(conv.messages, ldn(2026, 11, 16, 9), Moves())
    assert events == [
        StatusEvent(ldn(2026, 11, 16, 9), "new"),
        StatusEvent(ldn(2026, 11, 16, 9), "open"),
        StatusEvent(ldn(2026, 11, 16, 10), "pending"),
        StatusEvent(ldn(2026, 11, 17, 10), "open"),
        StatusEvent(ldn(2026, 11, 17, 11), "resolved"),
    ]
    assert first_response_at(conv.messages) == ldn(2026, 11, 16, 10)


def test_first_response_ignores_notes() -> None:
    conv = parse("### 2026-11-16 09:00 — Jane\nhelp\n### 2026-11-16 09:30 — Sam (note)\nhm\n", LONDON)
    assert first_response_at(conv.messages) is None


VARS = {"customer": "Jane Doe", "customer.first_name": "Jane", "ticket.subject": "Mug"}
REPLIES = [
    ("plain", "Hi $customer.first_name,", "Hi Jane,", ()),
    ("braced", "Re: ${ticket.subject}!", "Re: Mug!", ()),
    ("unknown stays", "Hi ${customer.nickname} $missing", "Hi ${customer.nickname} $missing",
     ("customer.nickname", "missing")),
    ("dollar escape", "Costs $$5 and $5", "Costs $5 and $5", ()),
    ("trailing dollar", "Total: $", "Total: $", ()),
]


@pytest.mark.parametrize(("template", "text", "unknown"), [c[1:] for c in REPLIES], ids=[c[0] for c in REPLIES])
def test_render_reply(template: str, text: str, unknown: tuple[str, ...]) -> None:
    rendered = render_reply(template, VARS)
    assert rendered.text == text
    assert rendered.unknown == unknown


def test_values_are_inserted_literally() -> None:
    rendered = render_reply("Hi $customer", {"customer": "${ticket.subject} $$ {0} [b]x[/b]"})
    assert rendered.text == "Hi ${ticket.subject} $$ {0} [b]x[/b]"


def test_reply_variables_from_front_matter() -> None:
    fields = {"id": "T-261120-K7Q", "subject": "Mug arrived cracked", "priority": "high", "status": "open",
              "customer": "Jane  Doe", "email": "jane@example.com", "assignee": "Sam"}
    variables = reply_variables(fields, business="Fred's Shop", today=date(2026, 11, 20))
    assert variables["customer"] == "Jane Doe" and variables["customer.first_name"] == "Jane"
    assert variables["ticket.subject"] == "Mug arrived cracked" and variables["agent"] == "Sam"
    assert variables["today"] == "2026-11-20" and variables["business"] == "Fred's Shop"
    client = reply_variables({"client": "[[fred-smith]]"}, customer="Fred Smith")
    assert client["customer.first_name"] == "Fred"
    assert reply_variables({"client": "[[fred-smith]]"})["customer"] == "fred-smith"


def test_offsets_other_than_vault_zone() -> None:
    (message,) = parse("### 2026-07-01 10:00+05:30 — Ana\nx\n", LONDON).messages
    assert message.at.utcoffset() == timedelta(hours=5, minutes=30)
    assert message.at == datetime(2026, 7, 1, 4, 30, tzinfo=UTC)
