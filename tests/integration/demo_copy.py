"""A fast private copy of the sample vault for each test (the care and stock tests use many).

`make_demo` takes ~0.4 s (a fresh git repository and a first commit); copying a demo made once
per session takes a tenth of that: work files are copied, git's immutable objects hard-linked.
Import the fixtures into a test module: `from tests.integration.demo_copy import demo_master, sample_copy`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def _copy(src: str, dst: str) -> None:
    if f"{os.sep}.git{os.sep}objects{os.sep}" in src:
        try:
            os.link(src, dst)  # objects never change: sharing them is safe
            return
        except OSError:
            pass
    shutil.copy2(src, dst)


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample vault made once, with the same clean git environment as every test."""
    from obm_tui.services.setup import make_demo

    home = tmp_path_factory.mktemp("master-home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = Test Person\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("HOME", home), ("XDG_CONFIG_HOME", home / ".config"), ("GIT_CONFIG_GLOBAL", gitconfig),
                            ("GIT_CONFIG_NOSYSTEM", "1")):
            patch.setenv(name, str(value))
        made = make_demo(tmp_path_factory.mktemp("master") / "demo")
        _rules_have_looked(made)
        return made


def _rules_have_looked(root: Path) -> None:
    """As if the rules had already looked at the demo (an app opened on it once): a test's first
    change then starts only what that change calls for. A demo the rules never looked at starts the
    runs its records call for on the first change (tests/integration/test_rules.py tests that)."""
    from obm_tui.services.rule_history import write_checkpoint
    from obm_tui.vault.store import Vault

    vault = Vault.open(root)
    head = vault.git.head()
    assert head is not None
    write_checkpoint(vault, head)
    vault.close()


@pytest.fixture
def sample_copy(demo_master: Path, tmp_path: Path) -> Path:
    """This test's own copy of the sample vault (its own git repository)."""
    return Path(shutil.copytree(demo_master, tmp_path / "demo", symlinks=True, copy_function=_copy))
