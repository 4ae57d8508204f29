"""The `obm` command line over real vaults: output, exit status, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from tests.conftest import git_out


def obm(*args: str, vault: Path | None = None, input: str | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    prefix = ["--vault", str(vault)] if vault else []
    result = runner.invoke(main, [*prefix, *args], input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_version_and_help() -> None:
    code, out, _ = obm("--version")
    assert code == 0 and out.startswith("obm, version ")
    for command in ("init", "demo", "new", "list", "show", "set", "log", "check", "delete", "archive"):
        code, out, _ = obm(command, "--help")
        assert code == 0 and "Usage:" in out, command


def test_init_new_set_show_log(tmp_path: Path) -> None:
    root = tmp_path / "biz"
    assert obm("init", str(root), "--name", "Fred Smith Coaching", "--timezone", "Europe/London")[0] == 0
    code, out, _ = obm("new", "client", "Fred Smith", "email=fred@example.com", "rate=1500", "status=onboarding",
                       vault=root)
    assert code == 0 and "created client fred-smith" in out
    code, out, _ = obm("set", "fred-smith", "status=current", vault=root)
    assert code == 0 and out.strip() == "client fred-smith: status onboarding -> current"
    code, out, _ = obm("show", "fred", "--json", vault=root)
    shown = json.loads(out)
    assert shown["fields"]["status"] == "current" and shown["path"] == "clients/fred-smith.md"
    code, out, _ = obm("log", "fred-smith", vault=root)
    lines = out.splitlines()
    assert "client fred-smith: status onboarding -> current" in lines[0]
    assert "client fred-smith: created (Fred Smith)" in lines[1]


def test_init_in_an_existing_folder_touches_nothing_there(tmp_path: Path) -> None:
    """Issue 11 item 17: the docs say nothing existing is touched; the user's `.gitignore` was
    appended to and committed. obm's own rules now live in `.obm/.gitignore` and `.git/info/exclude`."""
    root = tmp_path / "notes"
    (root / "notes").mkdir(parents=True)
    (root / "notes" / "idea.md").write_text("An idea.\n")
    (root / ".gitignore").write_bytes(b"node_modules/\n*.log")  # no final newline: any append shows
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    assert obm("init", str(root), "--name", "Notes Co")[0] == 0
    assert (root / ".gitignore").read_bytes() == b"node_modules/\n*.log"
    assert (root / "notes" / "idea.md").read_text() == "An idea.\n"
    committed = git_out(root, "show", "--name-only", "--format=", "HEAD").split()
    assert ".gitignore" not in committed and ".obm/.gitignore" in committed
    code, out, _ = obm("new", "product", "Mug", "sku=MUG", vault=root)  # opens the vault: journal, lock
    assert code == 0
    for junk in (".obm/cache/index.bin", ".obm/conflicts/x.md", "stock/.~obm-1234.tmp", ".obsidian/workspace.json"):
        (root / junk).parent.mkdir(parents=True, exist_ok=True)
        (root / junk).write_text("x")
    assert git_out(root, "status", "--porcelain", "--untracked-files=all").split() == [
        "??", ".gitignore", "??", "notes/idea.md"]  # the user's own files, left for the user to commit


