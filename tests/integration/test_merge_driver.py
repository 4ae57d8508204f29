"""Two clones change the same record; `git merge` (obm's driver) merges it field by field."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from obm_tui.vault.merge_driver import merge_bodies
from obm_tui.vault.store import Vault

ENV_GIT = ["git", "-c", "user.name=Tester", "-c", "user.email=t@example.com"]
CLIENT = """---
type: client
id: ann-lee
name: Ann Lee
status: lead
email: ann@example.com
follow_up: 2026-12-01
---

Met at the workshop.
"""
PRODUCT = """---
type: product
id: MUG-01
sku: MUG-01
name: Logo mug
on_hand: 10
reorder_point: 4
---

## Ledger

| date | movement | qty | onhand | ref | note |
|------|----------|----:|-------:|-----|------|
| 2026-11-01 | count | 0 | 10 | count | opening stock |
"""


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ENV_GIT, "-C", str(root), *args], capture_output=True, text=True, check=check)


@pytest.fixture
def clones(empty_vault: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Two clones of one vault with a client and a product, each opened by obm once."""
    (empty_vault / "clients/ann-lee.md").write_text(CLIENT)
    (empty_vault / "stock/MUG-01.md").write_text(PRODUCT)
    Vault.open(empty_vault).close()  # commits them as external edits
    here, there = tmp_path / "here", tmp_path / "there"
    for clone in (here, there):
        subprocess.run(["git", "clone", "-q", str(empty_vault), str(clone)], check=True)
        Vault.open(clone).close()  # registers the driver in this clone
    return here, there


def change(root: Path, rel: str, old: str, new: str, message: str) -> None:
    path = root / rel
    path.write_text(path.read_text().replace(old, new))
    git(root, "commit", "-q", "-am", message)


def pull(here: Path, there: Path) -> subprocess.CompletedProcess[str]:
    git(here, "fetch", "-q", str(there), "main")
    return git(here, "merge", "--no-edit", "FETCH_HEAD", check=False)


def test_different_fields_of_one_record_merge_without_a_conflict(clones: tuple[Path, Path]) -> None:
    here, there = clones
    change(here, "clients/ann-lee.md", "status: lead", "status: onboarding", "here")
    change(there, "clients/ann-lee.md", "email: ann@example.com", "email: ann@leestudio.com", "there")  # the next line
    done = pull(here, there)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (here / "clients/ann-lee.md").read_text()
    assert "status: onboarding" in text and "email: ann@leestudio.com" in text and "<<<<<<<" not in text
    assert git(here, "status", "--porcelain").stdout == ""


def test_stock_on_hand_merges_by_delta_and_both_ledger_rows_stay(clones: tuple[Path, Path]) -> None:
    here, there = clones
    row = "| 2026-11-01 | count | 0 | 10 | count | opening stock |\n"
    change(here, "stock/MUG-01.md", "on_hand: 10", "on_hand: 7", "here")
    change(here, "stock/MUG-01.md", row, row + "| 2026-11-20 | ship | -3 | 7 | order 1042 | |\n", "here: shipped")
    change(there, "stock/MUG-01.md", "on_hand: 10", "on_hand: 12", "there")
    change(there, "stock/MUG-01.md", row, row + "| 2026-11-21 | receive | +2 | 12 | PO-1 | |\n", "there: received")
    done = pull(here, there)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (here / "stock/MUG-01.md").read_text()
    assert "on_hand: 9" in text and "order 1042" in text and "PO-1" in text and "<<<<<<<" not in text
    assert "| 2026-11-21 | receive | +2 | 9 | PO-1 |" in text  # the totals run through both sides' rows
    vault = Vault.open(here)
    try:
        assert vault.find("MUG-01").problems == ()
        from obm_tui.services.check import check_vault

        assert [p for p in check_vault(vault).problems if p.path == "stock/MUG-01.md"] == []
    finally:
        vault.close()


def test_one_field_changed_on_both_sides_keeps_ours_and_theirs_is_kept_aside(clones: tuple[Path, Path]) -> None:
    here, there = clones
    change(here, "clients/ann-lee.md", "status: lead", "status: onboarding", "here")
    change(there, "clients/ann-lee.md", "status: lead", "status: past", "there")
    done = pull(here, there)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "status: onboarding" in (here / "clients/ann-lee.md").read_text()
    kept = list((here / "conflicts").glob("clients__ann-lee.*.theirs.md"))
    assert len(kept) == 1 and "status: past" in kept[0].read_text()
    assert "status changed on both sides" in done.stderr
    vault = Vault.open(here)
    try:
        from obm_tui.services.check import check_vault

        reasons = [p.reason for p in check_vault(vault).problems if p.path == "clients/ann-lee.md"]
        assert any("theirs.md" in r for r in reasons)
    finally:
        vault.close()


def test_a_record_both_clones_created_merges_like_any_other(clones: tuple[Path, Path]) -> None:
    """The same rule started the same run in two clones (run ids are the same everywhere)."""
    here, there = clones
    run = ("---\ntype: run\nid: 2026-11-23-onboarding-ann-lee\ntitle: Onboarding\nstatus: active\n---\n"
           "\n- [ ] Send the contract\n")
    for root, extra in ((here, "assignee: Mia\n"), (there, "")):
        (root / "runs").mkdir(exist_ok=True)
        text = run.replace("status: active\n", "status: active\n" + extra)
        (root / "runs/2026-11-23-onboarding-ann-lee.md").write_text(text)
        git(root, "add", "runs")
        git(root, "commit", "-q", "-m", "run started")
    done = pull(here, there)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (here / "runs/2026-11-23-onboarding-ann-lee.md").read_text()
    assert "assignee: Mia" in text and text.count("Send the contract") == 1 and "<<<<<<<" not in text


