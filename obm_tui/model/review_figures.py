"""The review's figures per system, out of `ReviewInputs` (model/review.py): clients, processes,
customer care, sales and stock, money. Each section function is pure; every figure names the
records behind it and its value in the previous period. Definitions: docs/review.md, "Figures".
"""

from __future__ import annotations

from obm_tui.model.review import ReviewInputs, Section


def clients(inputs: ReviewInputs) -> Section:
    """Won, onboarded (and how long onboarding took), paused, lost."""
    return Section("clients", "Clients")


def processes(inputs: ReviewInputs) -> Section:
    """Runs started / finished / open, median duration, steps done late, processes never run,
    steps that are always late."""
    return Section("processes", "Processes")


def care(inputs: ReviewInputs) -> Section:
    """Tickets opened / resolved, median first response and resolution against the targets,
    breaches, by tag and by product."""
    return Section("care", "Customer care")


def stock(inputs: ReviewInputs) -> Section:
    """Orders and units by product (when orders exist), stock received and shipped, days at
    zero, close calls, purchase orders late."""
    return Section("stock", "Sales and stock")


def money(inputs: ReviewInputs) -> Section:
    """Invoiced, received, overdue; declines recovered / lost / at risk (per currency)."""
    return Section("money", "Money")
