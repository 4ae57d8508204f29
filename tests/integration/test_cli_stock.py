"""`obm stock …`, `obm po …`, `obm import shopify|stripe` over real vaults: output and exit status."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from tests.conftest import CORPUS, git_out
from tests.integration.demo_copy import demo_master, sample_copy  # noqa: F401  (fixtures)
from tests.integration.test_imports import EXPORT, HEADER, line, orders_csv


def obm(*args: str, vault: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--vault", str(vault), *args], catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def last_commit(root: Path) -> str:
    return git_out(root, "log", "-1", "--format=%s").strip()


def test_every_stock_command_has_help(empty_vault: Path) -> None:
    for group, commands in (("stock", ("receive", "ship", "adjust", "count", "forecast")),
                            ("po", ("new", "order", "receive", "cancel")), ("import", ("shopify", "stripe"))):
        for command in commands:
            code, out, _ = obm(group, command, "--help", vault=empty_vault)
            assert code == 0 and "Usage:" in out, (group, command)


def test_movements(sample_copy: Path) -> None:  # noqa: F811
    steps = [
        (("ship", "MUG-CLASSIC", "3", "--ref", "order 1300"), "stock MUG-CLASSIC: shipped 3 (order 1300), 17 -> 14"),
        (("adjust", "MUG-CLASSIC", "-2", "--note", "chipped"), "stock MUG-CLASSIC: adjusted -2, 14 -> 12"),
        (("receive", "mug-classic", "+24"), "stock MUG-CLASSIC: received 24, 12 -> 36"),
        (("count", "MUG-CLASSIC", "35"), "stock MUG-CLASSIC: adjusted -1 (count), 36 -> 35"),
    ]
    for args, message in steps:
        code, out, err = obm("stock", *args, vault=sample_copy)
        assert (code, out.strip(), err) == (0, message, "")
        assert last_commit(sample_copy) == message


@pytest.mark.parametrize(("args", "code", "error"), [
    pytest.param(("stock", "ship", "MUG-CLASSIC", "2.5"), 2, "the quantity must be a whole number, got '2.5'",
                 id="fraction"),
    pytest.param(("stock", "ship", "MUG-CLASSIC", "-3"), 2, "above 0", id="negative"),
    pytest.param(("stock", "ship", "MUG-CLASSIC", "18"), 2, "cannot ship 18 of MUG-CLASSIC: only 17 on hand",
                 id="too-many"),
    pytest.param(("stock", "receive", "NOPE", "1"), 2, "no product with SKU 'NOPE'", id="unknown-sku"),
    pytest.param(("stock", "ship", "MUG-CLASSIC"), 2, "stock ship: missing argument 'QTY'", id="missing-qty"),
    pytest.param(("po", "receive", "PO-261109-J2R", "CAL-2027=151"), 2, "only 150 are still to come",
                 id="over-delivery"),
    pytest.param(("po", "order", "PO-261109-J2R"), 2, "only a draft purchase order can be ordered", id="order-twice"),
    pytest.param(("po", "new", "X", "MUG-CLASSIC=0"), 2, "above 0", id="zero-line"),
    pytest.param(("import", "shopify", "nowhere.csv"), 2, "nowhere.csv: cannot be read", id="no-file"),
])
def test_bad_input_is_one_line_and_changes_nothing(sample_copy: Path, args: tuple[str, ...], code: int,  # noqa: F811
                                                   error: str) -> None:
    before = last_commit(sample_copy)
    got, out, err = obm(*args, vault=sample_copy)
    assert got == code and error in err and err.count("\n") <= 5 and out == ""
    assert last_commit(sample_copy) == before


def test_a_vault_that_is_not_there_is_exit_3(tmp_path: Path) -> None:
    code, _, err = obm("stock", "forecast", vault=tmp_path / "nothing")
    assert code == 3 and err.startswith("obm: no vault at")


def test_forecast(sample_copy: Path) -> None:  # noqa: F811
    code, out, _ = obm("stock", "forecast", "--json", vault=sample_copy)
    items = {i["sku"]: i for i in json.loads(out)}
    assert code == 0 and set(items) >= {"MUG-CLASSIC", "NB-SET3", "CAL-2027"}
    assert items["CAL-2027"]["incoming"] == 150 and items["CAL-2027"]["open_orders"] == ["PO-261109-J2R"]
    assert all(set(i) >= {"on_hand", "rate_per_day", "days_of_cover", "reorder_now", "reasons", "suggested_qty"}
               for i in items.values())
    code, out, _ = obm("stock", "forecast", "--reorder", vault=sample_copy)
    shown = [row.split()[0] for row in out.splitlines()[1:] if not row.startswith(" ")]
    assert code == 0 and shown == sorted(k for k, i in items.items() if i["reorder_now"])


def test_purchase_order_flow(sample_copy: Path) -> None:  # noqa: F811
    code, out, _ = obm("po", "new", "Clay & Kiln Mugs", "MUG-TRAVEL=24", "--title", "Travel mugs", vault=sample_copy)
    assert code == 0 and out.startswith("created purchase-order PO-")
    order = out.split()[2]
    code, out, _ = obm("po", "order", order, vault=sample_copy)
    assert code == 0 and out.startswith(f"purchase-order {order}: status draft -> ordered, ordered set to ")
    code, out, _ = obm("po", "receive", order, "MUG-TRAVEL=10", vault=sample_copy)
    expected = f"purchase-order {order}: received MUG-TRAVEL 10, ordered -> partial; stock MUG-TRAVEL 42 -> 52"
    assert (code, out.strip()) == (0, expected)
    code, out, _ = obm("po", "receive", order, vault=sample_copy)
    assert code == 0 and "partial -> received; stock MUG-TRAVEL 52 -> 66" in out
    code, _, err = obm("po", "cancel", order, vault=sample_copy)
    assert code == 2 and "a received purchase order cannot move to cancelled" in err


def test_import_shopify_and_stripe(sample_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    orders = tmp_path / "orders_export.csv"
    orders.write_bytes(EXPORT)
    code, out, err = obm("import", "shopify", str(orders), "--dry-run", vault=sample_copy)
    assert code == 1 and out.splitlines()[-1].startswith("dry run, nothing written: import shopify orders_export.csv")
    assert "row 4, order 1302: rejected: unknown SKU MUG-GIANT" in err
    code, out, err = obm("import", "shopify", str(orders), "--quiet", vault=sample_copy)
    assert code == 1 and out == ("import shopify orders_export.csv: 1 order recorded, 3 units shipped; "
                                 "2 rows rejected, 2 skipped\n")
    assert last_commit(sample_copy) == out.strip()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(orders_csv(line("#1", "MUG-CLASSIC", "1"), header=[h for h in HEADER if h != "Created at"]))
    code, _, err = obm("import", "shopify", str(bad), vault=sample_copy)
    assert (code, err) == (2, "obm: bad.csv: not a Shopify orders export: missing column(s) Created at\n")
    code, out, _ = obm("import", "stripe", str(CORPUS / "stripe" / "overlayon_unified_payments.csv"), vault=sample_copy)
    assert code == 0 and out.splitlines() == [
        "row 2, ch_3POsheC8ukEwBaxR1SBP6Pvo: charge 15.00 USD",
        "import stripe overlayon_unified_payments.csv: 1 payment recorded; 0 rows rejected, 0 skipped"]


def test_a_sku_keeps_its_spelling_and_matches_in_any_case(empty_vault: Path, tmp_path: Path) -> None:
    """Issue 11 item 13: a lower-case SKU is stored as typed and found in any case, by `obm stock`
    and by the Shopify import (whose rows carry the shop's own spelling)."""
    code, out, err = obm("new", "product", "Dress", "sku=53075587-pink-s", vault=empty_vault)
    assert (code, out.strip()) == (0, "created product 53075587-pink-s (stock/53075587-pink-s.md)"), err
    code, out, _ = obm("stock", "receive", "53075587-PINK-S", "5", vault=empty_vault)
    assert (code, out.strip()) == (0, "stock 53075587-pink-s: received 5, 0 -> 5")
    orders = tmp_path / "orders.csv"
    orders.write_bytes(orders_csv(line("#1", "53075587-pink-s", "2"), line("#2", "53075587-PINK-S", "1")))
    code, out, err = obm("import", "shopify", str(orders), vault=empty_vault)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "row 2, order 1: 53075587-pink-s x 2", "row 3, order 2: 53075587-pink-s x 1",
        "import shopify orders.csv: 2 orders recorded, 3 units shipped; 0 rows rejected, 0 skipped"]
    code, out, _ = obm("new", "product", "Other dress", "sku=53075587-PINK-S", vault=empty_vault)
    assert code == 2


