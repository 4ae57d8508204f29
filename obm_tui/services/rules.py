"""Rules that start processes by themselves (`[[rules]]` in `.obm/config.toml`), and `obm tick`.

    [[rules]]
    name = "Onboard every new client"
    kind = "client"                 # the kind of record the rule watches
    when = "status = onboarding"    # a condition in the grammar of docs/processes.md
    start = "client-onboarding"     # the process to start for each matching record

A rule starts a run of its process for a record that matches, unless that would repeat one:

- for products, one run per **shortage**: the run remembers the shortage it was started for
  (`trigger: restock MUG-01 after 2026-10-02`, the SKU and the day of the last receipt); a new one
  starts only once stock has been received and the product is short again. A product that the
  stock forecast does not call short, or that has an open purchase order, starts nothing;
- for every other kind, one run per record: while any run of that process exists for the record
  (open, done or cancelled), the rule starts no other. Start another by hand if one is needed.

`automate` is `obm tick`: process ticks made in other editors, apply the rules, start the due
recurring runs. It is idempotent: a second call right after the first does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from obm_tui.model.checklist import SUBJECT_KINDS
from obm_tui.model.conditions import (
    Condition,
    ConditionError,
    Ref,
    evaluate,
    parse_condition,
)
from obm_tui.model.errors import ObmError, Problem
from obm_tui.model.kinds import kind_named
from obm_tui.model.records import Record
from obm_tui.services.dunning import DunningChange, dunning_pass
from obm_tui.services.facts import VaultFacts
from obm_tui.services.run_files import OPEN, runs_of
from obm_tui.services.runs import (
    RunOutcome,
    Started,
    process_pending_runs,
    start_run,
    tick_recurring,
)
from obm_tui.vault.config import CONFIG_PATH
from obm_tui.vault.store import Vault


@dataclass(frozen=True)
class Rule:
    """One `[[rules]]` table, read and checked."""

    number: int  # 1-based among the [[rules]] tables
    line: int  # of its `[[rules]]` header in the config file (0 if not found)
    name: str
    kind: str
    when: Condition
    start: str


def load_rules(vault: Vault) -> tuple[list[Rule], list[Problem]]:
    """The usable rules, and the problems of the others (at `.obm/config.toml:<line>`)."""
    tables = vault.config.raw.get("rules", [])
    if not isinstance(tables, list):
        return [], [Problem(CONFIG_PATH, 0, "rules: write each rule as a [[rules]] table")]
    lines = _rule_lines(vault)
    rules, problems = [], []
    for number, table in enumerate(tables, 1):
        line = lines[number - 1] if number <= len(lines) else 0
        rule, reasons = _read_rule(vault, number, line, table)
        problems += [Problem(CONFIG_PATH, line, reason) for reason in reasons]
        if rule is not None and not reasons:
            rules.append(rule)
    return rules, problems


def rule_problems(vault: Vault, records: list[Record] | None = None) -> list[Problem]:
    """For `obm check`: rules that cannot be read or start a process that does not fit."""
    return load_rules(vault)[1]


def _rule_lines(vault: Vault) -> list[int]:
    try:
        text = (vault.root / CONFIG_PATH).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [n for n, line in enumerate(text.splitlines(), 1) if line.split("#", 1)[0].strip() == "[[rules]]"]


def _read_rule(vault: Vault, number: int, line: int, table: Any) -> tuple[Rule | None, list[str]]:
    if not isinstance(table, dict):
        return None, [f"rule {number}: write it as a [[rules]] table with name, kind, when and start"]
    name = str(table.get("name") or f"rule {number}")
    where = f'rule "{name}"'
    reasons: list[str] = []
    kind = kind_named(str(table.get("kind") or ""))
    if kind is None or kind.name not in SUBJECT_KINDS[1:]:
        reasons.append(f'{where}: kind "{table.get("kind", "")}" is not one of {", ".join(SUBJECT_KINDS[1:])}')
    condition = _condition(table.get("when"), where, reasons)
    start = str(table.get("start") or "").strip()
    reasons += _check_start(vault, where, start, kind.name if kind else "")
    if kind is None or condition is None:
        return None, reasons
    return Rule(number, line, name, kind.name, condition, start), reasons


def _condition(text: Any, where: str, reasons: list[str]) -> Condition | None:
    if not isinstance(text, str) or not text.strip():
        reasons.append(f'{where}: when: missing (a condition such as "status = onboarding")')
        return None
    try:
        return parse_condition(text)
    except ConditionError as exc:
        reasons.append(f"{where}: when: {exc}")
        return None


def _check_start(vault: Vault, where: str, start: str, kind: str) -> list[str]:
    if not start:
        return [f"{where}: start: missing (the id of a process in processes/)"]
    process = vault.index.get("process", start)
    if process is None:
        return [f'{where}: start: no process "{start}" in processes/']
    subject = str(process.data.get("subject") or "none")
    if kind and subject != kind:
        return [(f'{where}: start: process {start} is about {subject if subject != "none" else "nothing"}'
                f" (subject: {subject}), not a {kind}")]
    return []


# ----- applying --------------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleStart:
    """A run a rule started (or tried to: `error`)."""

    rule: str
    record: str  # "client maya-patel"
    started: Started | None = None
    error: str = ""


def apply_rules(vault: Vault, now: datetime) -> list[RuleStart]:
    """Start a run for each record that matches a rule and has not had one for it (see above)."""
    today = now.date()
    rules, _ = load_rules(vault)
    facts = VaultFacts(vault)
    keys = _shortage_keys(vault, today) if any(r.kind == "product" for r in rules) else None
    done: list[RuleStart] = []
    for rule in rules:
        for record in sorted(vault.records(rule.kind), key=lambda r: r.id):
            if not record.readable or not evaluate(rule.when, facts, Ref(rule.kind, record.id), today).holds:
                continue
            key = keys.get(record.id, None) if keys is not None and rule.kind == "product" else ""
            if key is None or _repeats(vault, rule, record, key):
                continue
            done.append(_start(vault, rule, record, key, today))
    return done


def _start(vault: Vault, rule: Rule, record: Record, key: str, today: date) -> RuleStart:
    extra = {"trigger": key} if key else None
    try:
        started = start_run(vault, rule.start, record.path, today, extra=extra)
    except ObmError as exc:
        return RuleStart(rule.name, f"{record.kind} {record.id}", error=exc.message)
    return RuleStart(rule.name, f"{record.kind} {record.id}", started)


def _repeats(vault: Vault, rule: Rule, record: Record, key: str) -> bool:
    runs = runs_of(vault, rule.start, record.id)
    if any(str(r.data.get("status") or "active") in OPEN for r in runs):
        return True
    if rule.kind == "product":
        return any(str(r.data.get("trigger") or "") == key for r in runs) if key else False
    return bool(runs)


def _shortage_keys(vault: Vault, today: date) -> dict[str, str] | None:
    """Product id -> the key of its shortage, for products to restock now; None when the stock
    module is not there (then product rules only avoid a second open run)."""
    finder = _shortage_finder()
    if finder is None:
        return None
    return {record.id: key for record, key in finder(vault, today)}


def _shortage_finder() -> Callable[[Vault, date], list[tuple[Record, str]]] | None:
    try:
        from obm_tui.services.stock import low_stock_shortages
    except ImportError:
        return None
    return low_stock_shortages


# ----- obm tick ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Automation:
    """What one `obm tick` did."""

    processed: list[RunOutcome] = field(default_factory=list)
    rules: list[RuleStart] = field(default_factory=list)
    recurring: list[Started] = field(default_factory=list)
    dunning: list[DunningChange] = field(default_factory=list)

    @property
    def did_something(self) -> bool:
        return (any(o.changed for o in self.processed) or any(r.started and r.started.created for r in self.rules)
                or any(s.created for s in self.recurring) or any(d.changed for d in self.dunning))

    @property
    def errors(self) -> list[str]:
        return [f"{o.message}: {o.error}" for o in self.processed if o.error] + [
            f'rule "{r.rule}" for {r.record}: {r.error}' for r in self.rules if r.error] + [
            f"{d.message}: {d.error}" for d in self.dunning if d.error]


def automate(vault: Vault, now: datetime) -> Automation:
    """`obm tick`: process pending runs, apply the rules, start due recurring runs. Idempotent."""
    processed = process_pending_runs(vault, now)
    started = apply_rules(vault, now)
    recurring = tick_recurring(vault, now.date())
    return Automation(processed, started, recurring, dunning_pass(vault, now))
