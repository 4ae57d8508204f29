"""Helpers for the TUI tests: the fixed vault, a fixed clock, and ways to drive and read the app."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

from obm_tui.tui.app import ObmApp
from obm_tui.tui.clock import fixed_clock
from obm_tui.tui.settings import Settings
from obm_tui.vault.store import Vault

NOW = datetime(2026, 11, 23, 9, 0)

CONFIG = """[business]
name = "Fred Smith Coaching"
currency = "USD"
timezone = "America/New_York"

[finance]
reminders = []  # no payment reminders: these screens' tests (and snapshots) predate them
"""

FILES = {
    "clients/fred-smith.md": """---
type: client
id: fred-smith
name: Fred Smith
status: current
company: Smith Coaching
email: fred@example.com
follow_up: 2026-11-20
tags: [vip]
---

# Fred Smith

The owner. Back in **December**.
""",
    "clients/ada-lovelace.md": """---
type: client
id: ada-lovelace
name: Ada Lovelace
status: onboarding
email: ada@example.com
follow_up: 2026-11-23
---

Onboarding started in November.
""",
    "clients/ben-carter.md": """---
type: client
id: ben-carter
name: Ben Carter
status: lead
email: ben@example.com
follow_up: 2026-12-10
---
""",
    "invoices/INV-261101-AAA.md": """---
type: invoice
id: INV-261101-AAA
title: November retainer
client: "[[fred-smith]]"
amount: "2000.00"
status: sent
issued: 2026-11-01
due: 2026-11-15
---
""",
    "invoices/INV-261120-BBB.md": """---
type: invoice
id: INV-261120-BBB
title: Workshop
client: "[[ada-lovelace]]"
amount: "450.00"
status: sent
issued: 2026-11-20
due: 2026-12-05
---
""",
    "stock/MUG-CLASSIC.md": """---
type: product
id: MUG-CLASSIC
sku: MUG-CLASSIC
name: Classic mug
on_hand: "4"
reorder_point: "10"
reorder_qty: "48"
---
""",
    "stock/PEN-SET.md": """---
type: product
id: PEN-SET
sku: PEN-SET
name: Pen set
on_hand: "80"
reorder_point: "10"
---
""",
    "declines/2026-11-19-sam-oduya-3vd.md": """---
type: decline
id: 2026-11-19-sam-oduya-3vd
customer: Sam Oduya
amount: "46.00"
declined: 2026-11-19
status: contacted
next_follow_up: 2026-11-22
---
""",
    "tickets/T-261120-K7Q-refund.md": """---
type: ticket
id: T-261120-K7Q
subject: Refund for a broken mug
status: open
priority: high
customer: Jo Park
created: 2026-11-20T10:14
---
""",
    "processes/client-onboarding.md": """---
type: process
id: client-onboarding
title: Client onboarding
subject: client
---

- [ ] Send invoice and contract
""",
    "clients/broken.md": """---
type: client
id: broken
name: [unclosed
---
""",
}


def write_vault(root: Path) -> Path:
    """The fixed vault: files, config, and one commit with a fixed date (so shas are stable)."""
    from obm_tui.services.setup import GITIGNORE_LINES

    root.mkdir(parents=True)
    (root / ".obm").mkdir()
    (root / ".obm" / "config.toml").write_text(CONFIG)
    (root / ".gitignore").write_text("\n".join(GITIGNORE_LINES) + "\n")
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    when = "2026-11-22T17:00:00-05:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["commit", "-q", "-m", "vault created: Fred Smith Coaching"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)
    return root


def make_app(vault: Vault, *, watch: bool = False, settings: Settings | None = None) -> ObmApp:
    return ObmApp(vault, clock=fixed_clock(NOW), settings=settings or Settings(), watch=watch)


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let every worker but the watcher finish, and the screen catch up."""
    app = pilot.app
    for _ in range(100):
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "watch" and not w.is_finished]
        if not busy:
            break
        for worker in busy:
            try:
                await worker.wait()
            except Exception:  # noqa: BLE001 - cancelled or failed workers are reported elsewhere
                pass
    await pilot.pause()


def screen_text(app: ObmApp) -> str:
    """What the terminal shows now, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def notifications(app: ObmApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def commit_count(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


async def wait_for(pilot, condition, rounds: int = 100) -> None:  # type: ignore[no-untyped-def]
    """Give the watcher time to act (bounded; nothing is timed)."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition()


async def choose_value(pilot, value: str) -> None:  # type: ignore[no-untyped-def]
    """In an enum field's picker (enter on the field): highlight `value`, then enter."""
    from textual.widgets import OptionList

    from obm_tui.tui.dialogs.choice import ChoiceDialog

    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ChoiceDialog), dialog
    dialog.query_one(OptionList).highlighted = [key for key, _label in dialog.options].index(value)
    await pilot.press("enter")
    await settle(pilot)
