"""The one list of git settings that name a program (vault/git_programs.py), checked against the
installed git's own documentation: every setting git-config(1) describes as a command, program,
script, helper, editor, pager, proxy or hook is in the list, switched off, refused or classed safe."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from obm_tui.model.errors import VaultError
from obm_tui.vault import git_programs
from obm_tui.vault.git_programs import PROGRAM_WORDS, find, is_listed, vault_overrides

DESCRIBES_A_PROGRAM = re.compile(
    r"\b(programs?|executables?|scripts?|helpers?|shell|editor|pager|browser|hooks?)\b"
    r"|\b(proxy|external|custom|specified|viewer|the|a|this|shell|diff|merge|filter|signing) commands?\b"
    r"|\bcommands? (to|that|which|is run|will be|line to)\b",
    re.IGNORECASE,
)
KEY_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9<>*_-]*(\.[A-Za-z0-9<>*_\"-]+)+$")


def manual_entries() -> dict[str, str]:
    """{setting: description} from the installed git-config(1) manual page (troff source)."""
    found = subprocess.run(["man", "-w", "git-config"], capture_output=True, text=True) if shutil.which("man") else None
    if found is None or found.returncode or not found.stdout.strip():
        pytest.skip("git-config(1) is not installed here")
    page = Path(found.stdout.strip())
    raw = (gzip.open(page, "rt") if page.suffix == ".gz" else page.open()).read()
    for code in ("\\&", "\\fB", "\\fR", "\\fI"):
        raw = raw.replace(code, "")
    entries: dict[str, str] = {}
    waiting: list[str] = []
    for block in re.split(r"^\.PP\n", raw.replace("\\-", "-"), flags=re.MULTILINE):
        first, _, rest = block.partition("\n")
        if KEY_LINE.match(first.strip()):
            waiting.append(first.strip())
            if rest.lstrip().startswith(".RS"):
                entries.update(dict.fromkeys(waiting, rest))
                waiting = []
    return entries


def test_every_setting_the_manual_says_runs_a_program_is_in_the_list() -> None:
    entries = manual_entries()
    assert len(entries) > 400  # the page was read
    describing = sorted(key for key, text in entries.items() if DESCRIBES_A_PROGRAM.search(text))
    assert {"remote.<name>.uploadpack", "core.gitProxy", "merge.<driver>.driver"} <= set(describing)
    assert [key for key in describing if not is_listed(key)] == []


def test_every_setting_named_like_a_program_is_in_the_list() -> None:
    names = subprocess.run(["git", "help", "--config"], capture_output=True, text=True, check=True).stdout.split()
    assert "remote.<name>.receivepack" in names
    program_like = [n for n in names if PROGRAM_WORDS.search(n.rpartition(".")[2].lower())]
    assert [n for n in program_like if not is_listed(n)] == []


@pytest.mark.parametrize("key", ["remote.origin.uploadpack", "REMOTE.Origin.ReceivePack", "core.gitproxy",
                                 "merge.obm.driver", "credential.https://x.example.helper", "filter.lfs.process",
                                 "url.ext::sh.insteadof", "gpg.ssh.program"])
def test_keys_as_git_prints_them_are_found(key: str) -> None:
    assert find(key) is not None


@pytest.mark.parametrize("key", ["core.gitproxy", "remote.origin.vcs", "include.path", "includeif.onbranch:x.path",
                                 "url.ext::sh -c x.insteadof", "url.fd::3.pushinsteadof",
                                 "frobnicate.tool.cmd2command"])
def test_the_vault_setting_a_key_that_cannot_be_switched_off_is_refused_by_name(key: str) -> None:
    for scope in ("local", "worktree"):
        with pytest.raises(VaultError, match=re.escape(key)):
            vault_overrides([(scope, key, "x")])


def test_the_users_own_settings_and_harmless_vault_ones_pass() -> None:
    entries = [("global", "core.gitproxy", "proxy"), ("global", "include.path", "~/.more"),
               ("local", "url.https://mirror.example/.insteadof", "https://example.com/"),
               ("local", "remote.origin.url", "/srv/vault.git"), ("local", "merge.tool", "vimdiff"),
               ("command", "include.path", "x")]
    assert vault_overrides(entries) == []


def test_a_vault_filter_is_switched_off_by_name() -> None:
    assert vault_overrides([("worktree", "filter.trap.smudge", "x")]) == [
        "filter.trap.clean=", "filter.trap.process=", "filter.trap.required=false", "filter.trap.smudge="]


def test_fixed_overrides_are_key_value_pairs_without_placeholders() -> None:
    pairs = git_programs.fixed_overrides()
    assert "core.fsmonitor=false" in pairs and "gpg.openpgp.program=false" in pairs
    assert not [p for p in pairs if "<" in p or "(" in p]
