"""Templates filled in with a record's fields: email drafts for steps (`email::`), and the record
templates that `create <kind> from <template>` uses.

Templates are Markdown files, with or without front matter, where `${name}` stands for a field of
the run's subject (`${first_name}`, `${company}`, `${rate}` …) or of the business
(`${business}`, `${owner}`, `${calendar_link}` … from `[business]`, `${today}`). A name with no
value refuses the draft or the record, naming it and where to set it (model/template_text.py).
A template is looked up in the vault's own `templates/` folder first, then in the templates
shipped with obm; in each, in the subfolder for its use (`emails/` or `records/`) and then at the
top level.

obm never sends mail: a draft is shown, saved as an `.eml` file, or given as a `mailto:` link.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

from obm_tui.model.errors import UsageError, ValidationError
from obm_tui.model.fields import FieldValueError, to_email
from obm_tui.model.records import Record
from obm_tui.model.reflow import reflow
from obm_tui.model.template_text import business_hint, refuse_unfilled, unfilled
from obm_tui.services.templates import data_dir
from obm_tui.vault.frontmatter import has_front_matter, read_document
from obm_tui.vault.paths import inside
from obm_tui.vault.store import Vault

_NAME_RE = re.compile(r"^[A-Za-z0-9][\w-]*(?:/[A-Za-z0-9][\w-]*)*$")


@dataclass(frozen=True)
class Template:
    """A template file: its front matter (may be empty) and body, and where it was found."""

    name: str
    path: Path
    data: Mapping[str, Any]
    body: str


def template_folders(vault: Vault) -> list[Path]:
    """Where templates are looked for, in order: the vault's `templates/`, then obm's own."""
    folders = [vault.root / "templates"]
    try:
        folders.append(data_dir("templates"))
    except FileNotFoundError:
        pass
    return folders


def find_template(vault: Vault, name: str, use: str) -> Template:
    """The template `name` for `use` ("emails" or "records"); UsageError naming where it looked."""
    if not _NAME_RE.match(name):
        raise UsageError(f"{name!r} is not a template name (letters, digits, - and _)")
    tried = []
    for folder in template_folders(vault):
        for candidate in (folder / use / f"{name}.md", folder / f"{name}.md"):
            tried.append(candidate)
            if candidate.is_file() and (folder != vault.root / "templates" or inside(vault.root, candidate)):
                return read_template(name, candidate)
    shown = ", ".join(_shown(vault, p) for p in tried)
    raise UsageError(f"no template {name!r} (looked for {shown})")


def _shown(vault: Vault, path: Path) -> str:
    try:
        return path.relative_to(vault.root).as_posix()
    except ValueError:
        return f"obm's {path.parent.name}/{path.name}"


def read_template(name: str, path: Path) -> Template:
    """Read a template file; front matter is optional."""
    raw = path.read_bytes()
    if not has_front_matter(raw):
        return Template(name, path, {}, raw.decode("utf-8"))
    doc = read_document(raw)
    return Template(name, path, doc.data, doc.body)


def template_values(vault: Vault, subject: Record | None, today: date) -> dict[str, str]:
    """The values `${...}` can name: the subject's fields (their defaults too, and its id, title and
    first_name), then the business's (`business`, `owner`, `manager`, `signature`, `calendar_link` …
    from `[business]`, `currency`, `today`), which win over fields of the same name."""
    config = vault.config
    values: dict[str, str] = {}
    if subject is not None:
        values |= {spec.name: str(spec.default) for spec in subject.schema.all_fields if spec.default is not None}
        values |= {str(name): subject.text(str(name)) for name in subject.data}
        values |= {"id": subject.id, "title": subject.title, "first_name": _first_name(subject.title)}
    values |= config.business_values()
    values |= {"currency": config.currency, "today": today.isoformat()}
    return values


def where_to_set(subject: Record | None) -> Callable[[str], str]:
    """For a name a template could not fill: where to give it a value, in the user's words."""
    def where(name: str) -> str:
        hint = business_hint(name)
        if hint or subject is None:
            return hint or "no record to take it from: the run is about nothing"
        field = subject.schema.title_field if name in ("title", "first_name") else name
        return f"obm set {subject.id} {field}=…"
    return where