def test_a_sku_with_a_space_is_quoted_not_refused(empty_vault: Path) -> None:
    code, out, err = obm("new", "product", "Tote", "sku=TOTE 02", vault=empty_vault)
    assert (code, out.strip()) == (0, "created product TOTE 02 (stock/TOTE 02.md)"), err
    code, out, _ = obm("stock", "receive", "tote 02", "4", vault=empty_vault)
    assert (code, out.strip()) == (0, 'stock "TOTE 02": received 4, 0 -> 4')
    assert last_commit(empty_vault) == 'stock "TOTE 02": received 4, 0 -> 4'
    code, out, _ = obm("po", "new", "Bags Ltd", "tote 02=10", vault=empty_vault)
    assert code == 0 and last_commit(empty_vault).endswith('drafted for Bags Ltd ("TOTE 02" 10)')


def test_existing_upper_case_skus_match_lower_case_rows_and_lines(sample_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    orders = tmp_path / "orders.csv"
    orders.write_bytes(orders_csv(line("#1400", "mug-classic", "1")))
    code, out, _ = obm("import", "shopify", str(orders), vault=sample_copy)
    assert code == 0 and "row 2, order 1400: MUG-CLASSIC x 1" in out
    assert last_commit(sample_copy).startswith("import shopify orders.csv: 1 order recorded")
    po = sample_copy / "purchase-orders" / "PO-261109-J2R.md"
    po.write_text(po.read_text().replace("sku: CAL-2027", "sku: cal-2027"))
    subprocess.run(["git", "-C", str(sample_copy), "commit", "-qam", "a line typed in lower case"], check=True)
    code, out, _ = obm("stock", "forecast", "--json", vault=sample_copy)
    items = {i["sku"]: i for i in json.loads(out)}
    assert items["CAL-2027"]["incoming"] == 150 and items["CAL-2027"]["open_orders"] == ["PO-261109-J2R"]
    code, out, _ = obm("po", "receive", "PO-261109-J2R", "CAL-2027=10", vault=sample_copy)
    assert code == 0 and "received cal-2027 10" in out

def test_a_restock_run_takes_the_order_drafted_by_hand_and_moves_with_it(empty_vault: Path) -> None:
    """Issue 11 item 4: `obm po new … JRNL-GRAT`, then the restock run's draft step: one order, linked
    to the run, said so; ordering and receiving it tick the run's send and receive steps."""
    v = empty_vault
    assert obm("new", "product", "Gratitude journal", "sku=JRNL-GRAT", "on_hand=2", "reorder_point=5",
               "reorder_qty=40", "supplier=Paper Mill", "unit_cost=3.10", vault=v)[0] == 0
    code, out, err = obm("run", "start", "restock-product", "--for", "JRNL-GRAT", vault=v)
    assert code == 0, err
    run = out.splitlines()[0].split()[1].rstrip(":")
    code, out, err = obm("po", "new", "Paper Mill", "JRNL-GRAT=40", vault=v)
    assert code == 0, err
    order = out.split()[2]
    assert obm("run", "tick", run, "decide", vault=v)[0] == 0
    code, out, err = obm("run", "tick", run, "draft", vault=v)
    assert code == 0, err
    orders = sorted((v / "purchase-orders").glob("*.md"))
    assert [p.stem for p in orders] == [order]  # no second draft for the same SKU
    message = git_out(v, "log", "-1", "--format=%B")
    assert f"purchase-order {order} holds JRNL-GRAT already: linked to this run, not created again" in message
    assert f'run: "[[{run}]]"' in orders[0].read_text(encoding="utf-8")
    assert set(git_out(v, "show", "--name-only", "--format=", "HEAD").split()) == {
        f"runs/{run}.md", f"purchase-orders/{order}.md"}
    code, out, err = obm("po", "order", order, vault=v)
    assert code == 0, err
    assert out.splitlines()[-1].startswith(f'run {run}: ticked "Send the purchase order and set it to ordered"')
    assert "- \"Send the purchase order and set it to ordered\" ticked by obm: purchase-order.ordered <= today" \
        in git_out(v, "log", "-1", "--format=%B")
    code, out, err = obm("po", "receive", order, vault=v)
    assert code == 0, err
    assert out.splitlines()[-1].startswith(f'run {run}: ticked "Receive the delivery')
    text = (v / "runs" / f"{run}.md").read_text(encoding="utf-8")
    for step in ("send", "receive"):
        assert next(line for line in text.splitlines() if f"[id:: {step}]" in line).startswith("- [x]")
    code, out, err = obm("po", "receive", order, vault=v)  # nothing more to receive: refused, nothing else moves
    assert code != 0 and "Traceback" not in out + err


def test_an_order_of_an_earlier_restock_never_ticks_the_next_run(empty_vault: Path) -> None:
    """tick_when:: reads only this run's orders: the last shortage's received order (linked to the
    product too) leaves the next restock run's send and receive steps alone."""
    v = empty_vault
    assert obm("new", "product", "Gratitude journal", "sku=JRNL-GRAT", "on_hand=2", "reorder_point=5",
               "reorder_qty=40", "supplier=Paper Mill", "unit_cost=3.10", vault=v)[0] == 0
    code, out, err = obm("run", "start", "restock-product", "--for", "JRNL-GRAT", vault=v)
    first = out.splitlines()[0].split()[1].rstrip(":")
    for step in ("decide", "draft"):
        assert obm("run", "tick", first, step, vault=v)[0] == 0
    (order,) = [p.stem for p in (v / "purchase-orders").glob("*.md")]
    assert 'product: "[[JRNL-GRAT]]"' in (v / "purchase-orders" / f"{order}.md").read_text(encoding="utf-8")
    assert obm("po", "order", order, vault=v)[0] == 0
    assert obm("po", "receive", order, vault=v)[0] == 0
    code, out, err = obm("run", "start", "restock-product", "--for", "JRNL-GRAT", "--today", "2027-03-01", vault=v)
    second = out.splitlines()[0].split()[1].rstrip(":")
    assert second != first
    code, out, err = obm("tick", "--today", "2027-03-02", vault=v)
    text = (v / "runs" / f"{second}.md").read_text(encoding="utf-8")
    assert "- [x]" not in text and "ticked by obm" not in git_out(v, "log", "-3", "--format=%B")
