"""Judging answers: typed measurements, derived values, choices and texts; never a crash on typos."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commission.checklist import (
    AnswerContext,
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
WARN, QUESTION = VerdictStatus.WARN, VerdictStatus.QUESTION


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
        ("12", PASS, 12.0, "12 V is within 11.4–12.6 V"),
        ("11,95", PASS, 11.95, "11.95 V is within 11.4–12.6 V"),
        ("12.1 V", PASS, 12.1, "12.1 V is within 11.4–12.6 V"),
        ("  12.05v ", PASS, 12.05, "12.05 V is within 11.4–12.6 V"),
        # Regulation is not setpoint accuracy: 12.2 V on a 12 V rail is fine (±5 %, ATX).
        ("12.2", PASS, 12.2, "12.2 V is within 11.4–12.6 V"),
        ("12 200 mV", PASS, 12.2, "12,200 mV = 12.2 V is within 11.4–12.6 V"),
        ("11,3", FAIL, 11.3, "11.3 V is below the 11.4 V minimum"),
        ("12.7 V", FAIL, 12.7, "12.7 V is above the 12.6 V maximum"),
        ("−12", FAIL, -12.0, "-12 V is below the 11.4 V minimum"),
        ("abc", INVALID, None, "'abc' does not start with a number; expected a number in V"),
        ("", INVALID, None, "nothing was entered; expected a number in V"),
        ("12 A", INVALID, None, "'12 A' is a current in A, but this value is a voltage"),
        ("12.1.1", INVALID, None, "'12.1.1' is not a number"),
        ("12 13", INVALID, None, "'12 13' is not a number: spaces must group the digits"),
        ("1e999", INVALID, None, "'1e999' is too large"),
        # "12,600" reads as 12600 by the app's rule; that fails while 12.6 would pass: asked.
        ("12,600", QUESTION, None, "12,600: did you mean 12600 V or 12.6 V?"),
    ],
)
def test_output_voltage(
    builtin: Checklist, typed: str, status: VerdictStatus, value: float | None, reason: str
) -> None:
    verdict = evaluate_measurement(_measurement(builtin, "psu.output-voltage"), typed)
    assert verdict.status is status
    assert verdict.value == (None if value is None else pytest.approx(value))
    assert verdict.reason.startswith(reason)
    assert verdict.unit == "V"


@pytest.mark.parametrize(
    ("item_id", "typed", "status", "reason"),
    [
        ("psu.rated-current", "170", PASS, "170 A meets the ≥ 170 A limit"),
        ("psu.rated-current", "169.9 A", FAIL, "169.9 A is below the 170 A minimum"),
        ("psu.ripple", "0.5 %", PASS, "0.5 % meets the < 1 % limit"),
        ("psu.ripple", "1", FAIL, "1 % is not below 1 %; it must be less"),
        # A datasheet prints "> 0.99" as 0.99: not a failure.
        ("psu.power-factor", "0.99", PASS, "0.99 is within 0.99–1"),
        ("psu.power-factor", "0,995", PASS, "0.995 is within 0.99–1"),
        ("psu.power-factor", "0.98", FAIL, "0.98 is below the 0.99 minimum"),
        ("psu.power-factor", "1.2", FAIL, "1.2 is above the 1 maximum"),
        (
            "psu.power-factor",
            "0.995 V",
            INVALID,
            "'0.995 V' is a voltage in V; expected a plain number without a unit",
        ),
        ("psu.rated-power", "1,600", FAIL, "1,600 W is below the 2,040 W minimum"),
        ("psu.rated-power", "2,040 W", PASS, "2,040 W meets the ≥ 2,040 W limit"),
        ("psu.rated-power", "2.4 kW", PASS, "2.4 kW = 2,400 W meets the ≥ 2,040 W limit"),
        ("psu.rated-power", "2.040", QUESTION, "2.040: did you mean 2.04 W or 2040 W?"),
        ("psu.rated-power", "-2040", INVALID, "'-2040' was read as -2040, but a power cannot"),
        ("psu.setup-time", "1.5 s", PASS, "1.5 s meets the < 2 s limit"),
        ("psu.setup-time", "2500 ms", FAIL, "2,500 ms = 2.5 s is not below 2 s"),
        ("psu.short-circuit-time", "10", FAIL, "10 ms is not above 10 ms"),
        ("psu.leakage-current", "0.001 A", PASS, "0.001 A = 1 mA meets the < 1.5 mA limit"),
        ("psu.low-voltage-protection", "85", PASS, "85 V is within 80–100 V"),
        ("psu.low-voltage-protection", "95", WARN, "95 V is within the limits but above 89 V"),
        ("psu.overcurrent-protection", "190 A", PASS, "190 A is within 180–225 A"),
        ("psu.overcurrent-protection", "220", WARN, "220 A is within the limits but above 200"),
        ("site.ac-voltage", "250", WARN, "250 V is within the limits but above 240 V"),
        ("site.relative-humidity", "10", WARN, "10 % is within the limits but below 20 %"),
        ("site.altitude", "2100 m", FAIL, "2,100 m is not below 2,000 m"),
        # 2,100 fails as 2100 but would pass as 2.1: asked back rather than guessed.
        ("site.altitude", "2,100 m", QUESTION, "2,100 m: did you mean 2100 m or 2.1 m?"),
        ("site.ambient-temperature", "77 °F", PASS, "77 °F = 25 °C is within 0–40 °C"),
        ("water.pressure", "1.5 bar", PASS, "1.5 bar = 150 kPa is within 50–300 kPa"),
        ("water.pressure", "30 psi", PASS, "30 psi = 206.843 kPa is within 50–300 kPa"),
        ("water.pressure", "4 bar", FAIL, "4 bar = 400 kPa is above the 300 kPa maximum"),
        ("water.flow", "600 L/h", PASS, "600 L/h = 10 L/min is within 5–15 L/min"),
        ("water.flow", "2 US gal/min", PASS, "2 US gal/min = 7.571 L/min is within 5–15"),
        ("water.flow", "3", FAIL, "3 L/min is below the 5 L/min minimum"),
        ("monitoring.hashrate", "18,514.42 GH/s", PASS, "18,514.42 GH/s = 18.514 TH/s meets"),
        ("monitoring.wall-power", "1.8 kW", PASS, "1.8 kW = 1,800 W meets the ≤ 2,031 W"),
        ("monitoring.wall-power", "1.728", QUESTION, "1.728: did you mean 1.728 W or 1728 W?"),
        ("monitoring.wall-power", "900", WARN, "900 W is within the limits but below 1,500 W"),
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
    assert verdict.recordable == (verdict.value is not None)


def test_a_question_carries_the_two_answers_and_is_not_recordable(builtin: Checklist) -> None:
    verdict = evaluate_measurement(_measurement(builtin, "psu.output-voltage"), "12,600")
    assert verdict.status is QUESTION and not verdict.recordable
    assert verdict.answers == ("12600", "12.6")
    assert verdict.value is None
    for answer, status in zip(verdict.answers, (FAIL, PASS), strict=True):
        again = evaluate_measurement(_measurement(builtin, "psu.output-voltage"), answer)
        assert again.status is status


def test_flow_allowance_with_an_external_cold_source(builtin: Checklist) -> None:
    flow = _measurement(builtin, "water.flow")
    cold = AnswerContext(answers={"water.source": "external cold-water source"})
    loop = AnswerContext(answers={"water.source": "heat-exchanger loop"})
    warned = evaluate_measurement(flow, "3", cold)
    assert warned.status is WARN and warned.value == 3.0
    assert "2–15 L/min is allowed here" in warned.reason and "5-2" in warned.reason
    assert evaluate_measurement(flow, "3", loop).status is FAIL
    assert evaluate_measurement(flow, "3").status is FAIL
    assert evaluate_measurement(flow, "1.9", cold).status is FAIL
    assert evaluate_measurement(flow, "8", cold).status is PASS
    # 120 L/h is exactly 2 L/min: allowed with the cold source, never below it.
    assert evaluate_measurement(flow, "120 L/h", cold).status is WARN
    # 2,500 L/min fails; 2.5 L/min would only warn here: asked back.
    asked = evaluate_measurement(flow, "2,500", cold)
    assert asked.status is QUESTION and asked.answers == ("2500", "2.5")
    assert evaluate_measurement(flow, "2,500", loop).status is FAIL


def test_efficiency_limit_follows_the_recorded_room_temperature(builtin: Checklist) -> None:
    item = _derived(builtin, "monitoring.efficiency")
    values: dict[str, float | None] = {"monitoring.wall-power": 1890.0, "monitoring.hashrate": 18.0}
    waiting = evaluate_derived(item, values)
    assert waiting.status is VerdictStatus.INCOMPLETE
    assert "site.ambient-temperature" in waiting.reason
    # 105 J/TH: over the 25 °C limit (102.7), within the 40 °C one (110.4).
    cool = evaluate_derived(item, {**values, "site.ambient-temperature": 20.0})
    assert cool.status is FAIL and "above the 102.7 J/TH maximum for 20 °C" in cool.reason
    hot = evaluate_derived(item, {**values, "site.ambient-temperature": 40.0})
    assert hot.status is PASS and "110.4 J/TH" in hot.reason
    # 32.5 °C lies half way: the limit is 106.55 J/TH.
    middle = evaluate_derived(item, {**values, "site.ambient-temperature": 32.5})
    assert middle.status is PASS and "106.55 J/TH" in middle.reason
    worse = evaluate_derived(
        item, {**values, "monitoring.wall-power": 1925.0, "site.ambient-temperature": 32.5}
    )
    assert worse.status is FAIL
    better = evaluate_derived(
        item, {**values, "monitoring.wall-power": 1500.0, "site.ambient-temperature": 25.0}
    )
    assert better.status is WARN and "96.0 J/TH" in better.reason


def test_firmware_date_is_compared_with_the_miner(builtin: Checklist) -> None:
    item = builtin.item("admin.firmware-version")
    assert isinstance(item, TextItem) and item.live_reading == "firmware-date"
    waiting = evaluate_text(item, "20180820")
    assert waiting.status is VerdictStatus.INCOMPLETE and waiting.recordable
    same = evaluate_text(item, "20180820", AnswerContext(live={"firmware-date": "20180820"}))
    assert same.status is PASS
    other = evaluate_text(item, "20180820", AnswerContext(live={"firmware-date": "20190215"}))
    assert other.status is FAIL
    assert "the miner reports 20190215 as its firmware build date" in other.reason
    assert evaluate_text(item, "2018-08-20").status is INVALID


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
        "site.ambient-temperature": 25.0,
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
