"""SIGKILL a process that is saving a record, many times: every file ends as its old or new version.

`make test` runs a few trials; `make kill-test` runs many (marked slow).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from obm_tui.vault.frontmatter import read_document
from obm_tui.vault.store import Vault
from tests.conftest import git_out

SAVER = r"""
import sys
from pathlib import Path
from obm_tui.services import records as svc
from obm_tui.vault.store import Vault

vault = Vault.open(Path(sys.argv[1]))
n = 0
while True:
    n += 1
    letter = "AB"[n % 2]
    record = vault.find("big-client")
    old = vault.read_body(record)
    svc.update(vault, record, {"status": "current" if n % 2 else "paused"}, body=letter * 200_000 + "\n", base_body=old)
    print(n, flush=True)
"""


def make_vault(root: Path) -> Path:
    from obm_tui.services import records as svc
    from obm_tui.services.setup import init_vault

    init_vault(root, name="Kill test")
    vault = Vault.open(root)
    svc.new_record(vault, "client", "Big Client", {"status": "lead"}, body="A" * 200_000 + "\n")
    vault.close()
    return root


def one_version(path: Path) -> str:
    doc = read_document(path.read_bytes())
    body = doc.body
    assert body in ("A" * 200_000 + "\n", "B" * 200_000 + "\n"), "a torn body"
    assert doc.data["status"] in ("lead", "current", "paused")
    return body[0]


def kill_trials(root: Path, trials: int) -> None:
    seen = set()
    rng = random.Random(4)
    for _ in range(trials):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(root)], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        assert proc.stdout is not None
        proc.stdout.readline()  # at least one save done: the next is in flight
        time.sleep(rng.uniform(0, 0.05))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        seen.add(one_version(root / "clients/big-client.md"))
        for lock in [root / ".git/index.lock", root / ".git/HEAD.lock", *(root / ".git/refs").rglob("*.lock")]:
            if lock.exists():  # git itself was killed mid-write; a person removes it after our message
                lock.unlink()
    assert seen, "no trial reached a save"
    Vault.open(root).close()  # cleans stray temps, commits what the kills left uncommitted
    strays = [p for p in (root / "clients").iterdir() if p.name.startswith(".~obm-")]
    assert strays == [] or all(time.time() - p.stat().st_mtime < 60 for p in strays)
    assert ".~obm-" not in git_out(root, "log", "--all", "--name-only", "--format=")
    subprocess.run(["git", "-C", str(root), "fsck", "--strict"], check=True, capture_output=True)


def test_kill_while_saving_a_few_times(tmp_path: Path) -> None:
    kill_trials(make_vault(tmp_path / "v"), trials=8)


@pytest.mark.slow
def test_kill_while_saving_many_times(tmp_path: Path) -> None:
    kill_trials(make_vault(tmp_path / "v"), trials=300)
