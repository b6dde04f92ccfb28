"""Judging answers: typed measurements, derived values, choices and texts; never a crash on typos."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commission.checklist import (
    Checklist,
    ChoiceItem,
    DerivedItem,
    MeasurementItem,
    TextItem,
    VerdictStatus,
    evaluate_choice,
    evaluate_derived,
    evaluate_measurement,
    evaluate_text,
    load_builtin,
    parse_number,
)

PASS, FAIL, INVALID = VerdictStatus.PASS, VerdictStatus.FAIL, VerdictStatus.INVALID


@pytest.fixture(scope="module")
def builtin() -> Checklist:
    return load_builtin()


def _measurement(builtin: Checklist, item_id: str) -> MeasurementItem:
    item = builtin.item(item_id)
    assert isinstance(item, MeasurementItem)
    return item


@pytest.mark.parametrize(
    ("typed", "status", "value", "reason"),
    [
        ("12", PASS, 12.0, "12 V is within 11.88–12.12 V"),
        ("11,95", PASS, 11.95, "11.95 V is within 11.88–12.12 V"),
        ("12.1 V", PASS, 12.1, "12.1 V is within 11.88–12.12 V"),
        ("  12.05v ", PASS, 12.05, "12.05 V is within 11.88–12.12 V"),
        ("11,8", FAIL, 11.8, "11.8 V is below the 11.88 V minimum"),
        ("12.6 V", FAIL, 12.6, "12.6 V is above the 12.12 V maximum"),
        ("−12", FAIL, -12.0, "-12 V is below the 11.88 V minimum"),
        ("abc", INVALID, None, "'abc' is not a number"),
        ("", INVALID, None, "nothing was entered; type a number in V"),
        ("12 A", INVALID, None, "'12 A' is in 'A', but this value is entered in V"),
        ("12.1.1", INVALID, None, "'12.1.1' is not a number (more than one decimal separator)"),
        ("1,234.5", INVALID, None, "'1,234.5' mixes a decimal comma and a decimal point"),
        ("12 13", INVALID, None, "'12 13' is not a number"),
        ("1e999", INVALID, None, "'1e999' is too large"),
    ],
)
def test_output_voltage(
    builtin: Checklist, typed: str, status: VerdictStatus, value: float | None, reason: str
) -> None:
    verdict = evaluate_measurement(_measurement(builtin, "psu.output-voltage"), typed)
    assert verdict.status is status
    assert verdict.value == value
    assert verdict.reason.startswith(reason)
    assert verdict.unit == "V"


@pytest.mark.parametrize(
    ("item_id", "typed", "status", "reason"),
    [
        ("psu.rated-current", "170", PASS, "170 A meets the ≥ 170 A limit"),
        ("psu.rated-current", "169.9 A", FAIL, "169.9 A is below the 170 A minimum"),
        ("psu.ripple", "0.5 %", PASS, "0.5 % meets the < 1 % limit"),
        ("psu.ripple", "1", FAIL, "1 % is not below 1 %; it must be less"),
        ("psu.power-factor", "0.99", FAIL, "0.99 is not above 0.99; it must be greater"),
        ("psu.power-factor", "0,995", PASS, "0.995 meets the > 0.99 limit"),
        (
            "psu.power-factor",
            "0.995 V",
            INVALID,
            "'0.995 V' is in 'V', but this value is entered without a unit",
        ),
        ("water.microbes", "2e4", PASS, "20,000 CFU/mL meets the < 100,000 CFU/mL limit"),
        ("water.microbes", "1 x 10^5 CFU/mL", FAIL, "100,000 CFU/mL is not below 100,000 CFU/mL"),
        ("water.microbes", "10^5", FAIL, "100,000 CFU/mL is not below"),
        ("water.ph", "6", PASS, "6 pH is within 6–9 pH"),
        ("water.ph", "9,1", FAIL, "9.1 pH is above the 9 pH maximum"),
        ("water.inlet-temperature", "20 °C", PASS, "20 °C is within 15–55 °C"),
        ("water.inlet-temperature", "20 C", PASS, "20 °C is within"),
        ("water.inlet-temperature", "20 degC", PASS, "20 °C is within"),
        ("water.flow", "7 l/min", PASS, "7 L/min is within 5–15 L/min"),
        ("cooling.fan-speed", "3600 rpm", PASS, "3,600 r/min meets the ≥ 3,500 r/min limit"),
        ("cooling.fan-speed", "3 400", FAIL, "3,400 r/min is below the 3,500 r/min minimum"),
        ("psu.ac-cable", "1.5 mm2", PASS, "1.5 mm² meets the ≥ 1 mm² limit"),
        ("site.relative-humidity", "60 %RH", PASS, "60 % is within 5–95 %"),
        ("site.ac-voltage", "230 V AC", PASS, "230 V is within 200–265 V"),
        ("site.ac-voltage", "199", FAIL, "199 V is below the 200 V minimum"),
    ],
)
def test_limits_units_and_bounds(
    builtin: Checklist, item_id: str, typed: str, status: VerdictStatus, reason: str
) -> None:
    verdict = evaluate_measurement(_measurement(builtin, item_id), typed)
    assert (verdict.status, verdict.reason[: len(reason)]) == (status, reason)


@given(st.text(max_size=40))
def test_typing_anything_never_raises(typed: str) -> None:
    item = MeasurementItem(kind="measurement", id="a.b", title="T", guide="2", unit="V", min=1)
    verdict = evaluate_measurement(item, typed)
    assert verdict.reason
    assert (verdict.status is INVALID) == (verdict.value is None)


def test_parse_number_reports_only_what_is_wrong() -> None:
    assert parse_number("1 728 W", "W") == (1728.0, "")
    assert parse_number(".5", "") == (0.5, "")
    assert parse_number("+3", "°C") == (3.0, "")


def test_dew_point_rule(builtin: Checklist) -> None:
    item = builtin.item("water.dew-point-margin")
    assert isinstance(item, DerivedItem)
    readings = {"site.ambient-temperature": 25.0, "site.relative-humidity": 60.0}
    ok = evaluate_derived(item, {**readings, "water.inlet-temperature": 20.0})
    assert ok.status is PASS and ok.value == pytest.approx(3.31, abs=0.01)
    assert ok.reason == "3.31 °C meets the ≥ 3 °C limit"
    cold = evaluate_derived(item, {**readings, "water.inlet-temperature": 18.0})
    assert cold.status is FAIL
    assert cold.reason == "1.31 °C is below the 3 °C minimum"


def test_derived_waits_for_inputs_and_reports_bad_ones(builtin: Checklist) -> None:
    item = builtin.item("water.dew-point-margin")
    assert isinstance(item, DerivedItem)
    waiting = evaluate_derived(
        item, {"water.inlet-temperature": 20.0, "site.relative-humidity": None}
    )
    assert waiting.status is VerdictStatus.INCOMPLETE
    assert waiting.reason == "needs site.ambient-temperature, site.relative-humidity first"
    bad = evaluate_derived(
        item,
        {
            "water.inlet-temperature": 20.0,
            "site.ambient-temperature": 25.0,
            "site.relative-humidity": 0.0,
        },
    )
    assert bad.status is INVALID
    assert "relative humidity 0 % must be above 0" in bad.reason


def _derived(builtin: Checklist, item_id: str) -> DerivedItem:
    item = builtin.item(item_id)
    assert isinstance(item, DerivedItem)
    return item


def test_efficiency_load_and_current(builtin: Checklist) -> None:
    values = {
        "monitoring.wall-power": 1728.0,
        "monitoring.hashrate": 18.0,
        "psu.rated-power": 2040.0,
        "site.ac-voltage": 220.0,
    }
    efficiency = evaluate_derived(_derived(builtin, "monitoring.efficiency"), values)
    assert (efficiency.status, efficiency.value) == (PASS, 96.0)
    load = evaluate_derived(_derived(builtin, "monitoring.psu-load"), values)
    assert load.status is PASS and load.value == pytest.approx(84.7, abs=0.1)
    heavy = evaluate_derived(
        _derived(builtin, "monitoring.psu-load"), {**values, "monitoring.wall-power": 2031.0}
    )
    assert heavy.status is FAIL and "above the 90 % maximum" in heavy.reason
    current = evaluate_derived(_derived(builtin, "monitoring.ac-current"), values)
    assert current.status is PASS and current.value == pytest.approx(7.85, abs=0.01)


def test_choice(builtin: Checklist) -> None:
    item = builtin.item("cooling.pump-signal-wire")
    assert isinstance(item, ChoiceItem)
    assert evaluate_choice(item, item.options[0]).status is PASS
    bad = evaluate_choice(item, "third-party pump, signal wire still connected")
    assert bad.status is FAIL and "not acceptable" in bad.reason
    assert evaluate_choice(item, "a garden hose").status is INVALID


def test_text_patterns_and_secrets(builtin: Checklist) -> None:
    url = builtin.item("pools.1.url")
    assert isinstance(url, TextItem)
    assert evaluate_text(url, "stratum+tcp://pool.example.com:3333").status is PASS
    wrong = evaluate_text(url, "http://pool")
    assert wrong.status is INVALID
    assert (
        wrong.reason
        == "'http://pool' does not look like pool 1 url, e.g. stratum+tcp://pool.example.com:3333"
    )
    password = builtin.item("pools.1.password")
    assert isinstance(password, TextItem) and password.secret
    verdict = evaluate_text(password, "hunter2")
    assert verdict.status is PASS
    assert "hunter2" not in verdict.model_dump_json()
    mac = builtin.item("network.mac")
    assert isinstance(mac, TextItem)
    assert evaluate_text(mac, "C4:10:8A:12:34:56").status is PASS
    assert evaluate_text(mac, "C4:10:8A").status is INVALID
