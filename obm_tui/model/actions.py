"""Actions of process steps (`do::`) and the effects a tick produces.

    tag add <tag>            tag remove <tag>
    set <field> = <value>    (value: text, "quoted text", today, or a duration such as +3d)
    create <kind> from <template>
    start <process>
    send invoice             (the invoice the run created, else the subject's newest draft)
    start billing            (a client's retainer bills from the next period: services/billing.py)

The engine turns the actions of a ticked step into Effect values; the service layer applies them.
Each effect has a `key` unique to (run, step, action) so that applying it can be made idempotent,
and `describe()` gives business words for the commit message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from obm_tui.model.calendar import WEEKENDS_OFF, BusinessCalendar
from obm_tui.model.conditions import Ref
from obm_tui.model.durations import DurationError, parse_duration
from obm_tui.model.kinds import kind_named

VERBS = ("tag", "set", "create", "start", "send")
BILLING = "start billing"  # `start billing`: not a process (no process may be called "billing")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TEMPLATE_RE = re.compile(r"^[A-Za-z0-9][\w-]*(?:/[A-Za-z0-9][\w-]*)*$")
_FIELD_RE = re.compile(r"^[A-Za-z_][\w-]*$")
_SET_RE = re.compile(r"^set\s+(\S+?)\s*=\s*(.*)$", re.IGNORECASE | re.DOTALL)
_PROTECTED = ("type", "id")
_NO_CREATE = ("run", "process")


class ActionError(ValueError):
    """An action that cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class Action:
    """One parsed `do::` action."""

    verb: str  # "tag add", "tag remove", "set", "create", "start", "start billing"
    target: str  # the tag, field, kind or process
    value: str = ""  # set: the value; create: the template
    quoted: bool = False

    def __str__(self) -> str:
        if self.verb == "set":
            value = f'"{self.value}"' if self.quoted or not self.value else self.value
            return f"set {self.target} = {value}"
        if self.verb == "create":
            return f"create {self.target} from {self.value}"
        if self.verb == BILLING:
            return BILLING
        return f"{self.verb} {self.target}"  # tag add x, start p, send invoice

    @property
    def needs_subject(self) -> bool:
        """Tag and set act on the subject, so a process about nothing cannot use them."""
        return self.verb in ("tag add", "tag remove", "set", BILLING)


@dataclass(frozen=True, slots=True)
class Effect:
    """Something to do because a step was ticked. `key` is unique per run, step and action."""

    key: str
    step: str

    def describe(self) -> str:
        """What happened, in business words, for the commit message."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class AddTag(Effect):
    subject: Ref
    tag: str

    def describe(self) -> str:
        return f"tag {self.tag} added to {self.subject}"


@dataclass(frozen=True, slots=True)
class RemoveTag(Effect):
    subject: Ref
    tag: str

    def describe(self) -> str:
        return f"tag {self.tag} removed from {self.subject}"


@dataclass(frozen=True, slots=True)
class SetField(Effect):
    subject: Ref
    field: str
    value: str  # "" empties the field

    def describe(self) -> str:
        shown = self.value if self.value else "(empty)"
        return f"{self.subject}: {self.field} set to {shown}"


@dataclass(frozen=True, slots=True)
class CreateRecord(Effect):
    kind: str
    template: str
    subject: Ref | None  # fill the new record from it and link it to it

    def describe(self) -> str:
        whom = f" for {self.subject}" if self.subject else ""
        return f"{self.kind} created from template {self.template}{whom}"


@dataclass(frozen=True, slots=True)
class SendInvoice(Effect):
    """Mark sent the invoice this run created (in this tick or before), else the subject's newest
    draft (services/run_effects.py)."""

    subject: Ref | None

    def describe(self) -> str:
        whom = f" of {self.subject}" if self.subject else ""
        return f"invoice{whom} sent"


@dataclass(frozen=True, slots=True)
class StartBilling(Effect):
    """Set the client's `billing` (the `[finance] billing` rule) to bill from the period after the
    month of the run's first invoice: the onboarding invoice bills that month."""

    subject: Ref

    def describe(self) -> str:
        return f"billing started for {self.subject}"


@dataclass(frozen=True, slots=True)
class StartRun(Effect):
    process: str
    subject: Ref | None

    def describe(self) -> str:
        whom = f" for {self.subject}" if self.subject else ""
        return f"run of process {self.process} started{whom}"


