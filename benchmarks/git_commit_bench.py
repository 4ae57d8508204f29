"""Time one-file commits through `Git.commit` against a bare `git commit -q -m msg -- path`.

    .venv/bin/python -m benchmarks.git_commit_bench --files 100000 --changes 10

Builds (once, cached under benchmarks/.vaults/) a repository of N files of ~1.5 KB spread over
nine folders with `git fast-import` and `git read-tree -u`, then changes K files one at a time
through each road on the same repository and prints the medians and their ratio. The roads
take turns (bare, obm, bare, ...) on files spread over all folders, so both see the same
repository state and warm caches. `--git-defaults` first removes obm's settings (core.fsync,
untracked cache) so both roads run on git's defaults.

Measured on the 2-core build machine (median of 10, ms; ratio = Git.commit / git commit):
    10k files:  obm settings 51 vs 75 (0.68); git defaults 29 vs 48 (0.61)
    100k files: obm settings 132 vs 480 (0.27); git defaults 130 vs 558 (0.23)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from obm_tui.vault.git import SETTINGS, Git

FOLDERS = (
    ("tickets", 40),
    ("invoices", 20),
    ("clients", 10),
    ("declines", 10),
    ("stock", 5),
    ("processes", 5),
    ("checklists", 5),
    ("notes", 3),
    ("finances", 2),
)
_PLAIN = ["git", "-c", "core.hooksPath=/dev/null", "-c", "user.name=bench", "-c", "user.email=b@x"]


def _content(folder: str, index: int) -> bytes:
    """~1.5 KB of front matter and body, different for every file."""
    head = f"---\ntype: {folder[:-1]}\nid: {folder[:1].upper()}-{index:06d}\nstatus: open\n"
    head += f"owner: person-{index % 97}\ncreated: 2026-{index % 12 + 1:02d}-{index % 28 + 1:02d}\n---\n"
    body = "".join(f"- line {n} of record {index} in {folder}: some words here\n" for n in range(24))
    return (head + body).encode()


def _paths(count: int) -> list[tuple[str, int]]:
    weights = sum(w for _, w in FOLDERS)
    out: list[tuple[str, int]] = []
    for folder, weight in FOLDERS:
        share = count * weight // weights
        out += [(folder, i) for i in range(share)]
    folder0 = FOLDERS[0][0]
    out += [(folder0, len(out) + i) for i in range(count - len(out))]
    return out


def _fast_import_stream(count: int):
    for mark, (folder, index) in enumerate(_paths(count), start=1):
        data = _content(folder, index)
        yield b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n"
    yield b"commit refs/heads/main\ncommitter bench <b@x> 1700000000 +0000\ndata 5\nseed\n"
    for mark, (folder, index) in enumerate(_paths(count), start=1):
        yield f"M 100644 :{mark} {folder}/{folder[:1]}-{index:06d}.md\n".encode()
    yield b"\n"


def build(root: Path, count: int) -> None:
    """Create the repository (skipped when it already exists with a clean work tree)."""
    if (root / ".git").is_dir():
        return
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    subprocess.run([*_PLAIN, "init", "-q", "-b", "main", str(root)], check=True)
    proc = subprocess.Popen([*_PLAIN, "fast-import", "--quiet"], cwd=root, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for chunk in _fast_import_stream(count):
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("fast-import failed")
    subprocess.run([*_PLAIN, "read-tree", "-u", "--reset", "HEAD"], cwd=root, check=True)
    time.sleep(1.1)  # let the index stop being racy, then refresh its stat data
    subprocess.run([*_PLAIN, "status", "--porcelain"], cwd=root, check=True, stdout=subprocess.DEVNULL)


def _change(root: Path, rel: str, n: int) -> None:
    with open(root / rel, "ab") as handle:
        handle.write(f"- change {n} at {time.time_ns()}\n".encode())


def _time_bare(root: Path, rel: str, n: int) -> float:
    _change(root, rel, n)
    start = time.perf_counter()
    subprocess.run([*_PLAIN, "commit", "-q", "-m", f"bare {n}", "--", rel], cwd=root, check=True)
    return time.perf_counter() - start


def _time_obm(git: Git, root: Path, rel: str, n: int) -> float:
    _change(root, rel, n)
    start = time.perf_counter()
    sha = git.commit([rel], f"obm {n}")
    elapsed = time.perf_counter() - start
    if sha is None:
        raise SystemExit(f"Git.commit made no commit for {rel}")
    return elapsed


def _pick(count: int, changes: int) -> list[str]:
    paths = _paths(count)
    step = max(1, len(paths) // (2 * changes + 1))
    return [f"{f}/{f[:1]}-{i:06d}.md" for f, i in paths[step::step]][: 2 * changes]


def _plain_config(root: Path) -> None:
    """Drop the keys `ensure_settings` writes, so both roads run on git's defaults."""
    for key in SETTINGS:
        subprocess.run([*_PLAIN, "config", "--local", "--unset", key], cwd=root, check=False)
    subprocess.run([*_PLAIN, "update-index", "--no-untracked-cache"], cwd=root, check=True)


def run(count: int, changes: int, where: Path, settings: bool = True) -> tuple[float, float]:
    """Build or reuse the repository, then return (median Git.commit, median bare commit) seconds.

    With `settings`, the repository gets obm's settings first (`Git.ensure_settings`: core.fsync,
    untracked cache); without, both roads run on git's default configuration.
    """
    root = where / f"commit-{count}"
    started = time.perf_counter()
    build(root, count)
    print(f"repository of {count} files ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    picks = _pick(count, changes)
    obm: list[float] = []
    bare: list[float] = []
    if not settings:
        _plain_config(root)
    with Git(root) as git:
        if settings:
            git.ensure_settings()
        for n in range(changes):
            bare.append(_time_bare(root, picks[2 * n], n))
            obm.append(_time_obm(git, root, picks[2 * n + 1], n))
    return statistics.median(obm), statistics.median(bare)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--where", type=Path, default=Path(__file__).parent / ".vaults")
    parser.add_argument("--fresh", action="store_true", help="rebuild the repository first")
    parser.add_argument("--git-defaults", action="store_true", help="skip obm's settings (core.fsync...)")
    args = parser.parse_args(argv)
    if args.fresh:
        shutil.rmtree(args.where / f"commit-{args.files}", ignore_errors=True)
    obm, bare = run(args.files, args.changes, args.where, settings=not args.git_defaults)
    config = "git defaults" if args.git_defaults else "obm settings"
    print(f"files={args.files} changes={args.changes} config={config}")
    print(f"Git.commit  median {obm * 1000:8.1f} ms")
    print(f"git commit  median {bare * 1000:8.1f} ms")
    print(f"ratio Git.commit / git commit = {obm / bare:.2f}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("LC_ALL", "C")
    raise SystemExit(main())
