"""The sample vault tells the finance story (issue 12): a summer of invoices with their payments,
retainers that bill themselves once, declines with their codes, money out, a closed month, and the
figures the review quotes, all worked out by model.finance from the files as they are."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from obm_tui.model.finance import (
    FinanceSettings,
    record_amount,
    record_currency,
    record_payments,
    settlement,
)
from obm_tui.model.records import Record
from obm_tui.vault.loader import load_rows, scan, to_records

VAULT = Path(__file__).resolve().parents[2] / "vault"


def sample_records() -> list[Record]:
    return to_records(load_rows(VAULT, list(scan(VAULT)), workers=1))


RECORDS = sample_records()


def of_kind(kind: str) -> list[Record]:
    return [r for r in RECORDS if r.kind == kind]


def test_every_paid_invoice_has_its_payment_rows_and_statuses_agree_with_them() -> None:
    invoices = of_kind("invoice")
    statuses = {str(r.data.get("status")) for r in invoices}
    assert {"draft", "sent", "partly-paid", "paid", "void", "written-off"} <= statuses
    methods = set()
    for record in invoices:
        assert not record.problems, (record.path, record.problems)
        status = str(record.data.get("status"))
        rows = record_payments(record)
        methods |= {p.method for p in rows}
        if status == "paid":
            assert rows, f"{record.id} is paid with no ## Payments rows"
        amount = record_amount(record, record_currency(record, "USD"))
        settled = settlement("invoice", status, amount, rows)
        assert settled.status == status, record.id
        assert settled.over == 0, record.id
        if status == "paid":
            assert str(record.data.get("paid")) == settled.paid.isoformat(), record.id  # type: ignore[union-attr]
        if status in ("void", "written-off"):
            assert record.data.get("closed"), f"{record.id} is {status} with no closed day"
    assert {"card", "bank transfer"} <= methods
    card = [p for r in invoices for p in record_payments(r) if p.method == "card"]
    assert card and all(p.reference.startswith("ch_") for p in card)
    assert sum((p.amount for p in card), Decimal(0)) > 0


def _link(value: object) -> str:
    text = str(value or "")
    return text[2:-2] if text.startswith("[[") else text


def test_retainers_bill_december_once_and_nothing_before_it() -> None:
    """Each retainer (a client's `billing`, or a template invoice's `recurrence`) has an invoice with
    its `period` for every month from its start to November, so a billing pass on 2026-12-01 makes
    December's and nothing else; Priya's December is already there, and a paused client bills nothing."""
    from datetime import date

    from dateutil.rrule import rrulestr

    invoices = of_kind("invoice")
    periods: dict[str, list[str]] = {}
    for record in invoices:
        if record.data.get("period"):
            periods.setdefault(_link(record.data["client"]), []).append(str(record.data["period"]))
    for client, seen in periods.items():
        assert len(seen) == len(set(seen)), f"{client} has two invoices for one period"
    starts = {}
    for client in of_kind("client"):
        if client.data.get("billing"):
            starts[client.id] = (str(client.data["billing"]), date.fromisoformat(str(client.data["billing_start"])))
    for template in (r for r in invoices if r.data.get("recurrence")):
        starts[_link(template.data["client"])] = (str(template.data["recurrence"]),
                                                  date.fromisoformat(str(template.data["issued"])))
    assert {"priya-raman", "daniel-okafor", "aisha-khan", "james-whitfield"} <= set(starts)
    statuses = {c.id: c.data.get("status") for c in of_kind("client")}
    assert statuses["james-whitfield"] == "paused"
    to_bill = []
    for client, (rule, start) in starts.items():
        days = rrulestr(rule, dtstart=datetime_of(start)).between(datetime_of(start), datetime_of(date(2026, 12, 1)),
                                                                 inc=True)
        missing = [d.strftime("%Y-%m") for d in days if d.strftime("%Y-%m") not in periods.get(client, [])]
        if statuses[client] == "paused":
            continue
        assert all(m == "2026-12" for m in missing), f"{client} would be billed for {missing}"
        to_bill += [client for _ in missing]
    assert sorted(to_bill) == ["aisha-khan", "daniel-okafor", "grace-nakamura", "lucia-fernandez"]
    december = [r for r in invoices if r.data.get("period") == "2026-12"]
    assert [(r.id, _link(r.data["client"])) for r in december] == [("INV-261201-T5F", "priya-raman")]
    assert any(c.data.get("payment_terms") is not None for c in of_kind("client"))


def datetime_of(day: object) -> object:
    from datetime import date, datetime

    assert isinstance(day, date)
    return datetime(day.year, day.month, day.day)


SOFT_CODES = {"insufficient_funds", "do_not_honor", "generic_decline", "try_again_later", "processing_error"}
HARD_CODES = {"expired_card", "stolen_card", "lost_card", "pickup_card", "incorrect_number", "fraudulent"}


def test_declines_carry_their_code_invoice_and_resolved_day() -> None:
    from datetime import date

    declines = of_kind("decline")
    invoices = {r.id: r for r in of_kind("invoice")}
    codes = {str(r.data.get("code")) for r in declines}
    assert codes <= SOFT_CODES | HARD_CODES and codes & SOFT_CODES and codes & HARD_CODES
    statuses = [str(r.data.get("status")) for r in declines]
    assert "recovered" in statuses and "lost" in statuses
    for record in declines:
        status, resolved = str(record.data.get("status")), record.data.get("resolved")
        if status in ("recovered", "lost"):
            assert resolved is not None, f"{record.id} is {status} with no resolved day"
            declined = date.fromisoformat(str(record.data["declined"]))
            assert date.fromisoformat(str(resolved)) >= declined
        else:
            assert resolved is None, record.id
        if record.data.get("client"):
            invoice = invoices[_link(record.data.get("invoice"))]
            assert _link(invoice.data["client"]) == _link(record.data["client"])
            assert invoice.data["status"] != "paid"


def sample_settings() -> FinanceSettings:
    import tomllib

    from obm_tui.model.finance import finance_settings

    config = tomllib.loads((VAULT / ".obm" / "config.toml").read_text(encoding="utf-8"))
    assert "finance" in config, "the sample config has no [finance] section"
    return finance_settings(config["finance"], config["business"]["currency"])


def test_the_finance_config_is_usable_and_names_every_category_used() -> None:
    settings = sample_settings()
    assert settings.problems == ()
    assert settings.account("bank") != "Assets:Bank" and settings.categories
    used = {str(r.data["category"]).lower() for r in RECORDS
            if r.kind in ("bill", "expense") and r.data.get("category")}
    assert used <= set(settings.categories)


def test_money_out_bills_match_their_purchase_orders_and_expenses_have_receipts() -> None:
    orders = {r.id: r for r in of_kind("purchase-order")}
    bills = of_kind("bill")
    assert 2 <= len(bills) <= 3
    for bill in bills:
        order = orders[_link(bill.data["purchase_order"])]
        assert order.data["status"] == "received"
        lines = order.data["lines"]
        assert record_amount(bill, "USD") == sum((Decimal(str(line["qty"])) * Decimal(str(line["unit_cost"]))
                                                  for line in lines), Decimal(0))
        status = str(bill.data.get("status"))
        settled = settlement("bill", status, record_amount(bill, "USD"), record_payments(bill))
        assert settled.status == status, bill.id
    assert any(b.data["status"] == "paid" and record_payments(b) for b in bills)
    expenses = of_kind("expense")
    assert 6 <= len(expenses) <= 10
    assert all(e.data.get("category") and e.data.get("receipt") for e in expenses)
    assert {"software", "ads", "fees"} <= {e.data["category"] for e in expenses}
    kinds = sorted((str(p.data.get("payment_type")), str(p.data.get("status", "unmatched")))
                   for p in of_kind("payment"))
    assert kinds == [("charge", "unmatched"), ("payout", "unmatched")]
    assert all(str(p.data["reference"]).startswith(("ch_", "po_")) for p in of_kind("payment"))


def _money(cell: str) -> Decimal:
    return Decimal(cell.replace(",", "")) if cell.strip() else Decimal(0)


def test_the_closed_month_passes_its_checks_and_its_figures_are_the_books() -> None:
    from obm_tui.model.finance import balances, collect

    closes = {r.id: r for r in of_kind("close")}
    close = closes["2026-10"]
    assert (close.data["month"], close.data["closed_by"]) == ("2026-10", "Mia Torres")
    october = [r for r in of_kind("invoice") if str(r.data.get("issued", "")).startswith("2026-10")]
    assert october and all(r.data["status"] != "draft" for r in october)
    assert not [p for p in of_kind("payment") if str(p.data["date"]).startswith("2026-10")
                and p.data.get("status", "unmatched") == "unmatched"]
    billed = {_link(b.data["purchase_order"]) for b in of_kind("bill")}
    received = [o.id for o in of_kind("purchase-order") if str(o.data.get("received", "")).startswith("2026-10")]
    assert received and set(received) <= billed
    declined = [d for d in of_kind("decline") if str(d.data["declined"]).startswith("2026-10")]
    assert all(d.data.get("status") != "new" for d in declined)

    events = [e for e in collect(RECORDS, "USD").events if e.day.strftime("%Y-%m") == "2026-10"]
    books = {account: amount for (account, _), amount in balances(events, sample_settings()).items() if amount}
    body = (VAULT / close.path).read_text(encoding="utf-8")
    section = body.split("## October in the books (USD)", 1)[1]
    written = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and ":" in cells[0]:
            written[cells[0]] = _money(cells[1]) - _money(cells[2])
    assert written == books
    figures = dict(line.strip("|").split("|")[:2] for line in body.split("## Figures (USD)", 1)[1].splitlines()
                   if line.startswith("| ") and "---" not in line)
    totals: dict[str, Decimal] = {}
    for event in events:
        totals[event.kind] = totals.get(event.kind, Decimal(0)) + event.amount
    for label, kind in (("Invoiced", "invoiced"), ("Received", "received"), ("Written off", "written-off"),
                        ("Supplier bills", "billed"), ("Bills paid", "bill-paid"), ("Expenses", "expense")):
        assert _money(figures[f" {label} "]) == totals.get(kind, Decimal(0)), label


def test_obm_init_writes_a_finance_section_with_the_defaults(tmp_path: Path) -> None:
    import tomllib

    from click.testing import CliRunner

    from obm_tui.cli import main
    from obm_tui.model.finance import DEFAULT_ACCOUNTS, FinanceSettings, finance_settings

    root = tmp_path / "new-co"
    result = CliRunner().invoke(main, ["init", str(root), "--name", "New Co"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    text = (root / ".obm" / "config.toml").read_text(encoding="utf-8")
    config = tomllib.loads(text)
    assert "[finance]" in text and "docs/finances.md" in text
    settings = finance_settings(config["finance"], config["business"].get("currency", "USD"))
    assert settings.problems == ()
    assert (settings.payment_terms, settings.overpayment, settings.reminders) == (
        FinanceSettings.payment_terms, FinanceSettings.overpayment, FinanceSettings.reminders)
    assert dict(settings.accounts) == DEFAULT_ACCOUNTS
    assert settings.category_account("software") == "Expenses:Software"


def test_the_summer_review_quotes_the_figures_model_finance_works_out() -> None:
    from datetime import date

    from obm_tui.model.finance import INVOICED, RECEIVED, balances, collect

    review = next(r for r in of_kind("review") if r.data.get("title") == "I Know What I Did This Summer")
    body = (VAULT / review.path).read_text(encoding="utf-8")
    section = body.split("## The money (June–September, USD)", 1)[1]
    table = next(block for block in section.split("\n\n") if block.startswith("| June–September |"))
    quoted = {cells[0]: _money(cells[1]) for cells in
              ([c.strip() for c in line.strip().strip("|").split("|")] for line in table.splitlines())
              if len(cells) == 2 and cells[1] not in ("USD", "--:")}
    start, end, written = date(2026, 6, 1), date(2026, 9, 30), date(2026, 10, 1)
    events = [e for e in collect(RECORDS, "USD").events if e.currency == "USD"]
    summer = [e for e in events if start <= e.day <= end]

    def total(kind: str, month: int = 0) -> Decimal:
        return sum((e.amount for e in summer if e.kind == kind and (not month or e.day.month == month)), Decimal(0))

    declines = [d for d in of_kind("decline") if start <= date.fromisoformat(str(d.data["declined"])) <= end]

    def settled(status: str) -> Decimal:
        return sum((Decimal(str(d.data["amount"])) for d in declines if d.data["status"] == status
                    and date.fromisoformat(str(d.data["resolved"])) <= written), Decimal(0))

    owed = balances([e for e in events if e.day <= end], sample_settings())[("Assets:Receivable", "USD")]
    assert quoted == {
        "Invoiced": total(INVOICED), "Received": total(RECEIVED),
        "Received in June": total(RECEIVED, 6), "Received in July": total(RECEIVED, 7),
        "Received in August": total(RECEIVED, 8), "Received in September": total(RECEIVED, 9),
        "Owed on 30 September": owed,
        "Declined": sum((Decimal(str(d.data["amount"])) for d in declines), Decimal(0)),
        "Recovered by 1 October": settled("recovered"), "Lost by 1 October": settled("lost"),
    }
