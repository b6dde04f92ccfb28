"""Judging answers: a typed value against a measurement's limits, a derived value, a choice, a text.

Every function here is pure and never raises for what a person typed: a typo becomes an ``invalid``
verdict whose reason says what was wrong. The TUI shows the reason as the technician types, and the
job stores the verdict with the answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict

from commission.checklist import calc
from commission.checklist.models import (
    Bound,
    ChoiceItem,
    DerivedItem,
    MeasurementItem,
    TextItem,
    format_value,
)


class VerdictStatus(StrEnum):
    """How an answer compares with what the checklist expects."""

    PASS = "pass"
    FAIL = "fail"
    INVALID = "invalid"
    """The answer could not be read (not a number, wrong unit, bad pattern)."""
    INCOMPLETE = "incomplete"
    """A derived value still lacks one of its inputs."""


class Verdict(BaseModel):
    """The judgement of one answer, with the number read and a sentence saying why."""

    model_config = ConfigDict(frozen=True)

    status: VerdictStatus
    reason: str
    value: float | None = None
    unit: str = ""

    @property
    def passed(self) -> bool:
        """True only for a pass."""
        return self.status is VerdictStatus.PASS


_NUMBER: Final = re.compile(
    r"""
    (?P<sign>[+-]?)\s*
    (?P<mantissa>
        \d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?   # 1 728 or 1 728,5 (grouped thousands)
      | \d+(?:[.,]\d+)?                                 # 12 or 11,8 or 12.1
      | [.,]\d+                                         # .5
    )
    (?:
        [eE](?P<exponent>[+-]?\d+)                      # 1e5
      | \s*[x×*·]\s*10\s*\^\s*(?P<times_ten>[+-]?\d+)   # 1 x 10^5
      | \s*\^\s*(?P<power>[+-]?\d+)                     # 10^5
    )?
    \s*(?P<unit>.*)
    """,
    re.VERBOSE,
)

_UNIT_ALIASES: Final[dict[str, set[str]]] = {
    "c": {"celsius", "degc", "degreesc", "grad"},
    "r/min": {"rpm", "1/min", "u/min", "min-1"},
    "l/min": {"lpm", "litre/min", "liter/min", "l/m"},
    "mm2": {"sqmm"},
    "%": {"percent", "pct"},
    "": {"pcs", "pc", "x"},
}


def _normal_unit(unit: str) -> str:
    text = unit.strip().lower().replace("²", "2").replace("^", "").replace(" ", "")
    text = text.replace("°", "").replace("º", "")
    for canonical, aliases in _UNIT_ALIASES.items():
        if text in aliases:
            return canonical
    return text


def _same_unit(typed: str, expected: str) -> bool:
    if not typed:
        return True
    typed_normal = _normal_unit(typed)
    if typed_normal == _normal_unit(expected):
        return True
    # "%RH" for a humidity in %, "V AC" for a voltage in V.
    first = _normal_unit(expected.split()[0]) if expected.split() else ""
    return bool(first) and typed_normal in {first + "rh", first + "ac", first + "dc"}


def parse_number(typed: str, unit: str) -> tuple[float | None, str]:
    """Read a number typed by a person, in ``unit`` or without a unit.

    Accepts a decimal comma (``11,8``), a unit after the number (``12.1 V``), thousands grouped
    by spaces (``1 728``) and powers of ten (``1e5``, ``1 x 10^5``, ``10^5``).

    Returns:
        ``(value, "")`` when the text is a number in the right unit, else ``(None, reason)``.
    """
    text = typed.strip().replace("−", "-")
    if not text:
        return None, "nothing was entered; type a number" + (f" in {unit}" if unit else "")
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None, f"{typed.strip()!r} is not a number"
    mantissa = match["mantissa"]
    rest = match["unit"].strip()
    if rest[:1] in {".", ","} and rest[1:2].isdigit():
        if {".", ","} <= set(mantissa + rest[:1]):
            return None, (
                f"{typed.strip()!r} mixes a decimal comma and a decimal point; "
                "type one decimal separator, e.g. 1234.5"
            )
        return None, f"{typed.strip()!r} is not a number (more than one decimal separator)"
    if rest and (rest[0].isdigit() or rest[0] in "+-"):
        return None, f"{typed.strip()!r} is not a number"
    try:
        value = float(re.sub(r"[ \u00a0\u202f]", "", mantissa).replace(",", "."))
        if match["exponent"] is not None:
            value *= 10.0 ** int(match["exponent"])
        elif match["times_ten"] is not None:
            value *= 10.0 ** int(match["times_ten"])
        elif match["power"] is not None:
            value = value ** int(match["power"])
    except (OverflowError, ZeroDivisionError):
        return None, f"{typed.strip()!r} is too large or too small to be a reading"
    if match["sign"] == "-":
        value = -value
    if not math.isfinite(value):
        return None, f"{typed.strip()!r} is too large to be a reading"
    if not _same_unit(rest, unit):
        wanted = f"in {unit}" if unit else "without a unit"
        return None, f"{typed.strip()!r} is in {rest!r}, but this value is entered {wanted}"
    return value, ""


def judge_value(
    value: float,
    unit: str,
    low: float | None,
    high: float | None,
    low_bound: Bound = Bound.INCLUSIVE,
    high_bound: Bound = Bound.INCLUSIVE,
    *,
    digits: int | None = None,
) -> Verdict:
    """Compare a number with optional limits and say why it passes or fails.

    ``digits`` rounds the number in the reason (computed values carry long fractions); the
    comparison always uses the exact value, and a failing value that would round onto its limit
    is shown in full so the reason never reads "3 °C is below the 3 °C minimum".
    """
    shown = format_value(value, unit)
    if digits is not None:
        rounded = round(value, digits)
        limits = {limit for limit in (low, high) if limit is not None}
        if rounded not in limits:
            shown = format_value(rounded, unit)
    if low is not None:
        if low_bound is Bound.STRICT and not value > low:
            return Verdict(
                status=VerdictStatus.FAIL,
                value=value,
                unit=unit,
                reason=f"{shown} is not above {format_value(low, unit)}; it must be greater",
            )
        if low_bound is Bound.INCLUSIVE and value < low:
            return Verdict(
                status=VerdictStatus.FAIL,
                value=value,
                unit=unit,
                reason=f"{shown} is below the {format_value(low, unit)} minimum",
            )
    if high is not None:
        if high_bound is Bound.STRICT and not value < high:
            return Verdict(
                status=VerdictStatus.FAIL,
                value=value,
                unit=unit,
                reason=f"{shown} is not below {format_value(high, unit)}; it must be less",
            )
        if high_bound is Bound.INCLUSIVE and value > high:
            return Verdict(
                status=VerdictStatus.FAIL,
                value=value,
                unit=unit,
                reason=f"{shown} is above the {format_value(high, unit)} maximum",
            )
    if low is not None and high is not None:
        reason = f"{shown} is within {format_value(low)}–{format_value(high, unit)}"
    elif low is not None:
        reason = f"{shown} meets the {'≥' if low_bound is Bound.INCLUSIVE else '>'} {format_value(low, unit)} limit"
    elif high is not None:
        reason = f"{shown} meets the {'≤' if high_bound is Bound.INCLUSIVE else '<'} {format_value(high, unit)} limit"
    else:
        reason = f"{shown} recorded (no limit applies)"
    return Verdict(status=VerdictStatus.PASS, value=value, unit=unit, reason=reason)


def evaluate_measurement(item: MeasurementItem, typed: str) -> Verdict:
    """Judge what the technician typed for a measurement item; never raises for a typo.

    Args:
        item: the measurement item with its unit and limits.
        typed: the raw text, e.g. ``"11,8"``, ``"12.1 V"`` or ``"abc"``.

    Returns:
        A pass or fail verdict with the parsed value, or an invalid one saying what was wrong.
    """
    value, problem = parse_number(typed, item.unit)
    if value is None:
        return Verdict(status=VerdictStatus.INVALID, unit=item.unit, reason=problem)
    return judge_value(value, item.unit, item.min, item.max, item.min_bound, item.max_bound)


def evaluate_derived(item: DerivedItem, values: Mapping[str, float | None]) -> Verdict:
    """Compute a derived item from the current values of its input items and judge the result.

    Args:
        item: the derived item (function, inputs, limits).
        values: current numeric values by item id; a missing or None entry is not measured yet.

    Returns:
        ``incomplete`` naming the missing inputs, ``invalid`` when the calculation rejects its
        inputs (the reason is the calculation's message), else pass or fail.
    """
    missing = [source for source in item.inputs.values() if values.get(source) is None]
    if missing:
        return Verdict(
            status=VerdictStatus.INCOMPLETE,
            unit=item.unit,
            reason="needs " + ", ".join(missing) + " first",
        )
    arguments = {name: values[source] for name, source in item.inputs.items()}
    try:
        result = calc.CALCULATIONS[item.function].function(**arguments)
    except ValueError as error:
        return Verdict(status=VerdictStatus.INVALID, unit=item.unit, reason=str(error))
    verdict = judge_value(
        result, item.unit, item.min, item.max, item.min_bound, item.max_bound, digits=2
    )
    return verdict.model_copy(update={"value": round(result, 6)})


def evaluate_choice(item: ChoiceItem, answer: str) -> Verdict:
    """Judge a choice: invalid when not an option, fail when not accepted, else pass."""
    if answer not in item.options:
        return Verdict(
            status=VerdictStatus.INVALID,
            reason=f"{answer!r} is not one of: {', '.join(item.options)}",
        )
    if item.accepted and answer not in item.accepted:
        return Verdict(
            status=VerdictStatus.FAIL,
            reason=f"{answer!r} is not acceptable; expected {' or '.join(item.accepted)}",
        )
    return Verdict(status=VerdictStatus.PASS, reason=f"{answer!r} recorded")


def evaluate_text(item: TextItem, text: str) -> Verdict:
    """Judge a text answer against the item's pattern; the reason never repeats a secret."""
    shown = "the value" if item.secret else repr(text.strip())
    if not text.strip():
        return Verdict(status=VerdictStatus.INVALID, reason="nothing was entered")
    if item.pattern is not None and re.fullmatch(item.pattern, text.strip()) is None:
        hint = f", e.g. {item.example}" if item.example else ""
        return Verdict(
            status=VerdictStatus.INVALID,
            reason=f"{shown} does not look like {item.title.lower()}{hint}",
        )
    return Verdict(status=VerdictStatus.PASS, reason=f"{shown} recorded")
