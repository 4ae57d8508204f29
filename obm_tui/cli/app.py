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
from typing import TYPE_CHECKING, Any, NoReturn

import click

from obm_tui import __version__
from obm_tui.cli.out import end_on_closed_pipe, say

if TYPE_CHECKING:
    from obm_tui.model.records import Record
    from obm_tui.vault.store import Vault

EXIT_PROBLEMS, EXIT_USAGE, EXIT_VAULT = 1, 2, 3


class ObmGroup(click.Group):
    """Turns every ObmError, click usage error (and any surprise) into one line on stderr and an
    exit status; a closed stdout ends the command quietly."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            _fail(usage_line(exc), EXIT_USAGE)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except click.Abort:  # a confirmation answered no, or ^C at a prompt
            _fail("stopped; nothing was changed", EXIT_PROBLEMS)
        sys.exit(result if isinstance(result, int) else 0)

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
        except BrokenPipeError:
            end_on_closed_pipe()
        except PermissionError as exc:  # a vault that looked writable, a file that is not
            _fail(f"cannot write {exc.filename or 'a file'}: permission denied", EXIT_VAULT)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as exc:  # noqa: BLE001 - never a traceback at the user
            if os.environ.get("OBM_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (run with OBM_DEBUG=1 for details)", EXIT_VAULT)


def usage_line(exc: click.UsageError) -> str:
    """click's usage error as obm's one line: `list: missing argument 'KIND' (obm list --help)`."""
    message = " ".join(_own_words(exc).split())
    message = message[:1].lower() + message[1:].rstrip(".")
    where = exc.ctx.command_path.partition(" ")[2] if exc.ctx is not None else ""  # the program's name aside
    return f"{where}: {message} (obm {where} --help)" if where else f"{message} (obm --help)"


def _own_words(exc: click.UsageError) -> str:
    """The errors whose wording click has changed between releases, in obm's words (tested on
    the lowest click pyproject allows, and the newest); the rest as click says them."""
    if isinstance(exc, click.NoSuchOption):
        hint = f"; did you mean {', '.join(sorted(exc.possibilities))}?" if exc.possibilities else ""
        return f"no such option '{exc.option_name}'{hint}"
    return exc.format_message()


def _fail(message: str, code: int) -> NoReturn:
    say(f"obm: {message}", err=True)
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
def opened(ctx: click.Context, *, change: bool = True) -> Iterator[Vault]:
    """The vault, opened for a command; one that would `change` it is refused in a read-only vault."""
    from obm_tui.vault.store import Vault, read_only_reason

    vault = Vault.open(find_vault(ctx.obj.get("vault")))
    if change and vault.read_only:
        reason = read_only_reason(vault.root, vault.git.git_dir) or "it cannot be written"
        vault.close()
        _fail(f"the vault is read-only ({reason}); nothing was changed", EXIT_PROBLEMS)
    saved: list[str] = []
    vault.listeners.append(saved.extend)
    try:
        yield vault
        if change:
            vault.listeners.remove(saved.extend)
            apply_rules_after(vault, saved)
    finally:
        stale_lock_note(vault)
        vault.close()
        for note in vault.notes:  # a commit queued behind a git lock: what was saved, which commit waits
            say(f"obm: note: {note}", err=True)


def apply_rules_after(vault: Vault, saved: list[str]) -> None:
    """After every command that may change the vault: the open runs about the records it `saved`
    are brought up to date (services/runs.py `process_runs_about`: a decline set to recovered ends
    its follow-up run), then the rule pass (services/rules.py), which sees what the command, an
    outside edit or a sync changed since the last pass. What they did is said on stdout; what a
    rule could not start is a note on stderr (the command itself succeeded, so the exit status
    stays 0; `obm tick` exits 1 for it)."""
    from obm_tui.model.errors import ObmError
    from obm_tui.services.records import now_in
    from obm_tui.services.rules import RuleStart, apply_rules
    from obm_tui.services.runs import process_runs_about

    try:
        for outcome in process_runs_about(vault, saved, now_in(vault)):
            if outcome.error:
                say(f"obm: note: {outcome.message}: {outcome.error}", err=True)
            else:
                say(outcome.message.split("\n", 1)[0])
        done: list[RuleStart] = apply_rules(vault, now_in(vault))
    except ObmError as exc:  # git busy, say: the command's own change is made; the next pass catches up
        say(f"obm: note: the rules were not applied this time ({exc.message}); the next obm command or obm tick "
            "will", err=True)
        return
    for start in done:
        if start.error:
            say(f'obm: note: rule "{start.rule}" for {start.record}: {start.error}', err=True)
        elif start.started is not None and start.started.created:
            say(start.started.message)


def stale_lock_note(vault: Vault) -> None:
    """Say how to clear a git lock a dead git program left (a change waits for it, queued)."""
    from obm_tui.vault import git_leftovers

    for item in git_leftovers.leftovers(vault.root, vault.git.git_dir):
        holder = git_leftovers.describe_lock(str(item.path)) if item.kind == "lock" else ""
        if "no longer running" in holder:
            say(f"note: {item.path} {holder}", err=True)


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


def _business_options(command: Any) -> Any:
    """One `obm init` option per [business] setting templates use (--owner, --calendar-link …)."""
    from obm_tui.model.template_text import BUSINESS_SETTINGS

    for setting in reversed(BUSINESS_SETTINGS[1:]):
        command = click.option(setting.flag, setting.key, metavar="TEXT", help=f"[business] {setting.key}: "
                               f"{setting.words}.")(command)
    return command


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", help="The business's name (default: the folder's name).")
@click.option("--timezone", default="UTC", show_default=True, help="IANA time zone, e.g. Europe/London.")
@_business_options
@click.option("--yes", "-y", "no_questions", is_flag=True,
              help="Ask nothing: settings not given stay unset (the default when not on a terminal).")
def init(path: Path, name: str | None, timezone: str, no_questions: bool, **business: str | None) -> None:
    """Make a new vault at PATH: folders, config, starter processes, git, a first commit.

    The [business] settings that templates fill in (owner, manager, calendar link …) come from the
    options; on a terminal, obm asks for those not given (Enter leaves one unset)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from obm_tui.model.errors import UsageError
    from obm_tui.services.setup import checked_business, init_vault, missing_business

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {timezone!r} (use an IANA name like Europe/London)") from None
    settings = checked_business({k: v for k, v in business.items() if v})
    if not no_questions and sys.stdin.isatty():
        name, settings = _ask_business(path, name, settings)
    added = init_vault(path, name=name, timezone=timezone, business=settings)
    say(f"vault ready at {path.resolve()} ({len(added)} files)")
    missing = missing_business(settings)
    if missing:
        say(f"note: not set yet: {', '.join(missing)} — templates that use them refuse to draft until "
            "they are set in .obm/config.toml [business] (obm init --help)", err=True)
    say(f"open it with: obm --vault {path}")


