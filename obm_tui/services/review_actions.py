"""The holes' next actions started: a run of the hole's process about its subject (through the
run service, one commit each), or, with no process, a task — a `- [ ]` line in the review's
"Next steps", written by the renderer. Docs: docs/review.md, "Holes"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from obm_tui.model.review import Hole
from obm_tui.vault.store import Vault


def start_actions(vault: Vault, holes: Sequence[Hole], today: date) -> list[str]:
    """Start the run of each hole that names a process (never a second open run of the same
    process about the same subject); one line per hole of what was done, in business words."""
    raise NotImplementedError
