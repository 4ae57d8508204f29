"""The record view: edit in place, conflicts, deleted and unreadable files, editor, new, archive/delete."""

from __future__ import annotations

import sys
from pathlib import Path

from obm_tui.tui.dialogs.conflict import ConflictDialog
from obm_tui.tui.screens.record import RecordScreen
from obm_tui.tui.settings import Settings
from obm_tui.tui.widgets.field_form import FieldInput, FieldRow
from obm_tui.tui.widgets.status_bar import StatusBar
from obm_tui.vault.refresh import reload_paths
from obm_tui.vault.store import Vault
from tests.tui.helpers import choose_value, commit_count, git, make_app, notifications, screen_text, settle

FRED = "clients/fred-smith.md"


async def open_fred(pilot) -> RecordScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.open_record(FRED)
    await settle(pilot)
    assert isinstance(pilot.app.screen, RecordScreen)
    return pilot.app.screen


async def focus_field(pilot, screen: RecordScreen, name: str) -> FieldRow:  # type: ignore[no-untyped-def]
    for _ in range(30):
        focused = screen.focused
        if isinstance(focused, FieldRow) and focused.view.name == name:
            return focused
        await pilot.press("j")
    raise AssertionError(f"no field {name}")


async def test_edit_a_field_in_place_saves_one_commit(vault: Vault) -> None:
    app = make_app(vault)
    before = commit_count(vault.root)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_fred(pilot)
        await focus_field(pilot, screen, "status")
        await pilot.press("enter")  # an enum: a picker of its values
        await choose_value(pilot, "paused")
        assert not screen.query(FieldInput)
        assert "status: paused" in (vault.root / FRED).read_text()
        assert commit_count(vault.root) == before + 1
        assert git(vault.root, "log", "-1", "--format=%s").strip() == "client fred-smith: status current -> paused"
        assert "paused" in screen_text(app)


async def test_an_invalid_value_is_refused_with_the_reason_and_nothing_is_written(vault: Vault) -> None:
    app = make_app(vault)
    original = (vault.root / FRED).read_bytes()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_fred(pilot)
        await focus_field(pilot, screen, "follow_up")
        await pilot.press("enter")
        screen.query_one(FieldInput).value = "next tuesday"
        await pilot.press("enter")
        await settle(pilot)
        box = screen.query_one(FieldInput)  # still editing
        assert "expected a date" in str(box.border_subtitle)
        await pilot.press("escape")  # cancel
        await settle(pilot)
        assert not screen.query(FieldInput)
        assert (vault.root / FRED).read_bytes() == original


