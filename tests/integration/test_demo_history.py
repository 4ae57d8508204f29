"""`obm demo` commits the sample vault as its story happened (services/demo_history.py): the
same sample gives the same commits, the last one is the sample exactly, and the clients' lives
are changes with their days and authors — what the review reads from git."""

from __future__ import annotations

from pathlib import Path

from obm_tui.services.setup import make_demo
from obm_tui.services.templates import data_dir
from tests.conftest import git_out


def _log(root: Path, *args: str) -> list[str]:
    return git_out(root, "log", "--reverse", "--format=%ad|%an|%s", "--date=format:%Y-%m-%d %H:%M", *args).splitlines()


def test_the_demo_history_is_the_same_every_time_and_ends_at_the_sample(tmp_path: Path) -> None:
    one, two = make_demo(tmp_path / "one"), make_demo(tmp_path / "two")
    assert git_out(one, "rev-parse", "HEAD") == git_out(two, "rev-parse", "HEAD")
    assert git_out(one, "status", "--porcelain") == ""
    sample = data_dir("vault")
    committed = set(git_out(one, "ls-files").splitlines())
    shipped = {p.relative_to(sample).as_posix() for p in sample.rglob("*")
               if p.is_file() and ".git" not in p.parts and "cache" not in p.relative_to(sample).parts}
    assert committed == shipped
    for rel in sorted(shipped):
        assert git_out(one, "show", f"HEAD:{rel}") == (sample / rel).read_text(encoding="utf-8"), rel
    assert int(git_out(one, "rev-list", "--count", "HEAD")) > 100


def test_the_clients_lives_are_commits_on_their_days(tmp_path: Path) -> None:
    demo = make_demo(tmp_path / "demo")
    first = _log(demo)[0]
    assert first.startswith("2026-05-29 17:30|Mia Torres|the vault as Fred left it")
    assert _log(demo, "--", "clients/aisha-khan.md") == [
        "2026-06-08 10:12|Mia Torres|client aisha-khan: created (Aisha Khan)",
        "2026-06-10 09:05|Mia Torres|client aisha-khan: status lead -> onboarding",
        "2026-06-15 09:00|Mia Torres|client aisha-khan: status onboarding -> current, since set to 2026-06-15",
    ]
    assert _log(demo, "--", "clients/tom-becker.md")[-1] == (
        "2026-08-28 15:30|Fred Smith|client tom-becker: status current -> past")
    assert _log(demo, "--", "clients/james-whitfield.md")[-1] == (
        "2026-06-30 17:00|Mia Torres|client james-whitfield: status current -> paused")
    assert _log(demo, "--", "tickets/T-260603-9KD-mug-arrived-chipped.md")[0].startswith("2026-06-03 08:41|")
    recurring = _log(demo, "--", "runs/2026-11-23-weekly-review.md")
    assert [line.split("|")[1] for line in recurring] == ["obm"]
