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
