"""The review's "team" section: who did what in the period, from the commit authors of the
history (model/review.py `History`). Definitions: docs/review.md, "The team"."""

from __future__ import annotations

from obm_tui.model.review import ReviewInputs, Section


def team(inputs: ReviewInputs) -> Section:
    return Section("team", "The team")
