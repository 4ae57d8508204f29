"""The review's holes: documented rules over `ReviewInputs`, each hole with its evidence and a
next action (a run of a process, or a task). Rules and thresholds: docs/review.md, "Holes";
thresholds from `[review]` (`review_settings`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from obm_tui.model.review import Hole, ReviewInputs, ReviewSettings


def review_settings(section: Mapping[str, Any]) -> ReviewSettings:
    """`[review]` read leniently: a bad value keeps its default and is named in `problems`."""
    return ReviewSettings()


def find_holes(inputs: ReviewInputs) -> tuple[Hole, ...]:
    return ()
