"""Conditions of process steps (`when::`): small facts about a run's subject or records linked to it.

    condition := clause (("and" | ";") clause)*
    clause    := ["not"] ["any" | "all"] field operator value
    field     := name | kind "." name | "subject." name
    operator  := = != < <= > >= has in

Records come in through `Facts`, so evaluating stays pure. See docs/processes.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from obm_tui.model.fact_values import as_text, as_texts, compare, link_target
from obm_tui.model.kinds import kind_named

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "has", "in")
WORD_OPERATORS = ("has", "in")
_TOKEN_RE = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|(<=|>=|!=|==|=|<|>|;)|([^\s;=<>!"]+|!))')
_NAME_RE = re.compile(r"^[A-Za-z_][\w-]*$")
Record = Mapping[str, Any]


class ConditionError(ValueError):
    """A condition that cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class Ref:
    """A record by kind and id, e.g. Ref("client", "maya-patel")."""

    kind: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class Facts(Protocol):
    """What the engine may know about records: the service layer provides it."""

    def record(self, kind: str, record_id: str) -> Record | None:
        """The front matter of one record, or None when there is no such record."""

    def linked(self, kind: str, to: Ref) -> Sequence[Record]:
        """Every record of `kind` with a field that links to `to` (e.g. a client's invoices)."""


@dataclass(frozen=True, slots=True)
class Clause:
    """One comparison: `[not] [any|all] [kind.]field op value`."""

    kind: str | None  # None or "subject": the subject itself
    field: str
    op: str
    value: str
    quoted: bool = False
    negate: bool = False
    quantifier: str = "any"

    def __str__(self) -> str:
        words = ["not"] if self.negate else []
        words += ["all"] if self.quantifier == "all" else []
        left = f"{self.kind}.{self.field}" if self.kind else self.field
        right = f'"{self.value}"' if self.quoted or not self.value else self.value
        return " ".join([*words, left, self.op, right])


