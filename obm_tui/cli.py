"""The `obm` command: a bare `obm` opens the app; subcommands work headless over any vault.

Exit status: 0 ok, 1 problems found, 2 usage, 3 vault or git error. Errors are one line.
Heavy modules are imported inside commands so `obm list` starts fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from obm_tui import __version__

if TYPE_CHECKING:
    from obm_tui.model.records import Record
    from obm_tui.vault.store import Vault

EXIT_PROBLEMS, EXIT_USAGE, EXIT_VAULT = 1, 2, 3


class ObmGroup(click.Group):
    """Turns every ObmError (and any surprise) into one line on stderr and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        from obm_tui.model.errors import ObmError, UsageError, ValidationError

        try:
            return super().invoke(ctx)
        except (UsageError, ValidationError) as exc:
            _fail(f"{exc.message}", EXIT_USAGE)
        except ObmError as exc:
            _fail(f"{exc.message}", EXIT_VAULT)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as exc:  # noqa: BLE001 - never a traceback at the user
            if os.environ.get("OBM_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (run with OBM_DEBUG=1 for details)", EXIT_VAULT)


def _fail(message: str, code: int) -> None:
    click.echo(f"obm: {message}", err=True)
    sys.exit(code)


def find_vault(explicit: str | None) -> Path:
    """--vault, then $OBM_VAULT, then the nearest folder upward holding .obm/config.toml."""
    from obm_tui.model.errors import UsageError

    chosen = explicit or os.environ.get("OBM_VAULT")
    if chosen:
        return Path(chosen).expanduser()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / ".obm" / "config.toml").is_file():
            return folder
    raise UsageError("no vault here: pass --vault PATH, set OBM_VAULT, or run inside a vault (obm init PATH makes one)")


@contextmanager
def opened(ctx: click.Context) -> Iterator[Vault]:
    from obm_tui.vault.store import Vault

    vault = Vault.open(find_vault(ctx.obj.get("vault")))
    try:
        yield vault
    finally:
        vault.close()


@click.group(cls=ObmGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--vault", "vault_path", metavar="PATH", help="The vault folder (default: $OBM_VAULT or found upward).")
@click.version_option(__version__, "--version", prog_name="obm")
@click.pass_context
def main(ctx: click.Context, vault_path: str | None) -> None:
    """Run a small online business's systems from a git-tracked folder of Markdown files.

    With no command, opens the app on the vault.
    """
    ctx.ensure_object(dict)
    ctx.obj["vault"] = vault_path
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui)


@main.command()
@click.pass_context
def tui(ctx: click.Context) -> None:
    """Open the app (the default when no command is given)."""
    from obm_tui.tui.app import run_app

    run_app(find_vault(ctx.obj.get("vault")))


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", help="The business's name (default: the folder's name).")
@click.option("--timezone", default="UTC", show_default=True, help="IANA time zone, e.g. Europe/London.")
def init(path: Path, name: str | None, timezone: str) -> None:
    """Make a new vault at PATH: folders, config, starter processes, git, a first commit."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from obm_tui.model.errors import UsageError
    from obm_tui.services.setup import init_vault

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {timezone!r} (use an IANA name like Europe/London)") from None
    added = init_vault(path, name=name, timezone=timezone)
    click.echo(f"vault ready at {path.resolve()} ({len(added)} files)")
    click.echo(f"open it with: obm --vault {path}")


@main.command()
@click.argument("path", type=click.Path(path_type=Path), default="obm-demo", required=False)
def demo(path: Path) -> None:
    """Make a fresh demo vault at PATH (default ./obm-demo) from the sample vault."""
    from obm_tui.services.setup import make_demo

    made = make_demo(path)
    click.echo(f"demo vault ready at {made}")
    click.echo(f"open it with: obm --vault {path}")


def parse_pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    from obm_tui.model.errors import UsageError

    parsed: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"expected field=value, got {pair!r}")
        parsed[name.strip()] = value
    return parsed


@main.command("new")
@click.argument("kind")
@click.argument("title")
@click.argument("fields", nargs=-1, metavar="[FIELD=VALUE]...")
@click.pass_context
def new_cmd(ctx: click.Context, kind: str, title: str, fields: tuple[str, ...]) -> None:
    """Create a record: obm new client "Fred Smith" email=fred@example.com status=onboarding"""
    from obm_tui.services.records import new_record

    with opened(ctx) as vault:
        result = new_record(vault, kind, title, parse_pairs(fields))
        click.echo(f"created {result.record.kind} {result.record.id} ({result.record.path})")
        _pending_note(result)


@main.command("set")
@click.argument("ref", metavar="ID")
@click.argument("fields", nargs=-1, required=True, metavar="FIELD=VALUE...")
@click.pass_context
def set_cmd(ctx: click.Context, ref: str, fields: tuple[str, ...]) -> None:
    """Change fields: obm set fred-smith status=current (an empty value removes the field)."""
    from obm_tui.services.records import set_fields

    with opened(ctx) as vault:
        result = set_fields(vault, ref, parse_pairs(fields))
        if result.commit is None and not result.pending:
            click.echo(f"{result.record.kind} {result.record.id}: nothing changed")
            return
        click.echo(vault.git.log(limit=1)[0].message if result.commit else f"saved {result.record.path}")
        if result.merged:
            click.echo(f"merged with an outside edit of {', '.join(result.merged)}")
        _pending_note(result)


def _pending_note(result: Any) -> None:
    if result.pending:
        click.echo("note: git is busy (index.lock); the change is saved on disk and will be committed later", err=True)


@main.command("list")
@click.argument("kind")
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
    with opened(ctx) as vault:
        everything = vault.records(spec.name, archived=include_archived)
        shown = sorted(filter_records(everything, terms), key=sort_key(sort_field or "id"))
        if as_json:
            click.echo(json.dumps([record_json(r) for r in shown], ensure_ascii=False, indent=1))
        else:
            print_table(shown, ("id", *LIST_COLUMNS[spec.name]))
        bad = sum(1 for r in everything if r.problems)
        click.echo(f"{len(shown)} of {len(everything)} {spec.folder} shown; {bad} with problems"
                   + (" (obm check lists them)" if bad else ""), err=True)


def record_json(record: Record, body: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record.id, "kind": record.kind, "path": record.path, "fields": dict(record.data)}
    out["problems"] = [str(p) for p in record.problems]
    if body is not None:
        out["body"] = body
    return out


def print_table(records: list[Record], columns: tuple[str, ...]) -> None:
    from obm_tui.model.display import clean

    rows = [[clean(r.id if c == "id" else r.text(c)) for c in columns] for r in records]
    widths = [min(40, max([len(c)] + [len(row[i]) for row in rows])) for i, c in enumerate(columns)]
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip())
    for record, row in zip(records, rows):
        line = "  ".join(_fit(v, w) for v, w in zip(row, widths)).rstrip()
        click.echo(line + ("  !" if record.problems else ""))


def _fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


@main.command()
@click.argument("ref", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.pass_context
def show(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Show one record: its fields, problems and notes."""
    from obm_tui.model.display import clean

    with opened(ctx) as vault:
        record = vault.find(ref)
        body = vault.read_body(record) if record.readable else ""
        if as_json:
            click.echo(json.dumps(record_json(record, body), ensure_ascii=False, indent=1))
            return
        click.echo(f"{record.kind} {record.id}  ({record.path})")
        for name, value in record.data.items():
            click.echo(f"  {clean(str(name))}: {clean(record.text(name))}")
        for problem in record.problems:
            click.echo(f"  ! {clean(str(problem))}")
        if body.strip():
            click.echo("")
            click.echo(clean(body.rstrip("\n"), keep_newlines=True))


