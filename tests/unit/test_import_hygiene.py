"""The core never imports Textual (or Rich): it must run headless (STYLE.md)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import obm_tui

HEADLESS_PACKAGES = ("obm_tui.model", "obm_tui.vault", "obm_tui.services", "obm_tui.importers", "obm_tui.cli")


def headless_modules() -> list[str]:
    root = Path(obm_tui.__file__).parent
    found = []
    for info in pkgutil.walk_packages([str(root)], prefix="obm_tui."):
        if info.name.startswith(HEADLESS_PACKAGES) and not info.name.endswith("__main__"):
            found.append(info.name)
    return sorted(found)


def test_there_are_headless_modules_to_check() -> None:
    assert {"obm_tui.model.kinds", "obm_tui.vault.store", "obm_tui.services.records"} <= set(headless_modules())


def test_no_headless_module_imports_textual() -> None:
    script = (
        "import importlib, sys\n"
        f"for name in {headless_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_cli_list_path_does_not_import_textual_or_the_tui() -> None:
    script = (
        "import sys\nfrom obm_tui import cli\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith(('textual', 'obm_tui.tui')))))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
