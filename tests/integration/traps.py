"""Booby-trapped vaults: one git setting per trap names a program that leaves a mark if it runs.

Shared by the integration trap suite and the app's (Pilot) one. A trap's values are shell
commands or scripts; `{ran}` is the mark file, `{remote}` the bare remote's path.
"""

from __future__ import annotations

import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from obm_tui.vault.store import Vault

CLIENT = "---\ntype: client\nid: ann-lee\nname: Ann Lee\nstatus: lead\nemail: ann@example.com\n---\n\nNotes.\n"
REL = "clients/ann-lee.md"
HOOKS = ("pre-commit", "commit-msg", "post-commit", "pre-merge-commit", "prepare-commit-msg", "post-merge",
         "pre-push", "post-checkout", "reference-transaction", "post-index-change", "pre-auto-gc", "post-rewrite",
         "fsmonitor-watchman", "push-to-checkout", "pre-receive", "update", "post-update")


@dataclass(frozen=True)
class Trap:
    """Settings (key, value) for one scope; `attributes` lines for .git/info/attributes."""

    name: str
    settings: tuple[tuple[str, str], ...]
    scope: str = "local"
    attributes: tuple[str, ...] = ()
    extra: tuple[str, ...] = field(default=())  # "alternates", "hooks", "include"
    expect: str = "works"  # or "refused" (obm names the key and opens nothing), "sync refused", "sync fails"

    def __str__(self) -> str:
        return self.name


SHELL = "touch {ran}; "
TRAPS = (
    Trap("uploadpack", (("remote.origin.uploadpack", SHELL + "git-upload-pack"),
                        ("remote.byfile.uploadpack", SHELL + "git-upload-pack"))),
    Trap("receivepack", (("remote.origin.receivepack", SHELL + "git-receive-pack"),
                         ("remote.byfile.receivepack", SHELL + "git-receive-pack"))),
    Trap("gitproxy", (("core.gitProxy", "{script}"), ("url.git://127.0.0.1:9/remote.git.insteadOf", "{remote}")),
         expect="refused"),
    Trap("gitproxy-for-domain", (("core.gitProxy", "{script} for .0.0.1"),
                                 ("url.git://127.0.0.1:9/remote.git.insteadOf", "{remote}")), expect="refused"),
    Trap("merge-driver-worktree", (("merge.obm.driver", SHELL + "false"),), scope="worktree"),
    Trap("merge-driver-foreign", (("merge.trap.driver", SHELL + "false"),), attributes=("*.md merge=trap",),
         expect="sync refused"),
    Trap("fsmonitor", (("core.fsmonitor", SHELL + "echo"),)),
    Trap("fsmonitor-worktree", (("core.fsmonitor", SHELL + "echo"),), scope="worktree"),
    Trap("hooks-path", (("core.hooksPath", "{hooks}"),), extra=("hooks",)),
    Trap("hooks-dir", (), extra=("git-hooks",)),
    Trap("pager", (("core.pager", SHELL + "cat"), ("pager.log", SHELL + "cat"), ("pager.show", SHELL + "cat"))),
    Trap("editor", (("core.editor", SHELL + "true"), ("sequence.editor", SHELL + "true"))),
    Trap("askpass", (("core.askPass", "{script}"),)),
    Trap("ssh-command", (("core.sshCommand", "{script}"), ("url.ssh://127.0.0.1:1/remote.git.insteadOf", "{remote}")),
         expect="sync fails"),
    Trap("alternate-refs", (("core.alternateRefsCommand", SHELL + "true"),), extra=("alternates",)),
    Trap("credential-helper", (("credential.helper", "!" + SHELL + "true"),
                               ("credential.https://example.com.helper", "!" + SHELL + "true"))),
    Trap("diff-drivers", (("diff.external", "{script}"), ("diff.trap.textconv", "{script}"),
                          ("diff.trap.command", "{script}")), attributes=("*.md diff=trap",)),
    Trap("filter", (("filter.trap.clean", SHELL + "cat"), ("filter.trap.smudge", SHELL + "cat"),
                    ("filter.trap.process", "{script}"), ("filter.trap.required", "true")),
         attributes=("*.md filter=trap",)),
    Trap("gpg", (("gpg.program", "{script}"), ("gpg.ssh.program", "{script}"), ("gpg.x509.program", "{script}"),
                 ("gpg.openpgp.program", "{script}"), ("commit.gpgSign", "true"), ("log.showSignature", "true"),
                 ("merge.verifySignatures", "true"), ("push.gpgSign", "true"), ("tag.gpgSign", "true"))),
    Trap("remote-vcs", (("remote.origin.vcs", "ext"), ("remote.origin.url", "touch {ran}")), expect="refused"),
    Trap("ext-url", (("url.ext::touch {ran}.insteadOf", "{remote}"),), expect="refused"),
    Trap("ext-allowed", (("protocol.allow", "always"), ("protocol.ext.allow", "always"),
                         ("url.ext::touch {ran}.insteadOf", "{remote}")), expect="refused"),
    Trap("ext-remote-url", (("protocol.ext.allow", "always"), ("remote.origin.url", "ext::touch {ran}")),
         expect="sync fails"),
    Trap("include", (("include.path", "{include}"),), extra=("include",), expect="refused"),
    Trap("include-if", (("includeIf.onbranch:main.path", "{include}"),), extra=("include",), expect="refused"),
    Trap("include-worktree", (("include.path", "{include}"),), scope="worktree", extra=("include",), expect="refused"),
)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@dataclass(frozen=True)
class Team:
    """A vault, its bare remote (also reached as a file:// URL, remote `byfile`), a teammate's clone."""

    vault: Path
    remote: Path
    teammate: Path
    marks: Path

    def teammate_edit(self, old: str, new: str) -> None:
        """The teammate changes the client and pushes, so the next sync has a merge to make."""
        git(self.teammate, "fetch", "-q", "origin")
        git(self.teammate, "reset", "-q", "--hard", "origin/main")
        path = self.teammate / REL
        path.write_text(path.read_text().replace(old, new))
        git(self.teammate, "-c", "user.name=Mia", "-c", "user.email=mia@example.com", "commit", "-qam", "mia")
        git(self.teammate, "push", "-q", "origin", "main")

    def programs_run(self) -> list[str]:
        return sorted(p.name for p in self.marks.iterdir() if p.name.startswith("ran-"))