def _first_name(title: str) -> str:
    words = title.split()
    return words[0] if words else ""


def fill(text: str, values: Mapping[str, str]) -> tuple[str, list[str]]:
    """`text` with every `${name}` (or `$name`) that has a value replaced; the names with no value
    (or an empty one) are left as written and returned, in order of appearance."""
    template = string.Template(text)
    names = [m.group("named") or m.group("braced") for m in template.pattern.finditer(text)]
    missing = unfilled([n for n in names if n], values)
    return template.safe_substitute({k: v for k, v in values.items() if k not in missing}), missing


def fill_data(value: Any, values: Mapping[str, str], unknown: list[str]) -> Any:
    """`fill` applied to every text inside a front-matter value (lists and mappings too)."""
    if isinstance(value, str):
        filled, missing = fill(value, values)
        unknown.extend(name for name in missing if name not in unknown)
        return filled
    if isinstance(value, list):
        return [fill_data(item, values, unknown) for item in value]
    if isinstance(value, dict):
        return {key: fill_data(item, values, unknown) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class Draft:
    """An email to send by hand: who to, the subject line, the text, and what could not be filled."""

    template: str
    to: str
    subject: str
    body: str
    unknown: tuple[str, ...] = ()  # always empty: a draft with a name left unfilled is refused

    def as_text(self) -> str:
        """The draft as a person reads it: headers, a blank line, the text."""
        return f"To: {self.to}\nSubject: {self.subject}\n\n{self.body}"

    def as_eml(self) -> bytes:
        """An RFC 5322 message, marked unsent (mail programs open it as a draft)."""
        message = EmailMessage()
        if self.to:
            message["To"] = _one_line(self.to)
        message["Subject"] = _one_line(self.subject)
        message["X-Unsent"] = "1"
        message.set_content(self.body)
        return bytes(message)

    def as_mailto(self) -> str:
        """A `mailto:` link that opens the draft in the default mail program."""
        query = f"subject={quote(_one_line(self.subject), safe='')}&body={quote(self.body, safe='')}"
        return f"mailto:{quote(_one_line(self.to), safe='@,')}?{query}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def email_draft(vault: Vault, template_name: str, subject: Record | None, today: date,
                extra: Mapping[str, str] | None = None) -> Draft:
    """Fill the email template `template_name` with the subject's fields (and `extra` values, which
    win: an invoice's `${balance}`, its client's `${email}`). `to` defaults to the `email` value."""
    template = find_template(vault, template_name, "emails")
    values = template_values(vault, subject, today) | dict(extra or {})
    unknown: list[str] = []
    data = fill_data(dict(template.data), values, unknown)
    body = fill_data(reflow(template.body), values, unknown)  # paragraphs, as a mail client shows them
    if subject is not None:
        _check_address_field(subject)
    refuse_unfilled(f"template {template_name}", unknown, where_to_set(subject), "no draft made")
    to = str(data.get("to") or values.get("email") or (subject.text("email") if subject is not None else ""))
    return Draft(template_name, _checked_to(to, template_name), str(data.get("subject") or ""), body)


def _check_address_field(record: Record) -> None:
    """The subject's `email`, when it has one, must pass its field check: it becomes a header."""
    spec = record.schema.field("email")
    raw = record.data.get("email")
    if spec is None or raw in (None, ""):
        return
    try:
        spec.convert(raw)
    except FieldValueError as exc:
        raise ValidationError(f"{record.kind} {record.id} email: {exc}; no draft made (fix it first)") from None


def _checked_to(to: str, template_name: str) -> str:
    """The `to` line: addresses separated by commas, each one a valid address (never a header)."""
    addresses = [part.strip() for part in to.split(",") if part.strip()]
    for address in addresses:
        try:
            to_email(address)
        except FieldValueError as exc:
            raise ValidationError(f"template {template_name} to: {exc}; no draft made") from None
    return ", ".join(addresses)
