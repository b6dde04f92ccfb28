"""Reading typed numbers: thousands, decimal commas, ambiguity asked back, units, signs, garbage."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commission.checklist.numbers import (
    Question,
    Reading,
    Rejection,
    alternatives,
    known_unit,
    quantity_text,
    read_quantity,
)


def _value(typed: str, unit: str = "W") -> float:
    outcome = read_quantity(typed, unit)
    assert isinstance(outcome, Reading), outcome
    return outcome.value


def _refused(typed: str, unit: str = "W") -> str:
    outcome = read_quantity(typed, unit)
    assert isinstance(outcome, Rejection), outcome
    return outcome.reason


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1,600", 1600.0),  # the app prints 2,040 W: a comma before three digits groups
        ("2,040", 2040.0),
        ("1,234,567", 1234567.0),
        ("1,600.5", 1600.5),
        ("1.600,5", 1600.5),  # both marks: the last one is the decimal mark
        ("1.234.567,89", 1234567.89),
        ("1,234,567.5", 1234567.5),
        ("1.234.567", 1234567.0),  # several points can only group
        ("1 600", 1600.0),
        ("1\u00a0600", 1600.0),
        ("1\u202f600,5", 1600.5),
        ("12 345 678", 12345678.0),
    ],
)
def test_thousands(typed: str, value: float) -> None:
    assert _value(typed) == value


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12,6", 12.6),  # one digit: cannot be a thousands group
        ("11,88", 11.88),
        ("1,6000", 1.6),  # four digits neither
        ("0,600", 0.6),  # a group never follows a lone 0
        ("1234,567", 1234.567),  # four digits before the comma: not a group
        (",5", 0.5),
        (".5", 0.5),
        ("12.60", 12.6),
        ("1.600", 1.6),  # a point is a decimal point, as the app writes
    ],
)
def test_decimal_marks(typed: str, value: float) -> None:
    assert _value(typed, "V") == pytest.approx(value)


def _passes_12v(value: float) -> int:
    return int(11.4 <= value <= 12.6)


def test_ambiguity_is_asked_when_the_choice_matters() -> None:
    outcome = read_quantity("12,600", "V", score=_passes_12v)
    assert isinstance(outcome, Question)
    assert [r.value for r in outcome.readings] == [12600.0, 12.6]
    assert outcome.answers == ("12600", "12.6")
    assert outcome.text.startswith("12,600: did you mean 12600 V or 12.6 V?")
    # The answers themselves are unambiguous.
    for answer, value in zip(outcome.answers, (12600.0, 12.6), strict=True):
        again = read_quantity(answer, "V", score=_passes_12v)
        assert isinstance(again, Reading) and again.value == value


def test_dot_before_three_digits_is_asked_the_other_way_round() -> None:
    outcome = read_quantity("2.040", "W", score=lambda value: int(value >= 2040))
    assert isinstance(outcome, Question)
    assert [r.value for r in outcome.readings] == [2.04, 2040.0]


@pytest.mark.parametrize(
    ("typed", "score", "value"),
    [
        ("1,600", lambda v: int(v >= 2040), 1600.0),  # neither passes: the app's reading
        ("1,600", lambda v: int(v <= 100000), 1600.0),  # both pass: the app's reading
        ("12,6", _passes_12v, 12.6),  # not ambiguous at all
        ("1,600.5", lambda v: int(v < 10), 1600.5),  # two marks are never ambiguous
        ("1 600", lambda v: int(v < 10), 1600.0),
        ("1.000", lambda v: int(v <= 1), 1.0),  # the app's reading passes: nothing to ask
        ("1,600", lambda v: 2 if v > 1000 else 1, 1600.0),  # the app's reading fares better
    ],
)
def test_no_question_when_the_reading_is_settled(
    typed: str, score: Callable[[float], int], value: float
) -> None:
    outcome = read_quantity(typed, "W", score=score)
    assert isinstance(outcome, Reading) and outcome.value == value


def test_question_with_a_converted_unit_shows_both() -> None:
    outcome = read_quantity("30,000 psi", "kPa", score=lambda v: int(50 <= v <= 300))
    assert isinstance(outcome, Question)
    assert "did you mean 30000 psi (206,842.719 kPa) or 30 psi (206.843 kPa)?" in outcome.text


@pytest.mark.parametrize(
    ("typed", "unit", "value", "shown"),
    [
        ("1.5 bar", "kPa", 150.0, "1.5 bar = 150 kPa"),
        ("1,5 bar", "kPa", 150.0, "1.5 bar = 150 kPa"),
        ("2 mbar", "kPa", 0.2, "2 mbar = 0.2 kPa"),
        ("0.2 MPa", "kPa", 200.0, "0.2 MPa = 200 kPa"),
        ("150000 Pa", "kPa", 150.0, "150,000 Pa = 150 kPa"),
        ("30 psi", "kPa", 206.84271879505083, "30 psi = 206.843 kPa"),
        ("150 kPa", "kPa", 150.0, "150 kPa"),
        ("150 KPA", "kPa", 150.0, "150 kPa"),
        ("77 °F", "°C", 25.0, "77 °F = 25 °C"),
        ("77F", "°C", 25.0, "77 °F = 25 °C"),
        ("32 ℉", "°C", 0.0, "32 °F = 0 °C"),
        ("298.15 K", "°C", 25.0, "298.15 K = 25 °C"),
        ("25 ℃", "°C", 25.0, "25 °C"),
        ("600 L/h", "L/min", 10.0, "600 L/h = 10 L/min"),
        ("2 US gal/min", "L/min", 7.570823568, "2 US gal/min = 7.571 L/min"),
        ("2 gpm", "L/min", 7.570823568, "2 US gal/min = 7.571 L/min"),
        ("0.6 m³/h", "L/min", 10.0, "0.6 m³/h = 10 L/min"),
        ("10 lpm", "L/min", 10.0, "10 L/min"),
        ("1.5 kW", "W", 1500.0, "1.5 kW = 1,500 W"),
        ("1,5 kW", "W", 1500.0, "1.5 kW = 1,500 W"),
        ("2 kw", "W", 2000.0, "2 kW = 2,000 W"),
        ("12000 mV", "V", 12.0, "12,000 mV = 12 V"),
        ("1 mA", "A", 0.001, "1 mA = 0.001 A"),
        ("0.001 A", "mA", 1.0, "0.001 A = 1 mA"),
        ("1500 ms", "s", 1.5, "1,500 ms = 1.5 s"),
        ("3 ft", "m", 0.9144, "3 ft = 0.914 m"),
        ("80 cm", "m", 0.8, "80 cm = 0.8 m"),
        ("18,514.42 GH/s", "TH/s", 18.51442, "18,514.42 GH/s = 18.514 TH/s"),
        ("500 µS/cm", "mS/cm", 0.5, "500 µS/cm = 0.5 mS/cm"),
        ("500 uS/cm", "mS/cm", 0.5, "500 µS/cm = 0.5 mS/cm"),
        ("60 %RH", "%", 60.0, "60 %"),
        ("1.5 mm2", "mm²", 1.5, "1.5 mm²"),
        ("3600 rpm", "r/min", 3600.0, "3,600 r/min"),
        ("13 leads", "leads", 13.0, "13 leads"),
        ("13 pcs", "leads", 13.0, "13 leads"),
        ("124 CFM", "CFM", 124.0, "124 CFM"),
    ],
)
def test_units_convert_and_show_both(typed: str, unit: str, value: float, shown: str) -> None:
    outcome = read_quantity(typed, unit)
    assert isinstance(outcome, Reading), outcome
    assert outcome.value == pytest.approx(value)
    assert outcome.shown() == shown


def test_a_reading_keeps_what_was_typed_and_the_value_read() -> None:
    outcome = read_quantity("  1.5 bar ", "kPa")
    assert isinstance(outcome, Reading)
    assert (outcome.typed, outcome.number, outcome.typed_unit) == ("1.5 bar", 1.5, "bar")
    assert (outcome.value, outcome.unit, outcome.converted) == (150.0, "kPa", True)


@pytest.mark.parametrize(
    ("typed", "unit", "reason"),
    [
        ("5 bar", "L/min", "'5 bar' is a pressure in bar, but this value is a flow"),
        ("20 °C", "kPa", "is a temperature in °C, but this value is a pressure"),
        ("12 A", "V", "'12 A' is a current in A, but this value is a voltage"),
        ("5 furlongs", "m", "'5 furlongs' is in 'furlongs', which is not known here"),
        ("13 W", "leads", "'13 W' is a power in W; expected a number in leads"),
        ("0.99 %", "", "expected a plain number without a unit"),
    ],
)
def test_wrong_units_are_refused_saying_what_is_expected(
    typed: str, unit: str, reason: str
) -> None:
    assert reason in _refused(typed, unit)


def test_refusals_name_the_accepted_units() -> None:
    assert "expected a number in kPa (or Pa, MPa, bar, mbar, psi)" in _refused("x", "kPa")
    assert "expected a number in L/min (or L/h, L/s, m³/h, US gal/min)" in _refused("", "L/min")
    assert alternatives("°C") == ("°F", "K")
    assert alternatives("CFM") == ()
    assert known_unit("KPA") is known_unit("kPa")


@pytest.mark.parametrize(
    ("typed", "unit", "value"),
    [
        ("-5", "°C", -5.0),
        ("−5 °C", "°C", -5.0),  # U+2212, the Unicode minus
        ("– 5 °C", "°C", -5.0),  # an en dash typed as a minus, with a space
        ("+5", "°C", 5.0),
        ("-12", "V", -12.0),  # a voltmeter with swapped leads
        ("-0", "W", 0.0),
        ("-40 °F", "°C", -40.0),
    ],
)
def test_signs(typed: str, unit: str, value: float) -> None:
    assert _value(typed, unit) == pytest.approx(value)


@pytest.mark.parametrize(
    ("typed", "unit", "reason"),
    [
        ("-5", "W", "'-5' was read as -5, but a power cannot be negative"),
        ("−1 mA", "mA", "a current cannot be negative"),
        ("-1", "leads", "this value cannot be negative"),
        ("-2 L/min", "L/min", "a flow cannot be negative"),
    ],
)
def test_negative_quantities_that_cannot_be_negative_are_refused(
    typed: str, unit: str, reason: str
) -> None:
    assert reason in _refused(typed, unit)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("  12.1  ", 12.1),
        ("12.1V", 12.1),
        ("12.1 V", 12.1),
        ("12.1   v", 12.1),
        ("1e5", 100000.0),
        ("1E-3", 0.001),
        ("1 x 10^5", 100000.0),
        ("2×10^3", 2000.0),
        ("10^5", 100000.0),
        ("10⁵", 100000.0),
        ("1 × 10⁻³", 0.001),
        ("1,5e3", 1500.0),
    ],
)
def test_spaces_and_powers_of_ten(typed: str, value: float) -> None:
    assert _value(typed, "V") == pytest.approx(value)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "nothing was entered; expected a number in V"),
        ("   ", "nothing was entered"),
        ("abc", "'abc' does not start with a number"),
        ("V", "does not start with a number"),
        ("nan", "does not start with a number"),
        ("inf", "does not start with a number"),
        ("1..2", "two marks stand side by side"),
        ("1,,2", "two marks stand side by side"),
        ("1.2.3", "several decimal points that do not group the digits in threes"),
        ("1,2,3", "several commas that do not group the digits in threes"),
        ("1,60.5", "do not group the digits in threes"),
        ("1.600,5,3", "',' appears more than once"),
        ("12 13", "spaces must group the digits in threes"),
        ("1 60", "spaces must group the digits in threes"),
        ("12,", "nothing follows the ','"),
        ("--5", "does not start with a number"),
        ("5-", "is not one number"),
        ("12 -3", "is not one number"),
        ("0x10", "'0x10' is in 'x10'"),
        ("1e999", "too large to be a reading"),
        ("10^999", "too large to be a reading"),
        ("2^3", "only powers of ten"),
        ("٣", "does not start with a number"),  # only 0-9 count as digits
        ("１２", "does not start with a number"),
        ("½", "does not start with a number"),
    ],
)
def test_garbage_is_refused_with_what_was_read(typed: str, reason: str) -> None:
    assert reason in _refused(typed, "V")


def test_quantity_text_rounds_for_reading() -> None:
    assert quantity_text(206.84271879505083, "kPa") == "206.843 kPa"
    assert quantity_text(1500.0, "W") == "1,500 W"
    assert quantity_text(0.001, "A") == "0.001 A"
    assert quantity_text(-0.0, "°C") == "0 °C"


UNITS = ["V", "W", "kPa", "°C", "L/min", "", "leads", "mA", "TH/s"]


@given(st.text(max_size=30), st.sampled_from(UNITS))
def test_anything_typed_gives_an_outcome_never_an_exception(typed: str, unit: str) -> None:
    outcome = read_quantity(typed, unit, score=lambda value: int(0 <= value <= 10))
    assert isinstance(outcome, Reading | Question | Rejection)
    if isinstance(outcome, Rejection):
        assert outcome.reason
    if isinstance(outcome, Reading):
        assert outcome.unit == unit


@given(st.integers(min_value=0, max_value=10**12))
def test_the_app_reads_back_what_it_prints(number: int) -> None:
    assert _value(f"{number:,}") == number


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False).map(lambda v: round(v, 3)))
def test_plain_decimals_read_back(number: float) -> None:
    outcome = read_quantity(repr(number), "W")
    assert isinstance(outcome, Reading)
    assert outcome.value == pytest.approx(number)
