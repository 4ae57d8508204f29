"""Issue 12 item 3: `obm finance unmatched | link | ignore` over a real vault, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from obm_tui.model import payments
from obm_tui.model.finance import record_payments
from obm_tui.vault.store import Vault
from tests.conftest import git_out
from tests.integration.demo_copy import demo_master, sample_copy  # noqa: F401  (fixtures)
from tests.integration.test_cli_stock import obm

HEADER = "id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description\n"
ROWS = ("txn_1,charge,ch_k1,2000.00,58.30,1941.70,usd,2026-11-20 15:00:00,,Transfer from D. Okafor\n"
        "txn_2,charge,ch_k2,12.00,0.65,11.35,usd,2026-11-20 16:00:00,,Test charge\n"
        "txn_3,charge,ch_k3,99.00,3.17,95.83,eur,2026-11-20 17:00:00,,Invoice INV-261101-R1X\n")


def imported(root: Path, tmp_path: Path) -> dict[str, str]:
    """Import three charges nothing matches; their payment ids by charge id."""
    path = tmp_path / "balance.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    code, out, err = obm("import", "stripe", str(path), vault=root)
    assert code == 0 and "3 payments recorded" in out, (out, err)
    return {str(r.data["reference"]): r.id for r in Vault.open(root).records("payment")}


def test_unmatched_lists_payments_with_their_candidates(sample_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    ids = imported(sample_copy, tmp_path)
    code, out, _ = obm("finance", "unmatched", "--json", vault=sample_copy)
    assert code == 0
    listed = {item["reference"]: item for item in json.loads(out)}
    assert set(listed) - {"ch_3QMf2aLz8xYp1aX4"} == {"ch_k1", "ch_k2", "ch_k3"}  # and the sample's own
    assert listed["ch_k1"]["id"] == ids["ch_k1"] and listed["ch_k1"]["amount"] == "2000.00"
    assert listed["ch_k1"]["candidates"][0] == {"invoice": "INV-261101-R1X", "client": "daniel-okafor",
                                                "owed": "2000.00", "currency": "USD"}
    assert listed["ch_k3"]["candidates"] == []  # in EUR: no USD invoice is a candidate
    code, out, _ = obm("finance", "unmatched", vault=sample_copy)
    assert code == 0 and f"{ids['ch_k1']}  2026-11-20  charge  2000.00 USD" in out
    assert "    maybe INV-261101-R1X (daniel-okafor, owes 2000.00 USD)" in out


def test_link_puts_the_payment_on_the_invoice_in_one_commit(sample_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    ids = imported(sample_copy, tmp_path)
    before = git_out(sample_copy, "rev-list", "--count", "HEAD").strip()
    code, out, err = obm("finance", "link", ids["ch_k1"], "INV-261101-R1X", vault=sample_copy)
    assert code == 0, err
    assert out.strip() == (f"payment {ids['ch_k1']}: linked to invoice INV-261101-R1X (2000.00 USD); "
                           "invoice INV-261101-R1X: status sent -> paid")
    assert int(git_out(sample_copy, "rev-list", "--count", "HEAD")) >= int(before) + 1
    changed = git_out(sample_copy, "show", "--name-only", "--format=", f"HEAD~{_rule_commits(sample_copy, out)}")
    assert sorted(changed.split()) == sorted([f"payments/{ids['ch_k1']}.md", "invoices/INV-261101-R1X.md"])
    vault = Vault.open(sample_copy)
    invoice = vault.index.get("invoice", "INV-261101-R1X")
    assert invoice is not None and (invoice.data["status"], invoice.data["paid"]) == ("paid", "2026-11-20")
    (row,) = record_payments(invoice)
    assert (row.reference, row.method, row.row_id) == ("ch_k1", "card", payments.row_id_for("ch_k1"))
    record = vault.index.get("payment", ids["ch_k1"])
    assert record is not None and (record.data["status"], record.data["invoice"]) == (
        "linked", "[[INV-261101-R1X]]")
    code, out, _ = obm("finance", "unmatched", "--json", vault=sample_copy)
    assert ids["ch_k1"] not in out
    # linked once: a second link is refused, nothing written
    code, _, err = obm("finance", "link", ids["ch_k1"], "INV-261101-R1X", vault=sample_copy)
    assert code == 2 and "is linked, not unmatched" in err


def _rule_commits(root: Path, message: str) -> int:
    """How many commits the rules made after the link's (0 when none): the link's is the one named."""
    subjects = git_out(root, "log", "--format=%s", "-5").splitlines()
    return subjects.index(message.strip())


def test_link_refuses_what_cannot_go_there(sample_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    ids = imported(sample_copy, tmp_path)
    head = git_out(sample_copy, "rev-parse", "HEAD")
    for args, says in [
        ((ids["ch_k3"], "INV-261101-R1X"), "is in EUR and invoice INV-261101-R1X in USD: amounts are never converted"),
        ((ids["ch_k1"], "INV-261103-H9Q"), "is more than invoice INV-261103-H9Q still owes (350.00 USD)"),
        ((ids["ch_k1"], "INV-260601-2HW"), "invoice INV-260601-2HW is paid: a charge goes on a sent or partly-paid"),
        (("PAY-000000-ZZZ", "INV-261101-R1X"), "PAY-000000-ZZZ"),
    ]:
        code, out, err = obm("finance", "link", *args, vault=sample_copy)
        assert code == 2 and "Traceback" not in err and out == "", (args, err)
        assert says is None or says in err, err
    assert git_out(sample_copy, "rev-parse", "HEAD") == head


def test_ignore_sets_a_payment_aside(sample_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    ids = imported(sample_copy, tmp_path)
    code, out, _ = obm("finance", "ignore", ids["ch_k2"], vault=sample_copy)
    assert (code, out.strip()) == (0, f"payment {ids['ch_k2']}: status unmatched -> ignored")
    record = Vault.open(sample_copy).index.get("payment", ids["ch_k2"])
    assert record is not None and record.data["status"] == "ignored"
    code, out, _ = obm("finance", "unmatched", "--json", vault=sample_copy)
    assert ids["ch_k2"] not in out
