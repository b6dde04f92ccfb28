"""Judging answers: a typed value against a measurement's limits, a derived value, a choice, a text.

Every function here is pure and never raises for what a person typed: a typo becomes an ``invalid``
verdict whose reason says what was read and what is expected, and a number that can be read two
ways becomes a ``question`` that is not judged until the technician answers it. The TUI shows the
reason as the technician types, and the job stores the verdict with the answer. Numbers are read by
:mod:`commission.checklist.numbers`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict

from commission.checklist import calc
from commission.checklist.models import (
    LIVE_READINGS,
    Bound,
    ChoiceItem,
    DerivedItem,
    MeasurementItem,
    TextItem,
    describe_limits,
    format_value,
)
from commission.checklist.numbers import (
    Question,
    Reading,
    Rejection,
    quantity_text,
    read_quantity,
)


class VerdictStatus(StrEnum):
    """How an answer compares with what the checklist expects."""

    PASS = "pass"
    WARN = "warn"
    """Acceptable, with a reason to look again (an allowance used, an advisory band left)."""
    FAIL = "fail"
    INVALID = "invalid"
    """The answer could not be read (not a number, wrong unit, bad pattern)."""
    QUESTION = "question"
    """The answer can be read two ways; ``reason`` asks which. Nothing is judged or saved."""
    INCOMPLETE = "incomplete"
    """A derived value still lacks one of its inputs, or a live value to compare with."""


class Verdict(BaseModel):
    """The judgement of one answer, with the number read and a sentence saying why."""

    model_config = ConfigDict(frozen=True)

    status: VerdictStatus
    reason: str
    value: float | None = None
    """The number as read, in ``unit`` (converted when another unit was typed)."""
    unit: str = ""
    reading: str = ""
    """The value as read in words, e.g. ``1.5 bar = 150 kPa``; empty when nothing was read."""
    answers: tuple[str, ...] = ()
    """For a question: unambiguous answers the technician can type (``1600``, ``1.6``)."""

    @property
    def passed(self) -> bool:
        """True only for a pass."""
        return self.status is VerdictStatus.PASS

    @property
    def recordable(self) -> bool:
        """False for answers that were not understood (invalid, or asked back): never saved."""
        return self.status not in (VerdictStatus.INVALID, VerdictStatus.QUESTION)


@dataclass(frozen=True)
class AnswerContext:
    """What else an answer is judged with: other answers and readings from the miner."""

    answers: Mapping[str, str] = field(default_factory=dict)
    """The latest answer text by item id (an allowance looks up the item that grants it)."""
    live: Mapping[str, str] = field(default_factory=dict)
    """Readings from the running miner by :data:`~commission.checklist.models.LIVE_READINGS`
    key, e.g. ``{"firmware-date": "20180820"}``."""


NO_CONTEXT: Final = AnswerContext()

_SCORE: Final = {VerdictStatus.PASS: 2, VerdictStatus.WARN: 1}
"""How well a reading fares, to tell when the other reading of ``1,600`` must be asked about."""


def parse_number(typed: str, unit: str) -> tuple[float | None, str]:
    """Read a number typed by a person in ``unit`` (see :mod:`commission.checklist.numbers`).

    Returns:
        ``(value in unit, "")``, or ``(None, reason)`` when it cannot be read.
    """
    outcome = read_quantity(typed, unit)
    if isinstance(outcome, Reading):
        return outcome.value, ""
    if isinstance(outcome, Question):
        return None, outcome.text
    return None, outcome.reason


def judge_value(
    value: float,
    unit: str,
    low: float | None,
    high: float | None,
    low_bound: Bound = Bound.INCLUSIVE,
    high_bound: Bound = Bound.INCLUSIVE,
    *,
    digits: int | None = None,
    shown: str | None = None,
) -> Verdict:
    """Compare a number with optional limits and say why it passes or fails.

    ``digits`` rounds the number in the reason (computed values carry long fractions); the
    comparison always uses the exact value, and a failing value that would round onto its limit
    is shown in full so the reason never reads "3 °C is below the 3 °C minimum". ``shown``
    replaces the number in the reason (a converted reading, ``1.5 bar = 150 kPa``).
    """
    if shown is None:
        shown = format_value(value, unit)
        if digits is not None:
            rounded = round(value, digits)
            if rounded not in {limit for limit in (low, high) if limit is not None}:
                shown = format_value(rounded, unit)

    def fail(reason: str) -> Verdict:
        return Verdict(
            status=VerdictStatus.FAIL, value=value, unit=unit, reading=shown, reason=reason
        )

    if low is not None:
        if low_bound is Bound.STRICT and not value > low:
            return fail(f"{shown} is not above {format_value(low, unit)}; it must be greater")
        if low_bound is Bound.INCLUSIVE and value < low:
            return fail(f"{shown} is below the {format_value(low, unit)} minimum")
    if high is not None:
        if high_bound is Bound.STRICT and not value < high:
            return fail(f"{shown} is not below {format_value(high, unit)}; it must be less")
        if high_bound is Bound.INCLUSIVE and value > high:
            return fail(f"{shown} is above the {format_value(high, unit)} maximum")
    limits = describe_limits(low, high, unit, low_bound, high_bound)
    if low is not None and high is not None:
        reason = f"{shown} is within {limits}"
    elif low is not None or high is not None:
        reason = f"{shown} meets the {limits} limit"
    else:
        reason = f"{shown} recorded (no limit applies)"
    return Verdict(status=VerdictStatus.PASS, value=value, unit=unit, reading=shown, reason=reason)


def _advice(item: MeasurementItem | DerivedItem, verdict: Verdict) -> Verdict:
    """A passing verdict turned into a warning when the value is outside the advisory band."""
    value = verdict.value
    if not verdict.passed or value is None:
        return verdict
    if item.warn_below is not None and value < item.warn_below:
        side = f"below {format_value(item.warn_below, item.unit)}"
    elif item.warn_above is not None and value > item.warn_above:
        side = f"above {format_value(item.warn_above, item.unit)}"
    else:
        return verdict
    return verdict.model_copy(
        update={
            "status": VerdictStatus.WARN,
            "reason": f"{verdict.reading} is within the limits but {side}: {item.warn_reason}",
        }
    )


def allowance_granted(item: MeasurementItem, context: AnswerContext) -> bool:
    """True when the item has an allowance and the item that grants it was answered so."""
    allowance = item.allowance
    if allowance is None:
        return False
    answer = context.answers.get(allowance.when, "")
    return answer.strip().lower() == allowance.answer.strip().lower()


def _allowed(item: MeasurementItem, verdict: Verdict, context: AnswerContext) -> Verdict:
    """A failing verdict turned into a warning when the item's allowance applies and holds."""
    allowance, value = item.allowance, verdict.value
    if (
        allowance is None
        or verdict.status is not VerdictStatus.FAIL
        or value is None
        or not allowance_granted(item, context)
    ):
        return verdict
    low = allowance.min if allowance.min is not None else item.min
    high = allowance.max if allowance.max is not None else item.max
    if not judge_value(value, item.unit, low, high, item.min_bound, item.max_bound).passed:
        return verdict
    wider = describe_limits(low, high, item.unit, item.min_bound, item.max_bound)
    return verdict.model_copy(
        update={
            "status": VerdictStatus.WARN,
            "reason": f"{verdict.reason}, but {wider} is allowed here: {allowance.reason}",
        }
    )


