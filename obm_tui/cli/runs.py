"""`obm run start|tick|show|list`, `obm tick`, `obm agenda` and `obm draft`.
Services: services/runs.py, run_views.py, rules.py, drafts.py (docs/processes.md, docs/cli.md)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from obm_tui.cli.app import EXIT_PROBLEMS, main, opened, pending_note
from obm_tui.cli.completion import ids_of
from obm_tui.cli.out import say, say_json

_TODAY = click.option("--today", "today", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE",
                      help="Act as if today were DATE (default: today in the vault's time zone).")


def _now(vault: Any, today: datetime | None) -> datetime:
    from obm_tui.services.records import now_in

    now = now_in(vault)
    return datetime.combine(today.date(), now.time()) if today else now


@contextmanager
def _problems_exit() -> Iterator[None]:
    """A process or run with mistakes: list them, exit 1 (nothing was written)."""
    from obm_tui.model.checklist import ProcessProblems

    try:
        yield
    except ProcessProblems as exc:
        say("obm: nothing was done; fix these first:", err=True)
        for problem in exc.problems:
            say(str(problem), err=True)
        sys.exit(EXIT_PROBLEMS)


@main.group("run")
def run_group() -> None:
    """Processes run as checklists: start, tick, show, list (docs/processes.md)."""


@run_group.command("start")
@click.argument("process", shell_complete=ids_of("process"))
@click.option("--for", "subject", metavar="RECORD", shell_complete=ids_of(),
              help="The record the run is about (a client, product…).")
@_TODAY
@click.pass_context
def run_start(ctx: click.Context, process: str, subject: str | None, today: datetime | None) -> None:
    """Start a run: obm run start client-onboarding --for maya-patel"""
    from obm_tui.services.runs import start_run

    with opened(ctx) as vault, _problems_exit():
        started = start_run(vault, process, subject, _now(vault, today).date())
        say(started.message if started.created else f"{started.message} ({started.record.path})")
        if started.created:
            say(started.record.path)
            pending_note(started)


@run_group.command("tick")
@click.argument("run", metavar="RUN", shell_complete=ids_of("run"))
@click.argument("step", metavar="STEP")
@click.option("--undo", is_flag=True, help="Untick the step (what its actions did stays done).")
@_TODAY
@click.pass_context
def run_tick(ctx: click.Context, run: str, step: str, undo: bool, today: datetime | None) -> None:
    """Tick a step (by id, id prefix or number): obm run tick 2026-11-20-client-onboarding-maya-patel send"""
    from obm_tui.services.runs import tick

    with opened(ctx) as vault, _problems_exit():
        outcome = tick(vault, run, step, ticked=not undo, now=_now(vault, today))
        say(outcome.message.rstrip("\n"))
        if outcome.status:
            say(f"run {outcome.run_id} is {outcome.status}", err=True)
        pending_note(outcome)


@run_group.command("show")
@click.argument("run", metavar="RUN", shell_complete=ids_of("run"))
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@_TODAY
@click.pass_context
def run_show(ctx: click.Context, run: str, as_json: bool, today: datetime | None) -> None:
    """A run's steps: done, ready, blocked (on which steps), waiting (on what), due and overdue."""
    from obm_tui.services.run_views import run_view
    from obm_tui.services.runs import find_run

    with opened(ctx, change=False) as vault:
        day = _now(vault, today).date()
        view = run_view(vault, find_run(vault, run), day)
    if as_json:
        say_json(_view_json(view))
        return
    record, status = view.record, view.status
    say(f"{record.title}  ({record.path})")
    about = f"  about {view.context.subject_record.kind} {view.subject_title}" if view.context.subject_record else ""
    say(f"{status.status}, {status.progress} steps done, started {view.context.started}{about}")
    for number, step in enumerate(view.views, 1):
        say(f"{number:>2}. [{'x' if step.state == 'done' else ' '}] {step.step.text}  ({step.id})")
        say(f"      {_state_text(step, day)}")
    for problem in view.checklist.problems:
        say(f"  ! {problem}")


def _state_text(step: Any, today: date) -> str:
    parts = [step.state]
    if step.state == "done" and step.step.done:
        parts = [f"done {step.step.done.isoformat()}"]
    if step.waiting_on_steps:
        parts.append(f"until {', '.join(step.waiting_on_steps)} is done")
    if step.waiting_on:
        parts.append(f"for {'; '.join(step.waiting_on)}")
    if step.due is not None and step.state != "done":
        parts.append(f"overdue since {step.due.isoformat()}" if step.overdue else
                     "due today" if step.due == today else f"due {step.due.isoformat()}")
    if step.pending:
        parts.append("tick not processed yet (obm tick)")
    return "; ".join(parts)