@main.command()
@click.argument("ref", metavar="[ID]", required=False)
@click.option("--limit", "-n", type=int, default=30, show_default=True, help="How many changes to show.")
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.pass_context
def log(ctx: click.Context, ref: str | None, limit: int, as_json: bool) -> None:
    """The audit trail from git, in business words (of one record, or of the whole vault)."""
    from obm_tui.model.display import clean

    with opened(ctx) as vault:
        path = vault.find(ref).path if ref else None
        commits = vault.git.log(path, limit=limit)
        if as_json:
            click.echo(json.dumps([_commit_json(c) for c in commits], ensure_ascii=False, indent=1))
            return
        for commit in commits:
            when = commit.when.astimezone(vault.config.tz).strftime("%Y-%m-%d %H:%M")
            click.echo(f"{commit.sha[:8]}  {when}  {clean(commit.author)}: {clean(commit.message)}")
        if not commits:
            click.echo("no history yet", err=True)


def _commit_json(commit: Any) -> dict[str, Any]:
    return {"sha": commit.sha, "author": commit.author, "email": commit.email,
            "when": commit.when.isoformat(), "message": commit.message}


@main.command()
@click.option("--json", "as_json", is_flag=True, help="JSON out.")
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Validate the whole vault; exit status 1 and a file:line list when something is wrong."""
    from obm_tui.services.check import check_vault

    with opened(ctx) as vault:
        report = check_vault(vault)
    if as_json:
        click.echo(json.dumps({"records": report.records, "problems": [str(p) for p in report.problems]}, indent=1))
    else:
        for problem in report.problems:
            click.echo(str(problem))
        click.echo(f"{report.records} records read; {report.bad_records} with problems"
                   f" ({len(report.problems)} problems)", err=True)
    if report.problems:
        sys.exit(EXIT_PROBLEMS)


@main.command()
@click.argument("ref", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete(ctx: click.Context, ref: str, yes: bool) -> None:
    """Delete a record (git keeps its history; `obm archive` hides it instead)."""
    from obm_tui.services.records import delete_record

    with opened(ctx) as vault:
        record = vault.find(ref)
        if not yes and not click.confirm(f"delete {record.kind} {record.id} ({record.path})?", default=False):
            raise click.Abort()
        delete_record(vault, record.path)
        click.echo(f"deleted {record.kind} {record.id}")


@main.command()
@click.argument("ref", metavar="ID")
@click.option("--undo", is_flag=True, help="Bring an archived record back.")
@click.pass_context
def archive(ctx: click.Context, ref: str, undo: bool) -> None:
    """Archive a record: kept in the vault, hidden from lists (list --all shows it)."""
    from obm_tui.services.records import archive_record

    with opened(ctx) as vault:
        result = archive_record(vault, ref, archived=not undo)
        click.echo(f"{'restored' if undo else 'archived'} {result.record.kind} {result.record.id}")




if __name__ == "__main__":
    main()
