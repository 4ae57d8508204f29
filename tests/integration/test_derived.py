"""Values worked out from a record's file are kept per version of the file (vault.derived)."""

from __future__ import annotations

from pathlib import Path

import pytest

from obm_tui.model.errors import FormatError
from obm_tui.services import records as svc
from obm_tui.vault.frontmatter import read_body
from obm_tui.vault.store import Vault

ANN = "---\ntype: client\nid: ann\nname: Ann\n---\nfirst body\n"


@pytest.fixture
def vault(empty_vault: Path) -> Vault:
    (empty_vault / "clients/ann.md").write_text(ANN)
    return Vault.open(empty_vault)


class Counting:
    """compute() that counts how often it reads a file."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self, raw: bytes) -> str:
        self.reads += 1
        return read_body(raw)


def test_a_value_is_worked_out_once_per_version_of_the_file(vault: Vault) -> None:
    compute = Counting()
    assert vault.derived.get(vault.find("ann"), "body", compute) == "first body\n"
    assert vault.derived.get(vault.find("ann"), "body", compute) == "first body\n"
    assert compute.reads == 1
    svc.update(vault, vault.find("ann"), {}, body="second body\n", base_body="first body\n")
    assert vault.derived.get(vault.find("ann"), "body", compute) == "second body\n"
    assert compute.reads == 2


def test_a_file_newer_than_the_index_is_read_but_not_kept(vault: Vault) -> None:
    """Another program changed the file and the watcher has not reloaded it yet: the value comes
    from the file, but it is not kept under the index's (older) digest."""
    compute = Counting()
    (vault.root / "clients/ann.md").write_text(ANN.replace("first", "outside"))
    record = vault.find("ann")
    assert vault.derived.get(record, "body", compute) == "outside body\n"
    assert vault.derived.get(record, "body", compute) == "outside body\n"
    assert compute.reads == 2


def test_a_failure_is_raised_and_not_kept(vault: Vault) -> None:
    calls = []

    def broken(raw: bytes) -> str:
        calls.append(raw)
        raise FormatError("bad ledger", 3)

    for _ in range(2):
        with pytest.raises(FormatError):
            vault.derived.get(vault.find("ann"), "ledger", broken)
    assert len(calls) == 2


def test_values_of_deleted_records_are_dropped(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("obm_tui.vault.derived.SLACK", -len(vault.index) - 1)  # drop on every new value
    vault.derived.get(vault.find("ann"), "body", read_body)
    svc.new_record(vault, "client", "Bea")
    svc.delete_record(vault, "ann")
    vault.derived.get(vault.find("bea"), "body", read_body)
    assert len(vault.derived) == 1
