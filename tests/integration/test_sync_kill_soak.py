"""`obm sync` killed at a random moment (SIGKILL to obm and every git it started: fetch, merge and
its driver, push and the remote's receive-pack) between two clones of one bare remote; the next
sync recovers by itself, and nothing is lost: every commit of both sides ends up in the remote,
`git fsck --strict` is clean, no file holds conflict markers."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.traps import git

CLIENT = "---\ntype: client\nid: {id}\nname: {name}\nstatus: lead\nemail: {id}@example.com\ncompany: none\n---\n\nN.\n"
IDS = [f"client-{n}" for n in range(6)]
FIELDS = {"email": lambda r: f"{r.randrange(10**9)}@example.com", "company": lambda r: f"Co {r.randrange(10**9)}"}
PHASES = ("fetch", "merge", "push", "")  # the git command a kill lands in ("": any moment of the sync)
WHO = ["-c", "user.name=Soak", "-c", "user.email=soak@example.com"]


def obm_sync(root: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "obm_tui.cli", "--vault", str(root), "sync"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def descendants(pid: int) -> list[int]:
    """`pid` and every process under it (git runs in sessions of its own: found through parents)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def wait_for_phase(proc: subprocess.Popen[bytes], phase: str) -> bool:
    """Wait until obm runs `git <phase>` (fetch, merge, push; "" for no wait); False if it never does."""
    while phase and proc.poll() is None:
        for pid in descendants(proc.pid)[1:]:
            try:
                words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if words and words[0].endswith(b"git") and phase.encode() in words:
                return True
        time.sleep(0.002)
    return proc.poll() is None


def kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Freeze obm and everything it started (until no new process appears), then SIGKILL them all."""
    frozen: set[int] = set()
    while True:
        new = [pid for pid in descendants(proc.pid) if pid not in frozen]
        if not new:
            break
        for pid in new:
            with_ignored(os.kill, pid, signal.SIGSTOP)
        frozen.update(new)
    for pid in frozen:
        with_ignored(os.kill, pid, signal.SIGKILL)
    proc.communicate()


def with_ignored(call, *args) -> None:  # type: ignore[no-untyped-def]
    try:
        call(*args)
    except ProcessLookupError:
        pass


def edit_and_commit(root: Path, rng: random.Random) -> str:
    rel = f"clients/{rng.choice(IDS)}.md"
    field = rng.choice(list(FIELDS))
    lines = (root / rel).read_text().split("\n")
    lines = [f"{field}: {FIELDS[field](rng)}" if line.startswith(f"{field}:") else line for line in lines]
    (root / rel).write_text("\n".join(lines))
    git(root, *WHO, "commit", "-qam", f"soak: {rel} {field}")
    return git(root, "rev-parse", "HEAD").strip()


def make_clones(start: Path, tmp_path: Path) -> tuple[Path, list[Path]]:
    for n, client in enumerate(IDS):
        (start / f"clients/{client}.md").write_text(CLIENT.format(id=client, name=f"Client {n}"))
    subprocess.run([sys.executable, "-m", "obm_tui.cli", "--vault", str(start), "check"], check=True,
                   capture_output=True)  # opening commits the new clients
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(start), str(remote)], check=True)
    clones = [tmp_path / "mia", tmp_path / "fred"]
    for clone in clones:
        subprocess.run(["git", "clone", "-q", str(remote), str(clone)], check=True)
    return remote, clones


def left_behind(root: Path) -> list[Path]:
    """What a killed sync left: the merge mark, MERGE_HEAD, lock files, git's merge temps."""
    git_dir = root / ".git"
    found = [git_dir / name for name in ("obm-sync-merge", "MERGE_HEAD") if (git_dir / name).exists()]
    locks = list(git_dir.glob("*.lock")) + list(git_dir.glob("refs/**/*.lock"))
    return found + locks + list(root.glob(".merge_file_*"))


def assert_sound(root: Path) -> None:
    subprocess.run(["git", "-C", str(root), "fsck", "--strict", "--no-progress", "--no-dangling"], check=True,
                   capture_output=True)
    assert not [p for p in root.rglob("*.md") if "<<<<<<<" in p.read_text(errors="replace")]


def run_trials(start: Path, tmp_path: Path, trials: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    remote, clones = make_clones(start, tmp_path)
    made: list[str] = []
    figures = {"trials": trials, "left something": 0, "recovered": 0}
    for trial in range(trials):
        for clone in clones:
            made.append(edit_and_commit(clone, rng))
        victim = clones[trial % 2]
        phase = PHASES[trial // 2 % len(PHASES)]  # each clone gets every phase
        proc = obm_sync(victim)
        landed = wait_for_phase(proc, phase) and proc.poll() is None
        time.sleep(rng.uniform(0, 0.15 if phase else 2.5))  # a whole sync here takes 1.5-3 s
        if landed and proc.poll() is None:
            kill_tree(proc)
            figures[f"killed in {phase or 'any moment'}"] = figures.get(f"killed in {phase or 'any moment'}", 0) + 1
        else:
            kill_tree(proc)  # finished meanwhile (nothing to kill) or the phase never came
        figures["left something"] += bool(left_behind(victim))
        again = subprocess.run([sys.executable, "-m", "obm_tui.cli", "--vault", str(victim), "sync"],
                               capture_output=True, text=True)
        assert again.returncode == 0, (trial, again.stderr)
        figures["recovered"] += "first " in again.stdout
        assert_sound(victim)
    for clone in clones + clones:  # everyone syncs once more: every commit ever made is in the remote
        done = subprocess.run([sys.executable, "-m", "obm_tui.cli", "--vault", str(clone), "sync"],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    lost = [sha for sha in made
            if subprocess.run(["git", "-C", str(remote), "merge-base", "--is-ancestor", sha, "main"]).returncode]
    assert lost == []
    assert_sound(clones[0])
    return figures


def test_a_killed_sync_recovers_by_itself_short(empty_vault: Path, tmp_path: Path) -> None:
    run_trials(empty_vault, tmp_path, trials=5, seed=5)


@pytest.mark.soak
def test_a_killed_sync_recovers_by_itself_soak(empty_vault: Path, tmp_path: Path) -> None:
    trials = int(os.environ.get("OBM_SOAK_TRIALS", "200"))
    figures = run_trials(empty_vault, tmp_path, trials=trials, seed=int(os.environ.get("OBM_SOAK_SEED", "1")))
    print(f"\nkilled sync soak: {figures}")
