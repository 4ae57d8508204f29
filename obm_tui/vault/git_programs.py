"""Every git setting that names a program, and how obm keeps a vault's own from running: one list.

A vault may come from anywhere, and git runs programs named in its config. Each setting of
git-config(1) that names a program, a command or a script is in PROGRAMS with what obm does
about it (tests/unit/test_git_programs.py checks the list against the installed git's manual):

- FIXED: every git process obm starts gets `-c key=value` (the command line outranks every file);
- PER_NAME: `<name>` settings get one such override for each name the vault's config uses;
- OPTION: an option obm always passes switches it off (`--no-pager`, `--no-textconv` …);
- REFUSED: `-c` cannot outrank it (git takes the first value, or it reads another file), so a
  vault that sets it is refused, naming the key;
- AT_SYNC: merge drivers, which only a merge runs: obm's own driver is given on the command line
  (a worktree-scoped value cannot outrank it), any other is refused by `obm sync`;
- SAFE: read only by a git command obm never runs, or only from the user's own config.

The allow-list: from a vault's own config (local, worktree and anything they include) obm honours
no program at all; from the user's global config it gives back their credential helpers and ssh
command (USER_PROGRAMS). Any other vault setting whose name says it is a program (PROGRAM_WORDS)
and that is not in the list is refused, naming the key, so a setting newer git learns is not let
through unseen. The system config is never read (GIT_CONFIG_NOSYSTEM) and GIT_CONFIG_* variables
are dropped from the environment (git_process.safe_env).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from obm_tui.model.errors import VaultError

FIXED, PER_NAME, OPTION, REFUSED, AT_SYNC, SAFE = "fixed", "per-name", "option", "refused", "at-sync", "safe"
VAULT_SCOPES = ("local", "worktree")  # what a vault's own files set (includes are refused, so nothing else)
USER_PROGRAMS = ("credential.helper", "core.sshCommand")  # honoured from the user's global config only
UPLOAD_PACK, RECEIVE_PACK = "git-upload-pack", "git-receive-pack"
PROGRAM_WORDS = re.compile(r"(cmd|command|program|helper|driver|editor|pager|proxy|hook|textconv|pack|tool|browser)$")
_NEVER_RUN = "names a program only for a git command obm never runs"


@dataclass(frozen=True)
class Setting:
    """One setting as git-config(1) names it (`<name>`: any subsection) and what obm does about it."""

    pattern: str
    action: str
    value: str = ""  # the override (FIXED, PER_NAME), the option (OPTION) or why (REFUSED, SAFE)


PROGRAMS = (
    Setting("core.fsmonitor", FIXED, "false"),
    Setting("core.hooksPath", FIXED, "(an empty folder of obm's)"),
    Setting("core.pager", FIXED, "cat"),
    Setting("core.editor", FIXED, "true"),
    Setting("sequence.editor", FIXED, "true"),
    Setting("core.askPass", FIXED, ""),
    Setting("core.sshCommand", FIXED, "ssh"),
    Setting("core.alternateRefsCommand", FIXED, ""),
    Setting("credential.helper", FIXED, ""),  # the empty value empties the list, credential.<url>.helper too
    Setting("credential.<url>.helper", FIXED, "(emptied by credential.helper=)"),
    Setting("diff.external", FIXED, ""),
    Setting("gpg.program", FIXED, "false"),
    Setting("gpg.openpgp.program", FIXED, "false"),
    Setting("gpg.x509.program", FIXED, "false"),
    Setting("gpg.ssh.program", FIXED, "false"),
    Setting("gpg.<format>.program", FIXED, "(openpgp, x509, ssh: each false)"),
    Setting("gpg.ssh.defaultKeyCommand", FIXED, ""),
    Setting("commit.gpgSign", FIXED, "false"),
    Setting("tag.gpgSign", FIXED, "false"),
    Setting("push.gpgSign", FIXED, "false"),
    Setting("log.showSignature", FIXED, "false"),
    Setting("merge.verifySignatures", FIXED, "false"),
    Setting("protocol.ext.allow", FIXED, "never"),
    Setting("protocol.fd.allow", FIXED, "never"),
    Setting("protocol.allow", FIXED, "(ext and fd stay never: a named protocol outranks it)"),
    Setting("protocol.<name>.allow", FIXED, "(ext and fd: never)"),
    Setting("submodule.recurse", FIXED, "false"),
    Setting("fetch.recurseSubmodules", FIXED, "false"),
    Setting("filter.<driver>.clean", PER_NAME, ""),
    Setting("filter.<driver>.smudge", PER_NAME, ""),
    Setting("filter.<driver>.process", PER_NAME, ""),
    Setting("remote.<name>.uploadpack", OPTION, f"--upload-pack={UPLOAD_PACK}"),
    Setting("remote.<name>.receivepack", OPTION, f"--receive-pack={RECEIVE_PACK}"),
    Setting("pager.<cmd>", OPTION, "--no-pager"),
    Setting("diff.<driver>.textconv", OPTION, "--no-textconv (a merge does not run it)"),
    Setting("diff.<driver>.command", OPTION, "--no-ext-diff (a merge does not run it)"),
    Setting("core.gitProxy", REFUSED, "git takes its first matching value, so a command-line one cannot outrank it"),
    Setting("remote.<name>.vcs", REFUSED, "names a remote helper program"),
    Setting("include.path", REFUSED, "reads settings from another file"),
    Setting("includeIf.<condition>.path", REFUSED, "reads settings from another file"),
    Setting("url.<base>.insteadOf", REFUSED, "only when it turns a remote into an ext:: or fd:: command"),
    Setting("url.<base>.pushInsteadOf", REFUSED, "only when it turns a remote into an ext:: or fd:: command"),
    Setting("merge.<driver>.driver", AT_SYNC, "obm's own for merge.obm.driver; any other refused by obm sync"),
    Setting("alias.*", SAFE, "git never runs an alias in place of a built-in command, and obm runs built-ins"),
    Setting("browser.<tool>.cmd", SAFE, _NEVER_RUN + " (web--browse)"),
    Setting("browser.<tool>.path", SAFE, _NEVER_RUN + " (web--browse)"),
    Setting("difftool.<tool>.cmd", SAFE, _NEVER_RUN + " (difftool)"),
    Setting("difftool.<tool>.path", SAFE, _NEVER_RUN + " (difftool)"),
    Setting("mergetool.<tool>.cmd", SAFE, _NEVER_RUN + " (mergetool)"),
    Setting("mergetool.<tool>.path", SAFE, _NEVER_RUN + " (mergetool)"),
    Setting("mergetool.<tool>.trustExitCode", SAFE, _NEVER_RUN + " (mergetool)"),
    Setting("mergetool.prompt", SAFE, _NEVER_RUN + " (mergetool)"),
    Setting("guitool.<name>.cmd", SAFE, _NEVER_RUN + " (gui)"),
    Setting("guitool.<name>.noConsole", SAFE, _NEVER_RUN + " (gui)"),
    Setting("help.browser", SAFE, _NEVER_RUN + " (help)"),
    Setting("web.browser", SAFE, _NEVER_RUN + " (help, instaweb)"),
    Setting("man.viewer", SAFE, _NEVER_RUN + " (help)"),
    Setting("man.<tool>.cmd", SAFE, _NEVER_RUN + " (help)"),
    Setting("man.<tool>.path", SAFE, _NEVER_RUN + " (help)"),
    Setting("instaweb.browser", SAFE, _NEVER_RUN + " (instaweb)"),
    Setting("instaweb.httpd", SAFE, _NEVER_RUN + " (instaweb)"),
    Setting("imap.tunnel", SAFE, _NEVER_RUN + " (imap-send)"),
    Setting("sendemail.*", SAFE, _NEVER_RUN + " (send-email)"),
    Setting("sendemail.<identity>.*", SAFE, _NEVER_RUN + " (send-email)"),
    Setting("interactive.diffFilter", SAFE, _NEVER_RUN + " (add -p)"),
    Setting("submodule.<name>.update", SAFE, _NEVER_RUN + " (submodule update)"),
    Setting("rebase.rescheduleFailedExec", SAFE, _NEVER_RUN + " (rebase)"),
    Setting("uploadpack.packObjectsHook", SAFE, "git reads it only from the user's own config"),
    Setting("receive.procReceiveRefs", SAFE, "used by receive-pack when someone pushes to this repository"),
    Setting("core.fsmonitorHookVersion", SAFE, "a version number; core.fsmonitor is off"),
    Setting("http.proxy", SAFE, "a URL, not a program"),
    Setting("remote.<name>.proxy", SAFE, "a URL, not a program"),
    Setting("ssh.variant", SAFE, "chooses the options for the ssh program, not the program"),
    Setting("gitcvs.*", SAFE, _NEVER_RUN + " (cvsserver)"),
    Setting("merge.tool", SAFE, _NEVER_RUN + " (mergetool)"),
    Setting("merge.guitool", SAFE, _NEVER_RUN + " (mergetool)"),
    Setting("diff.tool", SAFE, _NEVER_RUN + " (difftool)"),
    Setting("diff.guitool", SAFE, _NEVER_RUN + " (difftool)"),
)
# git-config(1) entries whose text mentions a command or a program without naming one to run.
NOT_PROGRAMS = (
    "core.fileMode", "core.quotePath", "core.safecrlf", "core.preferSymlinkRefs", "core.bare", "core.worktree",
    "core.bigFileThreshold", "core.commentChar", "core.useReplaceRefs", "core.fsync", "am.keepcr", "am.threeWay",
    "blame.ignoreRevsFile", "checkout.workers", "checkout.defaultRemote", "clone.defaultRemoteName",
    "clone.rejectShallow", "color.diff", "color.pager", "color.ui", "color.interactive.<slot>", "column.ui",
    "commit.status", "credential.protectProtocol", "completion.commands", "diff.dirstat", "diff.wsErrorHighlight",
    "diff.autoRefreshIndex", "diff.interHunkContext", "diff.ignoreSubmodules", "diff.statGraphWidth", "diff.renames",
    "diff.<driver>.cachetextconv", "diff.<driver>.binary", "diff.<driver>.xfuncname", "diff.<driver>.wordRegex",
    "fetch.prune", "fetch.parallel", "fetch.writeCommitGraph", "fetch.showForcedUpdates", "format.pretty",
    "format.filenameMaxLength", "fsck.<msg-id>", "fsck.skipList", "fsmonitor.socketDir", "gc.*", "grep.*",
    "help.autoCorrect", "http.*", "http.<url>.*", "i18n.commitEncoding", "imap.authMethod", "interactive.singleKey",
    "log.*", "mailinfo.scissors", "maintenance.*", "maintenance.<task>.*", "maintenance.commit-graph.auto",
    "maintenance.loose-objects.auto", "maintenance.incremental-repack.auto", "merge.ff", "merge.autoStash",
    "notes.*", "notes.rewrite.<command>", "pack.*", "pull.*", "push.*", "rebase.*", "receive.*", "remote.<name>.mirror",
    "remote.<name>.prune", "remote.<name>.proxyAuthMethod", "repack.*", "safe.bareRepository", "safe.directory",
    "sendemail.multiEdit", "sendemail.aliasFileType", "status.*", "stash.*", "submodule.<name>.*",
    "submodule.active", "submodule.propagateBranches", "tag.forceSignAnnotated", "tar.umask", "transfer.*",
    "uploadpack.allowRefInWant", "feature.manyFiles", "branch.<name>.rebase", "am.*", "advice.*",
)


def fixed_overrides() -> tuple[str, ...]:
    """`key=value` for every FIXED setting with a value of its own (core.hooksPath is git_process's)."""
    return tuple(f"{s.pattern}={s.value}" for s in PROGRAMS if s.action == FIXED and not s.value.startswith("("))


def transport_options(command: str) -> list[str]:
    """The options that keep a fetch or push from running the vault's upload-pack or receive-pack
    (git takes the first of several values, so only the command line outranks the vault's)."""
    if command in ("fetch", "pull", "ls-remote"):
        return [f"--upload-pack={UPLOAD_PACK}"]
    return [f"--receive-pack={RECEIVE_PACK}"] if command == "push" else []


def find(key: str, table: Iterable[Setting] = PROGRAMS) -> Setting | None:
    """The list's entry for a config key as `git config --list` prints it, or None."""
    return next((s for s in table if _pattern(s.pattern).fullmatch(key)), None)


def is_listed(key: str) -> bool:
    """Whether a git-config(1) name (with its `<name>` placeholders) is in PROGRAMS or NOT_PROGRAMS."""
    named = [s.pattern for s in PROGRAMS] + list(NOT_PROGRAMS)
    return any(pattern.lower() == key.lower() or _pattern(pattern).fullmatch(key) for pattern in named)


def vault_overrides(entries: Iterable[tuple[str, str, str]]) -> list[str]:
    """`-c` overrides for the programs the vault's own config names; VaultError naming a key that
    cannot be switched off."""
    overrides: set[str] = set()
    for scope, key, value in entries:
        if scope not in VAULT_SCOPES:
            continue
        setting = find(key)
        if setting is None:
            _refuse_unknown(key)
        elif setting.action == REFUSED:
            _refuse_listed(setting, key, value)
        elif setting.action == PER_NAME:
            overrides.update(_per_name(key))
    return sorted(overrides)


def _refuse_unknown(key: str) -> None:
    name = key.rpartition(".")[2].lower()
    if PROGRAM_WORDS.search(name) and not is_listed(key):
        raise VaultError(f"The vault's git config sets {key}, which may name a program obm does not know to be "
                         "safe; remove it to open the vault.")


def _refuse_listed(setting: Setting, key: str, value: str) -> None:
    if setting.pattern.startswith("url.") and not _is_command_url(key):
        return
    raise VaultError(f"The vault's git config sets {key}, which could run a program ({setting.value}); "
                     "remove it to open the vault.")


def _is_command_url(key: str) -> bool:
    base = key.partition(".")[2].rpartition(".")[0].lower()
    return base.startswith(("ext::", "fd::"))


def _per_name(key: str) -> list[str]:
    section, _, rest = key.partition(".")
    name = rest.rpartition(".")[0]
    if "=" in name or "\n" in name:
        raise VaultError(f"The vault's git config sets {key}, which cannot be switched off; "
                         "remove it to open the vault.")
    if section.lower() == "filter":
        return [f"filter.{name}.{part}=" for part in ("clean", "smudge", "process")] + [f"filter.{name}.required=false"]
    return [f"{key}="]


def _pattern(pattern: str) -> re.Pattern[str]:
    section, _, rest = pattern.partition(".")
    middle, _, last = rest.rpartition(".")
    parts = [re.escape(section)]
    if middle:
        parts.append(r".+" if middle.startswith("<") or middle == "*" else re.escape(middle))
    parts.append(r".+" if last.startswith("<") or last == "*" else re.escape(last))
    return re.compile(r"\.".join(parts), re.IGNORECASE | re.DOTALL)
