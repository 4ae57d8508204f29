"""Messages the app posts to itself and its screens. Watcher news coalesces: one reload per burst."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class VaultChanged(Message):
    """Records changed on disk (by obm or another program); the paths are collected by the app.

    A newer VaultChanged replaces one still waiting in the queue, so a `git pull` that touches
    hundreds of files causes one reload, not hundreds.
    """

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, VaultChanged)


@dataclass
class StatusChanged(Message):
    """Branch, last commit or pending commits may have changed: refresh the status bar."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StatusChanged)
