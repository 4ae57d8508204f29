"""Customer-care services on real vaults: files, bodies, fields and the commits they make."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from obm_tui.model import conversation
from obm_tui.model.errors import ConflictError, UsageError, ValidationError
from obm_tui.model.tickets import TransitionError
from obm_tui.services import care_queue, tickets
from obm_tui.services.agenda import build_agenda
from obm_tui.vault.store import Vault
from tests.conftest import git_out
from tests.integration.demo_copy import demo_master, sample_copy  # noqa: F401  (fixtures)

NOW = datetime(2026, 11, 23, 11, 0)  # a Monday, 11:00 in the vault's zone (America/New_York)
H2V = "T-261123-H2V"  # sample vault: urgent, new, created 09:20 that day, no reply yet
V7E = "T-261116-V7E"  # sample vault: high, open, answered


def head(root: Path, n: int = 1) -> list[str]:
    return git_out(root, "log", f"-{n}", "--format=%s").splitlines()


def text_of(vault: Vault, ref: str) -> str:
    return (vault.root / vault.find(ref, "ticket").path).read_text(encoding="utf-8")


def messages(vault: Vault, ref: str) -> tuple[conversation.Message, ...]:
    record = vault.find(ref, "ticket")
    return conversation.parse(vault.read_body(record), vault.config.tz).messages


@pytest.fixture
def vault(empty_vault: Path) -> Vault:
    return Vault.open(empty_vault)


@pytest.fixture
def sample(sample_copy: Path) -> Vault:  # noqa: F811  (the imported fixture)
    return Vault.open(sample_copy)


def open_ticket(vault: Vault, **fields: str) -> str:
    pairs = {"customer": "Jane Doe", "email": "jane@example.com", "priority": "high", **fields}
    result = tickets.new_ticket(vault, "Mug arrived cracked", pairs, now=NOW,
                                message="My mug has a crack.\nOrder #1042.")
    return result.record.id


def test_new_ticket_file_first_message_and_commit(vault: Vault) -> None:
    ticket_id = open_ticket(vault)
    record = vault.find(ticket_id, "ticket")
    assert record.path == f"tickets/{ticket_id}-mug-arrived-cracked.md"
    assert ticket_id.startswith("T-261123-") and record.ok
    assert record.data["status"] == "new" and record.data["priority"] == "high"
    assert record.data["created"] == "2026-11-23T11:00"
    (first,) = messages(vault, ticket_id)
    assert (first.author, first.role, first.text) == ("Jane Doe", "customer", "My mug has a crack.\nOrder #1042.")
    assert "\n\n### 2026-11-23 11:00 — Jane Doe (customer)\n" in text_of(vault, ticket_id)
    assert head(vault.root) == [f"ticket {ticket_id}: created (Mug arrived cracked)"]


def test_new_ticket_for_a_client_signs_with_the_clients_name(sample: Vault) -> None:
    result = tickets.new_ticket(sample, "Invoice copy", {"client": "priya-raman"}, now=NOW, message="Hi!")
    assert result.record.data["client"] == "[[priya-raman]]"
    assert messages(sample, result.record.id)[0].author == "Priya Raman"
    with pytest.raises(UsageError, match="no record 'nobody'"):
        tickets.new_ticket(sample, "Ghost", {"client": "nobody"}, now=NOW)


@pytest.mark.parametrize(("pairs", "reason"), [
    pytest.param({"priority": "asap"}, "priority", id="bad-priority"),
    pytest.param({"email": "not-an-address"}, "email", id="bad-email"),
    pytest.param({"id": "T-1"}, "cannot be changed", id="id-is-generated"),
])
def test_new_ticket_refuses_bad_fields_and_writes_nothing(vault: Vault, pairs: dict[str, str], reason: str) -> None:
    before = head(vault.root)
    with pytest.raises(ValidationError, match=reason):
        tickets.new_ticket(vault, "Broken", pairs, now=NOW, message="x")
    assert head(vault.root) == before and not list((vault.root / "tickets").glob("T-*.md"))


def test_typed_reply_moves_status_and_sets_first_response_once(vault: Vault) -> None:
    ticket_id = open_ticket(vault)
    result = tickets.reply(vault, ticket_id, now=datetime(2026, 11, 23, 11, 40), text="So sorry! A photo?", agent="Sam")
    assert (result.before, result.after) == ("new", "pending")
    assert result.record.data["status"] == "pending"
    assert result.record.data["first_response"] == "2026-11-23T11:40"
    assert head(vault.root) == [f"ticket {ticket_id}: replied; status new -> pending"]
    assert "### 2026-11-23 11:40 — Sam (agent) → pending\nSo sorry! A photo?\n" in text_of(vault, ticket_id)
    tickets.customer_message(vault, ticket_id, "Here it is.", now=datetime(2026, 11, 23, 12, 0))
    again = tickets.reply(vault, ticket_id, now=datetime(2026, 11, 23, 13, 0), text="Thanks!", agent="Sam")
    assert again.record.data["first_response"] == "2026-11-23T11:40"  # set by the first reply only
    assert head(vault.root, 2) == [f"ticket {ticket_id}: replied; status open -> pending",
                                   f"ticket {ticket_id}: customer wrote; status pending -> open"]


def test_canned_reply_fills_variables_and_takes_its_status(sample: Vault) -> None:
    result = tickets.reply(sample, V7E, now=NOW, template="replacement-sent", agent="Mia Torres")
    assert (result.before, result.after, result.unknown) == ("open", "resolved", ())
    last = messages(sample, V7E)[-1]
    assert last.status == "resolved" and last.author == "Mia Torres"
    assert "Marcus" in last.text and "${" not in last.text
    assert result.record.data["resolved"] == "2026-11-23T11:00"
    assert head(sample.root) == [f"ticket {V7E}: replied (replacement-sent); status open -> resolved"]


def test_the_vaults_own_reply_wins_and_unknown_variables_refuse(sample: Vault) -> None:
    own = sample.root / "templates" / "replies" / "ask-for-photo.md"
    own.write_text("---\ntype: reply\ntitle: Mine\n---\nHi ${customer.first_name}, order ${order}? $$5 off.\n")
    path = sample.root / sample.find(H2V, "ticket").path
    before_bytes, before_log = path.read_bytes(), head(sample.root)
    with pytest.raises(ValidationError, match=r"no value: \$\{order\}"):
        tickets.reply(sample, H2V, now=NOW, template="ask-for-photo")
    assert path.read_bytes() == before_bytes and head(sample.root) == before_log
    result = tickets.reply(sample, H2V, now=NOW, template="ask-for-photo", force=True)
    assert result.unknown == ("order",)
    assert messages(sample, H2V)[-1].text == "Hi Ethan, order ${order}? $5 off."


def test_reply_needs_text_or_template_and_a_known_template(vault: Vault) -> None:
    ticket_id = open_ticket(vault)
    with pytest.raises(UsageError, match="one of the two"):
        tickets.reply(vault, ticket_id, now=NOW)
    with pytest.raises(UsageError, match="no canned reply 'nope'; there are: ask-for-photo"):
        tickets.reply(vault, ticket_id, now=NOW, template="nope")
    with pytest.raises(UsageError, match="not a reply name"):
        tickets.reply(vault, ticket_id, now=NOW, template="../../etc/passwd")
    with pytest.raises(ValidationError, match="empty"):
        tickets.reply(vault, ticket_id, now=NOW, text="  \n")


def test_note_never_moves_the_status_and_works_on_a_closed_crlf_ticket(sample: Vault) -> None:
    ref = "T-260905-M6T"
    path = sample.root / sample.find(ref, "ticket").path
    result = tickets.note(sample, ref, "Supplier says the strap batch was bad.", now=NOW, agent="Mia Torres")
    assert (result.before, result.after) == ("closed", "closed")
    raw = path.read_bytes()
    assert raw.endswith(b"\r\n### 2026-11-23 11:00 \xe2\x80\x94 Mia Torres (note)\r\n"
                        b"Supplier says the strap batch was bad.\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # still CRLF throughout
    assert head(sample.root) == [f"ticket {ref}: note added"]


def test_text_that_looks_like_a_conflict_marker_is_defused(vault: Vault) -> None:
    ticket_id = open_ticket(vault)
    tickets.note(vault, ticket_id, "git said:\n<<<<<<< HEAD\nmine\n>>>>>>> theirs", now=NOW, agent="Sam")
    fresh = Vault.open(vault.root).find(ticket_id, "ticket")
    assert fresh.ok and "\n\\<<<<<<< HEAD\nmine\n\\>>>>>>> theirs\n" in text_of(vault, ticket_id)


@pytest.mark.parametrize(("ref", "action", "match"), [
    pytest.param("T-260905-M6T", "reply", "closed", id="reply-to-closed"),
    pytest.param("T-260905-M6T", "customer", "follow-up ticket", id="customer-on-closed"),
    pytest.param("T-260905-M6T", "reopen", "final", id="closed-is-final"),
    pytest.param(V7E, "to-new", "cannot move to new; it can move to pending, resolved, closed", id="back-to-new"),
    pytest.param(H2V, "same", "already", id="same-status"),
])
def test_refused_moves_change_nothing(sample: Vault, ref: str, action: str, match: str) -> None:
    path = sample.root / sample.find(ref, "ticket").path
    before = path.read_bytes()
    calls = {
        "reply": lambda: tickets.reply(sample, ref, now=NOW, text="Hello"),
        "customer": lambda: tickets.customer_message(sample, ref, "Me again", now=NOW),
        "reopen": lambda: tickets.set_status(sample, ref, "open", now=NOW),
        "to-new": lambda: tickets.reply(sample, ref, now=NOW, text="x", status="new"),
        "same": lambda: tickets.set_status(sample, ref, "new", now=NOW),
    }
    with pytest.raises((ValidationError, TransitionError), match=match):
        calls[action]()
    assert path.read_bytes() == before


def test_status_change_writes_a_status_only_heading(sample: Vault) -> None:
    result = tickets.set_status(sample, V7E, "resolved", now=NOW, agent="Mia Torres")
    assert result.record.data["resolved"] == "2026-11-23T11:00"
    assert text_of(sample, V7E).endswith("### 2026-11-23 11:00 — Mia Torres (agent) → resolved\n")
    assert head(sample.root) == [f"ticket {V7E}: status open -> resolved"]
    reopened = tickets.customer_message(sample, V7E, "It broke again", now=datetime(2026, 11, 24, 9, 0))
    assert reopened.after == "open" and "resolved" not in reopened.record.data


def test_an_outside_edit_of_the_body_is_kept(sample: Vault) -> None:
    record = sample.find(V7E, "ticket")  # loaded before the outside edit
    path = sample.root / record.path
    path.write_text(path.read_text() + "\n### 2026-11-20 10:00 — Mia Torres (note)\nTyped in Obsidian.\n")
    tickets.note(sample, V7E, "From obm.", now=NOW, agent="Mia Torres")
    texts = [m.text for m in messages(sample, V7E)]
    assert texts[-2:] == ["Typed in Obsidian.", "From obm."]
    assert "merged with an outside edit" in head(sample.root)[0]


def test_a_ticket_that_does_not_parse_is_never_written(sample: Vault) -> None:
    path = sample.root / sample.find(V7E, "ticket").path
    broken = path.read_bytes().replace(b"priority: high", b"priority: high\npriority: low")
    path.write_bytes(broken)
    stale = sample.find(V7E, "ticket")
    with pytest.raises(ConflictError, match="does not parse"):
        tickets.note(sample, V7E, "x", now=NOW)
    fresh = Vault.open(sample.root)
    with pytest.raises(ValidationError, match="does not parse"):
        tickets.note(fresh, V7E, "x", now=NOW)
    assert path.read_bytes() == broken and stale.ok


def test_queue_clocks_from_the_conversation(sample: Vault) -> None:
    entries, problems = care_queue.queue(sample, NOW)
    assert problems == []
    by_id = {e.record.id: e for e in entries}
    assert all(e.record.data.get("status") in ("new", "open", "pending") for e in entries)
    assert care_queue.describe_clock(by_id[H2V].first_response) == "overdue 40m"  # urgent: 1h from 09:20
    assert care_queue.describe_clock(by_id[V7E].first_response) == "met"
    pending = [e for e in entries if e.record.data["status"] == "pending"]
    assert pending and all(not e.resolution.running for e in pending)
    assert [e.record.id for e in entries][:2] == [V7E, H2V]  # the most overdue first
    assert [e for e in entries if not e.next_clock.running] == entries[-len(pending):]


def test_stats_and_agenda(sample: Vault) -> None:
    numbers = care_queue.stats(sample, NOW)
    open_total = sum(sum(row.values()) for row in numbers.open_table.values())
    assert open_total == len(care_queue.queue(sample, NOW)[0])
    assert numbers.median_first_response is not None and numbers.period.end.isoformat() == "2026-11-23"
    assert "Marcus Bell" in [name for name, _ in numbers.per_customer]
    assert numbers.oldest_open[0].created <= numbers.oldest_open[-1].created
    items = [i for i in build_agenda(sample, NOW) if i.section == "Tickets"]
    assert {i.title.split()[0] for i in items} >= {H2V, V7E}
    assert any(i.detail == "first response: overdue 40m" and i.state == "overdue" for i in items)
