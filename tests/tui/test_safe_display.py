"""User text is shown literally everywhere: markup is not parsed, control characters are not obeyed.

One test per kind of widget the app shows user text in: the virtual table (lists, Today,
History, Problems), Static titles and field rows, the Markdown body, the in-place Input, the
raw view of an unreadable file, dialogs, notifications, the command palette and the status bar.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from obm_tui.services.records import set_fields
from obm_tui.tui.app import ObmApp
from obm_tui.tui.widgets.field_form import FieldInput, FieldRow
from obm_tui.vault.refresh import reload_paths
from obm_tui.vault.store import Vault
from tests.tui.helpers import git, make_app, notifications, settle

MARKUP = ("[TODO] call [$5]", "[@click=app.quit]x[/]", "[b]not bold[/b]")
HOSTILE_YAML = r"\e[31mred\a\0"
HOSTILE_SHOWN = "␛[31mred␇␀"

CLIENT = f"""---
type: client
id: hostile
name: "{MARKUP[0]}"
company: "{MARKUP[1]} {HOSTILE_YAML}"
owner: "{MARKUP[2]}"
status: lead
follow_up: 2026-11-20
---

# {MARKUP[0]}

A line with {MARKUP[1]} and {MARKUP[2]} and an escape \x1b[2J\x1b]52;c;ZXZpbA==\x07 here.
"""


@pytest.fixture
def hostile(vault: Vault) -> Iterator[Vault]:
    (vault.root / "clients" / "hostile.md").write_text(CLIENT)
    (vault.root / "tickets" / "T-261121-ZZZ-x.md").write_text(
        f'---\ntype: ticket\nid: T-261121-ZZZ\nsubject: "{MARKUP[1]}"\nstatus: "{MARKUP[0]}"\n---\n')
    (vault.root / "clients" / "unparsable.md").write_text(f"---\nname: [{MARKUP[1]}\n---\n\x1b[2J {MARKUP[2]}\n")
    git(vault.root, "add", "-A")
    git(vault.root, "commit", "-qm", "hostile records")
    reload_paths(vault, ["clients/hostile.md", "tickets/T-261121-ZZZ-x.md", "clients/unparsable.md"])
    set_fields(vault, "hostile", {"phone": f"{MARKUP[1]} [red]x[/red]"})  # a commit message with markup
    yield vault


def terminal_output(app: ObmApp) -> tuple[str, list[object]]:
    """Every character sent to the screen, and every link action attached to it."""
    text, metas = [], []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            text.append(segment.text)
            if segment.style is not None and segment.style.meta:
                metas.append(segment.style.meta)
        text.append("\n")
    return "".join(text), metas


def assert_literal(app: ObmApp, *expected: str) -> None:
    shown, metas = terminal_output(app)
    for piece in expected:
        assert piece in shown, f"{piece!r} not shown literally"
    for char in ("\x1b", "\x07", "\x00", "\x9b"):
        assert char not in shown
    assert not any("app.quit" in str(meta) for meta in metas), "a record's text became a live action"


async def test_list_table_cells(hostile: Vault) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(200, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert_literal(app, MARKUP[0], MARKUP[1], HOSTILE_SHOWN)
        await pilot.press("4")
        await settle(pilot)
        assert_literal(app, MARKUP[1], MARKUP[0])


async def test_today_table(hostile: Vault) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(200, 30)) as pilot:
        await settle(pilot)
        assert_literal(app, f"Follow up with {MARKUP[0]}")


async def test_record_title_fields_and_markdown_body(hostile: Vault) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        app.open_record("clients/hostile.md")
        await settle(pilot)
        assert_literal(app, MARKUP[0], MARKUP[1], MARKUP[2], HOSTILE_SHOWN, "␛[2J")


async def test_field_editor_input(hostile: Vault) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        app.open_record("clients/hostile.md")
        await settle(pilot)
        row = next(r for r in app.screen.query(FieldRow) if r.view.name == "company")
        row.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one(FieldInput).value == f"{MARKUP[1]} \x1b[31mred\x07\x00"
        assert_literal(app, MARKUP[1])


async def test_raw_view_of_an_unreadable_file(hostile: Vault) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        app.open_record("clients/unparsable.md")
        await settle(pilot)
        assert_literal(app, f"name: [{MARKUP[1]}", MARKUP[2], "␛[2J")


async def test_dialog_text(hostile: Vault) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        app.open_record("clients/hostile.md")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert_literal(app, f"client {MARKUP[0]}")
        await pilot.press("escape")


async def test_notifications(hostile: Vault) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(200, 40), notifications=True) as pilot:
        await settle(pilot)
        app.notify("x", title="y")  # the app's own words may use markup; user text never does:
        app.open_record("clients/nowhere-[b]x[/b].md")
        await settle(pilot)
        assert any("clients/nowhere-[b]x[/b].md" in n for n in notifications(app))
        assert_literal(app, "clients/nowhere-[b]x[/b].md")


async def test_history_table_diff_and_status_bar(hostile: Vault) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        assert_literal(app, f"phone set to {MARKUP[1]} [red]x[/red]", f"{MARKUP[1]} [red]x[/red]")
        assert "+phone: " in terminal_output(app)[0]


async def test_problems_table(hostile: Vault) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        assert_literal(app, f"got '{MARKUP[0]}'")


async def test_command_palette_hits(hostile: Vault) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"TODO call")
        await settle(pilot)
        await pilot.pause(0.3)
        assert_literal(app, MARKUP[0])


async def test_choice_and_prompt_dialogs(hostile: Vault) -> None:
    from obm_tui.tui.dialogs.choice import ChoiceDialog
    from obm_tui.tui.dialogs.prompt import PromptDialog

    app = make_app(hostile)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ChoiceDialog(MARKUP[0], [("a", MARKUP[1]), ("b", "\x1b[31mred\x07\x00")]))
        await settle(pilot)
        assert_literal(app, MARKUP[0], MARKUP[1], HOSTILE_SHOWN)
        await pilot.press("escape")
        app.push_screen(PromptDialog(MARKUP[2], MARKUP[1]))
        await settle(pilot)
        await pilot.press(*"[b]x[/b]")
        assert_literal(app, MARKUP[2], MARKUP[1], "[b]x[/b]")



# ----- the work views: runs, tickets, stock (helper of issues 4 and 5) ---------------------------

WORK_FILES = {
    "processes/hostile-process.md": f"---\ntype: process\nid: hostile-process\ntitle: \"{MARKUP[1]}\"\n"
                                    f"subject: none\n---\n\n"
                                    f"- [ ] {MARKUP[0]} \x1b[31mred\x07 [id:: s1] [email:: nowhere]\n"
                                    f"    - {MARKUP[2]} \x1b[2J\n",
    "runs/2026-11-20-hostile-process.md": f"---\ntype: run\nid: 2026-11-20-hostile-process\ntitle: \"{MARKUP[1]}\"\n"
                                          f"process: \"[[hostile-process]]\"\nstatus: active\n"
                                          f"started: 2026-11-20\n---\n\n"
                                          f"- [ ] {MARKUP[0]} \x1b[31mred\x07 [id:: s1] [due:: 2026-11-21]\n"
                                          f"    - {MARKUP[2]} \x1b[2J\n",
    "tickets/T-261122-ZZY-talk.md": f"---\ntype: ticket\nid: T-261122-ZZY\nsubject: \"{MARKUP[0]}\"\nstatus: open\n"
                                    f"customer: \"{MARKUP[2]}\"\ncreated: 2026-11-22T10:00\n---\n\n"
                                    f"### 2026-11-22 10:00 — {MARKUP[1]} (customer)\n{MARKUP[2]} \x1b[2J and \x07\n\n"
                                    f"### 2026-11-22 11:00 — [i]Mia[/i] (note)\n{MARKUP[0]}\n",
}


@pytest.fixture
def hostile_work(hostile: Vault) -> Vault:
    for rel, text in WORK_FILES.items():
        (hostile.root / rel).parent.mkdir(exist_ok=True)
        (hostile.root / rel).write_text(text)
    git(hostile.root, "add", "-A")
    git(hostile.root, "commit", "-qm", "hostile work records")
    reload_paths(hostile, list(WORK_FILES))
    return hostile


async def test_work_lists_run_view_and_ticket_view(hostile_work: Vault) -> None:
    from obm_tui.tui.care_flows import open_ticket
    from obm_tui.tui.run_flows import open_run

    app = make_app(hostile_work)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert_literal(app, MARKUP[1])
        await pilot.press("t")
        await settle(pilot)
        assert_literal(app, MARKUP[1], f"{MARKUP[0]} ␛[31mred␇")
        open_run(app, "runs/2026-11-20-hostile-process.md")
        await settle(pilot)
        assert_literal(app, MARKUP[1], f"{MARKUP[0]} ␛[31mred␇", f"{MARKUP[2]} ␛[2J")
        open_ticket(app, "tickets/T-261122-ZZY-talk.md")
        await settle(pilot)
        assert_literal(app, MARKUP[0], MARKUP[1], MARKUP[2], "[i]Mia[/i]", "␛[2J and ␇")


async def test_work_dialogs(hostile_work: Vault) -> None:
    from obm_tui.services.drafts import Draft
    from obm_tui.tui.dialogs.draft import DraftDialog
    from obm_tui.tui.dialogs.movement import MovementDialog
    from obm_tui.tui.dialogs.pick_record import PickRecordDialog
    from obm_tui.tui.dialogs.reply import ReplyDialog
    from obm_tui.tui.widgets.safe_text_area import SafeTextArea

    app = make_app(hostile_work)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        app.push_screen(PickRecordDialog(MARKUP[2], hostile_work.records("client")))
        await settle(pilot)
        await pilot.press(*"TODO")
        await settle(pilot)
        assert_literal(app, MARKUP[2], MARKUP[0])
        await pilot.press("escape")
        app.push_screen(DraftDialog(Draft("t", MARKUP[1], MARKUP[0], f"{MARKUP[2]} \x1b[2J\x07", ("x",)), "d"))
        await settle(pilot)
        assert_literal(app, MARKUP[1], MARKUP[0], f"{MARKUP[2]} ␛[2J␇")
        await pilot.press("escape")
        ticket = hostile_work.index.by_path("tickets/T-261122-ZZY-talk.md")
        app.push_screen(ReplyDialog(ticket))
        await settle(pilot)
        app.screen.query_one(SafeTextArea).load(f"{MARKUP[1]} \x1b[31mred\x07")
        await settle(pilot)
        assert_literal(app, MARKUP[0], f"{MARKUP[1]} ␛[31mred␇")
        await pilot.press("escape")
        product = hostile_work.index.by_path("stock/MUG-CLASSIC.md")
        app.push_screen(MovementDialog(product))
        await settle(pilot)
        await pilot.press(*"[b]4[/b]", "enter")
        await settle(pilot)
        assert_literal(app, "[b]4[/b]", "got '[b]4[/b]'")