def _ask_business(path: Path, name: str | None, settings: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Ask for the name and each [business] setting not given (a bad answer is asked again)."""
    from obm_tui.cli.out import ask_text
    from obm_tui.model.errors import ValidationError
    from obm_tui.model.template_text import BUSINESS_SETTINGS
    from obm_tui.services.setup import checked_business

    name = name or ask_text("Business name", path.expanduser().resolve().name)
    for setting in BUSINESS_SETTINGS[1:]:
        while setting.key not in settings:
            answer = ask_text(f"{setting.key.replace('_', ' ').capitalize()} ({setting.words}; Enter: not now)", "")
            try:
                settings |= checked_business({setting.key: answer})
            except ValidationError as exc:
                say(f"obm: {exc.message.replace(setting.flag, setting.key.replace('_', ' '), 1)}", err=True)
                continue
            if not answer.strip():
                break
    return name, settings


@main.command()
@click.argument("path", type=click.Path(path_type=Path), default="obm-demo", required=False)
def demo(path: Path) -> None:
    """Make a fresh demo vault at PATH (default ./obm-demo) from the sample vault."""
    from obm_tui.services.setup import make_demo

    made = make_demo(path)
    say(f"demo vault ready at {made}")
    say(f"open it with: obm --vault {path}")
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
    """Nothing to print here any more: `opened` prints the store's own note for a queued commit
    (what was saved, which commit waits for which lock)."""


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
    say("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for record, row in zip(records, rows, strict=True):
        line = "  ".join(fit(v, w) for v, w in zip(row, widths, strict=True)).rstrip()
        say(line + ("  !" if record.problems else ""))


def fit(text: str, width: int) -> str:
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
