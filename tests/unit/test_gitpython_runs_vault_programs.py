"""Why GitPython is not obm's git layer (docs/architecture.md, "Why not GitPython").

A vault may come from anywhere, and its `.git/config` can name programs. GitPython runs git with
the repository's config as it is, so reading a booby-trapped vault runs the vault's program; obm's
layer (`vault/git.py`) runs the same read without it. If GitPython ever stops running it, the first
test fails: then look again at using it (benchmarks/gitpython_bench.py has the speed side).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import git as gitpython

from obm_tui.vault.git import Git


def trapped_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A repository with one commit whose config names an fsmonitor program that leaves a sentinel."""
    root, sentinel = tmp_path / "vault", tmp_path / "ran"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "note.md").write_text("---\ntitle: x\n---\n")
    subprocess.run(["git", "-C", str(root), "add", "note.md"], check=True)
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                   check=True)
    hook = tmp_path / "monitor.sh"
    hook.write_text(f"#!/bin/sh\ntouch {sentinel}\n")
    hook.chmod(0o755)
    subprocess.run(["git", "-C", str(root), "config", "core.fsmonitor", str(hook)], check=True)
    (root / "note.md").write_text("---\ntitle: y\n---\n")
    return root, sentinel


def test_gitpython_runs_the_vaults_fsmonitor_when_asked_if_anything_changed(tmp_path: Path) -> None:
    root, sentinel = trapped_repo(tmp_path)
    with gitpython.Repo(root) as repo:
        assert repo.is_dirty()
    assert sentinel.exists()


def test_obm_reads_the_same_change_without_running_it(tmp_path: Path) -> None:
    root, sentinel = trapped_repo(tmp_path)
    with Git(root) as git:
        assert git.changed_paths() == ["note.md"]
    assert not sentinel.exists()
