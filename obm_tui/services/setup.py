"""Making vaults: `obm init` (a new, empty business) and `obm demo` (a copy of the sample vault)."""

from __future__ import annotations

import re
import shutil
import tomllib
from collections.abc import Mapping
from pathlib import Path

from obm_tui.model.errors import ValidationError, VaultError
from obm_tui.model.fields import FieldValueError, to_email
from obm_tui.model.kinds import KINDS
from obm_tui.model.template_text import BUSINESS_SETTINGS
from obm_tui.services.demo_history import write_demo_history
from obm_tui.services.templates import data_dir
from obm_tui.vault.config import CONFIG_PATH, DEFAULT_CONFIG, business_section
from obm_tui.vault.git import Git
from obm_tui.vault.store import exclude_local_state

# What obm init wrote to the root `.gitignore` before it stopped touching the user's files. Vaults
# that have these lines keep working (the same rules now come from OBM_GITIGNORE and
# `.git/info/exclude`); tests build such an older vault with them.
GITIGNORE_LINES = [
    "# obm: derived files and temp files of interrupted saves",
    ".obm/cache/",
    ".obm/conflicts/",
    ".~obm-*",
    "# Obsidian's per-device state",
    ".obsidian/workspace*",
]
# `.obm/.gitignore`, committed: git reads it for the files under `.obm/` in every clone.
OBM_GITIGNORE = ("# obm: derived files (rebuilt at will) and conflict copies kept out of commits\n"
                 "/cache/\n/conflicts/\n")


_LINK_RE = re.compile(r"^https?://[^\s/]+\.[^\s]*$", re.IGNORECASE)


def checked_business(settings: Mapping[str, str]) -> dict[str, str]:
    """The `[business]` settings given to `obm init`, trimmed and checked; ValidationError in the
    user's words (`--calendar-link: expected a web address …`). Empty values are left out."""
    known = {s.key: s for s in BUSINESS_SETTINGS}
    out: dict[str, str] = {}
    for key, raw in settings.items():
        setting = known.get(key)
        if setting is None:
            raise ValidationError(f"{key!r} is not a [business] setting")
        value = raw.strip()
        if not value:
            continue
        if key != "signature" and ("\n" in value or "\r" in value):
            raise ValidationError(f"{setting.flag}: one line only")
        if key == "email":
            try:
                value = str(to_email(value))
            except FieldValueError as exc:
                raise ValidationError(f"{setting.flag}: {exc}") from None
        if key.endswith("_link") and not _LINK_RE.match(value):
            raise ValidationError(f"{setting.flag}: expected a web address starting with https://, got {value!r}")
        out[key] = value
    return out


def missing_business(settings: Mapping[str, str]) -> list[str]:
    """The `[business]` keys templates use that `settings` leaves unset (signature falls back to
    the manager, so it is missing only when both are)."""
    given = {k for k, v in settings.items() if v}
    missing = [s.key for s in BUSINESS_SETTINGS[1:] if s.key not in given]
    return [k for k in missing if k != "signature" or "manager" not in given]


def init_vault(path: Path, *, name: str | None = None, timezone: str = "UTC",
               business: Mapping[str, str] | None = None) -> list[str]:
    """Make `path` a vault: folders, config, `.obm/.gitignore`, starter processes, git, a first commit.
    `business` holds `[business]` settings by key (owner, manager, calendar_link …; see
    vault/config.py BUSINESS_SETTINGS), checked first.

    Existing files are never overwritten or changed (the user's `.gitignore` included: obm's own
    ignore rules go in `.obm/.gitignore` and `.git/info/exclude`); an existing obm vault is
    refused. Returns the paths added.
    """
    path = path.expanduser().resolve()
    if (path / CONFIG_PATH).exists():
        raise VaultError(f"{path} is already an obm vault ({CONFIG_PATH} exists)")
    settings = checked_business(business or {})
    name = " ".join((name or "").split()) or path.name
    config = DEFAULT_CONFIG.format(business=business_section(name, timezone, settings))
    tomllib.loads(config)  # what it writes, it can read back (values are escaped)
    path.mkdir(parents=True, exist_ok=True)
    added = _write_new(path, CONFIG_PATH, config)
    added += _write_new(path, ".obm/.gitignore", OBM_GITIGNORE)
    for kind in KINDS.values():
        added += _write_new(path, f"{kind.folder}/.gitkeep", "")
    added += _copy_starters(path)
    git = Git(path) if Git.is_repo(path) else Git.init(path)
    git.ensure_settings()
    exclude_local_state(git)
    git.commit(added, f"vault created: {name}")
    git.close()
    return added


def make_demo(path: Path) -> Path:
    """Copy the sample vault to `path` (which must not exist or be empty) as its own git repository."""
    path = path.expanduser().resolve()
    if path.exists() and any(path.iterdir()):
        raise VaultError(f"{path} exists and is not empty; choose a new folder for the demo")
    source = data_dir("vault")
    shutil.copytree(source, path, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".obm/cache", ".~obm-*", ".git"))
    git = Git.init(path)
    git.ensure_settings()
    write_demo_history(git, path)  # the summer and autumn as they happened (services/demo_history.py)
    git.close()
    return path


def _write_new(root: Path, rel: str, text: str) -> list[str]:
    target = root / rel
    if target.exists():
        return []
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return [rel]


def _copy_starters(root: Path) -> list[str]:
    try:
        source = data_dir("templates") / "processes"
    except FileNotFoundError:
        return []
    added: list[str] = []
    for template in sorted(source.glob("*.md")) if source.is_dir() else []:
        added += _write_new(root, f"processes/{template.name}", template.read_text(encoding="utf-8"))
    return added
