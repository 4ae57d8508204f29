"""The `obm` command: a bare `obm` opens the app; subcommands work headless over any vault.

Exit status: 0 ok, 1 problems found, 2 usage, 3 vault or git error. Errors are one line.
Heavy modules are imported inside commands so `obm list` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
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
        stale_lock_note(vault)
        vault.close()


def stale_lock_note(vault: Vault) -> None:
    """Say how to clear a git lock a dead git program left (a change waits for it, queued)."""
    from obm_tui.vault import git_leftovers

    for item in git_leftovers.leftovers(vault.root, vault.git.git_dir):
        holder = git_leftovers.describe_lock(str(item.path)) if item.kind == "lock" else ""
        if "no longer running" in holder:
            click.echo(f"note: {item.path} {holder}", err=True)


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


def pending_note(result: Any) -> None:
    if result.pending:
        click.echo("note: git is busy (index.lock); the change is saved on disk and will be committed later", err=True)


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
        line = "  ".join(fit(v, w) for v, w in zip(row, widths)).rstrip()
        click.echo(line + ("  !" if record.problems else ""))


def fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
