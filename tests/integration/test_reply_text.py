"""A canned reply filled in for a ticket before it is edited and sent (the app's reply box)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from obm_tui.model.errors import UsageError
from obm_tui.services.reply_text import fill_canned
from obm_tui.services.tickets import reply
from obm_tui.vault.store import Vault

NOW = datetime(2026, 11, 23, 10, 0)
TICKET = "T-261123-H2V"


@pytest.fixture
def demo(sample_vault: Path):  # type: ignore[no-untyped-def]
    vault = Vault.open(sample_vault)
    yield vault
    vault.close()


def test_filled_text_is_what_a_canned_reply_would_send(demo: Vault) -> None:
    filled = fill_canned(demo, TICKET, "holiday-shipping", now=NOW, agent="Mia Torres")
    assert filled.status == "pending" and filled.title == "Holiday shipping dates"
    assert filled.text.startswith("Hi Ethan,") and "Mia Torres, Fred Smith Coaching" in filled.text
    assert "${" not in filled.text and filled.unknown == ()
    sent = reply(demo, TICKET, now=NOW, template="holiday-shipping", agent="Mia Torres")
    assert filled.text in (demo.root / sent.record.path).read_text()


def test_an_unknown_reply_names_the_ones_there_are(demo: Vault) -> None:
    with pytest.raises(UsageError, match="holiday-shipping"):
        fill_canned(demo, TICKET, "no-such-reply", now=NOW)
