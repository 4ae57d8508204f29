"""Outside edits (an editor's saves, which take no lock) racing two obm CLI processes on one file.

Nothing is lost: every outside edit's content ends in HEAD's history or on disk; every command that
succeeded is committed once, under its own message, and no commit carries another's ledger row.
A short version runs in the normal suite; `make soak` runs a thousand outside edits.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from obm_tui.vault.store import Vault
from tests.conftest import git_out

SKU = "RACE-1"
PRODUCT = f"stock/{SKU}.md"
OBM = [sys.executable, "-m", "obm_tui.cli"]
EDIT_WAIT = 30.0  # seconds an outside edit may wait for a commit before it is looked for on disk and in history


def make_vault(root: Path) -> Path:
    from obm_tui.services import records as svc
    from obm_tui.services.setup import init_vault

    init_vault(root, name="Race test")
    vault = Vault.open(root)
    svc.new_record(vault, "product", SKU, {"sku": SKU, "on_hand": "0", "location": "shelf"})
    vault.close()
    return root


def editor_save(path: Path, k: int) -> None:
    """What vim or VS Code does: read, change a line, write a temp file, rename it over the file."""
    text = re.sub(r"(?m)^location: .*$", f"location: outside-{k}", path.read_text(encoding="utf-8"))
    temp = path.with_name(f".{path.name}.swp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def committed_in_head(root: Path, needle: str) -> bool:
    out = subprocess.run(["git", "-C", str(root), "show", f"HEAD:{PRODUCT}"], capture_output=True, text=True)
    return needle in out.stdout


def outside_editor(root: Path, edits: int, unseen: list[int], stop: threading.Event) -> None:
    """Save `edits` outside edits, each after the one before is committed (or is gone from disk)."""
    path = root / PRODUCT
    try:
        for k in range(edits):
            editor_save(path, k)
            deadline = time.monotonic() + EDIT_WAIT
            while not committed_in_head(root, f"location: outside-{k}\n"):
                if f"location: outside-{k}\n" not in path.read_text(encoding="utf-8") or time.monotonic() > deadline:
                    unseen.append(k)  # looked for in the whole history at the end
                    break
                time.sleep(0.005)
    finally:
        stop.set()


def obm_worker(root: Path, name: str, stop: threading.Event, done: list[tuple[str, str, int]]) -> None:
    """Run `obm stock receive` (or `obm set`) again and again until the editor is done."""
    n = 0
    while not stop.is_set():
        n += 1
        if name == "receive":
            tag = f"w-{n}"
            args = ["stock", "receive", SKU, "1", "--ref", tag]
        else:
            tag = f"reorder_qty {n - 1 if n > 1 else ''}"
            args = ["set", SKU, f"reorder_qty={n}"]
        proc = subprocess.run([*OBM, "--vault", str(root), *args], capture_output=True, text=True)
        assert "Traceback" not in proc.stderr, proc.stderr
        done.append((name, proc.stdout.split("\n", 1)[0].strip() if proc.returncode == 0 else "", proc.returncode))


def commits_of_product(root: Path) -> list[tuple[str, str]]:
    """(subject, patch) of every commit that touched the product, oldest first."""
    out = git_out(root, "log", "--reverse", "-p", "--format=\x01%s", "--", PRODUCT)
    return [(block.split("\n", 1)[0], block) for block in out.split("\x01")[1:]]


def race(root: Path, edits: int) -> dict[str, int]:
    stop, unseen, done = threading.Event(), [], []
    threads = [threading.Thread(target=obm_worker, args=(root, name, stop, done)) for name in ("receive", "set")]
    threads.append(threading.Thread(target=outside_editor, args=(root, edits, unseen, stop)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    subprocess.run([*OBM, "--vault", str(root), "check"], capture_output=True)  # commits what is left
    commits = commits_of_product(root)
    history = "\n".join(patch for _, patch in commits)
    disk = (root / PRODUCT).read_text(encoding="utf-8")
    lost_edits = [k for k in unseen if f"location: outside-{k}\n" not in history + disk]
    succeeded = [message for _, message, code in done if code == 0 and message]
    subjects = [subject for subject, _ in commits]
    not_once = [m for m in succeeded if sum(s == m or s.startswith(m + " (merged") for s in subjects) != 1]
    foreign = [subject for subject, patch in commits
               if any(ref not in subject for ref in re.findall(r"(?m)^\+\|.*?\b(w-\d+)\b", patch))]
    if not_once:
        print("not committed once:", not_once[:5], subjects[-10:])
    for k in lost_edits:
        print_neighbours(root, k, commits)
    return {"edits": edits, "commands": len(done), "succeeded": len(succeeded), "lost_edits": len(lost_edits),
            "commands_not_committed_once": len(not_once), "rows_under_another_message": len(foreign),
            "external_edit_commits": sum(s.startswith("external edit") for s in subjects),
            "merged_commits": sum("(merged with" in s for s in subjects)}


def print_neighbours(root: Path, k: int, commits: list[tuple[str, str]]) -> None:
    """For a lost edit: the commits that carried the edits just before and after it, and what was kept aside."""
    near = [i for i, (_, patch) in enumerate(commits) if re.search(rf"(?m)^\+location: outside-{k - 1}$", patch)]
    start = near[0] if near else len(commits) - 6
    print(f"lost outside-{k}; commits from outside-{k - 1} on:", [s for s, _ in commits[start:start + 6]])
    kept = sorted(p.name for p in (root / "conflicts").glob("*")) if (root / "conflicts").is_dir() else []
    print("kept aside:", kept, [(root / "conflicts" / n).read_text()[-200:] for n in kept[:3]])


def assert_nothing_lost(root: Path, figures: dict[str, int]) -> None:
    lost = (figures["lost_edits"], figures["commands_not_committed_once"], figures["rows_under_another_message"])
    assert lost == (0, 0, 0), figures
    assert figures["succeeded"] > 0, figures
    subprocess.run(["git", "-C", str(root), "fsck", "--strict"], check=True, capture_output=True)


def test_outside_edits_racing_two_obm_processes_lose_nothing(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v")
    assert_nothing_lost(root, race(root, edits=15))


@pytest.mark.soak
def test_a_thousand_outside_edits_racing_two_obm_processes_lose_nothing(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v")
    figures = race(root, edits=1000)
    print(f"\nrace soak: {figures}")
    assert_nothing_lost(root, figures)
