"""`do:: send invoice`: the onboarding's send step marks the invoice it creates sent; a process
step sends the subject's newest draft; and what the agenda calls an overdue invoice."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from obm_tui.services import records as record_service
from obm_tui.services.agenda import build_agenda
from obm_tui.services.invoices import record_payment
from obm_tui.services.runs import start_run, tick
from obm_tui.vault.store import Vault
from tests.conftest import git_out
from tests.integration.test_runs_service import RUN, at, fields, invoices_of, maya  # noqa: F401  (fixture)


def test_the_onboarding_send_step_sends_the_invoice_it_creates(maya: tuple[Path, Vault]) -> None:  # noqa: F811
    root, vault = maya
    record_service.set_fields(vault, "maya-patel", {"payment_terms": "10"})
    start_run(vault, "client-onboarding", "maya-patel", date(2026, 11, 20))
    tick(vault, RUN, "send", now=at(date(2026, 11, 20)))
    (invoice,) = invoices_of(root, "maya-patel")
    assert (invoice["status"], str(invoice["issued"]), str(invoice["due"])) == ("sent", "2026-11-20", "2026-11-30")
    message = git_out(root, "log", "-1", "--format=%s")
    assert "invoice created from template onboarding-invoice for client maya-patel; invoice of client maya-patel sent" \
        in message
    # paid through the lifecycle, the run's `welcome` step waits only on the contract now
    record_payment(vault, invoice["id"], "900.00", day=date(2026, 11, 23), today=date(2026, 11, 23))
    assert fields(root, f"invoices/{invoice['id']}.md")["status"] == "paid"


def test_a_euro_clients_onboarding_invoice_says_euro(maya: tuple[Path, Vault]) -> None:  # noqa: F811
    root, vault = maya
    record_service.set_fields(vault, "maya-patel", {"currency": "eur"})
    start_run(vault, "client-onboarding", "maya-patel", date(2026, 11, 20))
    tick(vault, RUN, "send", now=at(date(2026, 11, 20)))
    (invoice,) = invoices_of(root, "maya-patel")
    assert invoice["currency"] == "EUR"  # the books and reports read it in euros, as its PDF does


def test_send_invoice_sends_the_subjects_newest_draft_once(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    record_service.new_record(vault, "client", "Maya Patel", {"email": "maya@example.com", "rate": "900"},
                              when=datetime(2026, 11, 20, 9))
    old = record_service.new_record(vault, "invoice", "Old", {"client": "[[maya-patel]]", "amount": "100"},
                                    when=datetime(2026, 11, 1, 9)).record
    new = record_service.new_record(vault, "invoice", "New", {"client": "[[maya-patel]]", "amount": "200"},
                                    when=datetime(2026, 11, 19, 9)).record
    (empty_vault / "processes" / "bill-it.md").write_text(
        "---\ntype: process\nid: bill-it\ntitle: Bill it\nsubject: client\n---\n"
        "- [ ] Send it [id:: send] [do:: send invoice]\n- [ ] Later [id:: later]\n")
    git_out(empty_vault, "add", "processes/bill-it.md")
    git_out(empty_vault, "commit", "-q", "-m", "test: process")
    vault.close()
    vault = Vault.open(empty_vault)
    run = start_run(vault, "bill-it", "maya-patel", date(2026, 11, 20)).record
    tick(vault, run.id, "send", now=at(date(2026, 11, 20)))
    assert fields(empty_vault, new.path)["status"] == "sent"
    assert str(fields(empty_vault, new.path)["due"]) == "2026-12-04"  # the vault's 14 days
    assert fields(empty_vault, old.path)["status"] == "draft"


def test_partly_paid_past_due_is_overdue_on_the_agenda(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    record_service.new_record(vault, "client", "Maya Patel", {"email": "maya@example.com", "rate": "900"})
    made = record_service.new_record(vault, "invoice", "Retainer", {
        "client": "[[maya-patel]]", "amount": "1500", "status": "sent", "issued": "2026-11-01",
        "due": "2026-11-15"}).record
    record_payment(vault, made.id, "500", day=date(2026, 11, 10), today=date(2026, 11, 10))
    items = [i for i in build_agenda(vault, datetime(2026, 11, 20, 9)) if i.section == "Invoices"]
    assert [(i.state, i.title) for i in items] == [("overdue", f"{made.id} to maya-patel: 1000.00 USD unpaid")]