@dataclass(frozen=True, slots=True)
class Condition:
    """Clauses that must all hold; `text` is how it was written."""

    text: str
    clauses: tuple[Clause, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """Whether a condition holds, and when not, why (for the agenda)."""

    holds: bool
    why: str = ""


def parse_condition(text: str) -> Condition:
    """Read a `when::` value, or raise ConditionError with a reason."""
    tokens = _tokenize(text)
    groups: list[list[tuple[str, str]]] = [[]]
    for token in tokens:
        if token[0] == "op" and token[1] == ";" or token == ("word", "and"):
            groups.append([])
        else:
            groups[-1].append(token)
    if any(not group for group in groups):
        raise ConditionError(f'"{text.strip()}": a condition is missing around "and" or ";"')
    return Condition(" ".join(text.split()), tuple(_clause(group, text) for group in groups))


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos, text = 0, text.rstrip()
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None or match.end() == pos:
            raise ConditionError(f'"{text.strip()}": an opening quote is never closed')
        quoted, op, word = match.groups()
        if quoted is not None:
            tokens.append(("quoted", quoted.replace('\\"', '"')))
        elif op is not None:
            tokens.append(("op", "=" if op == "==" else op))
        elif word == "!":
            raise ConditionError(f'"{text.strip()}": "!" must be followed by "=" (write !=)')
        else:
            tokens.append(("word", word))
        pos = match.end()
    if not tokens:
        raise ConditionError("empty condition (write it like invoice.status = paid)")
    return tokens


def _clause(tokens: list[tuple[str, str]], text: str) -> Clause:
    where = f'"{" ".join(text.split())}"'
    negate = _take_word(tokens, "not")
    quantifier = "all" if _take_word(tokens, "all") else "any"
    _take_word(tokens, "any")
    if not tokens or tokens[0][0] != "word":
        raise ConditionError(f"{where}: expected a field name")
    kind, field = _field(tokens.pop(0)[1], where)
    op = _operator(tokens, f"{kind}.{field}" if kind else field, where)
    if not tokens:
        raise ConditionError(f"{where}: expected a value after {op}")
    if any(kind_ == "op" for kind_, _ in tokens):
        raise ConditionError(f"{where}: one operator per clause (join clauses with and)")
    quoted = len(tokens) == 1 and tokens[0][0] == "quoted"
    value = " ".join(word for _, word in tokens)
    return Clause(kind, field, op, value, quoted, negate, quantifier)


def _take_word(tokens: list[tuple[str, str]], word: str) -> bool:
    if len(tokens) > 1 and tokens[0] == ("word", word):
        tokens.pop(0)
        return True
    return False


def _field(word: str, where: str) -> tuple[str | None, str]:
    kind, _, name = word.rpartition(".")
    if not _NAME_RE.match(name):
        raise ConditionError(f'{where}: "{word}" is not a field name')
    if not kind:
        return None, name
    if kind == "subject":
        return "subject", name
    found = kind_named(kind)
    if found is None:
        raise ConditionError(f'{where}: unknown record kind "{kind}" (e.g. client, invoice, product)')
    return found.name, name


def _operator(tokens: list[tuple[str, str]], left: str, where: str) -> str:
    if tokens and tokens[0] in (("op", o) for o in OPERATORS if o not in WORD_OPERATORS):
        return tokens.pop(0)[1]
    if tokens and tokens[0] in (("word", o) for o in WORD_OPERATORS):
        return tokens.pop(0)[1]
    ops = ", ".join(OPERATORS)
    raise ConditionError(f"{where}: expected an operator ({ops}) after {left}")


def evaluate(condition: Condition, facts: Facts | None, subject: Ref | None, today: date) -> Outcome:
    """Whether every clause holds for `subject` on `today`; `why` names the first that does not."""
    for clause in condition.clauses:
        outcome = evaluate_clause(clause, facts, subject, today)
        if not outcome.holds:
            return outcome
    return Outcome(True)


def evaluate_clause(clause: Clause, facts: Facts | None, subject: Ref | None, today: date) -> Outcome:
    """One clause: find its records, compare, apply `all`/`any` and `not`."""
    if subject is None or facts is None:
        return Outcome(False, f"{clause}: nothing to ask about (no subject)")
    records, missing = _records(clause, facts, subject)
    if not records:
        return Outcome(clause.negate, missing)
    results = [_compare(clause, record, today) for record in records]
    held = all(results) if clause.quantifier == "all" else any(results)
    if held != clause.negate:
        return Outcome(True)
    return Outcome(False, f"waiting for {clause}")


def _records(clause: Clause, facts: Facts, subject: Ref) -> tuple[list[Record], str]:
    if clause.kind in (None, "subject", subject.kind):
        own = facts.record(subject.kind, subject.id)
        return ([own] if own is not None else []), f"{subject} not found"
    assert clause.kind is not None
    own = facts.record(subject.kind, subject.id) or {}
    target = link_target(own.get(clause.kind))
    if target:
        other = facts.record(clause.kind, target)
        return ([other] if other is not None else []), f"{clause.kind} {target} not found"
    return list(facts.linked(clause.kind, subject)), f"no {clause.kind} linked to {subject} yet"


ORDERING = ("<", "<=", ">", ">=")


def _compare(clause: Clause, record: Record, today: date) -> bool:
    left = record.get(clause.field)
    right: Any = clause.value
    if not clause.quoted and clause.value == "today":
        right = today.isoformat()
    elif not clause.quoted and clause.op in ORDERING and clause.value in record:
        right = record.get(clause.value)  # on_hand <= reorder_point: another field of the record
    if clause.op == "has":
        wanted = as_text(right).casefold()
        return any(item.casefold() == wanted for item in as_texts(left))
    if clause.op == "in":  # code in stolen_card, lost_card: the field is one of the listed values
        choices = {word.casefold() for word in re.split(r"[,\s]+", clause.value) if word}
        return any(item.casefold() in choices for item in as_texts(left))
    if isinstance(left, list):
        return any(compare(item, clause.op, right) for item in left)
    return compare(left, clause.op, right)


@dataclass(frozen=True)
class DictFacts:
    """Facts from an in-memory mapping {(kind, id): front matter}; links found by their `[[id]]`."""

    records: Mapping[tuple[str, str], Record]

    def record(self, kind: str, record_id: str) -> Record | None:
        return self.records.get((kind, record_id))

    def linked(self, kind: str, to: Ref) -> Sequence[Record]:
        return [
            data
            for (k, _), data in sorted(self.records.items(), key=lambda item: item[0])
            if k == kind and any(_links_to(value, to.id) for value in data.values())
        ]


def _links_to(value: Any, target: str) -> bool:
    if isinstance(value, list):
        return any(_links_to(item, target) for item in value)
    return isinstance(value, str) and value.startswith("[[") and link_target(value) == target
