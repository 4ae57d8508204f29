"""What a vault's git config says, what obm refuses in it, and what obm needs set in it."""

from __future__ import annotations

from collections.abc import Iterable

from obm_tui.model.errors import VaultError
from obm_tui.vault import git_programs
from obm_tui.vault.git_process import Runner

ConfigEntry = tuple[str, str, str]  # (scope, key, value) as `git config --list --show-scope` gives them
Author = tuple[str, str]

FALLBACK_IDENTITY: Author = ("obm", "obm@localhost")
# Written by Git.ensure_settings when absent or different. core.fsync: a stronger value is kept.
# core.untrackedCache: `git status` (changed_paths) 0.32 s -> 0.20 s at 100k files; an optional
# index extension that other readers skip. index.version=4 and core.splitIndex are left alone:
# some readers (GitPython's index, isomorphic-git as used by Obsidian Git on mobile) cannot read them.
SETTINGS = {"core.fsync": "committed,reference", "core.untrackedCache": "true"}
_FSYNC_NEEDED = {"loose-object", "pack", "reference"}
_FSYNC_GROUPS = {
    "objects": {"loose-object", "pack"},
    "committed": {"loose-object", "pack", "reference"},
    "added": {"loose-object", "pack", "reference", "index"},
    "all": {"loose-object", "pack", "reference", "index", "pack-metadata", "commit-graph"},
}


def read_config(runner: Runner) -> list[ConfigEntry]:
    """Every config entry git sees for the repository (includes followed), with its scope."""
    items = runner.out(["config", "-z", "--list", "--show-scope"]).split(b"\0")
    entries = []
    for scope, pair in zip(items[::2], items[1::2], strict=False):
        key, _, value = pair.decode("utf-8", "replace").partition("\n")
        entries.append((scope.decode("ascii", "replace"), key, value))
    return entries


def audit_config(entries: Iterable[ConfigEntry]) -> list[str]:
    """Extra `-c` overrides that switch off the programs the vault's own config names (filters);
    VaultError naming a key that cannot be switched off (include.path, core.gitProxy, …).

    Only the repository's scopes (`local`, `worktree`) are suspects: the user's global config is
    theirs. The list and what is done about each key: `git_programs.PROGRAMS`.
    """
    return git_programs.vault_overrides(entries)


def refuse_merge_drivers(entries: Iterable[ConfigEntry]) -> None:
    """VaultError when the vault's own config names a merge driver other than obm's: git would
    run it during `obm sync`'s merge."""
    for scope, key, _value in entries:
        section, _, rest = key.partition(".")
        name, _, last = rest.rpartition(".")
        if scope in ("local", "worktree") and section.lower() == "merge" and last.lower() == "driver" and name != "obm":
            raise VaultError(f"The vault's git config sets {key}, a program git would run while merging; "
                             "remove it to sync from obm.")


def user_remote_settings(entries: Iterable[ConfigEntry]) -> list[str]:
    """`-c` pairs that give back the user's own credential helpers and ssh command (from their
    global or system config, never the vault's), after the hardening reset them."""
    helpers = [value for scope, key, value in entries
               if scope in ("global", "system") and key.lower() == "credential.helper" and value]
    ssh = [value for scope, key, value in entries if scope in ("global", "system") and key.lower() == "core.sshcommand"]
    pairs = [f"credential.helper={helper}" for helper in helpers]
    return pairs + ([f"core.sshCommand={ssh[-1]}"] if ssh else [])


def normal_key(key: str) -> str:
    """A config key as `git config --list` prints it: section and name lower-case, subsection kept."""
    section, _, rest = key.partition(".")
    middle, _, name = rest.rpartition(".")
    return ".".join(part for part in (section.lower(), middle, name.lower()) if part)


def fsync_covers(value: str) -> bool:
    """True when a `core.fsync` value syncs at least loose objects, packs and refs.

    git applies every negative token after every positive one, whatever the order.
    """
    positive: set[str] = set()
    negative: set[str] = set()
    for token in (t.strip() for t in value.split(",") if t.strip()):
        target = negative if token.startswith("-") else positive
        name = token.lstrip("-")
        target.update(_FSYNC_GROUPS.get(name, {name}))
    return positive >= _FSYNC_NEEDED and not (_FSYNC_NEEDED & negative)


def needs_writing(key: str, wanted: str, current: str | None) -> bool:
    """Whether `key` must be written to get `wanted` (core.fsync: when it does not cover enough)."""
    if key == "core.fsync" and current is not None:
        return not fsync_covers(current)
    return current != wanted


def identity(entries: Iterable[ConfigEntry]) -> Author:
    """user.name / user.email as git would use them, else the fallback identity."""
    values = {key: value for _scope, key, value in entries}
    return safe_identity((values.get("user.name", ""), values.get("user.email", "")))


def safe_identity(author: Author) -> Author:
    """A name and email git accepts (no <, >, newlines or NUL); blanks take the fallback."""
    name, email = ("".join(ch for ch in part if ch not in "<>\n\r\0").strip() for part in author)
    return (name or FALLBACK_IDENTITY[0], email or FALLBACK_IDENTITY[1])


def config_bool(entries: Iterable[ConfigEntry], key: str, default: bool) -> bool:
    """The last value of a boolean key, git's way (false/no/off/0 are false)."""
    values = [value for _scope, k, value in entries if k == key]
    if not values:
        return default
    return values[-1].strip().lower() not in ("false", "no", "off", "0")
