"""The rule pass that follows every change (docs/performance.md, "The rule pass after a change"),
measured against the save it follows, in the same run.

    .venv/bin/python -m benchmarks.rules_bench --records 10000     # make bench-rules

On a clone of the generated vault with one client rule (`status = onboarding` starts
client-onboarding), each repetition changes a client's `phone` through the service API (the
save: lock, journal, write, commit) and then runs the rule pass, which walks the one new commit
and reads that client's two versions. Printed: the medians of both and their ratio — the pass's
share of a change — and the pass with nothing new since the last one against a bare
`git rev-parse HEAD` (what any script pays to learn where the history is).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from benchmarks import generate

RULE = '\n[[rules]]\nname = "Onboard"\nkind = "client"\nwhen = "status = onboarding"\nstart = "client-onboarding"\n'


def _timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def _clone(source: Path, where: Path) -> Path:
    work = where / "vault"
    subprocess.run(["git", "clone", "-q", "--local", str(source), str(work)], check=True)
    for key, value in (("user.name", "obm bench"), ("user.email", "bench@example.com")):
        subprocess.run(["git", "config", key, value], cwd=work, check=True)
    config = work / ".obm" / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + RULE, encoding="utf-8")
    subprocess.run(["git", "commit", "-q", "-m", "a rule", "--", ".obm/config.toml"], cwd=work, check=True)
    return work


def measure(root: Path, repetitions: int) -> dict[str, float]:
    from obm_tui.services.records import set_fields
    from obm_tui.services.rule_history import write_checkpoint
    from obm_tui.services.rules import apply_rules
    from obm_tui.vault.store import Vault

    vault = Vault.open(root)
    now = datetime(2026, 12, 2, 9, 0)
    head = vault.git.head()
    assert head is not None
    write_checkpoint(vault, head)  # the rules have looked: only what comes after counts
    clients = sorted((r for r in vault.records("client") if r.data.get("status") != "onboarding"),
                     key=lambda r: r.path)
    saves, passes, idle, bare = [], [], [], []
    for n in range(repetitions + 1):
        record = clients[(n * 7919) % len(clients)]
        saves.append(_timed(lambda rel=record.path, n=n: set_fields(vault, rel, {"phone": f"+1 555 {n:04d}"})))
        passes.append(_timed(lambda: apply_rules(vault, now)))
        idle.append(_timed(lambda: apply_rules(vault, now)))
        bare.append(_timed(lambda: subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True,
                                                  capture_output=True)))
    vault.close()
    median = statistics.median
    return {"save": median(saves[1:]), "pass": median(passes[1:]), "idle": median(idle[1:]),
            "bare": median(bare[1:])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The rule pass after a change, against the change.")
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--repetitions", type=int, default=15)
    args = parser.parse_args(argv)
    source = generate.vault(args.records)
    with tempfile.TemporaryDirectory(prefix="obm-rules-bench-") as where:
        figures = measure(_clone(source, Path(where)), args.repetitions)
    ms = {k: v * 1000 for k, v in figures.items()}
    print(f"rule pass after one change, {args.records} records ({args.repetitions} repetitions, medians)")
    print(f"  after a save   {ms['pass']:8.1f} ms   the save itself   {ms['save']:8.1f} ms   "
          f"ratio {figures['pass'] / figures['save']:.2f}")
    print(f"  nothing new    {ms['idle']:8.1f} ms   git rev-parse     {ms['bare']:8.1f} ms   "
          f"ratio {figures['idle'] / figures['bare']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
