"""The `obm` command. `app.py` holds the group and shared helpers; each module adds commands."""

from __future__ import annotations

from obm_tui.cli import billing as _billing  # noqa: F401  (obm finance billing)
from obm_tui.cli import books as _books  # noqa: F401  (obm export beancount|hledger|csv)
from obm_tui.cli import care as _care  # noqa: F401  (obm ticket …)
from obm_tui.cli import completion as _completion  # noqa: F401  (obm completion bash|zsh|fish)
from obm_tui.cli import doctor as _doctor  # noqa: F401  (obm doctor)
from obm_tui.cli import finance as _finance  # noqa: F401  (obm invoice …, obm finance …, obm export …)
from obm_tui.cli import finance_reports as _finance_reports  # noqa: F401  (obm finance report|revenue|mrr|…)
from obm_tui.cli import imports as _imports  # noqa: F401  (obm import mail|shopify|stripe)
from obm_tui.cli import invoice_docs as _invoice_docs  # noqa: F401  (obm invoice pdf|email)
from obm_tui.cli import invoices as _invoices  # noqa: F401  (obm invoice send|pay|void|write-off|show)
from obm_tui.cli import month_close as _month_close  # noqa: F401  (obm finance close)
from obm_tui.cli import payments as _payments  # noqa: F401  (obm finance unmatched|link|ignore)
from obm_tui.cli import records as _records  # noqa: F401  (registers its commands)
from obm_tui.cli import runs as _runs  # noqa: F401  (obm run …, obm tick, obm agenda, obm draft)
from obm_tui.cli import stock as _stock  # noqa: F401  (obm stock …, obm po …)
from obm_tui.cli.app import main

__all__ = ["main"]
