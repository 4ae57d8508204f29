"""Fixtures shared by every test: a clean environment, and vaults in temporary folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_VAULT = REPO / "vault"
CORPUS = REPO / "tests" / "corpus"  # a copy of shared/corpus (MIT-licensed files; see its README)


TEST_BUSINESS = {
    "owner": "Olive Owner", "manager": "Max Manager", "email": "hello@test-business.example",
    "calendar_link": "https://cal.test-business.example/call", "payment_link": "https://pay.test-business.example/card",
    "course_link": "https://learn.test-business.example/login", "address": "1 Test Street, Testville",
}


@pytest.fixture(autouse=True)
def clean_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's own git identity, config and vault out of tests."""
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = Test Person\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("OBM_VAULT", "OBM_DEBUG", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def empty_vault(tmp_path: Path) -> Path:
    """A vault made by `obm init`, with the [business] settings the shipped templates use."""
    from obm_tui.services.setup import init_vault

    root = tmp_path / "vault"
    init_vault(root, name="Test Business", timezone="America/New_York", business=TEST_BUSINESS)
    return root


@pytest.fixture
def sample_vault(tmp_path: Path) -> Path:
    """A demo copy of the sample vault (its own git repository)."""
    from obm_tui.services.setup import make_demo

    return make_demo(tmp_path / "demo")


def git_out(root: Path, *args: str) -> str:
    import subprocess

    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


@pytest.fixture
def corpus() -> Path:
    return CORPUS


os.environ.setdefault("TZ", "UTC")