def test_a_side_that_does_not_parse_is_merged_as_text_and_left_to_git(clones: tuple[Path, Path]) -> None:
    here, there = clones
    change(here, "clients/ann-lee.md", "name: Ann Lee", "name: [Ann", "here: broken YAML")
    change(there, "clients/ann-lee.md", "name: Ann Lee", "name: Ann Leigh", "there")
    done = pull(here, there)
    assert done.returncode != 0  # a conflict for the person, as git would leave it
    assert "UU clients/ann-lee.md" in git(here, "status", "--porcelain").stdout


BASE = "one\ntwo\nthree\n"


@pytest.mark.parametrize(("ours", "theirs", "union", "body", "clean"), [
    pytest.param("one\ntwo\nthree\nfour\n", BASE, False, "one\ntwo\nthree\nfour\n", True, id="only-ours"),
    pytest.param("ONE\ntwo\nthree\n", "one\ntwo\nTHREE\n", False, "ONE\ntwo\nTHREE\n", True, id="apart"),
    pytest.param(BASE + "mine\n", BASE + "theirs\n", False, BASE + "mine\n", False, id="same-place-keeps-ours"),
    pytest.param(BASE + "mine\n", BASE + "theirs\n", True, BASE + "mine\ntheirs\n", True, id="same-place-union"),
])
def test_merge_bodies(ours: str, theirs: str, union: bool, body: str, clean: bool) -> None:
    assert merge_bodies(BASE, ours, theirs, union=union) == (body, clean)


def test_a_crlf_file_with_a_bom_keeps_its_line_endings_and_bom(clones: tuple[Path, Path]) -> None:
    here, there = clones
    rel = "clients/ann-lee.md"
    for root in (here, there):  # the file as a Windows editor saved it, in both clones alike
        (root / rel).write_bytes(b"\xef\xbb\xbf" + CLIENT.replace("\n", "\r\n").encode())
    git(here, "commit", "-q", "-am", "saved on Windows")
    git(there, "fetch", "-q", str(here), "main")
    git(there, "reset", "-q", "--hard", "FETCH_HEAD")
    for root, old, new in ((here, "status: lead", "status: onboarding"),
                           (there, "email: ann@example.com", "email: ann@x.org")):
        path = root / rel
        path.write_bytes(path.read_bytes().replace(old.encode(), new.encode()))
        git(root, "commit", "-q", "-am", "edit")
    done = pull(here, there)
    assert done.returncode == 0, done.stdout + done.stderr
    raw = (here / rel).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"status: onboarding\r\n" in raw and b"email: ann@x.org\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_two_replies_written_in_two_clones_are_both_kept(clones: tuple[Path, Path]) -> None:
    here, there = clones
    rel = "tickets/T-261120-K7Q-refund.md"
    ticket = ("---\ntype: ticket\nid: T-261120-K7Q\nsubject: Refund\nstatus: open\ncreated: 2026-11-20T10:14\n---\n\n"
              "### 2026-11-20 10:14 — Jo Park (customer)\nThe mug arrived broken.\n")
    for root in (here, there):
        (root / "tickets").mkdir(exist_ok=True)
        (root / rel).write_text(ticket)
    git(here, "add", "tickets")
    git(here, "commit", "-q", "-m", "ticket")
    git(there, "fetch", "-q", str(here), "main")
    git(there, "reset", "-q", "--hard", "FETCH_HEAD")
    for root, who, text in ((here, "Mia (agent)", "A new mug is on its way."),
                            (there, "Sam (agent)", "Refunded to your card.")):
        path = root / rel
        path.write_text(path.read_text() + f"\n### 2026-11-20 11:00 — {who}\n{text}\n")
        git(root, "commit", "-q", "-am", "reply")
    done = pull(here, there)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (here / rel).read_text()
    assert "A new mug is on its way." in text and "Refunded to your card." in text and "<<<<<<<" not in text
    assert not (here / "conflicts").exists() or not list((here / "conflicts").glob("tickets__*"))


def test_two_different_products_created_under_one_sku_are_both_kept(clones: tuple[Path, Path]) -> None:
    """A plain `git merge` (not obm sync): theirs is written beside ours, and the next open commits it."""
    here, there = clones
    product = "---\ntype: product\nid: CUP-01\nsku: CUP-01\nname: {}\non_hand: 0\n---\n\nA cup.\n"
    for root, name in ((here, "Espresso cup"), (there, "Tea cup")):
        (root / "stock/CUP-01.md").write_text(product.format(name))
        git(root, "add", "stock")
        git(root, "commit", "-q", "-m", "new product")
    done = pull(here, there)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "theirs is now stock/CUP-01-2.md" in done.stderr
    assert "name: Espresso cup" in (here / "stock/CUP-01.md").read_text()
    assert (here / "stock/CUP-01-2.md").read_text() == product.format("Tea cup").replace("CUP-01", "CUP-01-2")
    Vault.open(here).close()
    assert git(here, "status", "--porcelain").stdout == ""
