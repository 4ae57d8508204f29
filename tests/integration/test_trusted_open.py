"""The app's open: the cache taken on trust for the first frame, then compared with the files."""

from __future__ import annotations

import os
from pathlib import Path

from obm_tui.vault.refresh import verify_trusted
from obm_tui.vault.store import Vault


def client(slug: str, name: str) -> str:
    return f"---\ntype: client\nid: {slug}\nname: {name}\n---\n"


def snapshot(vault: Vault) -> dict[str, tuple]:
    return {r.path: (r.id, dict(r.data), r.problems, r.digest) for r in vault.index.all()}


def changed_while_closed(root: Path) -> None:
    """What other programs did while obm was closed, after its cache was written."""
    (root / "clients/ann.md").write_text(client("ann", "Ann Leigh"))
    (root / "clients/bo.md").unlink()
    (root / "clients/cy.md").write_text(client("cy", "Cy Twain"))
    (root / "clients/dup.md").write_text(client("ann", "Another Ann"))  # a duplicate id: a cross-file problem
    stray = root / "clients/.~obm-ann.md.ab12cd34"
    stray.write_text("half a save")
    os.utime(stray, (1, 1))


def test_the_files_win_over_a_trusted_cache_once_verified(empty_vault: Path) -> None:
    (empty_vault / "clients/ann.md").write_text(client("ann", "Ann"))
    (empty_vault / "clients/bo.md").write_text(client("bo", "Bo"))
    Vault.open(empty_vault).close()  # writes the cache
    changed_while_closed(empty_vault)
    vault = Vault.open(empty_vault, commit_external=False, trust_cache=True)
    assert vault.unverified is not None
    assert vault.find("ann").title == "Ann" and vault.index.by_path("clients/bo.md") is not None  # as cached
    reloaded = verify_trusted(vault)
    assert set(reloaded.changed) == {"clients/ann.md", "clients/bo.md", "clients/cy.md", "clients/dup.md"}
    assert vault.unverified is None
    fresh = Vault.open(empty_vault, use_cache=False, commit_external=False)
    assert snapshot(vault) == snapshot(fresh)
    assert any("also used by" in p.reason for p in vault.index.by_path("clients/dup.md").problems)
    assert not (empty_vault / "clients/.~obm-ann.md.ab12cd34").exists()
    again = Vault.open(empty_vault, commit_external=False, trust_cache=True)  # the cache was saved
    assert snapshot(again) == snapshot(fresh)


def test_a_current_cache_changes_nothing(empty_vault: Path) -> None:
    (empty_vault / "clients/ann.md").write_text(client("ann", "Ann"))
    Vault.open(empty_vault).close()
    vault = Vault.open(empty_vault, commit_external=False, trust_cache=True)
    before = snapshot(vault)
    assert verify_trusted(vault).changed == ()
    assert snapshot(vault) == before and vault.unverified is None


def test_without_a_cache_the_open_is_verified_already(empty_vault: Path) -> None:
    (empty_vault / "clients/ann.md").write_text(client("ann", "Ann"))
    vault = Vault.open(empty_vault, use_cache=False, commit_external=False, trust_cache=True)
    assert vault.unverified is None
    assert verify_trusted(vault).changed == ()


def test_two_new_files_that_clash_with_each_other_are_reported_on_reload(empty_vault: Path) -> None:
    """A pull bringing two records with one id: the reload finds the clash between them."""
    from obm_tui.vault.refresh import reload_paths

    vault = Vault.open(empty_vault, commit_external=False)
    (empty_vault / "clients/ann.md").write_text(client("ann", "Ann"))
    (empty_vault / "clients/ann-2.md").write_text(client("ann", "Ann again"))
    reload_paths(vault, ["clients/ann.md", "clients/ann-2.md"])
    reasons = [p.reason for p in vault.index.by_path("clients/ann.md").problems]
    assert any("also used by clients/ann-2.md" in r for r in reasons)
