"""The money commands' groups: `obm invoice …`, `obm finance …` and `obm export …`.

Each group's commands live in modules of their own (invoices, payments, reports, the month close,
the books), which import the group from here and are imported by `obm_tui/cli/__init__.py`.
"""

from __future__ import annotations

from obm_tui.cli.app import main


@main.group()
def invoice() -> None:
    """Invoices: send, record a payment, void, write off, PDF."""


@main.group()
def finance() -> None:
    """The money: reports, payments to match, the month close."""


@main.group()
def export() -> None:
    """The books for an accountant: Beancount, hledger, CSV."""
