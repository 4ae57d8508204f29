"""GitPython against obm's own git layer, for the reads GitPython would be the natural tool for.

    .venv/bin/python -m benchmarks.gitpython_bench --commits 2000

Builds a throwaway repository of N one-file commits (a vault's history: one record changed per
commit, in nine folders), then measures, each the median of several runs in this process:

- the import: `import git` (GitPython) vs `import obm_tui.vault.git`, in fresh interpreters;
- the history screen's read: the last 500 commits with the paths each touched —
  `Repo.iter_commits(max_count=500)` + `commit.stats.files` vs `Git.log(limit=500)`;
- one record's history: `Repo.iter_commits(paths=p)` vs `Git.log(p)`;
- the remotes and config obm sync reads: `Repo.remotes` + `config_reader()` vs `read_config`.

It prints each pair and their ratio (GitPython ÷ obm). docs/architecture.md has the decision
these figures support; tests/unit/test_gitpython_runs_vault_programs.py the safety reason.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from obm_tui.vault.git import Git
from obm_tui.vault.git_config import read_config

FOLDERS = ("tickets", "invoices", "clients", "declines", "stock", "processes", "checklists", "notes", "finances")


def build_history(root: Path, commits: int) -> None:
    """A repository with `commits` commits, each adding or changing one record, via fast-import."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    lines: list[str] = []
    for n in range(commits):
        path = f"{FOLDERS[n % len(FOLDERS)]}/record-{n % 500:04d}.md"
        content = f"---\ntitle: record {n}\nstatus: open\n---\nversion {n}\n"
        message = f"record {n}: status open"
        lines += [
            "commit refs/heads/main",
            f"committer obm <obm@localhost> {1_700_000_000 + n * 60} +0000",
            f"data {len(message)}",
            message,
        ]
        lines += [f"M 100644 inline {path}", f"data {len(content.encode())}", content]
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input="\n".join(lines).encode(), check=True)
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=root, check=True)
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=root, check=True)


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_seconds(module: str, runs: int) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
             for _ in range(runs)]
    return statistics.median(times)


def report(label: str, theirs: float, ours: float) -> None:
    print(f"{label:<44} GitPython {theirs * 1000:8.1f} ms   obm {ours * 1000:8.1f} ms   ratio {theirs / ours:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import git as gitpython  # dev dependency only: see docs/architecture.md

    with tempfile.TemporaryDirectory(prefix="obm-gitpython-bench-") as tmp:
        root = Path(tmp) / "vault"
        build_history(root, args.commits)
        repo = gitpython.Repo(root)
        ours = Git(root)
        one = f"{FOLDERS[0]}/record-0000.md"
        print(f"{args.commits} commits, median of {args.runs} runs")
        report("import", import_seconds("git", args.runs), import_seconds("obm_tui.vault.git", args.runs))
        report("last 500 commits with their paths",
               median_seconds(lambda: [c.stats.files for c in repo.iter_commits(max_count=500)], args.runs),
               median_seconds(lambda: ours.log(limit=500), args.runs))
        report("one record's history",
               median_seconds(lambda: list(repo.iter_commits(paths=one)), args.runs),
               median_seconds(lambda: ours.log(one), args.runs))
        report("remotes and config",
               median_seconds(lambda: (repo.remotes, list(repo.config_reader().sections())), args.runs),
               median_seconds(lambda: read_config(ours._run), args.runs))
        ours.close()
        repo.close()


if __name__ == "__main__":
    main()