def split_actions(text: str) -> list[str]:
    """A `do::` value split on `;` outside quotes, blanks dropped."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def parse_action(text: str, subject_kind: str | None = None) -> Action:
    """Read one action. With `subject_kind` ("none" or None for no subject) it is also checked
    against the subject: tag/set need one, and an enum field only takes its choices."""
    raw = " ".join(text.split())
    words = raw.split(" ")
    verb = words[0].lower()
    if verb not in VERBS:
        raise ActionError(f'"{raw}": unknown action "{words[0]}" (use tag, set, create, start or send)')
    action = _PARSERS[verb](raw, words)
    _check_subject(action, raw, subject_kind)
    return action


def _tag(raw: str, words: list[str]) -> Action:
    if len(words) < 2 or words[1].lower() not in ("add", "remove"):
        raise ActionError(f'"{raw}": write tag add <tag> or tag remove <tag>')
    if len(words) != 3:
        raise ActionError(f'"{raw}": a tag is one word (e.g. current-client)')
    tag = words[2].lstrip("#")
    if not tag or any(c in tag for c in "[](),;\"'"):
        raise ActionError(f'"{raw}": "{words[2]}" is not a tag')
    return Action(f"tag {words[1].lower()}", tag)


def _set(raw: str, words: list[str]) -> Action:
    match = _SET_RE.match(raw)
    if match is None:
        raise ActionError(f'"{raw}": write set <field> = <value>')
    field, value = match.group(1), match.group(2).strip()
    if not _FIELD_RE.match(field):
        raise ActionError(f'"{raw}": "{field}" is not a field name')
    if field.lower() in _PROTECTED:
        raise ActionError(f'"{raw}": the {field.lower()} of a record cannot be set')
    quoted = len(value) >= 2 and value[0] == value[-1] == '"'
    if quoted:
        value = value[1:-1]
    elif value.startswith(("+", "-")) and re.match(r"^[+-]\s*\d", value):
        _duration(raw, value)
    return Action("set", field, value, quoted)


def _duration(raw: str, value: str) -> None:
    try:
        parse_duration(value)
    except DurationError as exc:
        raise ActionError(f'"{raw}": {exc}') from None


def _create(raw: str, words: list[str]) -> Action:
    if len(words) != 4 or words[2].lower() != "from":
        raise ActionError(f'"{raw}": write create <kind> from <template>')
    kind = kind_named(words[1])
    if kind is None:
        raise ActionError(f'"{raw}": unknown record kind "{words[1]}" (e.g. invoice, ticket)')
    if kind.name in _NO_CREATE:
        hint = "use start <process>" if kind.name == "run" else "processes are written by hand"
        raise ActionError(f'"{raw}": a {kind.name} cannot be created this way ({hint})')
    if not _TEMPLATE_RE.match(words[3]):
        raise ActionError(f'"{raw}": "{words[3]}" is not a template name (e.g. monthly-retainer)')
    return Action("create", kind.name, words[3])


def _send(raw: str, words: list[str]) -> Action:
    if len(words) != 2 or words[1].lower() not in ("invoice", "invoices"):
        raise ActionError(f'"{raw}": write send invoice')
    return Action("send", "invoice")


def _start(raw: str, words: list[str]) -> Action:
    if len(words) != 2 or not _SLUG_RE.match(words[1]):
        raise ActionError(f'"{raw}": write start <process-id> (e.g. start welcome-pack)')
    if words[1] == "billing":
        return Action(BILLING, "billing")
    return Action("start", words[1])


_PARSERS = {"tag": _tag, "set": _set, "create": _create, "start": _start, "send": _send}


def _check_subject(action: Action, raw: str, subject_kind: str | None) -> None:
    if subject_kind in (None, "none"):
        if action.needs_subject and subject_kind == "none":
            raise ActionError(f'"{raw}": this process has no subject (subject: none), so there is nothing to change')
        return
    if action.verb == BILLING and subject_kind != "client":
        raise ActionError(f'"{raw}": start billing bills a client; this process is about a {subject_kind}')
    kind = kind_named(subject_kind)
    field = kind.field(action.target) if kind is not None and action.verb == "set" else None
    if field is not None and field.choices and action.value and action.value not in field.choices:
        choices = ", ".join(field.choices)
        raise ActionError(f'"{raw}": a {kind.name if kind else ""} {action.target} is one of {choices}')


def to_effect(
    action: Action, *, key: str, step: str, subject: Ref | None, today: date, calendar: BusinessCalendar = WEEKENDS_OFF
) -> Effect:
    """The effect of `action` for a tick processed on `today` (values like `today`, `+3d` resolved)."""
    if action.verb == "create":
        return CreateRecord(key, step, action.target, action.value, subject)
    if action.verb == "start":
        return StartRun(key, step, action.target, subject)
    if action.verb == "send":
        return SendInvoice(key, step, subject)
    if subject is None:
        raise ActionError(f'"{action}": this run has no subject, so there is nothing to change')
    if action.verb == BILLING:
        return StartBilling(key, step, subject)
    if action.verb == "set":
        return SetField(key, step, subject, action.target, set_value(action, today, calendar))
    cls = AddTag if action.verb == "tag add" else RemoveTag
    return cls(key, step, subject, action.target)


def set_value(action: Action, today: date, calendar: BusinessCalendar = WEEKENDS_OFF) -> str:
    """The text a `set` action writes: `today` and durations become dates, the rest as written."""
    if action.quoted:
        return action.value
    if action.value.lower() == "today":
        return today.isoformat()
    if re.match(r"^\+\s*\d", action.value):
        return parse_duration(action.value).add_to(today, calendar).isoformat()
    return action.value


def cannot_undo(action: Action, subject: Ref | None) -> str:
    """What unticking leaves in place, in business words."""
    whom = str(subject) if subject else "the record"
    if action.verb == "tag add":
        return f"tag {action.target} stays on {whom}"
    if action.verb == "tag remove":
        return f"tag {action.target} stays removed from {whom}"
    if action.verb == "set":
        return f"{whom} keeps the {action.target} it was given"
    if action.verb == "create":
        return f"the {action.target} created from {action.value} stays"
    if action.verb == "send":
        return "the invoice that was sent stays sent"
    if action.verb == BILLING:
        return f"{whom} keeps its billing (remove billing to stop it)"
    return f"the run of {action.target} that was started stays"
