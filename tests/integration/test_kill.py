"""SIGKILL processes that are changing the vault, many times.

One saver rewrites a big record: every file ends as its old or its new version. A business worker
receives purchase orders (the order and six products in one change) and imports Shopify orders
(six products in one change): after the next open every change is whole, committed once under its
own message (never as "external edit"), and `git fsck --strict` is clean.

`make test` runs a few trials; `make kill-test` and `make soak` run many.
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


SKUS = [f"KIT-{n}" for n in range(6)]
STOCK = 1000

BUSINESS = r"""
import csv, io, os, sys
from datetime import date
from pathlib import Path
from obm_tui.services import purchase_orders as po
from obm_tui.services.imports import import_shopify
from obm_tui.vault.store import Vault

SKUS = [f"KIT-{n}" for n in range(6)]
HEADER = ["Name", "Email", "Financial Status", "Created at", "Lineitem quantity", "Lineitem sku",
          "Lineitem requires shipping"]
vault = Vault.open(Path(sys.argv[1]))
print("open", flush=True)
today = date(2026, 11, 23)
n = 0
while True:
    n += 1
    made = po.new_order(vault, "Kits Ltd", {sku: 1 for sku in SKUS}, today=today)
    po.mark_ordered(vault, made.record.id, today=today)
    po.receive(vault, made.record.id, today=today)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for i, sku in enumerate(SKUS):
        first = ["jane@example.com", "paid", "2026-11-23 10:14:05 -0500"] if i == 0 else ["", "", ""]
        writer.writerow([f"#{os.getpid()}{n:04d}", *first, "1", sku, "true"])
    import_shopify(vault, out.getvalue().encode(), source=f"orders-{os.getpid()}-{n}.csv")
    print(n, flush=True)
"""


def make_business(root: Path) -> Path:
    from obm_tui.services import records as svc
    from obm_tui.services.setup import init_vault

    init_vault(root, name="Kill test")
    vault = Vault.open(root)
    for sku in SKUS:
        svc.new_record(vault, "product", sku, {"sku": sku, "on_hand": str(STOCK)})
    vault.close()
    return root


def after_next_open(root: Path) -> tuple[tuple[int, ...], int, bool]:
    """Open (which finishes what a kill left) and look: how far each product is from what the
    whole receipts and imports give, how many commits say "external edit", and whether anything
    is left uncommitted or in the journal."""
    vault = Vault.open(root)
    try:
        received = sum(1 for r in vault.records("purchase-order") if r.data.get("status") == "received")
        subjects = git_out(root, "log", "--format=%s")
        expected = STOCK + received - subjects.count("import shopify")
        off = tuple(int(vault.find(sku, "product").data["on_hand"]) - expected for sku in SKUS)
        left = git_out(root, "status", "--porcelain", "--untracked-files=all") != "" or any(
            (root / ".obm/journal").glob("*.json"))
        return off, subjects.count("external edit"), left
    finally:
        vault.close()


def kill_business(root: Path, trials: int, seed: int = 7, python_path: str | None = None) -> dict[str, int]:
    """SIGKILL the business worker `trials` times at random instants; after each, the next open
    must leave every change whole (a trial that moves any product off the whole-change count is
    `partial`), committed under its own message (`external`: commits saying "external edit")."""
    rng = random.Random(seed)
    env = {**os.environ, **({"PYTHONPATH": python_path} if python_path else {})}
    figures = {"trials": 0, "iterations": 0, "partial": 0, "external": 0, "left": 0}
    last = tuple(0 for _ in SKUS)
    for _ in range(trials):
        proc = subprocess.Popen([sys.executable, "-c", BUSINESS, str(root)], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, start_new_session=True, env=env)
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"open\n"
        time.sleep(rng.uniform(0, 1.5))  # a loop (three commits and an import) takes ~0.5-1 s
        os.killpg(proc.pid, signal.SIGKILL)
        figures["iterations"] += len(proc.stdout.read().split())
        proc.wait()
        for lock in [root / ".git/index.lock", root / ".git/HEAD.lock", *(root / ".git/refs").rglob("*.lock")]:
            if lock.exists():  # git itself was killed mid-write; a person removes it after our message
                lock.unlink()
        off, external, left = after_next_open(root)
        figures["trials"] += 1
        figures["partial"] += off != last
        figures["external"] = external
        figures["left"] += left
        last = off
    subprocess.run(["git", "-C", str(root), "fsck", "--strict"], check=True, capture_output=True)
    return figures


def test_kill_receipts_and_imports_a_few_times(tmp_path: Path) -> None:
    figures = kill_business(make_business(tmp_path / "v"), trials=6)
    assert (figures["partial"], figures["external"], figures["left"]) == (0, 0, 0), figures


@pytest.mark.soak
def test_kill_receipts_and_imports_a_thousand_times(tmp_path: Path) -> None:
    figures = kill_business(make_business(tmp_path / "v"), trials=1000)
    print(f"\nkill soak: {figures}")
    assert (figures["partial"], figures["external"], figures["left"]) == (0, 0, 0), figures
