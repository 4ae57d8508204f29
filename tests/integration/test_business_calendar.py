"""One business calendar: process due dates and ticket clocks skip the same days off."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from obm_tui.cli import main
from obm_tui.model.care_config import load_care_config
from obm_tui.vault.config import load_config
from tests.conftest import git_out

PROCESS = (
    "---\ntype: process\nid: paperwork\ntitle: Paperwork\nsubject: client\n---\n"
    "- [ ] File the forms [id:: file] [due:: +2 workdays]\n"
    "- [ ] Send them [id:: send] [after:: file] [due:: +1 workday after file] [do:: set follow_up = +1 workday]\n"
)
THANKSGIVING = date(2026, 11, 26)
RUN = "2026-11-25-paperwork-ada"


def obm(vault: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--vault", str(vault), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def configure(vault: Path, old: str, new: str) -> None:
    path = vault / ".obm/config.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    (vault / "processes/paperwork.md").write_text(PROCESS)
    git_out(vault, "add", "-A")
    git_out(vault, "commit", "-q", "-m", "calendar")
    assert obm(vault, "new", "client", "Ada")[0] == 0


def due_dates(vault: Path, run: str) -> list[str]:
    body = (vault / f"runs/{run}.md").read_text()
    return [line.split("[due:: ")[1].split("]")[0] for line in body.splitlines() if "[due:: " in line]


@pytest.mark.parametrize("old, new", [
    pytest.param('open = "09:00-17:00"\n', 'open = "09:00-17:00"\nholidays = ["2026-11-26", "2026-11-27"]\n',
                 id="care-hours-holidays"),
    pytest.param("[care]\n", '[calendar]\ncountry = "US"\nholidays = ["2026-11-27"]\n\n[care]\n',
                 id="calendar-country"),
])  # fmt: skip
def test_workdays_and_ticket_clocks_skip_the_same_days(empty_vault: Path, old: str, new: str) -> None:
    configure(empty_vault, old, new)
    code, _, err = obm(empty_vault, "run", "start", "paperwork", "--for", "ada", "--today", "2026-11-25")
    assert code == 0, err
    # Wed 25 + 2 workdays: Thu 26 and Fri 27 are off, so Mon 30 and Tue 1 December.
    assert due_dates(empty_vault, RUN) == ["2026-12-01", "+1 workday after file"]
    for step in ("file", "send"):
        assert obm(empty_vault, "run", "tick", RUN, step, "--today", "2026-11-25")[0] == 0
    assert due_dates(empty_vault, RUN) == ["2026-12-01", "2026-11-30"]
    assert "follow_up: 2026-11-30" in (empty_vault / "clients/ada.md").read_text()  # `set` counts alike
    hours = load_care_config(load_config(empty_vault).raw).settings.hours
    assert hours.windows_on(THANKSGIVING) == () and hours.windows_on(date(2026, 11, 27)) == ()
    assert hours.windows_on(date(2026, 11, 30)) != ()
    assert obm(empty_vault, "check")[0] == 0


def test_a_bad_calendar_is_reported_and_weekends_stay_off(empty_vault: Path) -> None:
    configure(empty_vault, "[care]\n", '[calendar]\ncountry = "Atlantis"\ndays = "mon-sun"\n\n[care]\n')
    code, out, _ = obm(empty_vault, "check")
    assert code == 1 and "calendar.country: unknown country 'ATLANTIS'" in out
    assert obm(empty_vault, "run", "start", "paperwork", "--for", "ada", "--today", "2026-11-27")[0] == 0
    assert due_dates(empty_vault, "2026-11-27-paperwork-ada")[0] == "2026-11-29"  # every day is a working day


def test_care_clock_counts_no_time_on_a_public_holiday(empty_vault: Path) -> None:
    configure(empty_vault, "[care]\n", '[calendar]\ncountry = "US"\n\n[care]\n')
    from obm_tui.model.sla import elapsed_business_time

    settings = load_care_config(load_config(empty_vault).raw).settings
    start, end = datetime(2026, 11, 26, 9, tzinfo=settings.tz), datetime(2026, 11, 26, 17, tzinfo=settings.tz)
    assert elapsed_business_time(start, end, settings.hours, settings.tz).total_seconds() == 0
