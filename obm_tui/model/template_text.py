"""The one rule for `${names}` in templates (emails, records, canned replies), and the business
settings that fill some of them.

A template is filled only when every name it uses has a value: a name with no value, or with an
empty one, refuses the draft or the record, listing each name and where to set it — never a
client greeted with a blank name or an invoice titled `${company} — first month`. `obm check`
uses `leftovers` to find `${…}` that reached a record anyway (a file written by hand, an old obm).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from obm_tui.model.errors import ValidationError


@dataclass(frozen=True)
class BusinessSetting:
    """One key of `[business]` in `.obm/config.toml` that templates use: its key, the
    `${variable}` it fills, and a few words to ask for it (`obm init`)."""

    key: str
    variable: str
    words: str

    @property
    def flag(self) -> str:
        """Its `obm init` option: `--calendar-link`."""
        return "--" + self.key.replace("_", "-")


BUSINESS_SETTINGS: tuple[BusinessSetting, ...] = (
    BusinessSetting("name", "business", "the business's name"),
    BusinessSetting("owner", "owner", "who owns the business"),
    BusinessSetting("manager", "manager", "who runs it day to day"),
    BusinessSetting("email", "business_email", "the business's email address"),
    BusinessSetting("signature", "signature", "how emails are signed (default: the manager's name)"),
    BusinessSetting("calendar_link", "calendar_link", "the link clients book calls with"),
    BusinessSetting("payment_link", "payment_link", "the link customers update their card with"),
    BusinessSetting("course_link", "course_link", "where customers log in to their courses"),
    BusinessSetting("address", "business_address", "the postal address deliveries go to"),
)
BUSINESS_VARIABLES = {s.variable: s for s in BUSINESS_SETTINGS}
ALWAYS_SET = ("today", "currency")  # filled for every template, never missing


def business_hint(variable: str) -> str:
    """Where to set a business variable, in the user's words ('' when it is not one)."""
    setting = BUSINESS_VARIABLES.get(variable)
    if setting is None:
        return ""
    also = " (or manager)" if setting.key == "signature" else ""
    return f"set {setting.key}{also} in .obm/config.toml [business]"


def unfilled(names: Iterable[str], values: Mapping[str, str]) -> list[str]:
    """The names (in order, once each) that have no value or an empty one."""
    found: list[str] = []
    for name in names:
        if not str(values.get(name, "")).strip() and name not in found:
            found.append(name)
    return found


class UnfilledTemplate(ValidationError):
    """A template used a name with no value: nothing was drafted, saved or sent."""

    title = "Template not filled in"

    def __init__(self, what: str, names: Iterable[str], where: Callable[[str], str], outcome: str) -> None:
        self.names = tuple(names)
        listed = ", ".join(f"${{{n}}} ({where(n)})" if where(n) else f"${{{n}}}" for n in self.names)
        super().__init__(f"{what} has names with no value: {listed}; {outcome}")


def refuse_unfilled(what: str, names: Iterable[str], where: Callable[[str], str], outcome: str) -> None:
    """Raise UnfilledTemplate when `names` is not empty: the one refusal of every template path."""
    names = tuple(names)
    if names:
        raise UnfilledTemplate(what, names, where, outcome)


_LEFTOVER_RE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}")
_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")
_CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")


def leftovers(text: str) -> list[tuple[int, str]]:
    """`(line, name)` of every `${name}` left in a record's text (1-based lines of `text`).

    Not counted: `$${name}` (a dollar sign written on purpose) and text in code — fenced blocks
    and `code spans` — where a `${…}` is shown, not meant to be filled."""
    found: list[tuple[int, str]] = []
    fence = ""
    for number, line in enumerate(text.splitlines(), 1):
        opening = _FENCE_RE.match(line)
        if opening and (not fence or opening.group(1) == fence):
            fence = "" if fence else opening.group(1)
            continue
        if fence:
            continue
        found += [(number, m.group(1)) for m in _LEFTOVER_RE.finditer(_CODE_SPAN_RE.sub("", line))]
    return found
