"""Declined payments, `[dunning]` in `.obm/config.toml`: start the follow-up, give up in the end.

    [dunning]
    process = "follow-up-declined-payment"   # the process started for each new decline
    give_up_after = 30                       # days after its follow-up started: then it is lost

`dunning_pass` (a part of `obm tick`) starts `process` for every decline whose status is `new` and
that never had a run of it, and marks `lost` every decline still open `give_up_after` days after
its follow-up run started — one commit per decline, in business words — then brings that run up to
date, so the process's `stop_when` ends it at once. A decline nobody ever followed up is not given
up: that is a hole for the review to show, not a loss. The ladder's days are the `due::` dates of
the process's steps (the process file is their only source); `follow_ups` is no longer read, and
`obm check` says so (`dunning_problems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from obm_tui.model.errors import ObmError, Problem
from obm_tui.model.records import Record
from obm_tui.services.run_files import runs_of
from obm_tui.services.runs import RunOutcome, Started, process_run, start_run
from obm_tui.vault.config import CONFIG_PATH
from obm_tui.vault.store import Vault

DEFAULT_PROCESS = "follow-up-declined-payment"
DEFAULT_GIVE_UP = 30
SETTLED = ("recovered", "lost")


@dataclass(frozen=True)
class DunningSettings:
    """`[dunning]`, read and checked; `give_up_after` None turns giving up off."""

    process: str = DEFAULT_PROCESS
    give_up_after: int | None = DEFAULT_GIVE_UP


@dataclass(frozen=True)
class DunningChange:
    """One thing the pass did (a run started, a decline given up, its run stopped) or could not do."""

    message: str
    commit: str | None = None
    changed: bool = True
    error: str = ""


def settings(vault: Vault) -> DunningSettings:
    """The `[dunning]` settings with defaults; values that cannot be used fall back (and `obm check` says so)."""
    section = vault.config.section("dunning")
    process = section.get("process", DEFAULT_PROCESS)
    days = section.get("give_up_after", DEFAULT_GIVE_UP)
    usable = isinstance(days, int) and not isinstance(days, bool) and days > 0
    return DunningSettings(str(process).strip() if isinstance(process, str) and process.strip() else DEFAULT_PROCESS,
                           days if usable else (None if days in (0, False) else DEFAULT_GIVE_UP))


def dunning_problems(vault: Vault) -> list[Problem]:
    """For `obm check`: `[dunning]` keys that are not used or cannot be."""
    section = vault.config.section("dunning")
    line = _section_line(vault)
    problems = []
    if "follow_ups" in section:
        problems.append(Problem(CONFIG_PATH, line, "[dunning] follow_ups is not used: the days of the follow-ups are "
                                "the due:: dates of the steps of the process (processes/"
                                f"{settings(vault).process}.md); remove the key"))
    days = section.get("give_up_after", DEFAULT_GIVE_UP)
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        problems.append(Problem(CONFIG_PATH, line, f"[dunning] give_up_after = {days!r}: write a number of days "
                                "(0 never gives up); 30 is used"))
    if "process" not in section:
        return problems  # the default process: a vault without it has no declines to follow up
    process = vault.index.get("process", settings(vault).process)
    if process is None:
        problems.append(Problem(CONFIG_PATH, line, f'[dunning] process: no process "{settings(vault).process}" '
                                "in processes/"))
    elif str(process.data.get("subject") or "none") != "decline":
        problems.append(Problem(CONFIG_PATH, line, f"[dunning] process: {process.id} is not about a decline "
                                "(subject: decline)"))
    return problems


def _section_line(vault: Vault) -> int:
    try:
        text = (vault.root / CONFIG_PATH).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 0
    return next((n for n, line in enumerate(text.splitlines(), 1) if line.split("#", 1)[0].strip() == "[dunning]"), 0)


def dunning_pass(vault: Vault, now: datetime) -> list[DunningChange]:
    """Start the follow-ups of new declines, give up the ones past `give_up_after`, stop their runs."""
    wanted = settings(vault)
    if vault.index.get("process", wanted.process) is None:
        return []  # `obm check` says why
    changes: list[DunningChange] = []
    for decline in sorted(vault.records("decline"), key=lambda r: r.id):
        if not decline.readable:
            continue
        runs = runs_of(vault, wanted.process, decline.id)
        status = str(decline.data.get("status") or "new")
        if status == "new" and not runs:
            changes.append(_start(vault, wanted.process, decline, now.date()))
        elif status not in SETTLED and runs and wanted.give_up_after is not None:
            changes += _give_up(vault, decline, runs, wanted.give_up_after, now)
    return changes


def _start(vault: Vault, process: str, decline: Record, today: date) -> DunningChange:
    try:
        started: Started = start_run(vault, process, decline.path, today)
    except ObmError as exc:
        return DunningChange(f"decline {decline.id}: follow-up not started", changed=False, error=exc.message)
    return DunningChange(f"{started.message} — [dunning]", started.commit, started.created)


def _give_up(vault: Vault, decline: Record, runs: list[Record], days: int, now: datetime) -> list[DunningChange]:
    began = _started(runs[0])
    if began is None or now.date() < began + timedelta(days=days):
        return []
    before = str(decline.data.get("status") or "new")
    message = (f"decline {decline.id}: status {before} -> lost; not recovered {days} days after its follow-up "
               f"started on {began.isoformat()} ([dunning] give_up_after)")
    try:
        saved = vault.update(decline, {"status": "lost", "resolved": now.date().isoformat()}, message)
    except ObmError as exc:
        return [DunningChange(f"decline {decline.id}: not given up", changed=False, error=exc.message)]
    done = [DunningChange(message, saved.commit)]
    for run in runs:
        fresh = vault.index.by_path(run.path) or run
        try:
            outcome: RunOutcome | None = process_run(vault, fresh, now)
        except ObmError as exc:
            done.append(DunningChange(f"run {run.id}: not processed", changed=False, error=exc.message))
            continue
        if outcome is not None and outcome.changed:
            done.append(DunningChange(outcome.message, outcome.commit))
    return done


def _started(run: Record) -> date | None:
    value = run.value("started")
    return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else None
