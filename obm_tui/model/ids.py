"""Record ids: slugs made from titles, safe as file names, unique, and collision-free across clones.

- slug kinds (clients, processes): `fred-smith`, `-2`, `-3` … when taken in this vault;
- sku kinds (products): the SKU itself, spelled as the store spells it (`MUG-01`, `53075587-pink-s`),
  matched without regard to case;
- serial kinds (tickets, invoices, purchase orders): `T-261123-K7Q` — prefix, date, three random
  Crockford base-32 characters, so two clones creating tickets the same day do not clash after a
  merge; the file name adds a readable slug: `tickets/T-261123-K7Q-refund-for-mug.md`;
- event kinds (declines, reviews): `2026-11-23-jane-doe-4kx`;
- runs: `2026-11-23-client-onboarding-fred-smith` — deterministic, so the same run started on two
  clones lands on the same file instead of duplicating.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable, Container
from datetime import date

from slugify import slugify

from obm_tui.model.errors import UsageError

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SKU_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._ -]{0,38}[A-Za-z0-9._-])?$")
MAX_SKU = 40
MAX_SLUG = 60
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def slug_words(text: str, max_length: int = MAX_SLUG) -> str:
    """The one slug of obm: lower-case ASCII words joined by `-`, letters transliterated
    (`Łódź` -> `lodz`, `Straße` -> `strasse`), cut at a word; "" when nothing is left.
    Record ids, file names and checklist step ids all come from here."""
    return str(slugify(unicodedata.normalize("NFC", text), max_length=max_length, word_boundary=True))


def slug(text: str, max_length: int = MAX_SLUG) -> str:
    """A lower-case ASCII slug of a title (`Fred Smith` -> `fred-smith`), safe as a file name;
    `record` if nothing is left."""
    made = slug_words(text, max_length)
    if not made or made in WINDOWS_RESERVED:
        made = f"record-{made}" if made else "record"
    return made


def random_suffix(length: int = 3, choice: Callable[[str], str] = secrets.choice) -> str:
    return "".join(choice(CROCKFORD) for _ in range(length))


def unique(base: str, taken: Container[str]) -> str:
    """`base`, or `base-2`, `base-3` … — the first not in `taken` (compared case-insensitively)."""
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def sku_id(sku: str) -> str:
    """A product's id is its SKU as the store spells it (case kept, outer spaces dropped); refuse
    anything unsafe as a file name. Inner spaces are allowed (`TOTE 02`), one at a time."""
    text = sku.strip()
    if not SKU_RE.match(text) or "  " in text:
        raise UsageError(f"SKU {sku!r} must be letters, digits, '.', '_', '-' or single spaces (at most {MAX_SKU}), "
                         "starting with a letter or digit")
    return text


def sku_key(sku: str) -> str:
    """What two spellings of one SKU share: `mug-01` and `MUG-01` are the same product."""
    return sku.strip().casefold()


def sku_text(sku: str) -> str:
    """A SKU as written in a message: quoted when it holds a space (`"TOTE 02"`), else as is."""
    return f'"{sku}"' if " " in sku else sku


def serial_id(prefix: str, day: date, suffix: str) -> str:
    return f"{prefix}-{day:%y%m%d}-{suffix}"


def event_id(day: date, title: str, suffix: str) -> str:
    return f"{day.isoformat()}-{slug(title, 40)}-{suffix.lower()}"


def run_id(day: date, process_id: str, subject_id: str | None) -> str:
    parts = [day.isoformat(), process_id] + ([slug(subject_id, 60)] if subject_id else [])
    return "-".join(parts)
