"""Commands over records of any kind: init, demo, tui, new, set, list, show, log, check, sync, delete, archive."""

from __future__ import annotations

import sys
from typing import Any

import click

from obm_tui.cli.app import (
    EXIT_PROBLEMS,
    main,
    opened,
    parse_pairs,
    pending_note,
    print_table,
    record_json,
)
from obm_tui.cli.completion import complete_kinds, ids_of
from obm_tui.cli.out import ask, say, say_json
from obm_tui.model.errors import UsageError


@main.command("new")
@click.argument("kind", shell_complete=complete_kinds)
@click.argument("title")
@click.argument("fields", nargs=-1, metavar="[FIELD=VALUE]...")
@click.option("--restore", is_flag=True, help="Bring back the archived record of this name instead.")
@click.pass_context
def new_cmd(ctx: click.Context, kind: str, title: str, fields: tuple[str, ...], restore: bool) -> None:
    """Create a record: obm new client "Fred Smith" email=fred@example.com status=onboarding

    When the name is the id of an archived record, `--restore` brings that one back (with the
    fields given) instead of making a second one."""
    from obm_tui.services.records import archive_record, name_note, new_record, same_name, set_fields

    with opened(ctx) as vault:
        taken = same_name(vault, kind, title)
        if restore:
            if taken is None or taken.data.get("archived") is not True:
                raise UsageError(f"no archived {kind} named {title.strip()!r} to restore")
            result = archive_record(vault, taken.path, archived=False)
            if fields:
                result = set_fields(vault, taken.path, parse_pairs(fields))
            say(f"restored {result.record.kind} {result.record.id} ({result.record.path})")
            pending_note(result)
            return
        result = new_record(vault, kind, title, parse_pairs(fields))
        say(f"created {result.record.kind} {result.record.id} ({result.record.path})")
        if taken is not None:
            say(name_note(taken, result.record))
        pending_note(result)


@main.command("set")
@click.argument("ref", metavar="ID", shell_complete=ids_of())
@click.argument("fields", nargs=-1, required=True, metavar="FIELD=VALUE...")
@click.pass_context
def set_cmd(ctx: click.Context, ref: str, fields: tuple[str, ...]) -> None:
    """Change fields: obm set fred-smith status=current (an empty value removes the field)."""
    from obm_tui.services.records import set_fields

    with opened(ctx) as vault:
        result = set_fields(vault, ref, parse_pairs(fields))
        if result.commit is None and not result.pending:
            say(f"{result.record.kind} {result.record.id}: nothing changed")
            return
        say(vault.git.log(limit=1)[0].message if result.commit else f"saved {result.record.path}")
        if result.merged:
            say(f"merged with an outside edit of {', '.join(result.merged)}")
        pending_note(result)


@main.command("list")
@click.argument("kind", shell_complete=complete_kinds)
@click.option("--where", "-w", multiple=True, metavar="FIELD=VALUE", help="Keep matching records (= != > < >= <= ~).")
@click.option("--sort", "sort_field", metavar="FIELD", help="Sort by a field (default: id).")
@click.option("--all", "include_archived", is_flag=True, help="Include archived records.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines out: one object per record.")
@click.pass_context
def list_cmd(ctx: click.Context, kind: str, where: tuple[str, ...], sort_field: str | None,
             include_archived: bool, as_json: bool) -> None:
    """List records of a kind: obm list tickets --where status=open --where priority=high"""
    from obm_tui.model.kinds import LIST_COLUMNS
    from obm_tui.model.query import filter_records, parse_term, sort_key
    from obm_tui.services.records import require_kind

    spec = require_kind(kind)
    terms = [parse_term(t) for t in where]
    with opened(ctx, change=False) as vault:
        everything = vault.records(spec.name, archived=include_archived)
        shown = sorted(filter_records(everything, terms), key=sort_key(sort_field or "id"))
        if as_json:
            say_json([record_json(r) for r in shown])
        else:
            print_table(shown, ("id", *LIST_COLUMNS[spec.name]))
        bad = sum(1 for r in everything if r.problems)
        say(f"{len(shown)} of {len(everything)} {spec.folder} shown; {bad} with problems"
                   + (" (obm check lists them)" if bad else ""), err=True)


