"""Rules in .obm/config.toml start processes by themselves — once per record, or once per stock
shortage — and their mistakes are `obm check` problems at the config's line."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from obm_tui.services import records as record_service
from obm_tui.services.check import check_vault
from obm_tui.services.rules import apply_rules, automate, load_rules
from obm_tui.vault.store import Vault
from tests.conftest import git_out

BAD_RULES = """
[[rules]]
name = "Bad condition"
kind = "client"
when = "status onboarding"
start = "client-onboarding"

[[rules]]
name = "No such process"
kind = "client"
when = "status = lead"
start = "welcome-pack"

[[rules]]
name = "Wrong kind"
kind = "ticket"
when = "priority = urgent"
start = "client-onboarding"

[[rules]]
name = "Unknown kind"
kind = "customer"
when = "status = new"
start = "client-onboarding"
"""


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0)


def runs_in(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "runs").glob("*.md"))


@pytest.fixture
def bad_rules(empty_vault: Path) -> Path:
    config = empty_vault / ".obm" / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + BAD_RULES, encoding="utf-8")
    return empty_vault


def rule_line(root: Path, name: str) -> int:
    lines = (root / ".obm" / "config.toml").read_text(encoding="utf-8").splitlines()
    return lines.index(f'name = "{name}"')  # the [[rules]] header is the line before (1-based: same number)


@pytest.mark.parametrize(("name", "reason"), [
    pytest.param("Bad condition", 'when: "status onboarding": expected an operator', id="bad-condition"),
    pytest.param("No such process", 'start: no process "welcome-pack" in processes/', id="unknown-process"),
    pytest.param("Wrong kind", "start: process client-onboarding is about client (subject: client), not a ticket",
                 id="kind-mismatch"),
    pytest.param("Unknown kind", 'kind "customer" is not one of client', id="unknown-kind"),
])
def test_rule_mistakes_are_check_problems_at_their_line(bad_rules: Path, name: str, reason: str) -> None:
    report = check_vault(Vault.open(bad_rules))
    mine = [str(p) for p in report.problems if f'rule "{name}"' in p.reason]
    assert len(mine) == 1
    assert mine[0].startswith(f".obm/config.toml:{rule_line(bad_rules, name)}: ")
    assert reason in mine[0]


def test_good_rules_still_apply_next_to_bad_ones(bad_rules: Path) -> None:
    rules, problems = load_rules(Vault.open(bad_rules))
    assert [r.name for r in rules] == ["Onboard every new client", "Restock before we run out",
                                       "Follow up every declined payment"]
    assert len(problems) == 4


def test_a_client_rule_starts_one_run_per_client(empty_vault: Path) -> None:
    vault = Vault.open(empty_vault)
    record_service.new_record(vault, "client", "Ann Lee", {"status": "onboarding", "email": "ann@example.com",
                                                          "rate": "900"})
    record_service.new_record(vault, "client", "Bo Chan", {"status": "lead"})
    first = apply_rules(vault, at(date(2026, 11, 20)))
    assert [s.record for s in first] == ["client ann-lee"]
    assert runs_in(empty_vault) == ["2026-11-20-client-onboarding-ann-lee.md"]
    assert apply_rules(vault, at(date(2026, 11, 21))) == []  # open
    record_service.set_fields(vault, "2026-11-20-client-onboarding-ann-lee", {"status": "cancelled"})
    assert apply_rules(vault, at(date(2026, 11, 22))) == []  # closed, still onboarding: not again
    assert runs_in(empty_vault) == ["2026-11-20-client-onboarding-ann-lee.md"]


def test_a_restock_starts_once_per_shortage(empty_vault: Path) -> None:
    from obm_tui.services.stock import record_movement

    root, vault = empty_vault, Vault.open(empty_vault)
    record_service.new_record(vault, "product", "Mug", {"sku": "MUG-01", "on_hand": "5", "reorder_point": "10",
                                                        "reorder_qty": "20", "lead_time_days": "7",
                                                        "supplier": "Clay Co", "unit_cost": "4"})
    (first,) = apply_rules(vault, at(date(2026, 11, 2)))
    run = first.started.record
    assert run.data["trigger"] == "restock MUG-01 from the start"
    assert apply_rules(vault, at(date(2026, 11, 3))) == []  # the run is open
    record_service.set_fields(vault, run.id, {"status": "done"})
    assert apply_rules(vault, at(date(2026, 11, 4))) == []  # the same shortage
    record_movement(vault, "MUG-01", "receive", 20, when=date(2026, 11, 5))
    assert apply_rules(vault, at(date(2026, 11, 5))) == []  # 25 on hand: not short
    record_movement(vault, "MUG-01", "ship", 18, when=date(2026, 11, 9))
    (second,) = apply_rules(vault, at(date(2026, 11, 10)))  # short again: a new shortage
    assert second.started.record.data["trigger"] == "restock MUG-01 after 2026-11-05"
    assert runs_in(root) == ["2026-11-02-restock-product-mug-01.md", "2026-11-10-restock-product-mug-01.md"]


def test_obm_tick_on_the_sample_vault_is_sensible_and_idempotent(sample_vault: Path) -> None:
    vault = Vault.open(sample_vault)
    first = automate(vault, at(date(2026, 11, 23)))
    started = sorted(s.started.record.id for s in first.rules if s.started and s.started.created)
    assert started == ["2026-11-23-follow-up-declined-payment-2026-09-02-mark-jensen-m1f",
                       "2026-11-23-restock-product-nb-set3"]
    assert first.errors == []
    commits = git_out(sample_vault, "rev-list", "--count", "HEAD")
    second = automate(Vault.open(sample_vault), at(date(2026, 11, 23)))
    assert not second.did_something and git_out(sample_vault, "rev-list", "--count", "HEAD") == commits
    assert check_vault(Vault.open(sample_vault)).problems == []


# ----- every change goes through the rules, once (issue 11 item 1) ------------------------------

MAYA = ("new", "client", "Maya Patel", "email=maya@example.com", "rate=900", "status=onboarding")
MAYA_FILE = "---\ntype: client\nid: maya-patel\nname: Maya Patel\nemail: maya@example.com\nrate: 900\nstatus: {}\n---\n"


def obm(root: Path, *args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from obm_tui.cli import main

    result = CliRunner().invoke(main, ["--vault", str(root), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def onboarding_runs(root: Path) -> list[str]:
    return [name for name in runs_in(root) if name.endswith("-client-onboarding-maya-patel.md")]


def test_headless_a_new_client_then_current_was_onboarded(empty_vault: Path) -> None:
    code, out, err = obm(empty_vault, *MAYA)
    assert code == 0, err
    assert "started (Client onboarding for Maya Patel)" in out
    code, _, err = obm(empty_vault, "set", "maya-patel", "status=current")
    assert code == 0, err
    (run,) = onboarding_runs(empty_vault)
    subjects = git_out(empty_vault, "log", "--format=%s").splitlines()
    assert [s for s in subjects if s.startswith(f"run {run[:-3]}: started")] == [
        f"run {run[:-3]}: started (Client onboarding for Maya Patel)"
        ' — rule "Onboard every new client": client maya-patel: status = onboarding']
    assert obm(empty_vault, "tick")[0] == 0
    assert onboarding_runs(empty_vault) == [run]


def test_a_run_a_rule_could_not_start_starts_once_the_missing_field_is_set(empty_vault: Path) -> None:
    """Maya passes through onboarding without the rate her invoice needs: the change is kept, and
    the run starts with the `obm set` that gives the rate — although she is `current` by then."""
    code, out, err = obm(empty_vault, "new", "client", "Maya Patel", "email=maya@example.com", "status=onboarding")
    assert code == 0 and "needs fields client maya-patel does not have: rate" in err
    assert obm(empty_vault, "set", "maya-patel", "status=current")[0] == 0
    assert onboarding_runs(empty_vault) == []
    assert "retry client-onboarding clients/maya-patel.md " in (empty_vault / ".obm" / "rules-checkpoint").read_text()
    code, out, err = obm(empty_vault, "set", "maya-patel", "rate=900")
    assert code == 0, err
    assert 'rule "Onboard every new client": client maya-patel: status = onboarding' in out
    assert len(onboarding_runs(empty_vault)) == 1
    assert "retry " not in (empty_vault / ".obm" / "rules-checkpoint").read_text()
    assert "client-onboarding" not in obm(empty_vault, "tick")[1] and len(onboarding_runs(empty_vault)) == 1


def commit_by_plain_git(root: Path, rel: str, text: str, message: str) -> None:
    (root / rel).write_text(text, encoding="utf-8")
    git_out(root, "add", "--", rel)
    git_out(root, "commit", "-q", "-m", message)


def test_a_change_committed_by_plain_git_between_two_ticks_starts_the_run_once(empty_vault: Path) -> None:
    assert obm(empty_vault, "tick")[0] == 0  # the rules have looked: nothing is onboarding yet
    commit_by_plain_git(empty_vault, "clients/maya-patel.md", MAYA_FILE.format("onboarding"), "maya says yes")
    commit_by_plain_git(empty_vault, "clients/maya-patel.md", MAYA_FILE.format("current"), "maya is set up")
    code, out, err = obm(empty_vault, "tick")
    assert code == 0, err
    assert 'rule "Onboard every new client": client maya-patel: status = onboarding' in out
    assert len(onboarding_runs(empty_vault)) == 1
    head = git_out(empty_vault, "rev-parse", "HEAD")
    code, out, err = obm(empty_vault, "tick")
    assert (code, out) == (0, "") and "nothing to do" in err
    assert git_out(empty_vault, "rev-parse", "HEAD") == head and len(onboarding_runs(empty_vault)) == 1


def test_an_uncommitted_edit_seen_by_tick_starts_the_run_once(empty_vault: Path) -> None:
    assert obm(empty_vault, "tick")[0] == 0
    (empty_vault / "clients" / "maya-patel.md").write_text(MAYA_FILE.format("onboarding"), encoding="utf-8")
    assert obm(empty_vault, "tick")[0] == 0
    assert obm(empty_vault, "tick")[1] == ""
    assert len(onboarding_runs(empty_vault)) == 1


@pytest.fixture
def two_clones(empty_vault: Path, tmp_path: Path) -> tuple[Path, Path]:
    remote = tmp_path / "remote.git"
    git_out(tmp_path, "clone", "-q", "--bare", str(empty_vault), str(remote))
    clones = (tmp_path / "a", tmp_path / "b")
    for clone in clones:
        git_out(tmp_path, "clone", "-q", str(remote), str(clone))
    return clones


def test_a_run_started_in_one_clone_is_not_started_again_in_the_other_after_sync(two_clones: tuple[Path, Path]) -> None:
    a, b = two_clones
    assert obm(b, "tick")[0] == 0  # b's rules have looked, before maya exists
    assert obm(a, *MAYA)[0] == 0
    assert len(onboarding_runs(a)) == 1
    assert obm(a, "sync")[0] == 0
    code, out, err = obm(b, "sync")
    assert code == 0, err
    assert "started" not in out
    assert onboarding_runs(b) == onboarding_runs(a)
    assert obm(b, "tick")[1] == "" and onboarding_runs(b) == onboarding_runs(a)


def test_the_runs_a_sync_brings_start_before_the_push(two_clones: tuple[Path, Path]) -> None:
    a, b = two_clones
    assert obm(b, "tick")[0] == 0
    commit_by_plain_git(a, "clients/maya-patel.md", MAYA_FILE.format("onboarding"), "maya says yes")
    git_out(a, "push", "-q", "origin", "main")  # plain git: no rule ran in a
    code, out, err = obm(b, "sync")
    assert code == 0, err
    assert 'rule "Onboard every new client"' in out
    assert git_out(b, "rev-parse", "HEAD") == git_out(b, "rev-parse", "origin/main")  # the run went with the push


def test_check_names_a_run_two_clones_started_for_one_change(two_clones: tuple[Path, Path]) -> None:
    a, b = two_clones
    for clone in two_clones:
        assert obm(clone, "tick")[0] == 0
    commit_by_plain_git(a, "clients/maya-patel.md", MAYA_FILE.format("onboarding"), "maya says yes")
    git_out(a, "push", "-q", "origin", "main")
    git_out(b, "pull", "-q", "--no-rebase", "origin", "main")  # both clones have the change; neither has synced since
    assert obm(a, "tick", "--today", "2026-11-20")[0] == 0
    assert obm(b, "tick", "--today", "2026-11-21")[0] == 0
    assert obm(a, "sync")[0] == 0
    assert obm(b, "sync")[0] == 0
    assert len(onboarding_runs(b)) == 2
    code, out, _ = obm(b, "check")
    assert code == 1
    twice = [line for line in out.splitlines() if "started twice" in line]
    assert len(twice) == 2 and all("maya-patel" in line for line in twice)


def readme_headless_commands() -> list[str]:
    """The `obm …` lines of the ```sh blocks in README.md's section "Your own vault"."""
    text = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Your own vault\n", 1)[1].split("\n## ", 1)[0]
    blocks = [block.split("\n", 1)[1] for block in section.split("```sh")[1:]]
    return [line for block in blocks for line in block.split("```", 1)[0].splitlines() if line.startswith("obm ")]


