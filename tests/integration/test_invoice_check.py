"""`obm check` names invoices and bills whose status or `paid` disagrees with their payment rows,
and payment rows it cannot use, at their file's line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from obm_tui.cli import main
from tests.conftest import git_out

HEAD = """---
type: {kind}
id: {id}
title: Work
{party}
amount: "{amount}"
status: {status}
issued: 2026-11-01
{extra}---

Notes.

## Payments

| Date | Amount | Method | Reference | Note | Id |
|------------|--------:|--------|-----------|------|--------|
"""
CLIENT = "---\ntype: client\nid: maya-patel\nname: Maya Patel\nemail: maya@example.com\nrate: \"900.00\"\n---\n"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def record(root: Path, kind: str, record_id: str, status: str, rows: list[str], amount: str = "1500.00",
           extra: str = "") -> None:
    party = 'client: "[[maya-patel]]"' if kind == "invoice" else "supplier: Print Co"
    text = HEAD.format(kind=kind, id=record_id, party=party, amount=amount, status=status, extra=extra)
    text += "".join(f"| 2026-11-{day} | {amount} | card | | | ROW{n:03d} |\n" for n, (day, amount) in
                    enumerate(row.split(maxsplit=1) for row in rows))
    if not rows:
        text = text.split("\n## Payments")[0] + "\n"
    write(root, f"{kind}s/{record_id}.md", text)


def problems(root: Path) -> list[str]:
    git_out(root, "add", "-A")
    git_out(root, "commit", "-q", "-m", "test: records")
    result = CliRunner().invoke(main, ["--vault", str(root), "check", "--json"], catch_exceptions=False)
    return list(json.loads(result.stdout)["problems"])


def test_status_and_rows_that_disagree_are_named_at_their_line(empty_vault: Path) -> None:
    write(empty_vault, "clients/maya-patel.md", CLIENT)
    record(empty_vault, "invoice", "INV-261101-PAI", "paid", ["20 500.00"], extra="paid: 2026-11-20\n")
    record(empty_vault, "invoice", "INV-261101-OVR", "paid", ["20 1000.00", "21 600.00"], extra="paid: 2026-11-21\n")
    record(empty_vault, "invoice", "INV-261101-DAY", "paid", ["20 1500.00"], extra="paid: 2026-11-25\n")
    record(empty_vault, "invoice", "INV-261101-VOI", "void", ["20 100.00"])
    record(empty_vault, "invoice", "INV-261101-CUR", "partly-paid", ["20 100.00 EUR"])
    record(empty_vault, "invoice", "INV-261101-BAD", "partly-paid", ["20 12,50"])
    record(empty_vault, "bill", "BILL-261101-PRT", "unpaid", ["20 300.00"], amount="300.00")
    # fine: marked paid by hand before rows, sent with nothing paid, partly paid as its rows say
    record(empty_vault, "invoice", "INV-260601-OLD", "paid", [], extra="paid: 2026-06-05\n")
    record(empty_vault, "invoice", "INV-261101-SNT", "sent", [])
    record(empty_vault, "invoice", "INV-261101-PRT", "partly-paid", ["20 100.00"])
    found = [p for p in problems(empty_vault) if not p.startswith(("runs/", ".obm"))]
    line = 7  # the status line; rows start at 17 (18 with a paid line)
    assert found == [
        "bills/BILL-261101-PRT.md:7: status: unpaid, but its payments make it paid (balance 0.00 USD)",
        "invoices/INV-261101-BAD.md:17: a payment's Amount: expected an amount like 120.00 with a dot before the "
        "cents (a comma only groups thousands: 1,234.50), got '12,50'",
        "invoices/INV-261101-CUR.md:17: a payment in EUR on a USD invoice: amounts are never converted; "
        "record it in USD",
        "invoices/INV-261101-DAY.md:9: paid: 2026-11-25, but its payments settled it on 2026-11-20",
        "invoices/INV-261101-OVR.md:19: the payments add up to 1600.00 USD, more than the invoice's amount "
        "1500.00 USD",
        f"invoices/INV-261101-PAI.md:{line}: status: paid, but its payments make it partly-paid "
        "(balance 1000.00 USD)",
        "invoices/INV-261101-PAI.md:9: paid: 2026-11-20, but 1000.00 USD is still owed",
        f"invoices/INV-261101-VOI.md:{line}: status: void, but 100.00 USD was paid on invoice INV-261101-VOI",
    ]