async def test_outside_change_to_another_field_merges(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_fred(pilot)
        await focus_field(pilot, screen, "company")
        await pilot.press("enter")
        path = vault.root / FRED
        path.write_text(path.read_text().replace("status: current", "status: paused"))  # another program
        screen.query_one(FieldInput).value = "Smith & Co"
        await pilot.press("enter")
        await settle(pilot)
        text = path.read_text()
        assert "status: paused" in text and "company: Smith & Co" in text
        assert "merged with an outside edit" in git(vault.root, "log", "-1", "--format=%s")


async def test_outside_change_to_the_same_field_opens_the_conflict_dialog(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_fred(pilot)
        await focus_field(pilot, screen, "status")
        await pilot.press("enter")
        await settle(pilot)
        path = vault.root / FRED
        path.write_text(path.read_text().replace("status: current", "status: past"))
        await choose_value(pilot, "paused")
        assert isinstance(app.screen, ConflictDialog)
        shown = screen_text(app)
        assert "paused" in shown and "past" in shown and "current" in shown  # mine, theirs, was
        await pilot.press("m")  # keep mine
        await settle(pilot)
        assert "status: paused" in path.read_text()
        assert app.screen is screen and not screen.query(FieldInput)


async def test_conflict_take_theirs_writes_nothing(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_fred(pilot)
        await focus_field(pilot, screen, "status")
        await pilot.press("enter")
        await settle(pilot)
        path = vault.root / FRED
        path.write_text(path.read_text().replace("status: current", "status: past"))
        theirs = path.read_bytes()
        await choose_value(pilot, "paused")
        await pilot.press("t")
        await settle(pilot)
        assert path.read_bytes() == theirs


async def test_a_record_deleted_while_open_is_not_recreated(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_fred(pilot)
        await focus_field(pilot, screen, "status")
        (vault.root / FRED).unlink()
        app.note_changes(reload_paths(vault, [FRED]).changed)
        await settle(pilot)
        assert "was deleted or renamed" in screen_text(app)
        await pilot.press("enter")  # no editing any more
        await settle(pilot)
        assert not screen.query(FieldInput)
        assert not (vault.root / FRED).exists()


async def test_a_file_that_does_not_parse_is_read_only(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_record("clients/broken.md")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordScreen) and not screen.editable
        assert "does not parse" in screen_text(app) and "name: [unclosed" in screen_text(app)
        await pilot.press("enter", "d")
        await settle(pilot)
        assert app.screen is screen and not screen.query(FieldInput)


def fake_editor(tmp_path: Path, old: str, new: str) -> str:
    script = tmp_path / "fake_editor.py"
    script.write_text("import sys, pathlib\n"
                      "p = pathlib.Path(sys.argv[-1])\n"
                      f"p.write_text(p.read_text().replace({old!r}, {new!r}))\n")
    return f"{sys.executable} {script}"


async def test_e_opens_the_editor_then_reloads_and_commits(vault: Vault, tmp_path: Path) -> None:
    settings = Settings(editor=fake_editor(tmp_path, "Back in **December**", "Back in January"))
    app = make_app(vault, settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_fred(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert "Back in January" in (vault.root / FRED).read_text()
        assert git(vault.root, "status", "--porcelain") == ""
        assert git(vault.root, "log", "-1", "--format=%s").strip() == "client fred-smith: edited in the editor"
        assert "Back in January" in screen_text(app)


async def test_n_creates_a_record_from_its_template_and_opens_it(vault: Vault) -> None:
    app = make_app(vault)
    before = commit_count(vault.root)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_fred(pilot)
        await pilot.press("n", *"Grace Hopper", "tab", *"email=grace@example.com status=lead", "enter")
        await settle(pilot)
        created = vault.root / "clients" / "grace-hopper.md"
        assert created.exists() and "email: grace@example.com" in created.read_text()
        assert commit_count(vault.root) == before + 1
        assert isinstance(app.screen, RecordScreen) and app.screen.path == "clients/grace-hopper.md"


async def test_n_with_a_bad_field_says_why_and_writes_nothing(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_fred(pilot)
        await pilot.press("n", *"Grace Hopper", "tab", *"status=famous", "enter")
        await settle(pilot)
        assert "expected one of" in screen_text(app)
        assert not (vault.root / "clients" / "grace-hopper.md").exists()
        await pilot.press("escape")


async def test_d_archives_after_confirmation(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_fred(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert "Archive or delete" in screen_text(app)
        await pilot.press("a")
        await settle(pilot)
        assert "archived: true" in (vault.root / FRED).read_text()
        assert git(vault.root, "log", "-1", "--format=%s").strip() == "client fred-smith: archived"


async def test_d_then_shift_d_deletes_and_closes_the_view(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_fred(pilot)
        await pilot.press("d", "D")
        await settle(pilot)
        assert not (vault.root / FRED).exists()
        assert git(vault.root, "log", "-1", "--format=%s").strip() == "client fred-smith: deleted"
        assert not isinstance(app.screen, RecordScreen)


async def test_d_then_escape_changes_nothing(vault: Vault) -> None:
    app = make_app(vault)
    before = commit_count(vault.root)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_fred(pilot)
        await pilot.press("d", "escape")
        await settle(pilot)
        assert (vault.root / FRED).exists() and commit_count(vault.root) == before


async def test_a_held_index_lock_shows_a_notice_and_keeps_the_edit(vault: Vault) -> None:
    app = make_app(vault)
    vault.git.lock_wait = 0.2
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_fred(pilot)
        await focus_field(pilot, screen, "status")
        lock = vault.root / ".git" / "index.lock"
        lock.write_text("")
        try:
            await pilot.press("enter")
            await choose_value(pilot, "paused")
            assert "status: paused" in (vault.root / FRED).read_text()  # safe on disk
            assert any("Commit delayed" in n for n in notifications(app))
            assert app.screen.query_one(StatusBar).info.pending == 1
        finally:
            lock.unlink()
        app.refresh_status()  # retried now that git is free
        await settle(pilot)
        assert app.status.pending == 0
        assert git(vault.root, "log", "-1", "--format=%s").strip() == "client fred-smith: status current -> paused"


async def test_conflict_edit_starts_from_mine_and_saves_over_the_file_as_it_is_now(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_fred(pilot)
        await focus_field(pilot, screen, "status")
        await pilot.press("enter")
        await settle(pilot)
        path = vault.root / FRED
        path.write_text(path.read_text().replace("status: current", "status: past"))
        await choose_value(pilot, "paused")
        await pilot.press("e")  # edit, starting from my value
        await settle(pilot)
        box = screen.query_one(FieldInput)
        assert box.value == "paused"
        box.value = "lead"
        await pilot.press("enter")
        await settle(pilot)
        assert "status: lead" in path.read_text()
        message = git(vault.root, "log", "-1", "--format=%s")
        assert message.startswith("client fred-smith: status past -> lead (conflict resolved: ")


async def test_the_record_screen_is_reused_and_shows_only_the_new_record(vault: Vault) -> None:
    """open_record pushes one kept screen again: nothing of the last record may remain on it."""
    app = make_app(vault)
    async with app.run_test(size=(120, 36)) as pilot:
        fred = await open_fred(pilot)
        await focus_field(pilot, fred, "email")
        await pilot.press("enter")  # an edit left open when the person goes back
        assert fred.query(FieldInput)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert not isinstance(app.screen, RecordScreen)
        app.open_record("invoices/INV-261101-AAA.md")
        await settle(pilot)
        screen = app.screen
        assert screen is fred and isinstance(screen, RecordScreen)  # the same screen, another record
        text = screen_text(app)
        assert "INV-261101-AAA" in text
        assert "fred@example.com" not in text and "Back in" not in text and "company" not in text
        assert not screen.query(FieldInput) and screen.edit_base == {}
        assert isinstance(screen.focused, FieldRow)
        assert screen.focused.view.name == screen.query(FieldRow).first().view.name


async def test_a_record_opened_while_the_kept_screen_is_open_gets_its_own(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(120, 36)) as pilot:
        fred = await open_fred(pilot)
        app.open_record("clients/ada-lovelace.md")  # e.g. from the palette, over Fred's record
        await settle(pilot)
        assert app.screen is not fred and "Ada Lovelace" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is fred and "Fred Smith" in screen_text(app) and "Ada Lovelace" not in screen_text(app)
