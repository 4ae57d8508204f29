"""What the wheel holds: built, installed into a fresh venv, and run from there.

`make run` and the tests use an editable install, which reads templates, the sample vault and
the app's stylesheets from the source tree; someone who installs with pipx gets only what the
wheel holds. This builds the wheel with the locked hatchling, installs it alone into a new venv
(its dependencies are taken from this venv's site-packages, so nothing is downloaded), and runs
`obm demo` and `obm check` from it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(PROJECT)], check=True, capture_output=True)
    (built,) = out.glob("obm-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the wheel; the dependencies come from this venv by a .pth line."""
    venv = tmp_path_factory.mktemp("venv") / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    fresh_site = Path(subprocess.run([str(venv / "bin" / "python"), "-c",
                                      "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                     capture_output=True, text=True, check=True).stdout.strip())
    with zipfile.ZipFile(wheel) as archive:  # a wheel is installed by unpacking it (PEP 427)
        archive.extractall(fresh_site)
    # This venv's site-packages as a plain path: its .pth files (our editable install) are not run.
    (fresh_site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    script = venv / "bin" / "obm"
    script.write_text(f"#!{venv / 'bin' / 'python'}\nfrom obm_tui.cli import main\nmain()\n")
    script.chmod(0o755)
    return venv


def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def source_files(folder: str) -> set[str]:
    tracked = subprocess.run(["git", "-C", str(PROJECT), "ls-files", "-z", "--", folder],
                             capture_output=True, check=True).stdout.decode().split("\0")
    return {path for path in tracked if path}


def test_the_wheel_holds_every_template_sample_vault_file_and_stylesheet(wheel: Path) -> None:
    names = wheel_files(wheel)
    for folder in ("templates", "vault"):
        expected = {f"obm_tui/_data/{path}" for path in source_files(folder)}
        assert expected, folder
        assert expected <= names, sorted(expected - names)[:5]
    stylesheets = {path for path in source_files("obm_tui") if path.endswith(".tcss")}
    assert stylesheets and stylesheets <= names
    fonts = source_files("obm_tui/fonts")  # the invoice PDF's font and its licence
    assert {"obm_tui/fonts/DejaVuSans.ttf", "obm_tui/fonts/LICENSE"} <= fonts <= names


def test_obm_runs_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "OBM_VAULT")}
    python, obm = str(installed / "bin" / "python"), str(installed / "bin" / "obm")
    where = subprocess.run([python, "-c", "import obm_tui; print(obm_tui.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(installed)), where  # the wheel's copy, not the source tree
    demo = tmp_path / "demo"
    made = subprocess.run([obm, "demo", str(demo)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert (demo / ".git").is_dir() and any((demo / "clients").glob("*.md"))
    checked = subprocess.run([obm, "--vault", str(demo), "check"], cwd=tmp_path, env=env,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stderr
