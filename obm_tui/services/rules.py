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

from collections.abc import Callable, Iterable, Mapping, Sequence
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
from obm_tui.model.kinds import KINDS, kind_named
from obm_tui.model.records import Record
from obm_tui.services.billing import BillingChange, billing_pass
from obm_tui.services.dunning import DunningChange, dunning_pass
from obm_tui.services.facts import VaultFacts
from obm_tui.services.reminders import ReminderChange, reminder_pass
from obm_tui.services.rule_history import (
    Retry,
    history_since,
    read_checkpoint,
    read_retries,
    versions,
    write_checkpoint,
)
from obm_tui.services.run_files import OPEN, run_ref_of, runs_of
from obm_tui.services.runs import (
    RunOutcome,
    Started,
    process_pending_runs,
    start_run,
    tick_recurring,
)
from obm_tui.vault import journal
from obm_tui.vault.config import CONFIG_PATH
from obm_tui.vault.paths import kind_of_path
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
    """For `obm check`: rules that cannot be read or start a process that does not fit, and runs a
    rule started twice for one record (or one shortage) — two clones that both saw the change
    before either synced."""
    return load_rules(vault)[1] + duplicate_runs(vault)


def duplicate_runs(vault: Vault) -> list[Problem]:
    """Runs not cancelled that a rule started (`trigger:` set) for the same process and record —
    for a product, for the same shortage — each named with the others."""
    groups: dict[tuple[str, str, str], list[Record]] = {}
    for run in vault.records("run", archived=True):
        trigger = str(run.data.get("trigger") or "")
        if not trigger or str(run.data.get("status") or "active") == "cancelled":
            continue
        same = trigger if trigger.startswith("restock ") else "rule"  # once per shortage, else once per record
        key = (run_ref_of(run.data, "process").casefold(), run_ref_of(run.data, "subject").casefold(), same)
        groups.setdefault(key, []).append(run)
    found = []
    for (_, subject, _), runs in sorted(groups.items()):
        for run in runs if len(runs) > 1 else []:
            others = ", ".join(r.id for r in runs if r is not run)
            found.append(Problem(run.path, _trigger_line(vault, run),
                                 f"started twice by a rule for {subject} (also {others}), likely by two clones "
                                 "before they synced: cancel or delete one"))
    return found