@pytest.mark.slow  # five obm programs started: ~2 s alone, far more on a busy machine
def test_the_readme_headless_example_onboards_maya_as_written(tmp_path: Path) -> None:
    import os
    import shlex
    import subprocess
    import sys

    program = str(Path(sys.executable).with_name("obm"))
    root = tmp_path / "business"
    env = {k: v for k, v in os.environ.items() if k != "OBM_VAULT"}
    made = subprocess.run([program, "init", str(root), "--name", "Fred Smith Coaching"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert made.returncode == 0, made.stderr
    commands = readme_headless_commands()
    assert commands[0].startswith('obm new client "Maya Patel"') and len(commands) >= 2
    for line in commands:
        done = subprocess.run([program, *shlex.split(line)[1:]], cwd=root, capture_output=True, text=True,
                              env=env, timeout=120)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
    assert onboarding_runs(root) != [] and len(onboarding_runs(root)) == 1


def test_a_checkpoint_this_clone_does_not_have_counts_as_never_looked(empty_vault: Path) -> None:
    from obm_tui.services.rule_history import CHECKPOINT

    (empty_vault / "clients" / "maya-patel.md").write_text(MAYA_FILE.format("onboarding"), encoding="utf-8")
    (empty_vault / CHECKPOINT).write_text("0" * 40 + "\n", encoding="utf-8")  # a rewritten history
    code, out, err = obm(empty_vault, "tick")
    assert code == 0, err
    assert len(onboarding_runs(empty_vault)) == 1  # the records as they are now
    assert (empty_vault / CHECKPOINT).read_text(encoding="utf-8").split()[-1] != "0" * 40
    assert git_out(empty_vault, "status", "--porcelain") == ""  # never committed, never listed
