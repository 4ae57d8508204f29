"""A canned reply filled in for one ticket, to edit before it is sent (the app's reply box).

`tickets.reply(template=…)` sends a canned reply as it is; the app first shows its text filled
with the ticket's values so that the agent can change it, then sends the edited text with the
canned reply's status move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from obm_tui.services import tickets
from obm_tui.services.replies import find_reply
from obm_tui.vault.store import Vault


@dataclass(frozen=True)
class FilledReply:
    """A canned reply's text for one ticket, the status it moves the ticket to, and the
    `${variables}` that had no value (left in the text as written)."""

    name: str
    title: str
    status: str | None
    text: str
    unknown: tuple[str, ...] = ()


def fill_canned(vault: Vault, ticket_ref: str, name: str, *, now: datetime, agent: str | None = None) -> FilledReply:
    """The canned reply `name` filled in for the ticket, exactly as `tickets.reply` would send it."""
    record = tickets.find_ticket(vault, ticket_ref)
    canned = find_reply(vault, name)
    # the one place a canned reply is filled in
    text, unknown = tickets.fill_reply(vault, record, canned, agent or tickets.agent_name(vault), now)
    return FilledReply(canned.name, canned.title, canned.status, text, tuple(unknown))
