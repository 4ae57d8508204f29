"""`obm` as a Unix tool, run as a real process: one-line usage errors (exit 2), a closed pipe ends
quietly, and every output shows control, zero-width and bidi characters escaped."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from obm_tui.cli.out import EXIT_CLOSED_PIPE
from tests.integration.demo_copy import demo_master, sample_copy  # noqa: F401 (fixtures)

OBM = str(Path(sys.executable).parent / "obm")
CLI = Path(__file__).resolve().parents[2] / "obm_tui" / "cli"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
NOISE = ("Traceback", "Exception ignored", "BrokenPipe", "internal error", "Usage:")


def run(*args: str, vault: Path | None = None, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess:
    prefix = ["--vault", str(vault)] if vault else []
    return subprocess.run([OBM, *prefix, *args], stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)


@pytest.mark.parametrize(("args", "says"), [
    pytest.param(("bogus",), "obm: no such command 'bogus' (obm --help)", id="unknown-command"),
    pytest.param(("--bogus",), "obm: no such option '--bogus' (obm --help)", id="unknown-top-option"),
    pytest.param(("list", "clients", "--bogus"), "obm: list: no such option '--bogus'", id="unknown-option"),
    pytest.param(("list",), "obm: list: missing argument 'KIND' (obm list --help)", id="missing-argument"),
    pytest.param(("agenda", "--days", "999"), "obm: agenda: invalid value for '--days'", id="bad-value"),
    pytest.param(("log", "-n", "many"), "obm: log: invalid value for '--limit' / '-n'", id="bad-number"),
    pytest.param(("ticket", "nope"), "obm: ticket: no such command 'nope'", id="unknown-subcommand"),
    pytest.param(("ticket", "reply"), "obm: ticket reply: missing argument 'ID'", id="missing-id"),
    pytest.param(("completion", "tcsh"), "obm: completion: invalid value for 'SHELL'", id="unknown-shell"),
])
def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    done = run(*args, vault=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(says) and done.stderr.count("\n") == 1
    assert done.stdout == "" and not any(word in done.stderr for word in NOISE)


READS = [
    pytest.param(("ticket", "queue"), id="ticket-queue"),
    pytest.param(("agenda",), id="agenda"),
    pytest.param(("list", "clients"), id="list"),
    pytest.param(("list", "clients", "--json"), id="list-json"),
    pytest.param(("log",), id="log"),
    pytest.param(("log", "--json"), id="log-json"),
    pytest.param(("show", "aisha-khan"), id="show"),
    pytest.param(("stock", "forecast", "--json"), id="forecast-json"),
]


@pytest.mark.parametrize("args", READS)
def test_output_into_a_closed_pipe_ends_quietly(sample_copy: Path, args: tuple[str, ...]) -> None:  # noqa: F811
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the first line: every write meets a closed pipe
    try:
        done = run(*args, vault=sample_copy, stdout=writer)
    finally:
        os.close(writer)
    assert done.returncode == EXIT_CLOSED_PIPE
    assert not any(word in done.stderr for word in NOISE), done.stderr


def test_head_and_grep_in_a_shell_pipeline(sample_copy: Path) -> None:  # noqa: F811
    for pipeline in (f"{OBM} ticket queue | head -1", f"{OBM} agenda | grep -m1 x", f"{OBM} log | head -1",
                     f"{OBM} list clients --json | head -1"):
        done = subprocess.run(["bash", "-c", pipeline], cwd=sample_copy, capture_output=True, text=True, timeout=120)
        assert done.stdout.count("\n") == 1, pipeline
        assert not any(word in done.stderr for word in NOISE), (pipeline, done.stderr)


HOSTILE = "Eve\u200b\u202eX\x1b[31mY\x07\x9bZ\ufeff"
NOTE = "a\u2066b\x07c\u200fd\x00e"  # a line break is refused in a one-line field (issue 10.8)


def test_every_output_escapes_unsafe_characters(sample_copy: Path) -> None:  # noqa: F811
    made = run("new", "client", HOSTILE, "note=" + NOTE.replace("\x00", ""), vault=sample_copy)
    assert made.returncode == 0, made.stderr
    path = sample_copy / made.stdout.split("(")[-1].rstrip(")\n")
    before = path.read_bytes()
    record_id = path.stem
    outputs = [run("list", "clients", vault=sample_copy), run("show", record_id, vault=sample_copy),
               run("log", "-n", "3", vault=sample_copy), run("show", "\x1b]52;c;bad\x07\u202e", vault=sample_copy),
               run("set", record_id, f"status={HOSTILE}", vault=sample_copy)]
    shown_json, log_json = run("show", record_id, "--json", vault=sample_copy), run("log", "--json", vault=sample_copy)
    for done in [*outputs, shown_json, log_json]:
        assert not UNSAFE.search(done.stdout) and not UNSAFE.search(done.stderr), done.args
    assert "\\u202e" in outputs[0].stdout + outputs[1].stdout and "␛[31m" in outputs[1].stdout
    assert outputs[3].stderr.startswith("obm: no record") and outputs[4].returncode == 2
    fields = json.loads(shown_json.stdout)["fields"]
    assert fields["name"] == HOSTILE and fields["note"] == NOTE.replace("\x00", "")  # JSON stays exact
    assert HOSTILE in json.loads(log_json.stdout)[0]["message"]
    assert "\\u200b" in shown_json.stdout and "\\u001b" in shown_json.stdout
    assert path.read_bytes() == before


def test_click_echo_only_in_the_output_module() -> None:
    """One place writes: a command printing with click.echo, click.confirm or print would skip the escaping."""
    writes = re.compile(r"\bclick\.(echo|confirm|prompt)\(|(?<![.\w])print\(|sys\.std(out|err)\.write")
    writers = [p.name for p in CLI.glob("*.py") if p.name != "out.py" and writes.search(p.read_text())]
    assert writers == []


def test_a_confirmation_answered_no_changes_nothing(sample_copy: Path) -> None:  # noqa: F811
    done = subprocess.run([OBM, "--vault", str(sample_copy), "delete", "aisha-khan"], input="n\n",
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr == "obm: stopped; nothing was changed\n"
    assert done.stdout.startswith("delete client aisha-khan (clients/aisha-khan.md)? [y/N]")
    assert (sample_copy / "clients" / "aisha-khan.md").exists()
