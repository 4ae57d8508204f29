"""The race soak's lost outside edit, replayed at the exact instant it happened.

`replace_checked` swaps obm's file in, finds an outside save it replaced, and swaps that back. An
editor that renames yet another save over obm's bytes in between (the soak's editor reads the file
again before each save) must neither lose that newer save from the file nor the older one from
history. The renames are real; only their timing is forced, by running the editor's save from
inside the exchange.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from obm_tui.services import stock
from obm_tui.vault import atomic
from obm_tui.vault.atomic import Raced, exchange_supported, replace_checked
from obm_tui.vault.store import Vault
from tests.conftest import git_out
from tests.integration.test_race import PRODUCT, SKU, editor_save, make_vault

pytestmark = pytest.mark.skipif(not exchange_supported(), reason="needs renameat2(RENAME_EXCHANGE)")


def save_between_swaps(monkeypatch: pytest.MonkeyPatch, before: Callable[[], None],
                       between: Callable[[], None]) -> None:
    """Run `before` just ahead of the first exchange and `between` right after it (before the swap back)."""
    real, calls = atomic._exchange, []

    def racing_exchange(a: Path, b: Path) -> bool:
        calls.append(b)
        if len(calls) == 1:
            before()
        swapped = real(a, b)
        if len(calls) == 1:
            between()
        return swapped

    monkeypatch.setattr(atomic, "_exchange", racing_exchange)


def save(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.swp")
    temp.write_bytes(data)
    temp.replace(path)


def test_a_save_over_our_bytes_before_the_swap_back_stays_in_the_file(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"checked\n")
    save_between_swaps(monkeypatch, lambda: save(path, b"first save\n"),
                       lambda: save(path, b"newer save, made over ours\n"))
    raced = replace_checked(path, b"ours\n", expected=b"checked\n")
    assert raced == Raced(b"newer save, made over ours\n", superseded=(b"first save\n",))
    assert path.read_bytes() == b"newer save, made over ours\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_a_deletion_of_our_bytes_before_the_swap_back_hands_back_the_save_they_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"checked\n")
    save_between_swaps(monkeypatch, lambda: save(path, b"first save\n"), path.unlink)
    assert replace_checked(path, b"ours\n", expected=b"checked\n") == Raced(b"", superseded=(b"first save\n",))
    assert list(tmp_path.iterdir()) == []


def race_one_save(root: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[Vault], str | None]) -> list[str]:
    """Run `change` while an editor saves once just after obm's stale check and once over obm's bytes,
    just swapped in (it reads the file again, as the soak's editor does). Returns the subjects."""
    vault, path = Vault.open(root), root / PRODUCT
    first = path.read_bytes().replace(b"location: shelf", b"location: outside-1")
    save_between_swaps(monkeypatch, lambda: save(path, first), lambda: editor_save(path, 2))
    try:
        assert change(vault) is not None
    finally:
        vault.close()
    return git_out(root, "log", "--format=%s").splitlines()


def assert_every_save_kept(root: Path) -> None:
    history = git_out(root, "log", "-p", "--format=%s", "--", PRODUCT)
    assert "+location: outside-1\n" in history
    assert "+location: outside-2\n" in history and "location: outside-2\n" in (root / PRODUCT).read_text()
    assert not (root / "conflicts").exists() and git_out(root, "status", "--porcelain") == ""


def test_an_outside_save_built_on_obms_swapped_in_bytes_loses_no_save(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault(tmp_path / "v")
    message = "product RACE-1: reorder_qty -> 7"

    def set_reorder_qty(vault: Vault) -> str | None:
        return vault.update(vault.find(SKU), {"reorder_qty": "7"}, message).commit

    subjects = race_one_save(root, monkeypatch, set_reorder_qty)
    assert sum(s.startswith(message) for s in subjects) == 1, subjects
    assert "reorder_qty: 7\n" in (root / PRODUCT).read_text()
    assert_every_save_kept(root)


def test_a_ledger_row_seen_by_the_editor_is_committed_once_under_its_own_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault(tmp_path / "v")

    def receive(vault: Vault) -> str | None:
        return stock.record_movement(vault, SKU, "receive", 1, when=date(2026, 1, 5), ref="w-1").save.commit

    subjects = race_one_save(root, monkeypatch, receive)
    with_row = [s for s in subjects if "w-1" in s]
    assert len(with_row) == 1 and with_row[0].startswith("stock RACE-1: received"), subjects
    patches = git_out(root, "log", "-p", "--format=\x01%s", "--", PRODUCT).split("\x01")[1:]
    assert [p.split("\n", 1)[0] for p in patches if re.search(r"(?m)^\+\|.*\bw-1\b", p)] == with_row
    assert_every_save_kept(root)
