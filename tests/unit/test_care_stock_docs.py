"""The examples in docs/customer-care.md and docs/stock.md are read by the code as documented."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from obm_tui.model.care_config import load_care_config
from obm_tui.model.conversation import parse as parse_conversation
from obm_tui.model.forecast import StockConfig, load_stock_config
from obm_tui.model.ledger import Movement, check, commit_message
from obm_tui.model.ledger import parse as parse_ledger
from obm_tui.model.purchase import parse_lines
from obm_tui.model.sla import DEFAULT_TARGETS
from obm_tui.model.tickets import TRANSITIONS, Moves
from obm_tui.vault.frontmatter import read_document

DOCS = Path(__file__).resolve().parents[2] / "docs"


def blocks(doc: str, language: str) -> list[str]:
    """The fenced code blocks of a doc written with this info string (`""` for none)."""
    found: list[str] = []
    current: list[str] | None = None
    info = ""
    for line in (DOCS / doc).read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("```") and current is None:
            current, info = [], line[3:].strip()
        elif line.startswith("```"):
            if info == language:
                found.append("".join(current or []))
            current = None
        elif current is not None:
            current.append(line)
    return found


def test_care_config_example_reads_cleanly_and_shows_the_defaults() -> None:
    (example,) = [b for b in blocks("customer-care.md", "toml") if "[care" in b]
    config = load_care_config(tomllib.loads(example))
    assert config.problems == ()
    assert config.settings.targets == DEFAULT_TARGETS
    defaults = load_care_config({})
    assert config.moves == defaults.moves == Moves()
    assert config.settings.breaching_soon == defaults.settings.breaching_soon
    assert config.settings.pause_on == defaults.settings.pause_on


def test_ticket_example_conversation() -> None:
    (ticket,) = [b for b in blocks("customer-care.md", "markdown") if "type: ticket" in b]
    doc = read_document(ticket.encode())
    assert doc.data["type"] == "ticket"
    conv = parse_conversation(doc.body, ZoneInfo("Europe/London"))
    assert conv.problems == ()
    assert [m.role for m in conv.messages] == ["customer", "agent", "note"]
    assert conv.messages[0].message_id == doc.data["message_id"]


def test_moves_table_matches_the_doc() -> None:
    text = (DOCS / "customer-care.md").read_text(encoding="utf-8")
    table = text[text.index("| from | allowed moves |"):]
    for status, allowed in TRANSITIONS.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{status}` |"))
        assert re.findall(r"`(\w+)`", row)[1:] == list(allowed), status


def test_product_example_ledger_adds_up() -> None:
    (product,) = [b for b in blocks("stock.md", "markdown") if "type: product" in b]
    doc = read_document(product.encode())
    ledger = parse_ledger(doc.body)
    assert ledger.problems == () and len(ledger.movements) == 3
    assert check(ledger, int(doc.data["on_hand"])) == ()


def test_purchase_order_example_lines() -> None:
    (order,) = [b for b in blocks("stock.md", "markdown") if "type: purchase-order" in b]
    lines, problems = parse_lines(read_document(order.encode()).data["lines"])
    assert problems == () and [line.sku for line in lines] == ["MUG-01", "TOTE-02"]


def test_stock_config_example_is_the_default() -> None:
    (example,) = blocks("stock.md", "toml")
    assert load_stock_config(tomllib.loads(example)) == (StockConfig(), ())


def test_commit_message_examples() -> None:
    (example,) = [b for b in blocks("stock.md", "") if b.startswith("stock MUG-01")]
    day = date(2026, 11, 20)
    made = [
        commit_message("MUG-01", Movement(day, "ship", -3, 11, "order 1042")),
        commit_message("MUG-01", Movement(day, "receive", 24, 35, "PO-261101-AB3")),
        commit_message("MUG-01", Movement(day, "adjust", -1, 34, "count")),
        commit_message("MUG-01", Movement(day, "count", 0, 34)),
    ]
    assert example.splitlines() == made