def _view_json(view: Any) -> dict[str, Any]:
    steps = [{"id": v.id, "text": v.step.text, "line": v.step.line, "state": v.state,
              "due": v.due.isoformat() if v.due else None, "overdue": v.overdue,
              "after": list(v.waiting_on_steps), "waiting_on": list(v.waiting_on),
              "done": v.step.done.isoformat() if v.step.done else None, "email": v.step.email or None,
              "pending": v.pending} for v in view.views]
    return {"id": view.record.id, "path": view.record.path, "title": view.record.title,
            "status": view.status.status, "progress": view.status.progress,
            "subject": view.context.subject.id if view.context.subject else None, "steps": steps,
            "problems": [str(p) for p in view.checklist.problems]}


@run_group.command("list")
@click.option("--where", "-w", multiple=True, metavar="FIELD=VALUE", help="Keep matching runs (= != > < >= <= ~).")
@click.option("--sort", "sort_field", metavar="FIELD", help="Sort by a field (default: id).")
@click.option("--all", "include_archived", is_flag=True, help="Include archived runs.")
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.pass_context
def run_list(ctx: click.Context, where: tuple[str, ...], sort_field: str | None, include_archived: bool,
             as_json: bool) -> None:
    """List runs (the same as obm list runs): obm run list --where status=waiting"""
    from obm_tui.cli.records import list_cmd

    ctx.invoke(list_cmd, kind="runs", where=where, sort_field=sort_field, include_archived=include_archived,
               as_json=as_json)


@main.command("tick")
@_TODAY
@click.pass_context
def tick_cmd(ctx: click.Context, today: datetime | None) -> None:
    """Do what is due, then stop (run it from cron): process steps ticked in other editors, start
    the runs the rules in .obm/config.toml call for, start due recurring runs, make the due recurring
    invoices (a client's `billing`, a template invoice's `recurrence`). A second run right
    after does nothing. Exit status 1 if something could not be done."""
    from obm_tui.services.rules import automate

    with opened(ctx) as vault:
        report = automate(vault, _now(vault, today))
    for outcome in report.processed:
        if outcome.changed:
            say(outcome.message.splitlines()[0])
    for start in report.rules:
        if start.started is not None and start.started.created:
            say(start.started.message)
    for started in report.recurring:
        if started.created:
            say(f"{started.message} — recurring")
    for change in report.dunning:
        if change.changed:
            say(change.message.splitlines()[0])
    for made in report.billing:
        if made.changed:
            say(made.message)
    for reminder in report.reminders:
        if reminder.changed:
            say(f"{reminder.message} ({reminder.draft})")
    for error in report.errors:
        say(f"obm: {error}", err=True)
    if not report.did_something and not report.errors:
        say("nothing to do", err=True)
    if report.errors:
        sys.exit(EXIT_PROBLEMS)


@main.command("agenda")
@click.option("--days", type=click.IntRange(0, 366), default=0, show_default=True,
              help="Also list what falls due in the next N days.")
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@_TODAY
@click.pass_context
def agenda_cmd(ctx: click.Context, days: int, as_json: bool, today: datetime | None) -> None:
    """What needs attention: checklist steps (overdue, due, waiting and on what, ready), follow-ups,
    tickets, stock, declined payments and invoices."""
    from obm_tui.services.agenda import SECTIONS, SOURCES, checklist_steps
    from obm_tui.services.run_views import steps_agenda

    with opened(ctx, change=False) as vault:
        now = _now(vault, today)
        items = steps_agenda(vault, now, days=days)
        items += [item for source in SOURCES if source is not checklist_steps for item in source(vault, now)]
    items.sort(key=lambda i: (SECTIONS.index(i.section) if i.section in SECTIONS else 99, i.urgency,
                              i.due or date.max, i.title))
    if as_json:
        say_json([_item_json(i) for i in items])
        return
    section = None
    for item in items:
        if item.section != section:
            section = item.section
            say(("" if section == items[0].section else "\n") + section)
        say(f"  {item.state:<8} {item.title}" + (f"  [{item.detail}]" if item.detail else ""))
        say(f"           {item.path}")
    if not items:
        say("nothing needs attention", err=True)


def _item_json(item: Any) -> dict[str, Any]:
    return {"section": item.section, "state": item.state, "due": item.due.isoformat() if item.due else None,
            "title": item.title, "detail": item.detail, "path": item.path}


@main.command("draft")
@click.argument("run", metavar="RUN", shell_complete=ids_of("run"))
@click.argument("step", metavar="STEP")
@click.option("--eml", "eml", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help="Also save the draft as an .eml file your mail program opens.")
@click.option("--mailto", is_flag=True, help="Print a mailto: link instead of the draft.")
@_TODAY
@click.pass_context
def draft_cmd(ctx: click.Context, run: str, step: str, eml: Path | None, mailto: bool, today: datetime | None) -> None:
    """Draft a step's email (email::) from its template and the run's subject. Never sends mail."""
    from obm_tui.services.runs import draft_for_step

    with opened(ctx, change=False) as vault:
        draft = draft_for_step(vault, run, step, _now(vault, today).date())
    say(draft.as_mailto() if mailto else draft.as_text())
    if eml is not None:
        eml.write_bytes(draft.as_eml())
        say(f"saved {eml}", err=True)