def judge_measurement(
    item: MeasurementItem,
    value: float,
    context: AnswerContext = NO_CONTEXT,
    shown: str | None = None,
) -> Verdict:
    """Judge a number (in the item's unit) against the item's limits, allowance and advice."""
    verdict = judge_value(
        value, item.unit, item.min, item.max, item.min_bound, item.max_bound, shown=shown
    )
    return _advice(item, _allowed(item, verdict, context))


def _reading_text(item: MeasurementItem, reading: Reading) -> str:
    """``150 kPa``, or ``1.5 bar = 150 kPa`` for a converted reading (never rounded onto a limit)."""
    if not reading.converted:
        return format_value(reading.value, item.unit)
    limits = {item.min, item.max, item.warn_below, item.warn_above}
    if item.allowance is not None:
        limits |= {item.allowance.min, item.allowance.max}
    value_text = quantity_text(reading.value, item.unit)
    if any(
        limit is not None and reading.value != limit and round(reading.value, 3) == limit
        for limit in limits
    ):
        value_text = format_value(reading.value, item.unit)
    return reading.shown(value_text)


def evaluate_measurement(
    item: MeasurementItem, typed: str, context: AnswerContext = NO_CONTEXT
) -> Verdict:
    """Judge what the technician typed for a measurement item; never raises for a typo.

    Args:
        item: the measurement item with its unit and limits.
        typed: the raw text, e.g. ``"11,8"``, ``"12.1 V"``, ``"1.5 bar"`` or ``"abc"``.
        context: the other answers (for an allowance such as an external cold-water source).

    Returns:
        A pass, warn or fail verdict with the value as read (in the item's unit); ``question``
        when the text can be read two ways and the choice matters (the reason asks, ``answers``
        holds the two unambiguous spellings); or ``invalid`` saying what was read and what is
        expected.
    """

    def score(value: float) -> int:
        return _SCORE.get(judge_measurement(item, value, context).status, 0)

    outcome = read_quantity(typed, item.unit, score=score)
    if isinstance(outcome, Rejection):
        return Verdict(status=VerdictStatus.INVALID, unit=item.unit, reason=outcome.reason)
    if isinstance(outcome, Question):
        return Verdict(
            status=VerdictStatus.QUESTION,
            unit=item.unit,
            reason=outcome.text,
            answers=outcome.answers,
        )
    return judge_measurement(item, outcome.value, context, _reading_text(item, outcome))