def make_team(start: Path, tmp_path: Path) -> Team:
    """`start` is an obm vault with history; it becomes a clone of a bare remote."""
    (start / REL).parent.mkdir(parents=True, exist_ok=True)
    (start / REL).write_text(CLIENT)
    Vault.open(start).close()
    remote, vault, teammate, marks = (tmp_path / n for n in ("remote.git", "mine", "teammate", "marks"))
    marks.mkdir()
    for cmd in (["clone", "-q", "--bare", str(start), str(remote)], ["clone", "-q", str(remote), str(vault)],
                ["clone", "-q", str(remote), str(teammate)]):
        subprocess.run(["git", *cmd], check=True)
    git(vault, "remote", "add", "byfile", remote.as_uri())
    Vault.open(vault).close()
    return Team(vault, remote, teammate, marks)


def set_trap(team: Team, trap: Trap) -> None:
    """Arm `trap` in the team's vault: its settings, attributes and files."""
    ran = team.marks / f"ran-{trap.name}"
    script = team.marks / "trap-script"
    executable(script, f"#!/bin/sh\ntouch {ran}\nexit 1\n")
    names = {"ran": str(ran), "script": str(script), "remote": str(team.remote), "hooks": str(team.marks / "hooks"),
             "include": str(team.marks / "included")}
    if "hooks" in trap.extra or "git-hooks" in trap.extra:
        folder = team.marks / "hooks" if "hooks" in trap.extra else team.vault / ".git" / "hooks"
        for hook in HOOKS:
            executable(folder / hook, f"#!/bin/sh\ntouch {ran}\n")
    if "alternates" in trap.extra:
        (team.vault / ".git/objects/info/alternates").write_text(f"{team.remote / 'objects'}\n")
    if "include" in trap.extra:
        (team.marks / "included").write_text(f"[core]\n\tfsmonitor = touch {ran}; echo\n\tpager = touch {ran}; cat\n")
    if trap.scope == "worktree":
        git(team.vault, "config", "extensions.worktreeConfig", "true")
    for key, value in trap.settings:
        git(team.vault, "config", f"--{trap.scope}", "--replace-all", key.format(**names), value.format(**names))
    if trap.attributes:
        with (team.vault / ".git/info/attributes").open("a") as out:
            out.write("".join(line + "\n" for line in trap.attributes))
