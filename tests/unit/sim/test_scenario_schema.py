"""Scenario files are validated before anything runs, with errors naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.scenario import ScenarioError, load_scenario, parse_duration, parse_frequency

GOOD = """\
name = "answer through the connector"
profile = "wan"

[[peer]]
name = "customer"
user = "5001"

[[step]]
action = "incoming_call"
from = "customer"

[[step]]
action = "expect"
call_state = "ringing"
within = "5s"

[[step]]
action = "answer"
via = "connector"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


def test_a_good_scenario_loads_with_its_lines(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, GOOD))
    assert scenario.profile.name == "wan" and scenario.profile.latency_ms == 40
    assert [s.action for s in scenario.steps] == ["incoming_call", "expect", "answer"]
    assert [s.line for s in scenario.steps] == [8, 12, 17]


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (('action = "answer"', 'action = "anwser"'), 18, "unknown action 'anwser'"),
        (('via = "connector"', 'via = "telepathy"'), 19, "via: 'telepathy' is not one of"),
        (('within = "5s"', 'within = "soon"'), 15, "not a duration"),
        (('from = "customer"', 'from = "boss"'), 10, "no peer named 'boss'"),
        (('call_state = "ringing"', 'call_sate = "ringing"'), 14, "unknown key 'call_sate'"),
        (('profile = "wan"', 'profile = "moon"'), 2, "unknown profile 'moon'"),
        (('from = "customer"\n', ""), 8, "missing required key 'from'"),
    ],
)
def test_errors_name_the_line_and_what_is_allowed(
    tmp_path: Path, change: tuple[str, str], line: int, message: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change, 1))
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert f"{path}:{line}:" in str(error.value)
    assert message in str(error.value)


def test_broken_toml_is_reported_not_raised(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(write(tmp_path, GOOD + "\n[[step]\n"))


def test_adjusted_profile(tmp_path: Path) -> None:
    text = GOOD.replace('profile = "wan"', 'profile = { base = "wan", latency_ms = 120 }')
    scenario = load_scenario(write(tmp_path, text))
    assert scenario.profile.latency_ms == 120 and scenario.profile.jitter_ms == 5


def test_units() -> None:
    assert (
        parse_duration("250ms") == 0.25 and parse_duration("2min") == 120 and parse_duration(3) == 3
    )
    assert parse_frequency("440Hz") == 440 and parse_frequency("1000") == 1000
    with pytest.raises(ValueError):
        parse_duration("-1s")