def evaluate_derived(item: DerivedItem, values: Mapping[str, float | None]) -> Verdict:
    """Compute a derived item from the current values of its input items and judge the result.

    Args:
        item: the derived item (function, inputs, limits, and a limit curve if any).
        values: current numeric values by item id; a missing or None entry is not measured yet.

    Returns:
        ``incomplete`` naming the missing inputs (including the one that chooses a curve's
        limit), ``invalid`` when the calculation rejects its inputs (the reason is the
        calculation's message), else pass, warn or fail.
    """
    needed = list(item.inputs.values())
    if item.max_from is not None and item.max_from.input not in needed:
        needed.append(item.max_from.input)
    missing = [source for source in needed if values.get(source) is None]
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
    if verdict.passed and item.max_from is not None:
        chooser = values[item.max_from.input]
        assert chooser is not None  # checked with the inputs above
        limit = round(item.max_from.limit_at(chooser), 2)
        curve = judge_value(result, item.unit, None, limit, digits=2)
        why = f" for {format_value(chooser, item.max_from.input_unit)} ({item.max_from.reason})"
        verdict = curve.model_copy(update={"reason": curve.reason + why})
    verdict = _advice(item, verdict)
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


def evaluate_text(item: TextItem, text: str, context: AnswerContext = NO_CONTEXT) -> Verdict:
    """Judge a text answer against the item's pattern and, if it names one, a live reading.

    An item with ``live_reading`` (the firmware date) passes only when the answer matches what
    the miner reports; until the miner has been read it is ``incomplete``. The reason never
    repeats a secret.
    """
    stripped = text.strip()
    shown = "the value" if item.secret else repr(stripped)
    if not stripped:
        return Verdict(status=VerdictStatus.INVALID, reason="nothing was entered")
    if item.pattern is not None and re.fullmatch(item.pattern, stripped) is None:
        hint = f", e.g. {item.example}" if item.example else ""
        return Verdict(
            status=VerdictStatus.INVALID,
            reason=f"{shown} does not look like {item.title.lower()}{hint}",
        )
    if item.live_reading is not None:
        what = LIVE_READINGS[item.live_reading]
        live = context.live.get(item.live_reading)
        if live is None:
            return Verdict(
                status=VerdictStatus.INCOMPLETE,
                reason=f"{shown} recorded; compared with the miner's own once it has been read",
            )
        if stripped.lower() != live.strip().lower():
            return Verdict(
                status=VerdictStatus.FAIL,
                reason=(
                    f"{shown} was typed, but the miner reports {live} as {what}: read the "
                    "page again, or check that this is the miner being commissioned"
                ),
            )
        return Verdict(status=VerdictStatus.PASS, reason=f"{shown} matches {what} on the miner")
    return Verdict(status=VerdictStatus.PASS, reason=f"{shown} recorded")
