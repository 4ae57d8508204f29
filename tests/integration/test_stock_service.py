"""Stock services on real vaults: movements, forecast, shortages, purchase orders, batches."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from obm_tui.model import ledger
from obm_tui.model.errors import ConflictError, UsageError, ValidationError
from obm_tui.model.ledger import StockError
from obm_tui.model.purchase import PurchaseError
from obm_tui.services import purchase_orders as po
from obm_tui.services import stock
from obm_tui.services.agenda import SOURCES, build_agenda, low_stock
from obm_tui.services.records import new_record
from obm_tui.vault.store import Vault
from tests.conftest import git_out
from tests.integration.demo_copy import demo_master, sample_copy  # noqa: F401  (fixtures)

TODAY = date(2026, 11, 23)
MUG = "MUG-CLASSIC"  # sample vault: 17 on hand, reorder point 24, a draft PO for 144


@pytest.fixture
def sample(sample_copy: Path) -> Vault:  # noqa: F811  (the imported fixture)
    return Vault.open(sample_copy)


def log(root: Path, n: int = 1) -> list[str]:
    return git_out(root, "log", f"-{n}", "--format=%s").splitlines()


def last_row(vault: Vault, sku: str) -> ledger.Movement:
    return ledger.parse(vault.read_body(vault.find(sku, "product"))).movements[-1]


@pytest.mark.parametrize(("kind", "qty", "ref", "message", "on_hand", "row"), [
    pytest.param("receive", 24, "PO-261118-H4C", "stock MUG-CLASSIC: received 24 (PO-261118-H4C), 17 -> 41", "41",
                 ("receive", 24, 41), id="receive"),
    pytest.param("ship", 3, "order 1300", "stock MUG-CLASSIC: shipped 3 (order 1300), 17 -> 14", "14",
                 ("ship", -3, 14), id="ship"),
    pytest.param("adjust", -2, "", "stock MUG-CLASSIC: adjusted -2, 17 -> 15", "15", ("adjust", -2, 15), id="adjust"),
    pytest.param("count", 17, "", "stock MUG-CLASSIC: counted 17, matches", "17", ("count", 0, 17), id="count-matches"),
    pytest.param("count", 15, "", "stock MUG-CLASSIC: adjusted -2 (count), 17 -> 15", "15", ("adjust", -2, 15),
                 id="count-differs"),
])
def test_a_movement_is_one_row_one_field_one_commit(sample: Vault, kind: str, qty: int, ref: str, message: str,
                                                    on_hand: str, row: tuple[str, int, int]) -> None:
    result = stock.record_movement(sample, MUG.lower(), kind, qty, when=TODAY, ref=ref)
    assert result.message == message and log(sample.root) == [message]
    assert result.save.record.data["on_hand"] == on_hand
    movement = last_row(sample, MUG)
    assert (movement.kind, movement.qty, movement.on_hand, movement.day) == (*row, TODAY)
    changed = git_out(sample.root, "show", "--numstat", "--format=", "HEAD").split()
    added, removed = (1, 0) if on_hand == "17" else (2, 1)  # the new row (and the on_hand line)
    assert changed == [str(added), str(removed), "stock/MUG-CLASSIC.md"]


@pytest.mark.parametrize(("kind", "text", "reason"), [
    pytest.param("ship", "-3", "above 0", id="negative-ship"),
    pytest.param("receive", "2.5", "whole number", id="fraction"),
    pytest.param("receive", "ten", "whole number", id="words"),
    pytest.param("adjust", "0", "changes nothing", id="zero-adjust"),
    pytest.param("count", "-1", "negative", id="negative-count"),
])
def test_quantities_are_checked(kind: str, text: str, reason: str) -> None:
    with pytest.raises(StockError, match=reason):
        stock.parse_quantity(kind, text)


def test_refusals_change_nothing(sample: Vault) -> None:
    path = sample.root / "stock" / f"{MUG}.md"
    before, before_log = path.read_bytes(), log(sample.root)
    with pytest.raises(StockError, match="cannot ship 18 of MUG-CLASSIC: only 17 on hand"):
        stock.record_movement(sample, MUG, "ship", 18, when=TODAY)
    with pytest.raises(UsageError, match="did you mean MUG-CLASSIC, MUG-TRAVEL"):
        stock.record_movement(sample, "MUG", "ship", 1, when=TODAY)
    assert path.read_bytes() == before and log(sample.root) == before_log


def test_when_the_ledger_and_on_hand_disagree_only_a_count_is_taken(sample: Vault) -> None:
    path = sample.root / "stock" / f"{MUG}.md"
    path.write_bytes(path.read_bytes().replace(b"on_hand: 17", b"on_hand: 20"))
    vault = Vault.open(sample.root)  # commits the outside edit
    with pytest.raises(StockError, match="ends at 17 but on_hand is 20"):
        stock.record_movement(vault, MUG, "ship", 1, when=TODAY)
    result = stock.record_movement(vault, MUG, "count", 16, when=TODAY)
    assert result.message == "stock MUG-CLASSIC: adjusted -1 (count), 17 -> 16"
    assert result.save.record.data["on_hand"] == "16" and result.save.record.ok


def test_a_product_without_a_ledger_gets_one(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    new_record(vault, "product", "Logo mug", {"sku": "MUG-01"}, body="A mug.\n", when=datetime(2026, 11, 20, 9, 0))
    stock.record_movement(vault, "MUG-01", "receive", 24, when=TODAY, ref="PO-1")
    text = (empty_vault / "stock" / "MUG-01.md").read_text()
    row_id = ledger.parse(text).movements[-1].row_id
    assert len(row_id) == 6 and text.endswith(
        "A mug.\n\n## Ledger\n\n| Date | Movement | Qty | On hand | Ref | Note | Id |\n"
        "|------------|----------|----:|--------:|-----|------|--------|\n"
        f"| 2026-11-23 | receive | +24 | 24 | PO-1 |  | {row_id} |\n")
    assert vault.find("MUG-01", "product").value("on_hand") == 24


def test_forecast_shortages_and_agenda(sample: Vault) -> None:
    items = {i.record.id: i for i in stock.forecast_all(sample, TODAY)}
    assert "CARD-DECK" not in items  # archived
    mug = items[MUG]
    assert mug.forecast is not None and mug.forecast.reorder_now and mug.open_orders == ("PO-261118-H4C",)
    assert items["CAL-2027"].forecast.incoming == 150  # type: ignore[union-attr]  # the ordered PO
    shortages = stock.low_stock_shortages(sample, TODAY)
    assert [(r.id, key) for r, key in shortages] == [("NB-SET3", "restock NB-SET3 after 2026-08-11")]
    po.cancel(sample, "PO-261118-H4C")  # no open order any more: the mug's shortage is back
    shortages = [(r.id, k) for r, k in stock.low_stock_shortages(sample, TODAY)]
    assert (MUG, "restock MUG-CLASSIC after 2026-06-24") in shortages
    assert low_stock not in SOURCES
    agenda = [i for i in build_agenda(sample, datetime(2026, 11, 23, 11, 0)) if i.section == "Stock"]
    assert {i.path for i in agenda} == {"stock/MUG-CLASSIC.md", "stock/NB-SET3.md", "stock/PLAN-2027.md"}
    assert all(i.detail for i in agenda)


def test_purchase_order_draft_order_and_receipts_in_one_commit_each(sample: Vault) -> None:
    made = po.new_order(sample, "Clay & Kiln Mugs", po.parse_line_args(["MUG-TRAVEL", "MUG-CLASSIC=48"]), today=TODAY)
    order_id = made.record.id
    lines = made.record.data["lines"]
    assert [(line["sku"], line["qty"]) for line in lines] == [("MUG-TRAVEL", "72"), (MUG, "48")]  # 72: reorder_qty
    assert log(sample.root) == [
        f"purchase-order {order_id}: drafted for Clay & Kiln Mugs (MUG-TRAVEL 72, MUG-CLASSIC 48)"]
    with pytest.raises(PurchaseError, match="only ordered or partial"):
        po.receive(sample, order_id, today=TODAY)
    ordered = po.mark_ordered(sample, order_id, today=TODAY)
    assert ordered.record.data["status"] == "ordered" and ordered.record.data["expected"] == "2026-12-14"
    part = po.receive(sample, order_id, {"mug-classic": 20}, today=date(2026, 12, 10))
    assert part.receipt.status == "partial"
    expected = f"purchase-order {order_id}: received MUG-CLASSIC 20, ordered -> partial; stock MUG-CLASSIC 17 -> 37"
    assert log(sample.root) == [expected]
    rest = po.receive(sample, order_id, today=date(2026, 12, 12))
    assert rest.receipt.status == "received" and set(rest.movements) == {"MUG-TRAVEL", MUG}
    files = git_out(sample.root, "show", "--name-only", "--format=", "HEAD").split()
    bill = rest.written.records[-1]  # received in full: its bill in the same commit (services/bills.py)
    assert sorted(files) == [bill.path, f"purchase-orders/{order_id}.md", "stock/MUG-CLASSIC.md", "stock/MUG-TRAVEL.md"]
    assert bill.kind == "bill" and bill.data["purchase_order"] == f"[[{order_id}]]"
    order = sample.find(order_id, "purchase-order")
    assert order.data["received"] == "2026-12-12"
    assert [(line["qty"], line["received"]) for line in order.data["lines"]] == [("72", "72"), ("48", "48")]
    assert last_row(sample, MUG).ref == order_id and sample.find(MUG, "product").data["on_hand"] == "65"


@pytest.mark.parametrize(("arrivals", "error", "reason"), [
    pytest.param({"CAL-2027": 151}, PurchaseError, "only 150 are still to come", id="over-delivery"),
    pytest.param({"MUG-CLASSIC": 1}, PurchaseError, "has no line for MUG-CLASSIC", id="not-on-the-order"),
    pytest.param({"CAL-2027": 0}, PurchaseError, "nothing to receive", id="nothing"),
])
def test_a_refused_receipt_changes_nothing(sample: Vault, arrivals: dict[str, int], error: type[Exception],
                                           reason: str) -> None:
    before = {p: p.read_bytes() for p in (sample.root / "purchase-orders").glob("*.md")}
    with pytest.raises(error, match=reason):
        po.receive(sample, "PO-261109-J2R", arrivals, today=TODAY)
    assert {p: p.read_bytes() for p in before} == before


def test_a_receipt_is_never_half_written(sample: Vault) -> None:
    """The product does not parse: the whole receipt is refused, the order stays as it was."""
    product = sample.root / "stock" / "CAL-2027.md"
    order = sample.root / "purchase-orders" / "PO-261109-J2R.md"
    broken = product.read_bytes().replace(b"on_hand:", b"on_hand: 1\non_hand:", 1)
    product.write_bytes(broken)
    before, before_log = order.read_bytes(), log(sample.root)
    with pytest.raises(ConflictError, match="does not parse"):
        po.receive(sample, "PO-261109-J2R", today=TODAY)
    assert order.read_bytes() == before and product.read_bytes() == broken and log(sample.root) == before_log


def test_new_order_refusals(sample: Vault) -> None:
    with pytest.raises(UsageError, match="no product with SKU 'NOPE'"):
        po.new_order(sample, "X", {"NOPE": 3}, today=TODAY)
    with pytest.raises(ValidationError, match="above 0"):
        po.parse_line_args(["MUG-CLASSIC=0"])
    with pytest.raises(ValidationError, match="whole number"):
        po.parse_line_args(["MUG-CLASSIC=lots"])
    with pytest.raises(UsageError, match="at least one line"):
        po.new_order(sample, "X", {}, today=TODAY)
