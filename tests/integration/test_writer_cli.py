"""The writer's edge cases through the `obm` command over a real vault."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from obm_tui.cli import main
from tests.conftest import git_out


def obm(vault: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--vault", str(vault), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def commit(root: Path, path: str, raw: bytes) -> None:
    (root / path).write_bytes(raw)
    git_out(root, "add", path)
    git_out(root, "commit", "-q", "-m", f"add {path}")


def test_set_on_an_explicit_key_record(empty_vault: Path) -> None:
    commit(empty_vault, "clients/q.md", b"---\ntype: client\nid: q\nname: Q\n? tags\n---\n")
    assert obm(empty_vault, "check")[0] == 0
    code, _, err = obm(empty_vault, "set", "q", "status=current")
    assert (code, err) == (0, "")
    assert (empty_vault / "clients/q.md").read_bytes() == (
        b"---\ntype: client\nid: q\nname: Q\n? tags\nstatus: current\n---\n"
    )
    assert "status" in git_out(empty_vault, "log", "-1", "--format=%s")


def test_check_warns_about_a_record_the_writer_would_refuse(empty_vault: Path) -> None:
    raw = b"---\ntype: client\nid: r\nname: R\nnotes: |\n\n  x\nemail: r@example.com\n  # c\n\n---\n"
    commit(empty_vault, "clients/r.md", raw)
    code, out, _ = obm(empty_vault, "check")
    assert code == 1 and "clients/r.md" in out and "obm cannot edit this record" in out
    code, out, err = obm(empty_vault, "set", "r", "email=")
    assert (empty_vault / "clients/r.md").read_bytes() == raw
    assert code != 0 and err.startswith("obm: ") and "obm cannot edit this record" in err
    assert "Traceback" not in out + err and "internal error" not in out + err