def test_init_in_a_new_folder_writes_no_root_gitignore(tmp_path: Path) -> None:
    root = tmp_path / "biz"
    assert obm("init", str(root))[0] == 0
    assert not (root / ".gitignore").exists()
    (root / ".obm" / "cache").mkdir(exist_ok=True)
    (root / ".obm" / "cache" / "index.bin").write_text("x")
    assert git_out(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_list_filters_and_counts(tmp_path: Path) -> None:
    root = tmp_path / "biz"
    obm("init", str(root))
    for name, status in (("Ann Lee", "current"), ("Bo Chan", "lead"), ("Cy Diaz", "current")):
        obm("new", "client", name, f"status={status}", vault=root)
    code, out, err = obm("list", "clients", "--where", "status=current", vault=root)
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["ann-lee", "cy-diaz"]
    assert "2 of 3 clients shown; 0 with problems" in err
    code, out, _ = obm("list", "client", "--json", "--sort", "name", vault=root)
    assert [r["id"] for r in json.loads(out)] == ["ann-lee", "bo-chan", "cy-diaz"]


def test_check_reports_file_and_line_and_exits_1(tmp_path: Path) -> None:
    root = tmp_path / "biz"
    obm("init", str(root))
    (root / "clients/bad.md").write_text("---\ntype: client\nid: bad\nname: Bad\nsince: 2026-02-30\n---\n")
    (root / "invoices/INV-1.md").write_text("---\ntype: invoice\nid: INV-1\nclient: '[[nobody]]'\namount: 5.00\n---\n")
    code, out, err = obm("check", vault=root)
    assert code == 1
    assert "clients/bad.md:5: since: expected a date like 2026-11-22, got '2026-02-30'" in out
    assert "invoices/INV-1.md:4: client: no record 'nobody' (broken link)" in out
    starters = len(list((root / "processes").glob("*.md")))
    assert f"{starters + 2} records read; 2 with problems (2 problems)" in err


def test_errors_are_one_line_with_exit_codes(tmp_path: Path) -> None:
    root = tmp_path / "biz"
    obm("init", str(root))
    cases = [
        (("show", "nobody"), 2, "no record 'nobody'"),
        (("new", "spaceship", "X"), 2, "unknown kind 'spaceship'"),
        (("set", "x", "novalue"), 2, "expected field=value"),
        (("list", "clients", "--where", "on_hand>lots"), 0, None),
    ]
    for args, want_code, want_text in cases:
        code, out, err = obm(*args, vault=root)
        assert code == want_code, args
        if want_text:
            assert want_text in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    code, _, err = obm("list", "clients", vault=tmp_path / "missing")
    assert code == 3 and "not a folder" in err


def test_vault_discovery_upward_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "biz"
    obm("init", str(root))
    obm("new", "client", "Ann Lee", vault=root)
    monkeypatch.chdir(root / "clients")
    assert "ann-lee" in obm("list", "clients")[1]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OBM_VAULT", str(root))
    assert "ann-lee" in obm("list", "clients")[1]
    monkeypatch.delenv("OBM_VAULT")
    code, _, err = obm("list", "clients")
    assert code == 2 and "no vault here" in err


def test_demo_is_its_own_repository(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    assert obm("demo", str(target))[0] == 0
    assert git_out(target, "rev-parse", "--show-toplevel").strip() == str(target.resolve())
    assert git_out(target, "status", "--porcelain") == ""
    code, _, err = obm("demo", str(target))
    assert code == 3 and "not empty" in err


def test_real_process_prints_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "obm_tui.cli", "--vault", str(tmp_path), "list", "clients"],
                            capture_output=True, text=True)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr and result.stderr.startswith("obm: ")


def test_obm_new_says_why_a_name_got_another_id_and_can_restore_instead(sample_vault: Path) -> None:
    from click.testing import CliRunner

    from obm_tui.cli import main

    def obm(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, ["--vault", str(sample_vault), *args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = obm("new", "client", "Olivia Grant")
    assert code == 0 and "created client olivia-grant-2" in out
    assert ("olivia-grant is the id of an archived client, Olivia Grant: the new one is olivia-grant-2 "
            "(to bring the archived one back instead: obm archive --undo olivia-grant)") in out
    code, out, _ = obm("new", "client", "Olivia Grant", "--restore", "follow_up=2026-12-10")
    assert code == 0 and "restored client olivia-grant (clients/olivia-grant.md)" in out
    text = (sample_vault / "clients/olivia-grant.md").read_text(encoding="utf-8")
    assert "archived: true" not in text and "follow_up: 2026-12-10" in text
    code, out, err = obm("new", "client", "Nobody Archived", "--restore")
    assert code == 2 and "no archived client named 'Nobody Archived' to restore" in err
