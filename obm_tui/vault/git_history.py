"""One read of the history for a review: every change to a file between two times, in one git
process (`git log --raw`), and the front matter on either side of each change for the kinds the
review follows (their blobs read in one batch). See model/review.py `History`."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from obm_tui.model.review import History
from obm_tui.vault.git import Git


def read_history(git: Git, since: datetime, until: datetime, followed: Collection[str] = ("client",)) -> History:
    return History(since, until, followed=frozenset(followed))
