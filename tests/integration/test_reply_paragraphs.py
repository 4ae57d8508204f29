"""Canned replies and email drafts go out as paragraphs: the hard line breaks of a template
written in an editor are spaces, a signature's own lines stay (issue 18)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from obm_tui.services import tickets
from obm_tui.services.drafts import email_draft
from obm_tui.services.reply_text import fill_canned
from obm_tui.vault.store import Vault

TICKET = "T-261116-V7E"


def test_a_canned_reply_sent_is_in_paragraphs(sample_vault: Path) -> None:
    vault = Vault.open(sample_vault)
    try:
        now = datetime(2026, 11, 23, 10, 0)
        filled = fill_canned(vault, TICKET, "holiday-shipping", now=now, agent="Mia")
        assert "(by 10 December for Canada and Europe). Planners and calendars ship the next business day." in (
            filled.text)
        tickets.reply(vault, TICKET, now=now, template="holiday-shipping", agent="Mia", force=True)
        body = vault.read_document(vault.find(TICKET)).body
        assert "for Canada and Europe)." in body and "for\nCanada" not in body
    finally:
        vault.close()


def test_an_email_draft_is_in_paragraphs_and_its_sign_off_keeps_its_line(sample_vault: Path) -> None:
    vault = Vault.open(sample_vault)
    try:
        draft = email_draft(vault, "welcome-email", vault.find("aisha-khan"), date(2026, 11, 23))
        assert "Warmly,\n" in draft.body and "Warmly,\\" not in draft.body
        paragraphs = [p for p in draft.body.split("\n\n") if p.strip() and not p.startswith("    ")]
        assert all("\n" not in p for p in paragraphs[:-1]), paragraphs  # the last: the sign-off and signature
    finally:
        vault.close()
