"""The `obm` command. `app.py` holds the group and shared helpers; each module adds commands."""

from __future__ import annotations

from obm_tui.cli import records as _records  # noqa: F401  (registers its commands)
from obm_tui.cli.app import main

__all__ = ["main"]
