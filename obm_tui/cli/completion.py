"""Shell completion: `obm completion bash|zsh|fish` prints the script (click's machinery), and the
completers that offer kinds, record ids and SKUs.

Ids come from the vault's index cache (`.obm/cache/index.bin`) of the vault found the usual way
(--vault, $OBM_VAULT, the folder upward): one file read, nothing opened, written or committed, and
no vault or no cache simply means nothing is offered — completion never fails loudly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.shell_completion import CompletionItem, get_completion_class

from obm_tui.cli.app import main
from obm_tui.cli.out import say

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_OBM_COMPLETE"


@main.command("completion")
@click.argument("shell", type=click.Choice(SHELLS), metavar="SHELL")
def completion_cmd(shell: str) -> None:
    """Print the completion script for SHELL; see docs/cli.md for where it goes.

    \b
    bash: eval "$(obm completion bash)"   (in ~/.bashrc)
    zsh:  eval "$(obm completion zsh)"    (in ~/.zshrc)
    fish: obm completion fish > ~/.config/fish/completions/obm.fish
    """
    script_class = get_completion_class(shell)
    assert script_class is not None  # click ships all three
    say(script_class(main, {}, "obm", COMPLETE_VAR).source())


def complete_kinds(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Kind names and their folders (`client`, `clients`, `purchase-order` …)."""
    from obm_tui.model.kinds import KINDS

    names = sorted({*KINDS, *(kind.folder for kind in KINDS.values())})
    return [CompletionItem(name) for name in names if name.startswith(incomplete.lower())]


def ids_of(*kinds: str) -> Any:
    """A completer of the ids of records of `kinds` (every kind when none)."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        try:
            found = cached_ids(_vault_of(ctx), kinds)
        except Exception:  # noqa: BLE001 - a completion that cannot help offers nothing
            return []
        wanted = incomplete.casefold()
        return [CompletionItem(i) for i in found if i.casefold().startswith(wanted)]

    return complete


def cached_ids(root: Path | None, kinds: tuple[str, ...]) -> list[str]:
    """Ids of the kinds' records in the vault's index cache, sorted; none without a vault or a cache."""
    from obm_tui.vault.cache import read_cache

    if root is None:
        return []
    rows = read_cache(root).values()
    return sorted({row[2] for row in rows if not kinds or row[1] in kinds})


def _vault_of(ctx: click.Context) -> Path | None:
    from obm_tui.cli.app import find_vault
    from obm_tui.model.errors import UsageError

    try:
        return find_vault(ctx.find_root().params.get("vault_path"))
    except UsageError:
        return None
