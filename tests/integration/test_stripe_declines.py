"""Issue 12 item 4: a decline from the Stripe import links its client and invoice and keeps its
decline code; the follow-up takes the hard path (a new card, no retry) for a hard code; a later
successful charge recovers the decline in the import's commit."""

from __future__ import annotations

import json
from pathlib import Path

from obm_tui.vault.store import Vault
from tests.conftest import git_out
from tests.integration.demo_copy import demo_master, sample_copy  # noqa: F401  (fixtures)
from tests.integration.test_cli_stock import obm
from tests.integration.test_stripe_matching import export


def declines_by_charge(root: Path) -> dict[str, dict[str, object]]:
    return {str(r.data["charge_id"]): dict(r.data) for r in Vault.open(root).records("decline")
            if r.data.get("charge_id")}


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


FAILED = [
    {"id": "ch_hard", "Status": "Failed", "Amount": "350.00", "Customer Email": "priya@ramanyoga.com",
     "Customer Description": "Priya Raman", "Description": "Yoga retreat",
     "Seller Message": "The bank returned the decline code `stolen_card`.",
     "Created date (UTC)": "2026-11-20 15:00:00"},
    {"id": "ch_soft", "Status": "Failed", "Amount": "600.00", "Customer Email": "grace@nakamuraceramics.com",
     "Customer Description": "Grace Nakamura", "Description": "Invoice INV-261101-W3H, part 1",
     "Seller Message": "The bank returned the decline code `insufficient_funds`.",
     "Created date (UTC)": "2026-11-20 16:00:00"},
    {"id": "ch_stranger", "Status": "Failed", "Amount": "49.00", "Customer Email": "ana@example.com",
     "Customer Description": "Ana", "Description": "Course", "Seller Message": "Your card was declined.",
     "Created date (UTC)": "2026-11-20 17:00:00"},
]


def test_a_decline_links_its_client_invoice_and_code(sample_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    code, out, err = obm("import", "stripe", write(tmp_path, "failed.csv", export(*FAILED)), vault=sample_copy)
    assert code == 0 and "3 declines recorded" in out, (out, err)
    found = declines_by_charge(sample_copy)
    hard, soft, stranger = found["ch_hard"], found["ch_soft"], found["ch_stranger"]
    assert (hard["client"], hard["invoice"], hard["code"]) == (
        "[[priya-raman]]", "[[INV-261103-H9Q]]", "stolen_card")  # email + amount on her open invoice
    assert (soft["client"], soft["invoice"], soft["code"]) == (
        "[[grace-nakamura]]", "[[INV-261101-W3H]]", "insufficient_funds")  # the invoice number
    assert "client" not in stranger and "invoice" not in stranger and "code" not in stranger
    assert all(r.ok for r in Vault.open(sample_copy).records("decline"))
    assert obm("check", vault=sample_copy)[0] in (0, 1)  # runs fine; the sample has its own notes

    steps = {}
    for charge in ("ch_hard", "ch_soft"):
        run = next(r for r in Vault.open(sample_copy).records("run")
                   if r.data.get("process") == "[[follow-up-declined-payment]]"
                   and str(found[charge]["id"]) in str(r.data.get("subject")))
        code, _, err = obm("run", "tick", run.id, "email-1", vault=sample_copy)  # the first email went out
        assert code == 0, err
        code, out, _ = obm("run", "show", run.id, "--json", "--today", "2026-11-25", vault=sample_copy)
        assert code == 0
        steps[charge] = {s["id"]: s["state"] for s in json.loads(out)["steps"]}
    # a hard decline: ask for a new card, never retry; a soft one: retry, no new card asked
    assert (steps["ch_hard"]["new-card"], steps["ch_hard"]["retry"]) == ("ready", "waiting"), steps
    assert (steps["ch_soft"]["new-card"], steps["ch_soft"]["retry"]) == ("waiting", "ready"), steps


def test_a_later_charge_recovers_the_decline_in_the_imports_commit(
        sample_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    obm("import", "stripe", write(tmp_path, "failed.csv", export(*FAILED)), vault=sample_copy)
    paid = export(
        {"id": "ch_paid_invoice", "Amount": "900.00", "Customer Email": "grace@nakamuraceramics.com",
         "Description": "INV-261101-W3H", "Created date (UTC)": "2026-11-22 15:00:00"},
        {"id": "ch_paid_ana", "Amount": "49.00", "Customer Email": "ANA@example.com", "Description": "Course",
         "Created date (UTC)": "2026-11-23 15:00:00"},
    )
    code, out, err = obm("import", "stripe", write(tmp_path, "paid.csv", paid), vault=sample_copy)
    assert code == 0, err
    summary = ("import stripe paid.csv: 1 payment on invoices, 1 payment recorded, 3 declines recovered; "
               "0 rows rejected, 0 skipped")
    assert summary in out.splitlines()
    found = declines_by_charge(sample_copy)
    assert (found["ch_soft"]["status"], found["ch_soft"]["resolved"]) == ("recovered", "2026-11-22")
    assert (found["ch_stranger"]["status"], found["ch_stranger"]["resolved"]) == ("recovered", "2026-11-23")
    assert found["ch_hard"]["status"] == "new" and "resolved" not in found["ch_hard"]
    # the sample's own decline of Grace's November invoice (900.00, her email) is recovered too
    grace = found["ch_3QFa9sLz8xYp1aT3"]
    assert (grace["status"], grace["resolved"]) == ("recovered", "2026-11-22")
    subjects = git_out(sample_copy, "log", "--format=%s", "-10").splitlines()
    files = git_out(sample_copy, "show", "--name-only", "--format=", f"HEAD~{subjects.index(summary)}").split()
    decline_files = {f"declines/{found[c]['id']}.md" for c in ("ch_soft", "ch_stranger")}
    assert decline_files <= set(files) and "invoices/INV-261101-W3H.md" in files
    # the rules then end the recovered declines' follow-ups
    runs = [r for r in Vault.open(sample_copy).records("run")
            if str(found["ch_soft"]["id"]) in str(r.data.get("subject"))]
    assert runs and all(r.data["status"] == "done" for r in runs)
