"""Reading `timezone` and `[care]` from config data: defaults, values, and problems."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from obm_tui.model.care_config import (
    ConfigValueError,
    load_care_config,
    parse_days,
    parse_duration,
    parse_windows,
)
from obm_tui.model.sla import ALWAYS, DEFAULT_TARGETS, Target
from obm_tui.model.tickets import Moves

H = timedelta(hours=1)


@pytest.mark.parametrize(("text", "expected"), [
    ("8h", 8 * H), ("90m", timedelta(minutes=90)), ("1h30m", timedelta(minutes=90)),
    (" 2H 5M ", timedelta(minutes=125)),
], ids=["hours", "minutes", "both", "spaces and case"])
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "3d", "h", "1.5h", 8, None],
                         ids=["empty", "days", "no number", "decimal", "int", "none"])
def test_parse_duration_refuses(text: object) -> None:
    with pytest.raises(ConfigValueError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("09:00-17:00", ((time(9), time(17)),)),
    ("13:30-17:00, 9:00-12:30", ((time(9), time(12, 30)), (time(13, 30), time(17)))),
    ("00:00-24:00", ((time(0), time.max),)),
], ids=["one", "two sorted", "whole day"])
def test_parse_windows(text: str, expected: object) -> None:
    assert parse_windows(text) == expected


@pytest.mark.parametrize(("text", "says"), [
    ("22:00-02:00", "cross midnight"), ("09:00-12:00, 11:00-13:00", "overlap"), ("9-5", "window like"),
    ("25:00-26:00", "impossible"), ("", "opening hours"),
], ids=["crosses midnight", "overlap", "no minutes", "impossible", "empty"])
def test_parse_windows_refuses(text: str, says: str) -> None:
    with pytest.raises(ConfigValueError, match=says):
        parse_windows(text)


@pytest.mark.parametrize(("value", "expected"), [
    (["mon", "tue"], {0, 1}), ("mon-fri", {0, 1, 2, 3, 4}), ("fri-mon", {4, 5, 6, 0}), (["Monday", "SUN"], {0, 6}),
], ids=["list", "range", "wrapping range", "long names"])
def test_parse_days(value: object, expected: set[int]) -> None:
    assert parse_days(value) == frozenset(expected)


def test_empty_config_gives_the_documented_defaults() -> None:
    config = load_care_config({})
    assert config.problems == ()
    assert config.settings.tz == UTC
    assert config.settings.hours == ALWAYS
    assert config.settings.targets == DEFAULT_TARGETS
    assert config.settings.breaching_soon == 2 * H
    assert config.settings.pause_on == frozenset({"pending"})
    assert config.moves == Moves("pending", "open")


DOC_EXAMPLE = """
timezone = "Europe/London"

[care]
breaching_soon = "1h"
pause_on = ["pending"]

[care.hours]
days = ["mon", "tue", "wed", "thu", "fri"]
open = "09:00-17:00"
holidays = ["2026-12-25", "2026-12-26"]

[care.targets.urgent]
first_response = "30m"

[care.moves]
reply = "open"
"""


def test_a_full_config() -> None:
    config = load_care_config(tomllib.loads(DOC_EXAMPLE))
    assert config.problems == ()
    settings = config.settings
    assert settings.tz == ZoneInfo("Europe/London")
    assert settings.hours.days == frozenset(range(5))
    assert settings.hours.holidays == {date(2026, 12, 25), date(2026, 12, 26)}
    assert settings.targets["urgent"] == Target(timedelta(minutes=30), 8 * H)
    assert settings.targets["normal"] == DEFAULT_TARGETS["normal"]
    assert settings.breaching_soon == H
    assert config.moves == Moves("open", "open")


def test_toml_dates_are_accepted_as_holidays() -> None:
    config = load_care_config(tomllib.loads("[care.hours]\nholidays = [2026-12-25]\n"))
    assert config.settings.hours.holidays == {date(2026, 12, 25)}


def test_always_means_24_7() -> None:
    assert load_care_config({"care": {"hours": {"always": True}}}).settings.hours == ALWAYS


BAD = [
    ("unknown zone", {"timezone": "Mars/Olympus"}, "timezone: unknown time zone"),
    ("bad window", {"care": {"hours": {"open": "9 to 5"}}}, "care.hours: expected a window"),
    ("bad target", {"care": {"targets": {"high": {"resolution": "2 days"}}}}, "care.targets.high.resolution"),
    ("bad move", {"care": {"moves": {"reply": "waiting"}}}, "care.moves.reply: expected a ticket status"),
    ("bad pause", {"care": {"pause_on": "pending"}}, "care.pause_on: expected a list"),
    ("targets not a table", {"care": {"targets": "fast"}}, "care.targets: expected a table"),
]


@pytest.mark.parametrize(("data", "says"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_values_are_problems_with_defaults(data: dict[str, object], says: str) -> None:
    config = load_care_config(data)
    assert any(says in problem for problem in config.problems), config.problems
    defaults = load_care_config({})
    assert config.settings.tz == defaults.settings.tz
    assert config.settings.hours == defaults.settings.hours
