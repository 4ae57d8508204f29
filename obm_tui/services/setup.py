"""Making vaults: `obm init` (a new, empty business) and `obm demo` (a copy of the sample vault)."""

from __future__ import annotations

import shutil
from pathlib import Path

from obm_tui.model.errors import VaultError
from obm_tui.model.kinds import KINDS
from obm_tui.services.templates import data_dir
from obm_tui.vault.config import CONFIG_PATH, DEFAULT_CONFIG
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


def init_vault(path: Path, *, name: str | None = None, timezone: str = "UTC") -> list[str]:
    """Make `path` a vault: folders, config, `.obm/.gitignore`, starter processes, git, a first commit.

    Existing files are never overwritten or changed (the user's `.gitignore` included: obm's own
    ignore rules go in `.obm/.gitignore` and `.git/info/exclude`); an existing obm vault is
    refused. Returns the paths added.
    """
    path = path.expanduser().resolve()
    if (path / CONFIG_PATH).exists():
        raise VaultError(f"{path} is already an obm vault ({CONFIG_PATH} exists)")
    path.mkdir(parents=True, exist_ok=True)
    added = _write_new(path, CONFIG_PATH, DEFAULT_CONFIG.format(name=name or path.name, timezone=timezone))
    added += _write_new(path, ".obm/.gitignore", OBM_GITIGNORE)
    for kind in KINDS.values():
        added += _write_new(path, f"{kind.folder}/.gitkeep", "")
    added += _copy_starters(path)
    git = Git(path) if Git.is_repo(path) else Git.init(path)
    git.ensure_settings()
    exclude_local_state(git)
    git.commit(added, f"vault created: {name or path.name}")
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
    files = sorted(str(p.relative_to(path).as_posix()) for p in path.rglob("*")
                   if p.is_file() and ".git" not in p.parts)
    git.commit(files, "demo: the sample vault of Fred Smith Coaching")
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
