"""`obm check`: every problem in the vault, as `path:line: reason`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from obm_tui.model.errors import Problem
from obm_tui.model.ledger import OVERSOLD
from obm_tui.model.records import Record
from obm_tui.model.template_text import leftovers
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
    `.obm/conflicts/`, each listed on its record until it is removed (services/conflicts.py;
    the app's Problems can discard one or take it)."""
    from obm_tui.services.conflicts import kept_versions

    known = {r.path for r in records}
    return [Problem(kept.record if kept.record in known else kept.path, 0,
                    f"another version is kept in {kept.path}: compare it with this file, keep what is right, "
                    "then delete it (in the app: Problems, x discards it, t takes it)")
            for kept in kept_versions(vault.root)]


EXTRA_CHECKS.append(kept_conflicts)


def ledger_checks(vault: Vault, records: list[Record]) -> list[Problem]:
    """Products whose ledger does not add up, or ends elsewhere than `on_hand` (services/stock.py)."""
    from obm_tui.services.stock import ledger_problems

    return ledger_problems(vault, records)


EXTRA_CHECKS.append(ledger_checks)


def calendar_checks(vault: Vault, records: list[Record]) -> list[Problem]:
    """Settings of the business calendar that cannot be used (`[calendar]`, `[care.hours] holidays`)."""
    from obm_tui.services.calendar import calendar_problems

    return [Problem(".obm/config.toml", 0, reason) for reason in calendar_problems(vault)]


EXTRA_CHECKS.append(calendar_checks)


def unfilled_names(vault: Vault, records: list[Record]) -> list[Problem]:
    """`${name}` left in a record's fields or text: a template filled in without a value (by hand, or
    by an older obm). Template files are not records, so their `${…}` is never listed."""
    found: list[Problem] = []
    for record in records:
        try:
            raw = (vault.root / record.path).read_bytes()
        except OSError:
            continue
        if b"${" not in raw:
            continue
        lines = raw.decode("utf-8", errors="replace").splitlines()
        end = _front_matter_end(lines)
        for line, name in leftovers("\n".join(lines)):
            key = _key_above(lines, line) if line <= end else ""
            found.append(Problem(record.path, line, f"{key + ': ' if key else ''}${{{name}}} was never filled in "
                                                    "(a template's name with no value: write the value)"))
    return found


def _front_matter_end(lines: list[str]) -> int:
    """The line number of the front matter's closing `---` (0 when there is none)."""
    if not lines or lines[0].strip() != "---":
        return 0
    return next((n for n, line in enumerate(lines[1:], 2) if line.strip() in ("---", "...")), 0)


def _key_above(lines: list[str], line: int) -> str:
    """The top-level front-matter key a value on `line` belongs to."""
    for text in reversed(lines[1:line]):
        match = _KEY_RE.match(text)
        if match:
            return match.group(1)
    return ""


_KEY_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
EXTRA_CHECKS.append(unfilled_names)


def dunning_checks(vault: Vault, records: list[Record]) -> list[Problem]:
    """`[dunning]` keys that are unused or unusable (services/dunning.py)."""
    from obm_tui.services.dunning import dunning_problems

    return dunning_problems(vault)


EXTRA_CHECKS.append(dunning_checks)


def invoice_checks(vault: Vault, records: list[Record]) -> list[Problem]:
    """Invoices and bills whose status or `paid` disagrees with their payments (services/invoices.py)."""
    from obm_tui.services.invoices import payment_problems

    return payment_problems(vault, records)


EXTRA_CHECKS.append(invoice_checks)
def reminder_checks(vault: Vault, records: list[Record]) -> list[Problem]:
    """A `[finance] reminders` that cannot be used (services/reminders.py)."""
    from obm_tui.services.reminders import reminder_problems

    return reminder_problems(vault)


EXTRA_CHECKS.append(reminder_checks)


def currency_checks(vault: Vault, records: list[Record]) -> list[Problem]:
    """An invoice with no `currency` of a client who has one unlike the vault's: the books and
    reports read the invoice in the vault's currency, so it must say its own."""
    currencies = {r.id.casefold(): str(r.data.get("currency") or "").strip().upper()
                  for r in records if r.kind == "client" and r.readable}
    found = []
    for record in records:
        if record.kind != "invoice" or not record.readable or str(record.data.get("currency") or "").strip():
            continue
        client = str(record.data.get("client") or "").strip().strip("[]").split("|")[0].casefold()
        theirs = currencies.get(client, "")
        if theirs and theirs != vault.config.currency:
            found.append(Problem(record.path, 1, f"no currency, and its client {client} pays in {theirs}: "
                                 f"write currency: {theirs} (else it counts as {vault.config.currency})"))
    return found


EXTRA_CHECKS.append(currency_checks)
