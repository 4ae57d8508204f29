"""`obm check`: every problem in the vault, as `path:line: reason`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from obm_tui.model.errors import Problem
from obm_tui.model.ledger import OVERSOLD
from obm_tui.model.records import Record
from obm_tui.vault.paths import CONFLICT_DIR, LEGACY_CONFLICT_DIR, record_of_conflict_copy
from obm_tui.vault.store import Vault


@dataclass(frozen=True)
class CheckReport:
    """How many records were read, and what is wrong."""

    records: int
    bad_records: int
    problems: list[Problem]


def check_vault(vault: Vault) -> CheckReport:
    """Schema problems, unreadable files, broken links, and extra checks registered by features."""
    records = vault.records(archived=True)
    found = broken_links(vault, records)
    for extra in EXTRA_CHECKS:
        found += extra(vault, records)
    oversold = {p.path for p in found if OVERSOLD in p.reason}
    problems = [p for r in records for p in r.problems if not _said_as_oversold(r, p, oversold)] + found
    problems.sort(key=lambda p: (p.path, p.line))
    bad = len({p.path for p in problems})
    return CheckReport(len(records), bad, problems)


def _said_as_oversold(record: Record, problem: Problem, oversold: set[str]) -> bool:
    """A product's `on_hand` below 0 that its ledger shows as oversold (after a merge) is listed
    once, in those words at the ledger's row, not also as a bad value."""
    return record.path in oversold and problem.reason.startswith("on_hand: cannot be below 0")


def broken_links(vault: Vault, records: list[Record]) -> list[Problem]:
    """Link fields (`client: "[[fred-smith]]"`) that point at no record."""
    known = {r.id.casefold() for r in records}
    found: list[Problem] = []
    for record in records:
        for spec in record.schema.all_fields:
            if spec.type != "link" or record.data.get(spec.name) is None:
                continue
            target = record.value(spec.name)
            if target is not None and target.casefold() not in known:
                found.append(Problem(record.path, _line(vault, record, spec.name),
                                     f"{spec.name}: no record {target!r} (broken link)"))
    return found


def _line(vault: Vault, record: Record, field: str) -> int:
    try:
        raw = (vault.root / record.path).read_bytes()
    except OSError:
        return 0
    lines = raw.split(b"\n")
    for number, line in enumerate(lines[:200], start=1):
        if line.startswith(field.encode() + b":"):
            return number
    return 0


EXTRA_CHECKS: list[Callable[[Vault, list[Record]], list[Problem]]] = []  # features add their checks


def process_checks(vault: Vault, records: list[Record]) -> list[Problem]:
    """Processes, runs' own copies and `[[rules]]` (services/run_views.py and services/rules.py)."""
    from obm_tui.services.rules import rule_problems
    from obm_tui.services.run_views import check_runs

    return check_runs(vault, records) + rule_problems(vault)


EXTRA_CHECKS.append(process_checks)


def kept_conflicts(vault: Vault, records: list[Record]) -> list[Problem]:
    """Versions kept in `conflicts/` (a save that collided, a merge between clones that changed
    one field on both sides; committed, so every clone lists them) and in the older, untracked
    `.obm/conflicts/`, each listed on its record until it is deleted."""
    known = {r.path for r in records}
    found = []
    for folder in (CONFLICT_DIR, LEGACY_CONFLICT_DIR):
        for name in _kept_names(vault.root / folder):
            rel = record_of_conflict_copy(name)
            where = rel if rel in known else f"{folder}/{name}"
            found.append(Problem(where, 0, f"another version is kept in {folder}/{name}: "
                                           "compare it with this file, keep what is right, then delete it"))
    return found


def _kept_names(folder: Path) -> list[str]:
    try:
        return sorted(p.name for p in folder.iterdir() if p.suffix == ".md" and not p.name.startswith("."))
    except OSError:
        return []


EXTRA_CHECKS.append(kept_conflicts)


def ledger_checks(vault: Vault, records: list[Record]) -> list[Problem]:
    """Products whose ledger does not add up, or ends elsewhere than `on_hand` (services/stock.py)."""
    from obm_tui.services.stock import ledger_problems

    return ledger_problems(vault, records)


EXTRA_CHECKS.append(ledger_checks)


def dunning_checks(vault: Vault, records: list[Record]) -> list[Problem]:
    """`[dunning]` keys that are unused or unusable (services/dunning.py)."""
    from obm_tui.services.dunning import dunning_problems

    return dunning_problems(vault)


EXTRA_CHECKS.append(dunning_checks)
