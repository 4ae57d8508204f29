"""Shell completion through click's env-var protocol, in real processes: commands, kinds, record ids
and SKUs from the index cache of the vault found the usual way; never a write, never an error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git_out
from tests.integration.demo_copy import demo_master, sample_copy  # noqa: F401 (fixtures)

OBM = str(Path(sys.executable).parent / "obm")


def complete(line: str, *, cwd: Path, env: dict[str, str] | None = None, shell: str = "bash") -> list[str]:
    """What `obm` offers for the last word of `line` (an empty last word when `line` ends in a space)."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    run_env = {**os.environ, **(env or {}), "_OBM_COMPLETE": f"{shell}_complete",
               "COMP_WORDS": line, "COMP_CWORD": str(cword)}
    done = subprocess.run([OBM], env=run_env, cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    lines = done.stdout.splitlines()
    if shell == "zsh":  # type, value, help: three lines an item
        return lines[1::3]
    return [row.split(",", 1)[1] for row in lines if row]


@pytest.fixture
def warm_copy(sample_copy: Path) -> Path:  # noqa: F811
    """The sample vault after one read command (which leaves the index cache)."""
    subprocess.run([OBM, "--vault", str(sample_copy), "check"], capture_output=True, check=False)
    return sample_copy


def test_commands_and_kinds(tmp_path: Path) -> None:
    assert complete("obm li", cwd=tmp_path) == ["list"]
    assert {"ticket", "stock", "completion", "agenda"} <= set(complete("obm ", cwd=tmp_path))
    assert complete("obm ticket q", cwd=tmp_path) == ["queue"]
    assert complete("obm list cli", cwd=tmp_path) == ["client", "clients"]
    assert "purchase-order" in complete("obm new p", cwd=tmp_path)


def test_ids_and_skus_from_the_vault_found_the_usual_way(warm_copy: Path, tmp_path: Path) -> None:
    head, cache = git_out(warm_copy, "rev-parse", "HEAD"), warm_copy / ".obm/cache/index.bin"
    stamp = cache.stat().st_mtime_ns
    assert complete("obm show aisha", cwd=warm_copy / "clients") == ["aisha-khan"]  # upward from here
    assert complete(f"obm --vault {warm_copy} show aisha", cwd=tmp_path) == ["aisha-khan"]
    assert complete("obm log aisha", cwd=tmp_path, env={"OBM_VAULT": str(warm_copy)}) == ["aisha-khan"]
    skus = complete("obm stock ship MUG", cwd=warm_copy)
    assert skus == ["MUG-CLASSIC", "MUG-TRAVEL"]
    assert complete("obm po new Supplier M", cwd=warm_copy) == skus
    tickets = complete("obm ticket reply ", cwd=warm_copy)
    assert tickets and all(t.startswith("T-") for t in tickets)
    assert complete("obm run start client-on", cwd=warm_copy) == ["client-onboarding"]
    orders = sorted(p.stem for p in (warm_copy / "purchase-orders").glob("*.md"))
    assert complete("obm po order PO-", cwd=warm_copy) == orders
    assert complete("obm show aisha", cwd=warm_copy, shell="zsh") == ["aisha-khan"]
    assert git_out(warm_copy, "rev-parse", "HEAD") == head and git_out(warm_copy, "status", "--porcelain") == ""
    assert cache.stat().st_mtime_ns == stamp


def test_no_vault_or_no_cache_offers_nothing_quietly(sample_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    assert complete("obm show a", cwd=tmp_path) == []
    shutil.rmtree(sample_copy / ".obm/cache", ignore_errors=True)
    assert complete("obm show a", cwd=sample_copy) == []
    assert not (sample_copy / ".obm/cache/index.bin").exists()  # completion builds no cache
    assert complete("obm show a", cwd=tmp_path, env={"OBM_VAULT": str(tmp_path / "missing")}) == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script(tmp_path: Path, shell: str) -> None:
    done = subprocess.run([OBM, "completion", shell], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0 and "_OBM_COMPLETE" in done.stdout and done.stderr == ""


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_sources_the_script(tmp_path: Path) -> None:
    script = subprocess.run([OBM, "completion", "bash"], capture_output=True, text=True, check=True).stdout
    (tmp_path / "obm.bash").write_text(script)
    check = f"source {tmp_path / 'obm.bash'} && declare -F _obm_completion && complete -p obm"
    done = subprocess.run(["bash", "-c", check], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "_obm_completion" in done.stdout and "complete " in done.stdout and done.stdout.rstrip().endswith(" obm")
