"""The user's own settings (not the vault's): keymap, theme and editor.

They live in `obm/config.toml` under platformdirs' user config folder (on Linux
`~/.config/obm/config.toml`):

    theme = "nord"
    editor = "nvim"

    [keymap]            # binding id -> keys (see docs/keys.md)
    "app.quit" = "ctrl+q"

A broken file never stops the app: it is reported once and the defaults are used.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_config_path


def settings_path() -> Path:
    return user_config_path("obm", appauthor=False) / "config.toml"


@dataclass(frozen=True)
class Settings:
    """What the user chose, with the problems found reading it."""

    keymap: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    editor: str | None = None
    problems: tuple[str, ...] = ()


def load_settings(path: Path | None = None) -> Settings:
    """Read the user's settings; missing file -> defaults; a broken one -> defaults plus a problem."""
    path = path or settings_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return Settings(problems=(f"{path}: {exc}",))
    return _typed(raw, path)


def _typed(raw: dict, path: Path) -> Settings:
    problems: list[str] = []
    keymap_raw = raw.get("keymap", {})
    keymap: dict[str, str] = {}
    if isinstance(keymap_raw, dict):
        for binding_id, keys in keymap_raw.items():
            if isinstance(keys, str) and keys.strip():
                keymap[str(binding_id)] = keys
            else:
                problems.append(f"{path}: keymap {binding_id!r} must be a string of keys")
    theme = raw.get("theme") if isinstance(raw.get("theme"), str) else None
    editor = raw.get("editor") if isinstance(raw.get("editor"), str) else None
    return Settings(keymap, theme, editor, tuple(problems))


def save_theme(theme: str, path: Path | None = None) -> None:
    """Remember the chosen theme, keeping the rest of the file (and its comments) as it is."""
    import tomlkit

    path = path or settings_path()
    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    except Exception:  # noqa: BLE001 - a broken file is left alone
        return
    doc["theme"] = theme
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    except OSError:
        pass
