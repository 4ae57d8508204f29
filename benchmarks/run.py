"""The performance benchmarks of the vault core, side by side with bare references, in one run.

    .venv/bin/python -m benchmarks.run --sizes 1000,10000          # make bench
    .venv/bin/python -m benchmarks.run --sizes 1000,10000,100000   # make bench-big

For each size it prints one table: our figure, the honest bare version of the same work, their
ratio, the target and PASS/MISS. Every repetition runs in a fresh interpreter (one measurement's
heap never slows another's fork or pool), and the repetitions of a figure and of its reference
are interleaved, so a busy machine slows both alike; each figure is the median. Besides wall
time, the CPU time (own and reaped children's) is shown: a second opinion that other programs
on the machine barely disturb. Method and results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks import generate

PYTHON = sys.executable
OBM = str(Path(sys.executable).with_name("obm"))
KB = 1024
Figures = dict[str, float]


@dataclass(frozen=True)
class Line:
    """One row of a table: our figure against its reference, with an optional target ratio."""

    figure: str
    ours: float
    reference: str
    ref: float
    unit: str = "s"
    target: float | None = None
    cpu_ratio: float | None = None

    @property
    def ratio(self) -> float:
        return self.ours / self.ref if self.ref else float("inf")

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "PASS" if self.ratio <= self.target else "MISS"


# ----- measurements: one repetition each, run in a child interpreter (see `child`) -----------
def _cpu() -> float:
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(name: str, fn: Callable[[], object]) -> Figures:
    """Wall and CPU seconds (own and reaped children's) of one call."""
    wall, cpu = time.perf_counter(), _cpu()
    fn()
    return {name: time.perf_counter() - wall, f"{name}_cpu": _cpu() - cpu}


def _record_files(root: Path) -> list[str]:
    from obm_tui.model.kinds import KINDS

    paths = []
    for kind in KINDS.values():
        with os.scandir(root / kind.folder) as entries:
            paths += [e.path for e in entries if e.name.endswith(".md") and not e.name.startswith(".")]
    return paths


def bare_read(root: Path) -> Figures:
    """List the kind folders and read every record file's bytes, in one process."""
    def once() -> None:
        for path in _record_files(root):
            with open(path, "rb") as handle:
                handle.read()
    return _timed("bare_read", once)


def bare_stat(root: Path) -> Figures:
    """List the kind folders and stat every record file (what a warm start cannot avoid)."""
    from obm_tui.model.kinds import KINDS

    def once() -> None:
        for kind in KINDS.values():
            with os.scandir(root / kind.folder) as entries:
                for entry in entries:
                    if entry.name.endswith(".md"):
                        entry.stat()
    return _timed("bare_stat", once)


def _parse_chunk(paths: list[str]) -> int:
    import yaml

    for path in paths:
        with open(path, "rb") as handle:
            raw = handle.read()
        end = raw.find(b"\n---", 3)
        yaml.load(raw[4:end].decode(), Loader=yaml.CSafeLoader)
    return len(paths)


def parse_limit(root: Path) -> Figures:
    """Find the files, then read each and parse its front matter with CSafeLoader, on all cores."""
    from concurrent.futures import ProcessPoolExecutor

    import yaml

    assert yaml.__with_libyaml__, "PyYAML without LibYAML: the parse limit would be the pure-Python one"
    workers = os.cpu_count() or 1

    def once() -> None:
        paths = _record_files(root)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = sum(pool.map(_parse_chunk, [paths[i::workers] for i in range(workers)]))
        assert done == len(paths)
    return _timed("parse_limit", once)


def _cache_file(root: Path) -> Path:
    from obm_tui.vault.cache import CACHE_FILE

    return root / CACHE_FILE


def _open(root: Path, check: bool = False) -> object:
    from obm_tui.vault.store import Vault

    vault = Vault.open(root, commit_external=check)
    vault.close()
    return vault


def cold_load(root: Path) -> Figures:
    """`Vault.open` with no cache file (the OS page cache stays warm, as for the parse limit)."""
    from obm_tui.vault import safeyaml

    assert safeyaml.LIBYAML, "obm is not using LibYAML"
    _cache_file(root).unlink(missing_ok=True)
    got = _timed("cold_load", lambda: _open(root))
    vault = _open(root)
    got["problems"] = sum(1 for record in vault.index.all() if record.problems)  # type: ignore[attr-defined]
    return got


def warm_start(root: Path) -> Figures:
    """`Vault.open` with a current cache (stat every file, parse nothing), without and with the
    check for files changed outside obm that the CLI and the TUI do (`git status`)."""
    _open(root)
    return {**_timed("warm_start", lambda: _open(root)), **_timed("open_checked", lambda: _open(root, True))}


def memory(root: Path, mode: str) -> Figures:
    """Peak RSS of a process opening the vault (`cold` or `warm`), without tracemalloc."""
    import resource

    from obm_tui.vault.store import Vault  # noqa: F401 - imports are not part of the open

    if mode == "cold":
        _cache_file(root).unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KB
    _open(root)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KB
    return {f"peak_{mode}": peak, "rss_imports": before}


def index_bytes(root: Path, mode: str) -> Figures:
    """Bytes a whole opened vault holds a record (tracemalloc: live Python allocations)."""
    import concurrent.futures.process  # noqa: F401 - modules a cold load imports are code, not index
    import gc
    import tracemalloc

    from obm_tui.vault.store import Vault

    if mode == "cold":
        _cache_file(root).unlink(missing_ok=True)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    vault = Vault.open(root, commit_external=False)
    vault.close()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - base
    return {f"index_{mode}": held / len(vault.index)}


def commits(root: Path, changes: int) -> Figures:
    """One field change through the service API on an open vault vs a bare `git commit -- path`.

    Both roads change the `status` of a ticket (open <-> pending) in the same repository,
    alternately, `changes` times each after one untimed warm-up each; medians of wall time.
    """
    from obm_tui.services.records import set_fields
    from obm_tui.vault.store import Vault

    vault = Vault.open(root)
    tickets = sorted((r for r in vault.records("ticket") if r.data.get("status") in ("open", "pending")),
                     key=lambda r: r.path)
    step = max(1, len(tickets) // (2 * changes + 3))
    picked = tickets[::step][: 2 * changes + 2]
    ours: list[float] = []
    bare: list[float] = []
    for n in range(changes + 1):
        bare.append(_bare_commit(root, picked[2 * n].path, n))
        record = vault.find(picked[2 * n + 1].path)
        new = "pending" if record.data.get("status") == "open" else "open"
        ours.append(_timed("x", lambda rel=record.path, new=new: set_fields(vault, rel, {"status": new}))["x"])
    vault.close()
    return {"commit_ours": statistics.median(ours[1:]), "commit_bare": statistics.median(bare[1:])}


def _bare_commit(root: Path, rel: str, n: int) -> float:
    """The same edit made by a plain write, then only `git commit -q -m msg -- path` is timed."""
    path = root / rel
    raw = path.read_bytes()
    if b"\nstatus: open\n" in raw:
        raw = raw.replace(b"\nstatus: open\n", b"\nstatus: pending\n", 1)
    else:
        raw = raw.replace(b"\nstatus: pending\n", b"\nstatus: open\n", 1)
    path.write_bytes(raw)
    command = ["git", "-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", f"ticket: status change {n}", "--", rel]
    return _timed("x", lambda: subprocess.run(command, cwd=root, check=True))["x"]


def _installed_env() -> dict[str, str]:
    """The environment of an installed obm: bytecode is cached (kept out of the source tree)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(generate.VAULTS / "pycache")
    return env


def process(command: list[str], name: str) -> Figures:
    """A whole process, output thrown away."""
    env = _installed_env()
    return _timed(name, lambda: subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                               check=True, env=env))


MEASURES: dict[str, Callable[..., Figures]] = {
    f.__name__: f for f in (bare_read, bare_stat, parse_limit, cold_load, warm_start, memory, index_bytes, commits)
}


def child(name: str, root: Path, *args: object) -> Figures:
    """Run one measurement in a fresh interpreter and return its figures."""
    call = ", ".join([f"Path({str(root)!r})", *map(repr, args)])
    code = ("import json; from pathlib import Path; from benchmarks.run import MEASURES; "
            f"print(json.dumps(MEASURES[{name!r}]({call})))")
    done = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parent.parent,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----- one size -----------------------------------------------------------------------------
def measure(size: int, reps: int, changes: int) -> Figures:
    """All raw figures for one vault size (medians over interleaved repetitions)."""
    root = generate.vault(size)
    obm_list = [OBM, "--vault", str(root), "list", "tickets", "--where", "status=open"]
    process(obm_list, "warm-up")  # compiles the bytecode once, as an installed obm would have it
    runs: list[Figures] = []
    for rep in range(reps):
        _say(f"{size:,}: repetition {rep + 1} of {reps}")
        got: Figures = {}
        for name in ("bare_read", "bare_stat", "parse_limit", "cold_load", "warm_start"):
            got.update(child(name, root))
        got.update(process(obm_list, "obm_list"))
        got.update(process([PYTHON, "-c", "pass"], "python_start"))
        got.update(process(["git", "-C", str(root), "status", "--porcelain"], "git_status"))
        runs.append(got)
    medians = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    _say(f"{size:,}: memory")
    for mode in ("cold", "warm"):
        medians.update(child("memory", root, mode))
        medians.update(child("index_bytes", root, mode))
    _say(f"{size:,}: commits")
    medians.update(child("commits", root, changes))
    return medians


def lines(got: Figures, size: int) -> list[Line]:
    """The table of one size."""
    def cpu(ours: str, ref: str) -> float:
        return got[f"{ours}_cpu"] / got[f"{ref}_cpu"] if got[f"{ref}_cpu"] else float("inf")

    mb = KB * KB
    return [
        Line("bare read of all files", got["bare_read"], "(reference only)", got["bare_read"]),
        Line("cold load (no cache)", got["cold_load"], "parse limit", got["parse_limit"], target=1.25,
             cpu_ratio=cpu("cold_load", "parse_limit")),
        Line("warm start (cache)", got["warm_start"], "bare stat of every file", got["bare_stat"],
             target=3.0 if size >= 100_000 else None, cpu_ratio=cpu("warm_start", "bare_stat")),
        Line("warm open + outside edits", got["open_checked"], "bare git status", got["git_status"],
             cpu_ratio=cpu("open_checked", "git_status")),
        Line("field change committed", got["commit_ours"], "bare git commit -- path", got["commit_bare"],
             target=1.0 if size >= 100_000 else None),
        Line("obm list --where (process)", got["obm_list"], "python -c pass", got["python_start"],
             cpu_ratio=cpu("obm_list", "python_start")),
        Line("peak RSS, cold open", got["peak_cold"] / mb, "RSS after imports", got["rss_imports"] / mb, "MB"),
        Line("peak RSS, warm open", got["peak_warm"] / mb, "RSS after imports", got["rss_imports"] / mb, "MB"),
        Line("index per record, warm", got["index_warm"], "target", 1.5 * KB, "B", target=1.0),
        Line("index per record, cold", got["index_cold"], "target", 1.5 * KB, "B", target=1.0),
    ]


# ----- printing -----------------------------------------------------------------------------
def _value(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:8.1f} ms" if value < 10 else f"{value:8.2f} s "
    return f"{value:8.0f} {unit:<2}"


def table(size: int, rows: list[Line], problems: float) -> str:
    """One size's figures as text."""
    head = f"\n== {size:,} records ==" + (f"  ({problems:.0f} records with problems!)" if problems else "")
    columns = (f"{'figure':<28}{'ours':>12}   {'reference':<24}{'ref':>12}{'ratio':>8}{'target':>8}"
               f"{'':6}{'cpu ratio':>9}")
    out = [head, columns]
    for row in rows:
        target = f"≤{row.target:.2f}x" if row.target is not None else ""
        ratio = f"{row.ratio:7.2f}x" if row.reference != "(reference only)" else ""
        cpu = f"{row.cpu_ratio:8.2f}x" if row.cpu_ratio is not None else ""
        out.append(f"{row.figure:<28}{_value(row.ours, row.unit):>12}   {row.reference:<24}"
                   f"{_value(row.ref, row.unit):>12}{ratio:>8}{target:>8}  {row.verdict:<4}{cpu:>9}")
    return "\n".join(line.rstrip() for line in out)


def _say(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="obm performance benchmarks (see docs/performance.md)")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated vault sizes")
    parser.add_argument("--reps", type=int, default=0, help="repetitions per figure (default: 5, 3 at 100k+)")
    parser.add_argument("--changes", type=int, default=7, help="commits timed on each road")
    parser.add_argument("--json", type=Path, help="also write every raw figure to this file")
    args = parser.parse_args(argv)
    results: dict[str, Figures] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        got = measure(size, args.reps or (3 if size >= 100_000 else 5), args.changes)
        results[str(size)] = got
        print(table(size, lines(got, size), got["problems"]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
