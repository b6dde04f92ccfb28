"""Derived calculations against known values, and their input checks."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commission.checklist import calc


@pytest.mark.parametrize(
    ("temperature", "humidity", "expected"),
    [
        # Published dew-point tables, to one decimal.
        (25.0, 60.0, 16.7),
        (20.0, 50.0, 9.3),
        (30.0, 80.0, 26.2),
        (35.0, 40.0, 19.4),
        (10.0, 50.0, 0.1),
        (0.0, 100.0, 0.0),
    ],
)
def test_dew_point_matches_published_tables(
    temperature: float, humidity: float, expected: float
) -> None:
    assert calc.dew_point_c(temperature, humidity) == pytest.approx(expected, abs=0.1)


def test_dew_point_worked_example_to_two_decimals() -> None:
    # gamma = ln(0.6) + 17.62 * 25 / 268.12 = 1.13213; Td = 243.12 * gamma / (17.62 - gamma)
    assert calc.dew_point_c(25, 60) == pytest.approx(16.69, abs=0.005)


@given(
    temperature=st.floats(min_value=-45, max_value=60),
    humidity=st.floats(min_value=0.1, max_value=100),
)
def test_dew_point_never_exceeds_the_air_temperature(temperature: float, humidity: float) -> None:
    assert calc.dew_point_c(temperature, humidity) <= temperature + 1e-9


@given(temperature=st.floats(min_value=-45, max_value=60))
def test_dew_point_at_saturation_is_the_air_temperature(temperature: float) -> None:
    assert calc.dew_point_c(temperature, 100) == pytest.approx(temperature, abs=1e-9)


@pytest.mark.parametrize(
    ("temperature", "humidity", "fragment"),
    [
        (25, 0, "relative humidity 0 % must be above 0"),
        (25, -5, "must be above 0"),
        (25, 100.5, "at most 100 %"),
        (61, 50, "outside -45 to 60 °C"),
        (-46, 50, "outside -45 to 60 °C"),
        (math.nan, 50, "temperature_c must be a finite number"),
    ],
)
def test_dew_point_rejects_impossible_inputs(
    temperature: float, humidity: float, fragment: str
) -> None:
    with pytest.raises(ValueError, match=fragment):
        calc.dew_point_c(temperature, humidity)


def test_inlet_margin_over_dew_point() -> None:
    # Room 25 °C / 60 % RH: dew point 16.69 °C; 20 °C water is 3.31 °C above it (passes 3 °C).
    assert calc.inlet_margin_over_dew_point_c(20, 25, 60) == pytest.approx(3.31, abs=0.01)
    assert calc.inlet_margin_over_dew_point_c(15, 25, 60) == pytest.approx(-1.69, abs=0.01)
    with pytest.raises(ValueError, match="inlet_c must be a finite number"):
        calc.inlet_margin_over_dew_point_c(math.inf, 25, 60)


def test_psu_load_percent() -> None:
    assert calc.psu_load_percent(1728, 2040) == pytest.approx(84.71, abs=0.01)
    assert calc.psu_load_percent(2031, 2040) == pytest.approx(99.56, abs=0.01)
    assert calc.psu_load_percent(0, 2040) == 0
    with pytest.raises(ValueError, match="rated power 0 W must be above 0"):
        calc.psu_load_percent(100, 0)
    with pytest.raises(ValueError, match="load -1 W cannot be negative"):
        calc.psu_load_percent(-1, 2040)


def test_ac_input_current_reproduces_the_guide_table() -> None:
    assert calc.ac_input_current_a(1728, 220) == pytest.approx(7.85, abs=0.01)
    assert calc.ac_input_current_a(2031, 200) == pytest.approx(10.16, abs=0.01)
    # From the DC side: 1,620 W out of a 94 % efficient PSU with PF 0.99 at 230 V.
    assert calc.ac_input_current_a(1620, 230, power_factor=0.99, efficiency=0.94) == pytest.approx(
        1620 / (0.94 * 230 * 0.99)
    )


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ({"power_w": -1, "voltage_v": 230}, "power -1 W cannot be negative"),
        ({"power_w": 100, "voltage_v": 0}, "voltage 0 V must be above 0"),
        ({"power_w": 100, "voltage_v": 230, "power_factor": 1.2}, "power factor 1.2"),
        ({"power_w": 100, "voltage_v": 230, "power_factor": 0}, "power factor 0"),
        ({"power_w": 100, "voltage_v": 230, "efficiency": 0}, "efficiency 0 must be above 0"),
    ],
)
def test_ac_input_current_rejects_impossible_inputs(
    arguments: dict[str, float], fragment: str
) -> None:
    with pytest.raises(ValueError, match=fragment):
        calc.ac_input_current_a(**arguments)


def test_joules_per_terahash() -> None:
    assert calc.joules_per_terahash(1728, 18.0) == pytest.approx(96.0)
    assert calc.joules_per_terahash(2031, 18.4) == pytest.approx(110.38, abs=0.01)
    with pytest.raises(ValueError, match="hash rate 0 TH/s must be above 0"):
        calc.joules_per_terahash(1728, 0)
    with pytest.raises(ValueError, match="wall power -5 W cannot be negative"):
        calc.joules_per_terahash(-5, 18)


def test_every_calculation_is_registered_with_its_unit() -> None:
    assert {name: c.unit for name, c in calc.CALCULATIONS.items()} == {
        "dew_point_c": "°C",
        "inlet_margin_over_dew_point_c": "°C",
        "psu_load_percent": "%",
        "ac_input_current_a": "A",
        "joules_per_terahash": "J/TH",
    }
    for name, calculation in calc.CALCULATIONS.items():
        assert calculation.function.__name__ == name
