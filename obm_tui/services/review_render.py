"""A Review (model/review.py) as Markdown (the file in `reviews/`: tables and headings that read
well in any editor, in Obsidian with wiki links to the records, and on a git forge), as JSON for
tools, and as one self-contained HTML page to send to the owner. The same review gives the same
bytes. `write_review` saves the Markdown through the one road (one commit).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from obm_tui.model.records import Record
from obm_tui.model.review import Review
from obm_tui.vault.store import Vault


def markdown(review: Review, ids: Mapping[str, str]) -> str:
    """The review's body and front matter as one Markdown file; `ids` maps a path to its record's
    id (for `[[id]]` links)."""
    raise NotImplementedError


def as_json(review: Review) -> dict[str, Any]:
    raise NotImplementedError


def html(review: Review, ids: Mapping[str, str]) -> str:
    raise NotImplementedError


def write_review(vault: Vault, review: Review) -> Record:
    raise NotImplementedError
