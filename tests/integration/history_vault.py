"""Scripted histories for the review's tests: commits with a set author and set author and
committer dates, made with git itself in a vault made by `obm init`.

    commit_at(root, "2026-06-03 09:00", "Mia Torres", {"clients/a.md": text, "tickets/T-1.md": None},
              "client a: new")

A value of None deletes the file. Dates are read in the vault's zone (UTC unless given with an
offset: "2026-06-03T09:00+02:00").
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

AUTHORS = {"Mia Torres": "mia@fredsmith.coach", "Fred Smith": "fred@fredsmith.coach", "obm": "obm@localhost"}


def record_text(data: Mapping[str, Any], body: str = "") -> str:
    """A record file: front matter (in the order given) and a body."""
    front = yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, default_flow_style=None)
    return f"---\n{front}---\n{body}"


def _when(text: str) -> str:
    moment = datetime.fromisoformat(text.replace(" ", "T"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def commit_at(root: Path, when: str, author: str, files: Mapping[str, str | None], message: str) -> str:
    """Write (or delete) `files`, commit them as `author` at `when`; the new commit's sha."""
    for rel, text in files.items():
        target = root / rel
        if text is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    email = AUTHORS.get(author, f"{author.split()[0].lower()}@example.com")
    stamp = _when(when)
    env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": stamp,
           "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", "add", "-A", "--", *files], cwd=root, check=True, env=env, capture_output=True)
    subprocess.run(["git", "commit", "-q", "--no-verify", "-m", message], cwd=root, check=True, env=env,
                   capture_output=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()
