"""Fixtures for the TUI tests: the fixed vault (at ~/vault, with a fixed commit) and the sample vault."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from obm_tui.vault.store import Vault
from tests.tui.helpers import write_vault


@pytest.fixture
def fixed_vault_path() -> Path:
    """The fixed vault at ~/vault (HOME is a temporary folder in tests, so the path shows as ~/vault)."""
    return write_vault(Path.home() / "vault")


@pytest.fixture
def vault(fixed_vault_path: Path) -> Iterator[Vault]:
    opened = Vault.open(fixed_vault_path)
    yield opened
    opened.close()


@pytest.fixture
def sample(sample_vault: Path) -> Iterator[Vault]:
    opened = Vault.open(sample_vault)
    yield opened
    opened.close()
