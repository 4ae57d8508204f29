"""Making vaults: `obm init` (a new, empty business) and `obm demo` (a copy of the sample vault)."""

from __future__ import annotations

import shutil
from pathlib import Path

from obm_tui.model.errors import VaultError
from obm_tui.model.kinds import KINDS
from obm_tui.services.templates import data_dir
from obm_tui.vault.config import CONFIG_PATH, DEFAULT_CONFIG
from obm_tui.vault.git import Git

GITIGNORE_LINES = [
    "# obm: derived files and temp files of interrupted saves",
    ".obm/cache/",
    ".obm/conflicts/",
    ".~obm-*",
    "# Obsidian's per-device state",
    ".obsidian/workspace*",
]


def init_vault(path: Path, *, name: str | None = None, timezone: str = "UTC") -> list[str]:
    """Make `path` a vault: folders, config, .gitignore, starter processes, git, a first commit.

    Existing files are never overwritten; an existing obm vault is refused. Returns the paths added.
    """
    path = path.expanduser().resolve()
    if (path / CONFIG_PATH).exists():
        raise VaultError(f"{path} is already an obm vault ({CONFIG_PATH} exists)")
    path.mkdir(parents=True, exist_ok=True)
    added = _write_new(path, CONFIG_PATH, DEFAULT_CONFIG.format(name=name or path.name, timezone=timezone))
    added += _extend_gitignore(path)
    for kind in KINDS.values():
        added += _write_new(path, f"{kind.folder}/.gitkeep", "")
    added += _copy_starters(path)
    git = Git(path) if Git.is_repo(path) else Git.init(path)
    git.ensure_settings()
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


def _extend_gitignore(root: Path) -> list[str]:
    target = root / ".gitignore"
    existing = target.read_text(encoding="utf-8").splitlines() if target.exists() else []
    missing = [line for line in GITIGNORE_LINES if line not in existing]
    if not missing:
        return []
    prefix = "\n" if existing and existing[-1].strip() else ""
    with target.open("a", encoding="utf-8") as handle:
        handle.write(prefix + "\n".join(missing) + "\n")
    return [".gitignore"]


def _copy_starters(root: Path) -> list[str]:
    try:
        source = data_dir("templates") / "processes"
    except FileNotFoundError:
        return []
    added: list[str] = []
    for template in sorted(source.glob("*.md")) if source.is_dir() else []:
        added += _write_new(root, f"processes/{template.name}", template.read_text(encoding="utf-8"))
    return added