def _trigger_line(vault: Vault, run: Record) -> int:
    try:
        lines = (vault.root / run.path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    return next((n for n, line in enumerate(lines[:200], 1) if line.startswith("trigger:")), 0)


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


def apply_rules(vault: Vault, now: datetime, *, full: bool = False, changed: Iterable[str] = ()) -> list[RuleStart]:
    """One rule pass: start a run for each record whose rule's `when` *became* true since the last
    pass (module doc), then move the checkpoint to HEAD. Free when nothing was committed since and
    `changed` (paths edited but not committed) is empty. `full` (`obm tick`, the app opening) also
    looks at every product (a shortage comes with time, without a commit) and at every uncommitted file."""
    if vault.read_only:
        return []
    with vault.write_lock:  # one pass at a time across processes: two never start the same run
        head = vault.git.head()
        if head is None:
            return []
        since = read_checkpoint(vault)
        dirty = set(changed) | {p for intent in journal.pending(vault.root) for p in intent.paths}
        if full:
            dirty |= set(vault.git.changed_paths())
        if since == head and not dirty and not full:
            return []
        rules, _ = load_rules(vault)
        retries = read_retries(vault)
        done, still = _pass(vault, rules, now.date(), since, head, dirty, full, retries) if rules else ([], [])
        write_checkpoint(vault, head, still)
    return done


def _pass(vault: Vault, rules: list[Rule], today: date, since: str | None, head: str, dirty: set[str],
          full: bool, retries: list[Retry]) -> tuple[list[RuleStart], list[Retry]]:
    """The runs started (or refused), and the changes whose runs could not start: tried again at
    the next pass (a client set to onboarding without the rate her invoice needs is onboarded once
    the rate is set, even if her status has moved on), until a run of the process exists for the
    record or the record is gone."""
    history = history_since(vault, since, {r.kind for r in rules}) if since and since != head else None
    first_look = since is None or (since != head and history is None)  # a new clone, or a rewritten history
    touched = {**(history or {}), **{p: [] for p in sorted(dirty) if p not in (history or {})}}
    facts = VaultFacts(vault)
    keys = None
    if any(r.kind == "product" for r in rules) and (full or first_look or _any_of(touched, "product")):
        keys = _shortage_keys(vault, today)
    done: list[RuleStart] = []
    still: list[Retry] = []
    for rule in rules:
        if rule.kind == "product":
            found = _products(vault, rule, facts, today, None if full or first_look else touched)
        elif first_look:
            found = [(r, head) for r in _current(vault, rule.kind) if _holds(rule, facts, r.id, r.data, today)]
        else:
            found = _transitions(vault, rule, facts, today, touched, since or head, head)
        if rule.kind != "product":
            found = _with_retries(vault, rule, found, retries)
        for record, commit in found:
            key = (keys or {}).get(record.id) if keys is not None and rule.kind == "product" else ""
            if key is None or _repeats(vault, rule, record, key):
                continue
            trigger = key or f"{rule.kind} {record.id}: {rule.when.text} ({commit[:10]})"
            done.append(_start(vault, rule, record, trigger, today))
            if done[-1].error and rule.kind != "product":
                still.append(Retry(rule.start, record.path, commit or head))
    return done, still


def _with_retries(vault: Vault, rule: Rule, found: list[tuple[Record, str]],
                  retries: list[Retry]) -> list[tuple[Record, str]]:
    """`found`, plus the records of this rule's earlier changes whose runs could not start."""
    seen = {record.path for record, _ in found}
    for retry in retries:
        record = vault.index.by_path(retry.path)
        if retry.process == rule.start and retry.path not in seen and record is not None and record.kind == rule.kind:
            found.append((record, retry.commit))
            seen.add(retry.path)
    return found


def _current(vault: Vault, kind: str) -> list[Record]:
    return sorted((r for r in vault.records(kind) if r.readable), key=lambda r: r.id)


def _any_of(touched: Mapping[str, object], kind: str) -> bool:
    return any(kind_of_path(p) is KINDS[kind] for p in touched)


def _products(vault: Vault, rule: Rule, facts: VaultFacts, today: date,
              touched: Mapping[str, object] | None) -> list[tuple[Record, str]]:
    """Products are looked at as they are now (once per shortage, see above): every one on a full
    pass, else those changed since the last pass."""
    records = _current(vault, "product")
    if touched is not None:
        records = [r for r in records if r.path in touched]
    return [(r, "") for r in records if _holds(rule, facts, r.id, r.data, today)]


def _transitions(vault: Vault, rule: Rule, facts: VaultFacts, today: date, touched: Mapping[str, list[str]],
                 since: str, head: str) -> list[tuple[Record, str]]:
    """Records of the rule's kind whose `when` held in a version where it had not held in the one
    before, with the commit of that version."""
    found: list[tuple[Record, str]] = []
    for path in sorted(touched):
        record = vault.index.by_path(path)
        if record is None or record.kind != rule.kind or not record.readable:
            continue
        held = [(_holds(rule, facts, record.id, v.data, today), v.commit)
                for v in versions(vault, path, since, touched[path], head)]
        pairs = zip(held, held[1:], strict=False)
        commit = next((sha for (before, _), (now, sha) in pairs if now and not before), None)
        if commit is not None:
            found.append((record, commit))
    return sorted(found, key=lambda item: item[0].id)


def _holds(rule: Rule, facts: VaultFacts, record_id: str, data: Mapping[str, Any] | None, today: date) -> bool:
    if data is None:
        return False
    return evaluate(rule.when, _OneVersion(facts, rule.kind, record_id, data), Ref(rule.kind, record_id), today).holds


@dataclass(frozen=True)
class _OneVersion:
    """The vault's facts, with one version of one record in place of the record as it is now."""

    facts: VaultFacts
    kind: str
    record_id: str
    data: Mapping[str, Any]

    def record(self, kind: str, record_id: str) -> Mapping[str, Any] | None:
        if kind == self.kind and record_id == self.record_id:
            return self.data
        return self.facts.record(kind, record_id)

    def linked(self, kind: str, to: Ref) -> Sequence[Mapping[str, Any]]:
        return self.facts.linked(kind, to)


def _start(vault: Vault, rule: Rule, record: Record, trigger: str, today: date) -> RuleStart:
    what = trigger if trigger.startswith("restock ") else f"{record.kind} {record.id}: {rule.when.text}"
    try:
        started = start_run(vault, rule.start, record.path, today, extra={"trigger": trigger},
                            because=f'rule "{rule.name}": {what}')
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
    billing: list[BillingChange] = field(default_factory=list)
    reminders: list[ReminderChange] = field(default_factory=list)

    @property
    def did_something(self) -> bool:
        return (any(o.changed for o in self.processed) or any(r.started and r.started.created for r in self.rules)
                or any(s.created for s in self.recurring) or any(d.changed for d in self.dunning)
                or any(b.changed for b in self.billing) or any(r.changed for r in self.reminders))

    @property
    def errors(self) -> list[str]:
        return [f"{o.message}: {o.error}" for o in self.processed if o.error] + [
            f'rule "{r.rule}" for {r.record}: {r.error}' for r in self.rules if r.error] + [
            f"{d.message}: {d.error}" for d in self.dunning if d.error] + [
            b.error for b in self.billing if b.error] + [
            f"{r.message}: {r.error}" for r in self.reminders if r.error]


def automate(vault: Vault, now: datetime) -> Automation:
    """`obm tick`: process pending runs, apply the rules, start due recurring runs, the `[dunning]`
    pass, make the due recurring invoices (services/billing.py), then draft the payment reminders
    due today (services/reminders.py). Idempotent."""
    processed = process_pending_runs(vault, now)
    started = apply_rules(vault, now, full=True)
    recurring = tick_recurring(vault, now.date())
    dunning = dunning_pass(vault, now)
    billing = billing_pass(vault, now.date())
    return Automation(processed, started, recurring, dunning, billing, reminder_pass(vault, now.date()))
