"""Print how the packages installed in another venv differ from the lock.

    python scripts/versions_vs_lock.py .venv-latest/bin/python requirements-dev.lock

`make test-latest` and `make test-floor` run it before their test suites, so their output says
which versions the run is about (newer or older than the lock), next to the result.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

SEEDED = {"pip", "setuptools", "wheel"}  # what `uv venv --seed` puts in every venv, lock or not
PINNED = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions(lock: Path) -> dict[str, str]:
    found = (PINNED.match(line) for line in lock.read_text(encoding="utf-8").splitlines())
    return {normal(m.group(1)): m.group(2) for m in found if m}


def installed_versions(python: str) -> dict[str, str]:
    code = ("import importlib.metadata as m, json; "
            "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))")
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout
    return {normal(name): version for name, version in json.loads(out).items()}


def main(python: str, lock: str) -> None:
    locked, installed = locked_versions(Path(lock)), installed_versions(python)
    rows = [(name, locked.get(name, "-"), version) for name, version in sorted(installed.items())
            if name != "obm" and locked.get(name) != version and not (name in SEEDED and name not in locked)]
    if not rows:
        print(f"{python}: the same versions as {lock}")
        return
    print(f"{python}: {len(rows)} package(s) differ from {lock}")
    print(f"  {'package':<28} {'lock':<14} installed")
    for name, was, now in rows:
        print(f"  {name:<28} {was:<14} {now}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: versions_vs_lock.py PYTHON LOCK")
    main(sys.argv[1], sys.argv[2])
