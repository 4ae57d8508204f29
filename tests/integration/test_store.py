"""The vault store on real files and real git: one road for every change."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from obm_tui.model.errors import ConflictError, UsageError, ValidationError, VaultError
from obm_tui.services import records as svc
from obm_tui.vault.store import FieldConflictError, Vault
from tests.conftest import git_out


def commit_count(root: Path) -> int:
    return int(git_out(root, "rev-list", "--count", "HEAD").strip())


def test_init_makes_a_committed_vault(empty_vault: Path) -> None:
    assert (empty_vault / ".obm" / "config.toml").is_file()
    assert "/cache/" in (empty_vault / ".obm" / ".gitignore").read_text()
    assert not (empty_vault / ".gitignore").exists()  # the user's file: obm init never writes it
    assert git_out(empty_vault, "status", "--porcelain") == ""
    assert "core.fsync=committed" in git_out(empty_vault, "config", "--local", "--list")


def test_new_record_is_one_commit_with_business_message(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    before = commit_count(empty_vault)
    result = svc.new_record(vault, "client", "Fred Smith", {"email": "fred@example.com", "status": "onboarding"})
    assert result.record.path == "clients/fred-smith.md"
    assert commit_count(empty_vault) == before + 1
    assert git_out(empty_vault, "log", "-1", "--format=%s") == "client fred-smith: created (Fred Smith)\n"
    assert git_out(empty_vault, "show", "--name-only", "--format=", "HEAD").split() == ["clients/fred-smith.md"]
    text = (empty_vault / "clients/fred-smith.md").read_text()
    assert text.startswith("---\ntype: client\nid: fred-smith\nname: Fred Smith\n")


def test_set_changes_exactly_one_line_and_says_so(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    svc.new_record(vault, "client", "Fred Smith", {"status": "onboarding"})
    svc.set_fields(vault, "fred-smith", {"status": "current"})
    assert git_out(empty_vault, "log", "-1", "--format=%s") == "client fred-smith: status onboarding -> current\n"
    diff = git_out(empty_vault, "diff", "HEAD~1", "HEAD", "--unified=0", "--no-color")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-status: onboarding", "+status: current"]


def test_no_op_save_is_byte_identical_and_makes_no_commit(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    svc.new_record(vault, "client", "Fred Smith", {"status": "current"})
    raw = (empty_vault / "clients/fred-smith.md").read_bytes()
    before = commit_count(empty_vault)
    result = svc.set_fields(vault, "fred-smith", {"status": "current"})
    assert result.commit is None
    assert (empty_vault / "clients/fred-smith.md").read_bytes() == raw
    assert commit_count(empty_vault) == before


def test_second_client_with_same_name_gets_a_new_id(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    svc.new_record(vault, "client", "Fred Smith")
    assert svc.new_record(vault, "client", "fred smith").record.id == "fred-smith-2"


def test_ticket_ids_are_serials_with_a_readable_file_name(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    record = svc.new_record(vault, "ticket", "Mug arrived broken!", {"priority": "high"}).record
    assert record.id.startswith("T-") and len(record.id) == len("T-261123-K7Q")
    assert record.path == f"tickets/{record.id}-mug-arrived-broken.md"
    assert vault.find(record.id[:8]).path == record.path


def test_bad_values_are_refused_and_nothing_is_written(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    svc.new_record(vault, "client", "Fred Smith")
    raw = (empty_vault / "clients/fred-smith.md").read_bytes()
    with pytest.raises(ValidationError, match="expected one of"):
        svc.set_fields(vault, "fred-smith", {"status": "delighted"})
    with pytest.raises(ValidationError, match="cannot be changed"):
        svc.set_fields(vault, "fred-smith", {"id": "other"})
    with pytest.raises(ValidationError, match="required"):
        svc.new_record(vault, "invoice", "Retainer", {"amount": "100"})
    assert (empty_vault / "clients/fred-smith.md").read_bytes() == raw


def test_outside_edit_of_another_field_is_merged(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    record = svc.new_record(vault, "client", "Fred Smith", {"status": "onboarding"}).record
    path = empty_vault / record.path
    path.write_text(path.read_text().replace("status: onboarding", "status: onboarding\ncompany: Fred Co"))
    result = svc.update(vault, record, {"email": "fred@example.com"})
    text = path.read_text()
    assert "company: Fred Co" in text and "email: fred@example.com" in text
    assert "company" in result.merged
    assert "merged with an outside edit" in git_out(empty_vault, "log", "-1", "--format=%s")


def test_overlapping_outside_edit_stops_and_keeps_both(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    record = svc.new_record(vault, "client", "Fred Smith", {"status": "onboarding"}).record
    path = empty_vault / record.path
    theirs = path.read_text().replace("status: onboarding", "status: paused")
    path.write_text(theirs)
    with pytest.raises(FieldConflictError) as caught:
        svc.update(vault, record, {"status": "current"})
    assert path.read_text() == theirs
    conflict = caught.value.conflicts[0]
    assert (conflict.name, conflict.mine, conflict.theirs) == ("status", "current", "paused")
    assert "status: current" in (empty_vault / caught.value.kept).read_text()


def test_file_that_no_longer_parses_is_never_written(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    record = svc.new_record(vault, "client", "Fred Smith").record
    path = empty_vault / record.path
    path.write_bytes(b"---\nname: [unclosed\n---\n")
    with pytest.raises(ConflictError, match="does not parse"):
        svc.update(vault, record, {"status": "current"})
    assert path.read_bytes() == b"---\nname: [unclosed\n---\n"


def test_deleted_while_open_is_not_recreated(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    record = svc.new_record(vault, "client", "Fred Smith").record
    (empty_vault / record.path).unlink()
    with pytest.raises(UsageError, match="no longer exists"):
        svc.update(vault, record, {"status": "current"})
    assert not (empty_vault / record.path).exists()


def test_external_edits_found_at_start_are_committed(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    record = svc.new_record(vault, "client", "Fred Smith").record
    vault.close()
    path = empty_vault / record.path
    path.write_text(path.read_text().replace("status: lead", "status: current"))
    (empty_vault / "notes.txt").write_text("not a record")
    Vault.open(empty_vault).close()
    message = "external edit: client fred-smith: status lead -> current\n"
    assert git_out(empty_vault, "log", "-1", "--format=%s") == message
    assert "notes.txt" in git_out(empty_vault, "status", "--porcelain")


def test_bad_files_are_problems_not_dropped(empty_vault: Path) -> None:
    (empty_vault / "clients/broken.md").write_bytes(b"---\nname: [x\n---\n")
    (empty_vault / "clients/bad-status.md").write_text(
        "---\ntype: client\nid: bad-status\nname: B\nstatus: happy\n---\n")
    (empty_vault / "clients/empty.md").write_bytes(b"")
    vault = Vault.open(empty_vault, commit_external=False)
    paths = {r.path: r for r in vault.records("client")}
    assert set(paths) == {"clients/broken.md", "clients/bad-status.md", "clients/empty.md"}
    assert not paths["clients/broken.md"].readable
    assert paths["clients/bad-status.md"].readable and paths["clients/bad-status.md"].problems[0].line == 5


def test_warm_start_reuses_the_cache_and_sees_changes(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    svc.new_record(vault, "client", "Fred Smith")
    svc.new_record(vault, "client", "Ann Lee")
    vault.save_cache()
    vault.close()
    path = empty_vault / "clients/ann-lee.md"
    path.write_text(path.read_text().replace("name: Ann Lee", "name: Ann Leigh"))
    os.utime(path, ns=(1, 1))  # a different mtime than the cache knew
    again = Vault.open(empty_vault, commit_external=False)
    assert again.find("ann-lee").title == "Ann Leigh"
    assert again.find("fred-smith").title == "Fred Smith"
    (empty_vault / ".obm/cache/index.bin").write_bytes(b"garbage")
    assert len(Vault.open(empty_vault, commit_external=False).records("client")) == 2


def test_symlink_out_of_the_vault_is_not_read(empty_vault: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntype: client\nid: secret\nname: Secret\n---\n")
    (empty_vault / "clients/secret.md").symlink_to(secret)
    (empty_vault / "clients/loop.md").symlink_to(empty_vault / "clients/loop.md")
    vault = Vault.open(empty_vault, commit_external=False)
    records = {r.path: r for r in vault.records("client")}
    assert records["clients/secret.md"].data == {} and not records["clients/secret.md"].readable
    assert not records["clients/loop.md"].readable


def test_a_file_swapped_for_an_outside_symlink_after_loading_is_not_read(empty_vault: Path, tmp_path: Path) -> None:
    (empty_vault / "clients/ann.md").write_text("---\ntype: client\nid: ann\nname: Ann\n---\nnotes\n")
    vault = Vault.open(empty_vault)
    record = vault.find("ann")
    assert vault.read_body(record) == "notes\n"
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntype: client\nid: ann\nname: Ann\n---\nsomebody else's secret\n")
    (empty_vault / "clients/ann.md").unlink()
    (empty_vault / "clients/ann.md").symlink_to(secret)
    with pytest.raises(VaultError, match="leads out of the vault"):
        vault.read_body(record)


def test_a_symlink_that_stays_in_the_vault_is_read(empty_vault: Path) -> None:
    (empty_vault / "notes").mkdir()
    (empty_vault / "notes/ann.md").write_text("---\ntype: client\nid: ann\nname: Ann\n---\nnotes\n")
    (empty_vault / "clients/ann.md").symlink_to(empty_vault / "notes/ann.md")
    vault = Vault.open(empty_vault, commit_external=False)
    assert vault.read_body(vault.find("ann")) == "notes\n"


def test_case_only_twins_and_duplicate_ids_are_reported(empty_vault: Path) -> None:
    body = "---\ntype: product\nid: MUG-01\nsku: MUG-01\nname: Mug\n---\n"
    (empty_vault / "stock/MUG-01.md").write_text(body)
    (empty_vault / "stock/mug-01.md").write_text(body.replace("id: MUG-01", "id: mug-01"))
    vault = Vault.open(empty_vault, commit_external=False)
    reasons = [p.reason for p in vault.index.problems()]
    assert any("letter case" in r for r in reasons) and any("also used by" in r for r in reasons)


def test_stray_temp_files_are_cleaned_and_never_committed(empty_vault: Path) -> None:
    stray = empty_vault / "clients/.~obm-fred.md.abcd1234"
    stray.write_text("half a file")
    os.utime(stray, (1, 1))
    Vault.open(empty_vault).close()
    assert not stray.exists()
    assert "obm-" not in git_out(empty_vault, "log", "--all", "--name-only", "--format=")


def test_held_index_lock_keeps_the_edit_and_commits_later(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    svc.new_record(vault, "client", "Fred Smith")
    lock = empty_vault / ".git/index.lock"
    lock.write_text("")
    result = svc.set_fields(vault, "fred-smith", {"status": "current"})
    assert result.pending and result.commit is None
    assert "status: current" in (empty_vault / "clients/fred-smith.md").read_text()
    assert lock.exists()
    lock.unlink()
    vault.commit_pending()
    assert git_out(empty_vault, "log", "-1", "--format=%s") == "client fred-smith: status lead -> current\n"
    assert git_out(empty_vault, "status", "--porcelain", "clients") == ""


def test_git_fsck_is_clean_after_many_changes(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    svc.new_record(vault, "product", "Mug", {"sku": "MUG-01", "on_hand": "10"})
    for n in range(5):
        svc.set_fields(vault, "MUG-01", {"on_hand": str(9 - n)})
    svc.delete_record(vault, "MUG-01")
    subprocess.run(["git", "-C", str(empty_vault), "fsck", "--strict"], check=True, capture_output=True)


@pytest.mark.parametrize(
    ("name", "readable"),
    [
        ("with space.md", True),
        ("-leading-dash.md", True),
        ("caf\u00e9.md", True),
        ("cafe\u0301.md", False),
        ("new\nline.md", False),
    ],
    ids=["space", "leading-dash", "nfc", "nfd", "newline"],
)
def test_odd_file_names_are_read_or_reported_never_dropped(empty_vault: Path, name: str, readable: bool) -> None:
    stem = name[:-3]
    (empty_vault / "clients" / name).write_text(
        f"---\ntype: client\nid: \"{stem}\"\nname: Odd\n---\n".replace("\n\"", "\n\""))
    vault = Vault.open(empty_vault, commit_external=False)
    found = [r for r in vault.records("client") if r.path == f"clients/{name}"]
    assert len(found) == 1
    assert found[0].readable is readable
    if not readable:
        assert "rename it" in found[0].problems[0].reason
