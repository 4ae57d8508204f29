"""`obm finance report|revenue|mrr|aging|cash|margin|declines` over a real vault and its git
repository, through the click entry point: text, JSON (amounts as strings), CSV (one header row),
and records whose money cannot be read named, never dropped."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from obm_tui.vault.batch import NewFile
from obm_tui.vault.store import Vault
from tests.conftest import git_out

PAID = "\n## Payments\n\n| Date | Amount | Method | Reference | Note | Id |\n|---|---:|---|---|---|---|\n"


def obm(*args: str, vault: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--vault", str(vault), *args], catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def _write(root: Path, files: dict[str, tuple[dict[str, Any], str]]) -> None:
    vault = Vault.open(root)
    try:
        vault.write_many([NewFile(rel, data, body) for rel, (data, body) in files.items()], "test: the money")
    finally:
        vault.close()


@pytest.fixture
def money_vault(empty_vault: Path) -> Path:
    client = {"type": "client", "status": "current", "email": "a@example.com", "rate": "1000.00"}
    _write(empty_vault, {
        "clients/aisha.md": ({**client, "id": "aisha", "name": "Aisha"}, ""),
        "clients/ben.md": ({**client, "id": "ben", "name": "Ben", "status": "paused"}, ""),
        "invoices/INV-1.md": ({"type": "invoice", "id": "INV-1", "client": "[[aisha]]", "amount": "1000.00",
                               "status": "partly-paid", "issued": "2026-10-01", "due": "2026-10-15",
                               "period": "2026-10"},
                              PAID + "| 2026-10-20 | 400.00 | card | ch_1 | | AAAAAA |\n"),
        "invoices/INV-2.md": ({"type": "invoice", "id": "INV-2", "client": "[[ben]]", "amount": "500.00",
                               "status": "sent", "issued": "2026-10-01", "due": "2026-10-15", "period": "2026-10"},
                              ""),
        "invoices/INV-3.md": ({"type": "invoice", "id": "INV-3", "client": "[[aisha]]", "amount": "1000.00",
                               "status": "sent", "issued": "2026-11-01", "due": "2026-11-15", "period": "2026-11"},
                              ""),
        "invoices/INV-4.md": ({"type": "invoice", "id": "INV-4", "client": "[[aisha]]", "amount": "80.00",
                               "currency": "EUR", "status": "paid", "issued": "2026-11-02", "paid": "2026-11-03"},
                              ""),
        "invoices/INV-BAD.md": ({"type": "invoice", "id": "INV-BAD", "client": "[[ben]]", "amount": "100.00",
                                 "status": "sent", "issued": "2026-11-02"},
                                PAID + "| 2026-11-04 | 12,50 | card | ch_2 | | BBBBBB |\n"),
    })
    return empty_vault


def test_the_whole_report_as_text_names_what_it_left_out(money_vault: Path) -> None:
    head = git_out(money_vault, "rev-parse", "HEAD")
    code, out, err = obm("finance", "report", "--from", "2026-10", "--to", "2026-11", vault=money_vault)
    assert code == 0, err
    assert "Finances, 2026-10 to 2026-11 (receivables and run rate as of 2026-11-30)" in out
    words = [" ".join(line.split()) for line in out.splitlines()]
    assert "2026-10 USD 1500.00 400.00" in words and "2026-11 EUR 80.00 80.00" in words
    assert "2026-11 USD 1000.00 0.00" in words  # INV-BAD left out
    assert "Left out (their money cannot be read" in out and "invoices/INV-BAD.md" in out and "12,50" in out
    assert git_out(money_vault, "rev-parse", "HEAD") == head  # a report writes nothing


def test_each_figure_as_json_with_amounts_as_strings(money_vault: Path) -> None:
    code, out, _ = obm("finance", "mrr", "--from", "2026-10", "--to", "2026-11", "--json", vault=money_vault)
    value = json.loads(out)
    assert code == 0
    assert [(r["month"], r["mrr"], r["new"], r["paused"]) for r in value["mrr"]] == [
        ("2026-10", "1500.00", "1500.00", "0.00"), ("2026-11", "1000.00", "0.00", "-500.00")]
    assert [s["path"] for s in value["skipped"]] == ["invoices/INV-BAD.md"]
    code, out, _ = obm("finance", "aging", "--month", "2026-11", "--json", vault=money_vault)
    rows = {r["client"]: r for r in json.loads(out)["aging"]}
    assert rows["aisha"]["31-60"] == "600.00" and rows["aisha"]["1-30"] == "1000.00"  # as of 2026-11-30
    assert rows["ben"]["31-60"] == "500.00" and rows["aisha"]["total"] == "1600.00"


def test_csv_is_one_header_row_then_rows(money_vault: Path) -> None:
    code, out, err = obm("finance", "cash", "--from", "2026-10", "--to", "2026-11", "--csv", vault=money_vault)
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0
    assert rows[0] == ["month", "currency", "received", "refunded", "bills_paid", "expenses", "fees", "net",
                       "payouts"]
    assert rows[1:] == [["2026-10", "USD", "400.00", "0.00", "0.00", "0.00", "0.00", "400.00", "0.00"],
                        ["2026-11", "EUR", "80.00", "0.00", "0.00", "0.00", "0.00", "80.00", "0.00"]]
    assert "invoices/INV-BAD.md" in err  # named on stderr, the CSV stays a table
    code, out, _ = obm("finance", "report", "--month", "2026-11", "--csv", vault=money_vault)
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["figure", "row", "currency", "measure", "value"]
    assert ["revenue", "2026-11", "EUR", "received", "80.00"] in rows


@pytest.mark.parametrize(("args", "error"), [
    (("finance", "revenue", "--month", "2026-13"), "--month must be a month like 2026-11, got '2026-13'"),
    (("finance", "report", "--from", "2026-12", "--to", "2026-10"), "--from 2026-12 is after --to 2026-10"),
    (("finance", "cash", "--json", "--csv"), "give --json or --csv, not both"),
    (("finance", "aging", "--month", "2026-11", "--to", "2026-12"), "give either --month or --from/--to"),
])
def test_bad_options_are_one_line_in_the_users_words(money_vault: Path, args: tuple[str, ...], error: str) -> None:
    code, out, err = obm(*args, vault=money_vault)
    assert (code, out) == (2, "") and error in err and err.count("\n") == 1


def test_events_kept_per_file_version_follow_a_save(money_vault: Path) -> None:
    from datetime import date

    from obm_tui.model.finance import collect
    from obm_tui.services.finance_report import finance_report, vault_facts

    vault = Vault.open(money_vault)
    try:
        before = finance_report(vault, "2026-11", "2026-11", date(2026, 11, 30))
        assert [(r.currency, str(r.invoiced)) for r in before.revenue] == [("EUR", "80.00"), ("USD", "1000.00")]
        vault.update(vault.find("INV-3"), {"amount": "1250.00"}, "invoice INV-3: amount 1000.00 -> 1250.00")
        after = finance_report(vault, "2026-11", "2026-11", date(2026, 11, 30))
        assert [(r.currency, str(r.invoiced)) for r in after.revenue] == [("EUR", "80.00"), ("USD", "1250.00")]
        records = [r for r in vault.records() if r.path != "invoices/INV-BAD.md"]
        assert sorted(map(repr, vault_facts(vault, records, "USD").events)) == sorted(
            map(repr, collect(records, "USD").events))
    finally:
        vault.close()


def _plain_report(vault: Vault, first: str, last: str, today: Any) -> dict[str, Any]:
    """Every figure worked out the plain way: one `collect` of every record, every ledger read
    from its file now, nothing kept between calls."""
    from obm_tui.model import finance_figures as ff
    from obm_tui.model import ledger
    from obm_tui.model.finance import collect
    from obm_tui.services.finance_report import settings_of
    from obm_tui.vault.frontmatter import read_body

    records, currency = vault.records(), vault.config.currency
    events = collect(records, currency).events
    as_of = min(ff.month_end(last), today)

    def inside(rows: list[Any]) -> list[Any]:
        return [r for r in rows if first <= r.month <= last]

    products = [(r, ledger.parse(read_body((vault.root / r.path).read_bytes())).movements)
                for r in records if r.kind == "product" and r.readable]
    return {"revenue": inside(ff.revenue(events)), "cash": inside(ff.cash(events)),
            "mrr": inside(ff.mrr(events, records)),
            "aging": ff.aging(events, records, settings_of(vault), as_of),
            "margin": inside(ff.margin(products, ff.cost_history(r for r in records if r.kind == "purchase-order"),
                                       currency)[0]),
            "declines": inside(ff.declines(records, currency)[0])}


def test_the_report_kept_per_file_version_is_the_plain_report_after_every_kind_of_change(sample_vault: Path) -> None:
    """What the report keeps (events, aging and MRR per invoice, margins per product while the
    purchase orders stay as they were) never shows a figure the plain recomputation would not."""
    from datetime import date

    from obm_tui.services.finance_report import finance_report

    today = date(2026, 11, 23)
    windows = [("2025-12", "2026-11"), ("2026-09", "2026-09"), ("2026-10", "2026-12")]
    vault = Vault.open(sample_vault)
    try:
        def same() -> None:
            for first, last in windows:
                report = finance_report(vault, first, last, today)
                plain = _plain_report(vault, first, last, today)
                for figure, rows in plain.items():
                    assert getattr(report, figure) == rows, (figure, first, last)
                assert report.margin and report.aging and report.mrr or (first, last) != windows[0]

        same()
        po = vault.find("PO-261012-S8P")
        lines = [dict(line) for line in po.data["lines"]]
        lines[0]["unit_cost"] = "9.95"
        vault.update(po, {"lines": lines}, "test: PLAN-2027 costs more")
        vault.update(vault.find("MUG-CLASSIC"), {"price": "21.00"}, "test: the mug costs more")
        invoice = next(r for r in vault.records("invoice") if r.data.get("status") == "sent")
        vault.update(invoice, {"amount": "4321.00"}, "test: an invoice's amount")
        decline = next(r for r in vault.records("decline") if r.data.get("status") != "recovered")
        vault.update(decline, {"status": "recovered", "resolved": "2026-11-20"}, "test: a decline recovered")
        client = next(r for r in vault.records("client") if r.data.get("status") == "current")
        vault.update(client, {"status": "paused", "payment_terms": 3}, "test: a client paused")
        same()
    finally:
        vault.close()
