"""`obm doctor`: what a killed git program or an interrupted sync left in the vault, cleared safely."""

from __future__ import annotations

import sys

import click

from obm_tui.cli.app import EXIT_PROBLEMS, find_vault, main
from obm_tui.cli.out import say


@main.command()
@click.option("--dry-run", is_flag=True, help="Only list what would be cleared.")
@click.pass_context
def doctor(ctx: click.Context, dry_run: bool) -> None:
    """List the lock files and temp files a dead git program left, and clear them — only when no git
    program is running in the vault (one that is might own them); undo a merge an interrupted sync left."""
    from obm_tui.vault import git_leftovers, interrupted
    from obm_tui.vault.git import Git

    root = find_vault(ctx.obj.get("vault")).expanduser().resolve()
    with Git(root) as git:
        found = git_leftovers.leftovers(root, git.git_dir)
        running = git_leftovers.git_processes(root, git.git_dir)
        for item in found:
            say(item.describe(root) if not running else f"{item.describe(root).split(':')[0]}: in use or left")
        if running:
            for pid, command in running:
                say(f"git is running in the vault: pid {pid}: {command[:100]}")
            say("nothing cleared: a running git program may own these files; run obm doctor again when it ends")
            sys.exit(EXIT_PROBLEMS)
        if dry_run:
            say("nothing cleared (--dry-run)" if found else "nothing left behind: the vault is fine")
            return
        done = interrupted.recover(root, git) + interrupted.clear_leftovers(root, git)
    for line in done:
        say(line)
    if not done:
        say("nothing left behind: the vault is fine")
