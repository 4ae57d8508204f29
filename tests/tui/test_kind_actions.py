"""Actions of a kind, from the record view: reply to a ticket, record a stock movement, tick a run's step."""

from __future__ import annotations

from obm_tui.services.run_views import open_runs, run_view
from obm_tui.tui.dialogs.choice import ChoiceDialog
from obm_tui.vault.store import Vault
from tests.tui.helpers import NOW, commit_count, git, make_app, screen_text, settle


async def test_r_replies_to_a_ticket(vault: Vault) -> None:
    app = make_app(vault)
    before = commit_count(vault.root)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.open_record("tickets/T-261120-K7Q-refund.md")
        await settle(pilot)
        await pilot.press("r", *"A new mug is on its way.", "enter")
        await settle(pilot)
        text = (vault.root / "tickets/T-261120-K7Q-refund.md").read_text()
        assert "A new mug is on its way." in text
        assert commit_count(vault.root) == before + 1
        assert git(vault.root, "log", "-1", "--format=%s").startswith("ticket T-261120-K7Q: replied")
        assert "A new mug is on its way." in screen_text(app)


async def test_m_records_a_stock_movement(vault: Vault) -> None:
    app = make_app(vault)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.open_record("stock/MUG-CLASSIC.md")
        await settle(pilot)
        await pilot.press("m", *"receive 48 PO-1", "enter")
        await settle(pilot)
        assert vault.index.by_path("stock/MUG-CLASSIC.md").value("on_hand") == 52
        assert git(vault.root, "log", "-1", "--format=%s").startswith("stock MUG-CLASSIC: received 48")


async def test_m_with_a_bad_movement_says_why_and_writes_nothing(vault: Vault) -> None:
    app = make_app(vault)
    before = (vault.root / "stock/MUG-CLASSIC.md").read_bytes()
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        app.open_record("stock/MUG-CLASSIC.md")
        await settle(pilot)
        await pilot.press("m", *"give 3", "enter")
        await settle(pilot)
        assert (vault.root / "stock/MUG-CLASSIC.md").read_bytes() == before
        assert any("receive | ship | count | adjust" in n.message for n in app._notifications)


async def test_kind_actions_only_where_they_apply(vault: Vault) -> None:
    app = make_app(vault)
    before = commit_count(vault.root)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.open_record("clients/fred-smith.md")
        await settle(pilot)
        await pilot.press("x", "r", "m")
        await settle(pilot)
        assert commit_count(vault.root) == before and "Reply" not in screen_text(app)


async def test_x_ticks_a_step_of_a_run(sample: Vault) -> None:
    today = NOW.date()
    run, step = next((r, s) for r in open_runs(sample) for s in run_view(sample, r, today).views if s.state == "ready")
    app = make_app(sample)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.open_record(run.path)
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        options = [key for key, _ in dialog.options]
        for _ in range(options.index(step.id)):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert git(sample.root, "log", "-1", "--format=%s").startswith(f"run {run.id}: ticked")
        after = run_view(sample, sample.index.by_path(run.path), today)
        assert next(s for s in after.views if s.id == step.id).state == "done"
