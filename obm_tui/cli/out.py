"""The one place the `obm` command writes: every line, table, record, error and JSON document.

Text goes out through `model.display.terminal_safe` (control, zero-width and bidi characters shown,
never obeyed); JSON through `json_safe` (the same characters as \\uXXXX escapes, so the document
is the same value and the terminal is safe). The files' bytes are never changed: this is output.
A test (tests/integration/test_cli_unix.py) keeps `click.echo` out of every other CLI module.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from obm_tui.model.display import json_safe, terminal_safe

EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a tool whose reader went away


def say(text: str = "", *, err: bool = False) -> None:
    """Print one piece of text (any newlines in it kept), made safe for a terminal."""
    click.echo(terminal_safe(text), err=err)


def say_json(value: Any) -> None:
    """Print `value` as an indented JSON document, every unsafe character escaped."""
    click.echo(json_safe(json.dumps(value, ensure_ascii=False, indent=1)))


def ask(question: str) -> bool:
    """A yes/no question on the terminal (default no), its text made safe like any output."""
    return click.confirm(terminal_safe(question), default=False)


def ask_text(question: str, default: str = "") -> str:
    """A line of text asked on the terminal (Enter keeps `default`, which may be empty)."""
    return str(click.prompt(terminal_safe(question), default=default, show_default=bool(default)))


def end_on_closed_pipe() -> None:
    """The reader of stdout went away (`obm list clients | head -1`): stop quietly, as Unix tools do.

    Python would complain ("Exception ignored … BrokenPipeError") when it flushes stdout at exit;
    pointing stdout at /dev/null first leaves nothing to complain about."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a file (a test runner's buffer)
        pass
    sys.exit(EXIT_CLOSED_PIPE)
