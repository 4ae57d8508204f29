"""Errors and problems that the UI can show as they are: a title and a message."""

from __future__ import annotations

from dataclasses import dataclass


class ObmError(Exception):
    """An error with a short title and a message meant for the user, never a traceback."""

    title = "Error"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class FormatError(ObmError):
    """A file's bytes cannot be read as a record. `line` is 1-based (0 when unknown)."""

    title = "Unreadable file"

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class ValidationError(ObmError):
    """A change would break a record's schema."""

    title = "Invalid value"


class VaultError(ObmError):
    """The vault or its git repository cannot be used as asked (exit status 3)."""

    title = "Vault error"


class UsageError(ObmError):
    """The user asked for something that does not exist or makes no sense (exit status 2)."""

    title = "Usage"


class ConflictError(ObmError):
    """The file changed on disk since it was loaded and the changes overlap."""

    title = "Conflict"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one file: where, and why. Shown as `path:line: reason`."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}" if self.line else f"{self.path}: {self.reason}"
