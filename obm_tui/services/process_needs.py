"""The fields a process needs of the record it runs for, derived from the templates its steps use
(`email:: welcome-email`, `do:: create invoice from onboarding-invoice`; `do:: start billing` needs
the client's `rate`), so that the list cannot
drift from the templates: a run is refused up front, naming what to set, rather than stopping at
the step whose template cannot be filled (docs/processes.md, "Fields a process needs").

The business's names (`${calendar_link}` …) are not the subject's: a draft that needs one refuses
on its own, naming the `[business]` key to set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from obm_tui.model.actions import BILLING
from obm_tui.model.checklist import ProcessDef
from obm_tui.model.errors import ObmError, ValidationError
from obm_tui.model.records import Record
from obm_tui.model.template_text import ALWAYS_SET, BUSINESS_VARIABLES, unfilled
from obm_tui.services.drafts import fill_data, find_template, template_values
from obm_tui.vault.store import Vault

_FROM_TITLE = ("id", "title", "first_name")  # made from the record itself, never missing on their own


@dataclass(frozen=True)
class Need:
    """One field of the subject that templates of the process use, and which templates."""

    name: str
    templates: tuple[str, ...]


def process_needs(vault: Vault, process: ProcessDef) -> list[Need]:
    """The subject's fields the process's templates use, in the order of its steps (a template
    that cannot be found is skipped: drafting it says so)."""
    used: dict[str, list[str]] = {}
    for use, name in _templates_of(process):
        try:
            template = find_template(vault, name, use)
        except ObmError:
            continue
        names: list[str] = []
        fill_data(dict(template.data), {}, names)
        fill_data(template.body, {}, names)
        for field in names:
            if field not in BUSINESS_VARIABLES and field not in ALWAYS_SET and field not in _FROM_TITLE:
                used.setdefault(field, [])
                if name not in used[field]:
                    used[field].append(name)
    if any(action.verb == BILLING for step in process.checklist.steps for action in step.actions):
        used.setdefault("rate", []).append(BILLING)  # the retainer's amount (services/billing.py)
    return [Need(field, tuple(templates)) for field, templates in used.items()]


def _templates_of(process: ProcessDef) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for step in process.checklist.steps:
        if step.email:
            found.append(("emails", step.email))
        found += [("records", action.value) for action in step.actions if action.verb == "create"]
    return list(dict.fromkeys(found))


def refuse_missing_needs(vault: Vault, process: ProcessDef, subject: Record | None, today: date) -> None:
    """ValidationError listing the fields `subject` lacks for `process` and how to set each."""
    if subject is None:
        return
    needs = process_needs(vault, process)
    values = template_values(vault, subject, today)
    missing = set(unfilled([need.name for need in needs], values))
    if not missing:
        return
    listed = "; ".join(f"{need.name} (obm set {subject.id} {need.name}=…; used by {', '.join(need.templates)})"
                       for need in needs if need.name in missing)
    raise ValidationError(f"process {process.id} needs fields {subject.kind} {subject.id} does not have: "
                          f"{listed}; nothing was started")
