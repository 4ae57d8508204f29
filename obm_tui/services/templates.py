"""Files shipped with obm: starter processes, record templates, canned replies, the sample vault."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def data_dir(name: str) -> Path:
    """`templates` or `vault`: inside the installed wheel, or at the top of a source checkout."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"obm's {name}/ folder is missing from this installation")


def record_template_body(kind: str) -> str:
    """The starting body of a new record of `kind` (templates/records/<kind>.md), or ''."""
    try:
        path = data_dir("templates") / "records" / f"{kind}.md"
    except FileNotFoundError:
        return ""
    return path.read_text(encoding="utf-8") if path.is_file() else ""
