"""External-edit commits name exactly the files they commit, in obm's business words (issue 11, item 9)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from obm_tui.vault.store import Vault
from obm_tui.vault.watch import Batch, VaultWatcher
from tests.conftest import git_out

MAYA = "clients/maya-patel.md"
INVOICE = "invoices/INV-261101-AAA.md"
FILES = {
    MAYA: "---\ntype: client\nid: maya-patel\nname: Maya Patel\nstatus: onboarding\ncontract: sent\n---\n\nNotes.\n",
    INVOICE: ("---\ntype: invoice\nid: INV-261101-AAA\ntitle: November\nclient: \"[[maya-patel]]\"\n"
              "amount: \"100.00\"\nstatus: sent\nissued: 2026-11-01\ndue: 2026-11-15\n---\n"),
}


@pytest.fixture
def vault(empty_vault: Path) -> Iterator[Vault]:
    for rel, text in FILES.items():
        (empty_vault / rel).parent.mkdir(parents=True, exist_ok=True)
        (empty_vault / rel).write_text(text)
    git_out(empty_vault, "add", "-A")
    git_out(empty_vault, "commit", "-qm", "maya and her invoice")
    opened = Vault.open(empty_vault)
    yield opened
    opened.close()


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    path.write_text(path.read_text().replace(old, new))


def last(root: Path) -> tuple[str, list[str]]:
    subject = git_out(root, "log", "-1", "--format=%s").strip()
    files = git_out(root, "show", "--name-only", "--format=", "HEAD").split()
    return subject, files


def test_the_watcher_names_only_what_it_commits_in_business_words(vault: Vault) -> None:
    edit(vault.root, MAYA, "contract: sent", "contract: signed")
    (vault.root / INVOICE).write_bytes((vault.root / INVOICE).read_bytes())  # saved again, unchanged
    watcher = VaultWatcher(vault)
    applied = watcher.apply(Batch(paths=frozenset({MAYA, INVOICE})))
    assert applied.commit is not None
    assert last(vault.root) == ("external edit: client maya-patel: contract sent -> signed", [MAYA])


def test_several_files_each_in_its_words(vault: Vault) -> None:
    edit(vault.root, MAYA, "status: onboarding\n", "")
    edit(vault.root, MAYA, "Notes.", "Notes, longer.")
    edit(vault.root, INVOICE, "status: sent", "status: paid")
    (vault.root / "clients" / "zed-q.md").write_text("---\ntype: client\nid: zed-q\nname: Zed Q\n---\n")
    assert vault.commit_external_edits() is not None
    subject, files = last(vault.root)
    assert subject == ("external edit: client maya-patel: status removed, notes edited; "
                       "client zed-q: created (Zed Q); invoice INV-261101-AAA: status sent -> paid")
    assert sorted(files) == sorted([MAYA, INVOICE, "clients/zed-q.md"])


def test_a_deleted_file_and_one_that_does_not_parse(vault: Vault) -> None:
    (vault.root / INVOICE).unlink()
    (vault.root / MAYA).write_text("---\nname: [unclosed\n---\n")
    vault.commit_external_edits()
    subject, files = last(vault.root)
    assert subject == ("external edit: client maya-patel: edited (clients/maya-patel.md does not parse); "
                       "invoice INV-261101-AAA: deleted")
    assert sorted(files) == [MAYA, INVOICE]
