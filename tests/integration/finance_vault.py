"""Small money records written into a test vault (real files, committed with real git)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import tomlkit

CLIENT = """---
type: client
id: {id}
name: '{name}'
status: current
email: {id}@example.com
rate: "100.00"
---
"""

INVOICE = """---
type: invoice
id: {id}
title: {title}
client: "[[{client}]]"
amount: "{amount}"
status: {status}
issued: {issued}
{more}---
{body}"""

BILL = """---
type: bill
id: {id}
title: {title}
supplier: '{supplier}'
amount: "{amount}"
status: {status}
issued: {issued}
category: '{category}'
{more}---
{body}"""

EXPENSE = """---
type: expense
id: {id}
payee: '{payee}'
date: {date}
amount: "{amount}"
category: '{category}'
{more}---
"""

PAYMENTS = "\n## Payments\n\n| Date | Amount | Method | Reference | Note | Id |\n|---|---:|---|---|---|---|\n"


def payments_body(*rows: tuple[str, str, str, str]) -> str:
    """A `## Payments` table of (date, amount, method, row id) rows."""
    return PAYMENTS + "".join(f"| {d} | {a} | {m} | | | {i} |\n" for d, a, m, i in rows)


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def commit_all(root: Path, message: str = "test records") -> None:
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, capture_output=True)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", message], check=True, capture_output=True)


def add_config(root: Path, text: str) -> None:
    """Merge the TOML `text` into the vault's config: its keys replace or join the config's own
    (the config `obm init` writes has a `[finance]` table already: a second one would not read)."""
    config = root / ".obm" / "config.toml"
    document = tomlkit.parse(config.read_text(encoding="utf-8"))
    _merge_tables(document, tomlkit.parse(text))
    config.write_text(tomlkit.dumps(document), encoding="utf-8")


def _merge_tables(into: Any, new: Any) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge_tables(into[key], value)
        else:
            into[key] = value
