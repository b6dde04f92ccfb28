"""Scenario parsing: names, arguments, combinations and clear usage errors."""

from __future__ import annotations

import random

import pytest

from commission.errors import UsageError
from commission.simulator.scenarios import (
    SCENARIOS,
    Scenario,
    ScenarioSet,
    parse_scenarios,
    random_scenarios,
)


def test_combined_text_and_lists_parse_to_the_same_set() -> None:
    from_text = parse_scenarios("pump-stopped,fan-stalled:3,chain-missing:7")
    from_list = parse_scenarios(["pump-stopped", "fan-stalled:3", "chain-missing:7"])
    assert from_text == from_list
    assert "pump-stopped" in from_text and from_text.ints_of("fan-stalled") == {3}
    assert str(from_text) == "pump-stopped,fan-stalled:3,chain-missing:7"


@pytest.mark.parametrize("text", [None, "", "healthy", ["healthy"], []])
def test_healthy_is_the_empty_set(text: str | list[str] | None) -> None:
    scenarios = parse_scenarios(text)
    assert scenarios.healthy and str(scenarios) == "healthy"


def test_duplicates_collapse_and_names_ignore_case() -> None:
    scenarios = parse_scenarios("Fan-Stalled:3, fan-stalled:3,fan-stalled:4")
    assert list(scenarios) == [Scenario("fan-stalled", (3,)), Scenario("fan-stalled", (4,))]


def test_optional_arguments() -> None:
    assert parse_scenarios("slow-replies").args_of("slow-replies") == [()]
    assert parse_scenarios("slow-replies:0.5").args_of("slow-replies") == [(0.5,)]
    assert parse_scenarios("asics-missing:7:3").args_of("asics-missing") == [(7, 3)]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("bogus", "unknown scenario 'bogus'; valid scenarios are: healthy, chain-missing:N"),
        ("chain-missing", "is written chain-missing:N"),
        ("chain-missing:5", "N=5 is not valid; the API chain number is one of 2, 3, 4, 6"),
        ("chain-missing:x", "N must be a number"),
        ("board-missing:5", "the hash board is one of 1, 2, 3, 4"),
        ("fan-stalled:7", "the fan header is one of 1, 2, 3, 4, 5, 6"),
        ("asics-missing:7:18", "out of range"),
        ("pump-stopped:1", "takes no arguments"),
        ("healthy,pump-stopped", "'healthy' cannot be combined"),
    ],
)
def test_bad_scenarios_raise_usage_errors_naming_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_scenarios(text)
    assert fragment in str(caught.value)


def test_a_parsed_set_passes_through() -> None:
    scenarios = parse_scenarios("api-down")
    assert parse_scenarios(scenarios) is scenarios


def test_every_scenario_has_a_one_line_description() -> None:
    assert "healthy" in SCENARIOS
    for spec in SCENARIOS.values():
        assert spec.description and "\n" not in spec.description


def test_random_scenarios_are_seeded_and_valid() -> None:
    first = [random_scenarios(random.Random(5)) for _ in range(3)]
    again = [random_scenarios(random.Random(5)) for _ in range(3)]
    assert first == again
    rng = random.Random(1)
    for _ in range(200):
        drawn = random_scenarios(rng)
        assert isinstance(drawn, ScenarioSet) and not drawn.healthy
        assert parse_scenarios(str(drawn)) == drawn
