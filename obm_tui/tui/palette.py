"""The command palette (ctrl+p): find any record by name, run any action that applies here."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process, utils
from textual.command import DiscoveryHit, Hit, Hits, Provider

from obm_tui.model.records import Record
from obm_tui.tui.actions import ACTIONS, BY_ID, key_label
from obm_tui.tui.safe import plain

if TYPE_CHECKING:
    from obm_tui.tui.app import ObmApp

LIMIT = 25


class RecordsProvider(Provider):
    """Every record, by title or id (fuzzy)."""

    async def startup(self) -> None:
        app: ObmApp = self.app  # type: ignore[assignment]
        self.records: list[Record] = app.vault.index.all()
        self.names = [utils.default_process(f"{r.title} {r.id}") for r in self.records]

    async def search(self, query: str) -> Hits:
        wanted = utils.default_process(query)
        if not wanted:
            return
        hits = await asyncio.to_thread(process.extract, wanted, self.names, scorer=fuzz.WRatio,
                                       processor=None, limit=LIMIT, score_cutoff=50)
        app: ObmApp = self.app  # type: ignore[assignment]
        for _, score, index in hits:
            record = self.records[index]
            yield Hit(score / 100, plain(f"{record.title}  ({record.kind} {record.id})"),
                      partial(app.open, record.path), text=f"{record.title} {record.id}",
                      help=plain(record.path))


class ActionsProvider(Provider):
    """The actions that apply on the screen the palette was opened from, and the app's own."""

    def _commands(self) -> list[tuple[str, str, object]]:
        found: dict[str, tuple[str, str, object]] = {}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.id in BY_ID and binding.id not in found and active.enabled:
                action = BY_ID[binding.id]
                label = f"{action.description}  [{key_label(binding.key)}]"
                found[binding.id] = (label, action.help, partial(self._run, binding.action, active.node))
        for action in ACTIONS:
            if action.scope == "app" and action.id not in found and action.id != "app.palette":
                found[action.id] = (f"{action.description}  [{key_label(action.keys)}]", action.help,
                                    partial(self._run, action.action, self.app))
        return list(found.values())

    def _run(self, action: str, node: object) -> None:
        self.app.call_later(self.app.run_action, action, node)

    async def discover(self) -> Hits:
        for label, help_text, command in self._commands():
            yield DiscoveryHit(plain(label), command, text=label, help=plain(help_text))  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, help_text, command in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, plain(label), command, text=label, help=plain(help_text))  # type: ignore[arg-type]