@main.command()
@click.argument("ref", metavar="ID", shell_complete=ids_of())
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.pass_context
def show(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Show one record: its fields, problems and notes."""
    from obm_tui.model.display import clean

    with opened(ctx, change=False) as vault:
        record = vault.find(ref)
        body = vault.read_body(record) if record.readable else ""
        if as_json:
            say_json(record_json(record, body))
            return
        say(f"{record.kind} {record.id}  ({record.path})")
        for name in record.data:
            say(f"  {clean(str(name))}: {clean(record.text(name))}")
        for problem in record.problems:
            say(f"  ! {clean(str(problem))}")
        if body.strip():
            say("")
            say(clean(body.rstrip("\n"), keep_newlines=True))


@main.command()
@click.argument("ref", metavar="[ID]", required=False, shell_complete=ids_of())
@click.option("--limit", "-n", type=int, default=30, show_default=True, help="How many changes to show.")
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.pass_context
def log(ctx: click.Context, ref: str | None, limit: int, as_json: bool) -> None:
    """The audit trail from git, in business words (of one record, or of the whole vault)."""
    from obm_tui.model.display import clean

    with opened(ctx, change=False) as vault:
        path = vault.find(ref).path if ref else None
        commits = vault.git.log(path, limit=limit)
        if as_json:
            say_json([_commit_json(c) for c in commits])
            return
        for commit in commits:
            when = commit.when.astimezone(vault.config.tz).strftime("%Y-%m-%d %H:%M")
            say(f"{commit.sha[:8]}  {when}  {clean(commit.author)}: {clean(commit.message)}")
        if not commits:
            say("no history yet", err=True)


def _commit_json(commit: Any) -> dict[str, Any]:
    return {"sha": commit.sha, "author": commit.author, "email": commit.email,
            "when": commit.when.isoformat(), "message": commit.message}


@main.command()
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Validate the whole vault; exit status 1 and a file:line list when something is wrong."""
    from obm_tui.model.display import clean
    from obm_tui.services.check import check_vault

    with opened(ctx, change=False) as vault:
        report = check_vault(vault)
    if as_json:
        say_json({"records": report.records, "problems": [str(p) for p in report.problems]})
    else:
        for problem in report.problems:
            say(clean(str(problem)))
        say(f"{report.records} records read; {report.bad_records} with problems"
                   f" ({len(report.problems)} problems)", err=True)
    if report.problems:
        sys.exit(EXIT_PROBLEMS)


@main.command()
@click.option("--remote", metavar="NAME", help="The remote (default: the branch's, else origin).")
@click.pass_context
def sync(ctx: click.Context, remote: str | None) -> None:
    """Share the vault: commit outside edits, fetch, merge record by record, push."""
    from obm_tui.model.display import clean
    from obm_tui.services.sync import sync as sync_vault
    from obm_tui.vault.paths import CONFLICT_DIR

    with opened(ctx) as vault:
        result = sync_vault(vault, remote)
    say(clean(result.summary()))
    for line in result.rules:
        say(clean(line))
    for name in result.kept:
        say(f"  kept aside: {CONFLICT_DIR}/{clean(name)}")
    for path in result.renamed:
        say(f"  kept as a second record: {clean(path)}")


@main.command()
@click.argument("ref", metavar="ID", shell_complete=ids_of())
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete(ctx: click.Context, ref: str, yes: bool) -> None:
    """Delete a record (git keeps its history; `obm archive` hides it instead)."""
    from obm_tui.services.records import delete_record

    with opened(ctx) as vault:
        record = vault.find(ref)
        if not yes and not ask(f"delete {record.kind} {record.id} ({record.path})?"):
            raise click.Abort()
        delete_record(vault, record.path)
        say(f"deleted {record.kind} {record.id}")


@main.command()
@click.argument("ref", metavar="ID", shell_complete=ids_of())
@click.option("--undo", is_flag=True, help="Bring an archived record back.")
@click.pass_context
def archive(ctx: click.Context, ref: str, undo: bool) -> None:
    """Archive a record: kept in the vault, hidden from lists (list --all shows it)."""
    from obm_tui.services.records import archive_record

    with opened(ctx) as vault:
        result = archive_record(vault, ref, archived=not undo)
        say(f"{'restored' if undo else 'archived'} {result.record.kind} {result.record.id}")


