"""Reading a number as a technician types it: separators, signs, powers of ten and units.

Pure functions, no I/O. The rules, in the order they apply (they are also the user's documentation):

1. **A point is a decimal point, a comma followed by exactly three digits is a thousands
   separator**, the way this app prints numbers (``2,040 W``, ``0.99``): ``1,600`` is 1600 and
   ``1,234,567`` is 1234567.
2. **A decimal comma is read where it cannot be a thousands separator**: ``12,6`` and ``11,88``
   (not three digits after it), ``0,600`` (a thousands group never follows a lone 0), ``1234,5``.
3. **Both marks in one number**: the last one is the decimal mark and the other one groups
   thousands, so ``1,600.5`` and ``1.600,5`` are both 1600.5. Grouping must be in threes.
   Spaces group thousands too (``1 600``, ``1 600,5``), and a number with several points and
   no comma (``1.234.567``) can only be grouped.
4. **Asked back, never guessed**: when one mark followed by three digits could be read either way
   (``1,600`` or ``2.040``), the app's reading is used unless the other reading would fare better
   against the item's limits (pass where it fails, or pass or only warn where it fails); then
   nothing is judged and the technician is asked which was meant (``12,600`` for a 12 V output:
   "did you mean 12600 V or 12.6 V?"). When both fare alike the app's reading stands.
5. **Units convert and both are shown**: ``1.5 bar`` is "1.5 bar = 150 kPa". Pressure (kPa, Pa,
   MPa, bar, mbar, psi), temperature (°C, °F, K), flow (L/min, L/h, L/s, m³/h, US gal/min),
   power (W, kW), voltage (V, mV), current (A, mA), time (s, ms), length (m, cm, mm, ft, in),
   hash rate (TH/s, GH/s), conductivity (mS/cm, µS/cm). A value without a unit is in the item's
   unit; a unit of another kind of quantity is refused.
6. **Signs**: ``-``, ``+`` and the Unicode minus ``−`` are read; only temperatures and voltages
   may be below zero, anything else (a power, a current, a count, a length) is refused when
   negative rather than judged.
7. Powers of ten: ``1e5``, ``1 x 10^5``, ``10^5`` and ``10⁵``. Only the digits 0-9 count as digits.

A refusal says what was read and what is expected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

# -- units --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A unit of one kind of quantity and how to turn it into that kind's base unit."""

    symbol: str
    """How the unit is printed, e.g. ``kPa``."""
    quantity: str
    """The kind of quantity, e.g. ``pressure``; units convert only within one kind."""
    scale: float = 1.0
    offset: float = 0.0
    """``base = value * scale + offset`` (an offset only for temperatures)."""
    spellings: tuple[str, ...] = ()
    """Other ways people write it, already in :func:`_normal` form."""

    def to_base(self, value: float) -> float:
        """``value`` in this unit expressed in the base unit of its quantity."""
        return value * self.scale + self.offset

    def from_base(self, value: float) -> float:
        """A value in the base unit expressed in this unit."""
        return (value - self.offset) / self.scale


_UNITS: Final[tuple[Unit, ...]] = (
    Unit("kPa", "pressure", spellings=("kpa",)),
    Unit("Pa", "pressure", 0.001, spellings=("pa",)),
    Unit("MPa", "pressure", 1000.0, spellings=("mpa",)),
    Unit("bar", "pressure", 100.0, spellings=("bar", "bars")),
    Unit("mbar", "pressure", 0.1, spellings=("mbar",)),
    Unit("psi", "pressure", 6.894757293168361, spellings=("psi", "lbf/in2", "psig")),
    Unit("°C", "temperature", spellings=("c", "degc", "celsius", "degreesc", "grad")),
    Unit("°F", "temperature", 5 / 9, -32 * 5 / 9, spellings=("f", "degf", "fahrenheit")),
    Unit("K", "temperature", 1.0, -273.15, spellings=("k", "kelvin")),
    Unit(
        "L/min",
        "flow",
        spellings=("l/min", "lpm", "litre/min", "liter/min", "litres/min", "liters/min", "l/m"),
    ),
    Unit("L/h", "flow", 1 / 60, spellings=("l/h", "lph", "l/hr", "litre/h", "liter/h")),
    Unit("L/s", "flow", 60.0, spellings=("l/s",)),
    Unit("m³/h", "flow", 1000 / 60, spellings=("m3/h", "m3/hr")),
    Unit(
        "US gal/min",
        "flow",
        3.785411784,
        spellings=("usgal/min", "gal/min", "gpm", "usgpm", "gallon/min", "gallons/min"),
    ),
    Unit("W", "power", spellings=("w", "watt", "watts")),
    Unit("kW", "power", 1000.0, spellings=("kw", "kilowatt", "kilowatts")),
    Unit("V", "voltage", spellings=("v", "vac", "vdc", "volt", "volts")),
    Unit("mV", "voltage", 0.001, spellings=("mv", "millivolt", "millivolts")),
    Unit("A", "current", spellings=("a", "amp", "amps", "ampere", "amperes", "adc", "aac")),
    Unit("mA", "current", 0.001, spellings=("ma", "milliamp", "milliamps")),
    Unit("s", "time", spellings=("s", "sec", "second", "seconds")),
    Unit("ms", "time", 0.001, spellings=("ms", "msec", "millisecond", "milliseconds")),
    Unit("m", "length", spellings=("m", "metre", "metres", "meter", "meters")),
    Unit("cm", "length", 0.01, spellings=("cm",)),
    Unit("mm", "length", 0.001, spellings=("mm",)),
    Unit("ft", "length", 0.3048, spellings=("ft", "feet", "foot")),
    Unit("in", "length", 0.0254, spellings=("in", "inch", "inches")),
    Unit("TH/s", "hash rate", spellings=("th/s", "ths", "th")),
    Unit("GH/s", "hash rate", 0.001, spellings=("gh/s", "ghs", "gh")),
    Unit("mS/cm", "conductivity", spellings=("ms/cm",)),
    Unit("µS/cm", "conductivity", 0.001, spellings=("us/cm",)),
    Unit("%", "share", spellings=("%", "percent", "pct", "%rh", "rh")),
    Unit("r/min", "rotation", spellings=("r/min", "rpm", "1/min", "u/min", "min-1")),
    Unit("mm²", "area", spellings=("mm2", "sqmm")),
    Unit("Hz", "frequency", spellings=("hz",)),
)

SIGNED_QUANTITIES: Final = frozenset({"temperature", "voltage"})
"""Quantities that may be below zero (a voltmeter with its leads swapped reads -12 V); every
other reading must be zero or more, so a negative power or count is refused, never judged."""

COUNT_SPELLINGS: Final = ("pcs", "pc", "x")
"""Words accepted after a plain count (an item whose unit is a noun such as ``leads``)."""


def _normal(unit: str) -> str:
    text = unit.strip().lower()
    for old, new in (("²", "2"), ("³", "3"), ("µ", "u"), ("μ", "u"), ("℃", "c"), ("℉", "f")):
        text = text.replace(old, new)
    return re.sub(r"[\s°º^]", "", text)


_BY_SPELLING: Final[dict[str, Unit]] = {
    spelling: unit for unit in _UNITS for spelling in (_normal(unit.symbol), *unit.spellings)
}


def known_unit(unit: str) -> Unit | None:
    """The table entry for ``unit`` in any of its spellings, or None for a unit not in the table."""
    return _BY_SPELLING.get(_normal(unit))


def alternatives(unit: str) -> tuple[str, ...]:
    """Other units accepted for a value entered in ``unit`` (``bar``, ``psi`` for ``kPa``)."""
    own = known_unit(unit)
    if own is None:
        return ()
    return tuple(u.symbol for u in _UNITS if u.quantity == own.quantity and u is not own)


# -- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """A number read from what was typed, in the unit typed and in the item's unit."""

    typed: str
    """What was typed, without surrounding spaces."""
    number: float
    """The number as typed, in ``typed_unit``."""
    typed_unit: str
    """The unit typed, as printed (``bar``); the item's unit when none was typed."""
    value: float
    """The number in the item's unit (the one judged and recorded)."""
    unit: str
    """The item's unit."""

    @property
    def converted(self) -> bool:
        """True when the number was typed in another unit than the item's."""
        return self.typed_unit != self.unit

    def shown(self, value_text: str | None = None) -> str:
        """The reading in words: ``150 kPa``, or ``1.5 bar = 150 kPa`` when it was converted.

        Args:
            value_text: how to print the value in the item's unit; a compact form by default.
        """
        target = value_text if value_text is not None else quantity_text(self.value, self.unit)
        if not self.converted:
            return target
        return f"{quantity_text(self.number, self.typed_unit)} = {target}"


@dataclass(frozen=True)
class Question:
    """What was typed can be read two ways; the technician is asked which one was meant."""

    typed: str
    readings: tuple[Reading, Reading]
    """The app's own reading first, then the other one."""

    @property
    def text(self) -> str:
        """The question to show, e.g. ``1,600: did you mean 1600 or 1.6? ...``."""
        first, second = (self._spelled(r) for r in self.readings)
        return (
            f"{self.typed}: did you mean {first} or {second}? "
            f"Type {self.answers[0]} or {self.answers[1]} to say which"
        )

    @property
    def answers(self) -> tuple[str, str]:
        """Unambiguous spellings of the two readings, to type (or offer) as the answer."""
        first, second = self.readings
        return _plain(first.number), _plain(second.number)

    @staticmethod
    def _spelled(reading: Reading) -> str:
        plain = f"{_plain(reading.number)} {reading.typed_unit}".rstrip()
        if reading.converted:
            return f"{plain} ({quantity_text(reading.value, reading.unit)})"
        return plain


@dataclass(frozen=True)
class Rejection:
    """What was typed is not a reading; ``reason`` says what was read and what is expected."""

    typed: str
    reason: str


Outcome = Reading | Question | Rejection


# -- formatting -------------------------------------------------------------------------------


def _plain(number: float) -> str:
    """A number with no thousands mark, so it can be typed back unambiguously."""
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.12g}"


def quantity_text(number: float, unit: str) -> str:
    """A number rounded for reading (at most 3 decimals, grouped thousands) with its unit."""
    rounded = round(number, 3) if abs(number) >= 0.01 else float(f"{number:.3g}")
    if rounded == int(rounded) and abs(rounded) < 1e15:
        text = f"{int(rounded):,}"
    else:
        text = f"{rounded:,.12g}"
    if text == "-0":
        text = "0"
    return f"{text} {unit}" if unit else text


# -- parsing ----------------------------------------------------------------------------------

_MINUS: Final = str.maketrans({"\u2212": "-", "\u2013": "-", "\ufe63": "-", "\uff0d": "-"})
_SPACES: Final = "\u0020\u00a0\u2009\u202f"
_SUPERSCRIPT: Final = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")

_SYNTAX: Final = re.compile(
    rf"""
    (?P<sign>[+-]?)[{_SPACES}]*
    (?P<mantissa>(?:[0-9]|[.,](?=[0-9]))(?:[0-9.,]|[{_SPACES}](?=[0-9]))*)
    (?:
        [eE](?P<exponent>[+-]?[0-9]+)
      | [{_SPACES}]*[x×*·][{_SPACES}]*10[{_SPACES}]*(?:\^[{_SPACES}]*(?P<times>[+-]?[0-9]+)
                                                     |(?P<times_sup>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))
      | [{_SPACES}]*\^[{_SPACES}]*(?P<power>[+-]?[0-9]+)
      | (?P<power_sup>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)
    )?
    [{_SPACES}]*(?P<unit>.*)
    """,
    re.VERBOSE | re.DOTALL,
)
_GROUPED: Final = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+")
_GROUP_MARK: Final = {".": ",", ",": "."}


@dataclass(frozen=True)
class _Mantissa:
    value: float
    other: float | None = None
    """The other reading when one mark before three digits could be either (rule 4)."""


class _NotANumber(ValueError):
    pass


def _mantissa(text: str) -> _Mantissa:
    """The number in ``text`` (digits, marks and grouping spaces), by rules 1-3."""
    if any(space in text for space in _SPACES):
        return _space_grouped(text)
    if re.search("[.,]{2}", text):
        raise _NotANumber("two marks stand side by side")
    points, commas = text.count("."), text.count(",")
    if points and commas:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        whole, _, fraction = text.rpartition(decimal)
        if decimal in whole:
            raise _NotANumber(f"{decimal!r} appears more than once")
        grouping = _GROUP_MARK[decimal]
        if not _GROUPED.fullmatch(whole.replace(grouping, ",")):
            raise _NotANumber(f"the {grouping!r} marks do not group the digits in threes")
        return _Mantissa(float(whole.replace(grouping, "") + "." + fraction))
    if points + commas == 0:
        return _Mantissa(float(text))
    mark = "." if points else ","
    if points + commas > 1:
        if not _GROUPED.fullmatch(text.replace(mark, ",")):
            word = "decimal points" if mark == "." else "commas"
            raise _NotANumber(f"it holds several {word} that do not group the digits in threes")
        return _Mantissa(float(text.replace(mark, "")))
    whole, _, fraction = text.partition(mark)
    if not fraction:
        raise _NotANumber(f"nothing follows the {mark!r}")
    as_decimal = float((whole or "0") + "." + fraction)
    can_group = len(fraction) == 3 and 1 <= len(whole) <= 3 and whole[0] != "0"
    if not can_group:
        return _Mantissa(as_decimal)
    as_thousands = float(whole + fraction)
    if mark == ",":
        return _Mantissa(as_thousands, other=as_decimal)
    return _Mantissa(as_decimal, other=as_thousands)


def _space_grouped(text: str) -> _Mantissa:
    groups = re.split(f"[{_SPACES}]", text)
    head, *middle, last = groups
    tail = re.fullmatch(r"([0-9]{3})(?:[.,]([0-9]+))?", last)
    if (
        not re.fullmatch(r"[1-9][0-9]{0,2}", head)
        or not all(re.fullmatch("[0-9]{3}", group) for group in middle)
        or tail is None
    ):
        raise _NotANumber("spaces must group the digits in threes, e.g. 1 600")
    whole = head + "".join(middle) + tail[1]
    return _Mantissa(float(whole + ("." + tail[2] if tail[2] else "")))


def _power_of_ten(match: re.Match[str]) -> tuple[str, int] | None:
    """``("times", n)`` for ``x 10^n``, ``("power", n)`` for ``^n`` after the number, or None."""
    for key, kind in (
        ("exponent", "times"),
        ("times", "times"),
        ("times_sup", "times"),
        ("power", "power"),
        ("power_sup", "power"),
    ):
        if match[key] is not None:
            return kind, int(match[key].translate(_SUPERSCRIPT))
    return None


def read_quantity(typed: str, unit: str, *, score: Callable[[float], int] | None = None) -> Outcome:
    """Read what a technician typed for a value entered in ``unit``.

    Args:
        typed: the raw text, e.g. ``"1,600"``, ``"12,6 V"``, ``"1.5 bar"`` or ``"abc"``.
        unit: the unit the item is entered in (``""`` for a plain ratio).
        score: how well a value (in ``unit``) fares against the item's limits, higher is better
            (e.g. 2 pass, 1 warn, 0 fail); used only to decide when a mark before three digits
            must be asked back (rule 4). Without it the app's reading is always used.

    Returns:
        A :class:`Reading`, a :class:`Question` when two readings are possible and the choice
        matters, or a :class:`Rejection` saying what was read and what is expected.
    """
    text = typed.strip()
    expected = _expected(unit)
    if not text:
        return Rejection(text, f"nothing was entered; expected {expected}")
    normal = text.translate(_MINUS)
    match = _SYNTAX.fullmatch(normal)
    if match is None:
        return Rejection(text, f"{text!r} does not start with a number; expected {expected}")
    rest = match["unit"].strip()
    if rest[:1].isdigit() or rest[:1] in {".", ",", "+", "-"}:
        return Rejection(text, f"{text!r} is not one number; expected {expected}")
    try:
        mantissa = _mantissa(match["mantissa"])
    except _NotANumber as problem:
        return Rejection(text, f"{text!r} is not a number: {problem}; expected {expected}")
    target = _target(rest, unit, text)
    if isinstance(target, Rejection):
        return target
    typed_unit, convert = target

    def reading(number: float) -> Reading | Rejection:
        return _reading(text, number, match, typed_unit, convert, unit, expected)

    first = reading(mantissa.value)
    if isinstance(first, Rejection) or mantissa.other is None or score is None:
        return first
    second = reading(mantissa.other)
    if isinstance(second, Rejection) or score(second.value) <= score(first.value):
        return first
    return Question(text, (first, second))


def _reading(
    text: str,
    number: float,
    match: re.Match[str],
    typed_unit: str,
    convert: Unit | None,
    unit: str,
    expected: str,
) -> Reading | Rejection:
    try:
        power = _power_of_ten(match)
        if power is not None:
            kind, exponent = power
            if kind == "power" and number != 10:
                return Rejection(
                    text, f"{text!r}: only powers of ten (10^5) are read; expected {expected}"
                )
            number = 10.0**exponent if kind == "power" else number * 10.0**exponent
    except OverflowError:
        return Rejection(text, f"{text!r} is too large to be a reading; expected {expected}")
    if match["sign"] == "-":
        number = -number
    value = number if convert is None else convert.from_base(_own(typed_unit).to_base(number))
    if not (math.isfinite(number) and math.isfinite(value)):
        return Rejection(text, f"{text!r} is too large to be a reading; expected {expected}")
    quantity = _own(typed_unit).quantity if known_unit(typed_unit) else ""
    if number < 0 and quantity not in SIGNED_QUANTITIES:
        what = f"a {quantity}" if quantity else "this value"
        return Rejection(
            text, f"{text!r} was read as {_plain(number)}, but {what} cannot be negative"
        )
    return Reading(text, number + 0.0, typed_unit, value + 0.0, unit)


def _own(unit: str) -> Unit:
    found = known_unit(unit)
    return found if found is not None else Unit(unit, "")


def _target(rest: str, unit: str, text: str) -> tuple[str, Unit | None] | Rejection:
    """``(unit typed as printed, the item's unit to convert to or None)``, or a refusal."""
    if not rest:
        return unit, None
    typed = known_unit(rest)
    own = known_unit(unit)
    if own is not None and typed is own:
        return unit, None
    if own is not None and typed is not None:
        if typed.quantity == own.quantity:
            return typed.symbol, own
        return Rejection(
            text,
            f"{text!r} is a {typed.quantity} in {typed.symbol}, but this value is "
            f"a {own.quantity}; expected {_expected(unit)}",
        )
    if own is None and _normal(rest) in _count_spellings(unit):
        return unit, None
    if typed is not None:
        return Rejection(
            text,
            f"{text!r} is a {typed.quantity} in {typed.symbol}; expected {_expected(unit)}",
        )
    return Rejection(
        text, f"{text!r} is in {rest!r}, which is not known here; expected {_expected(unit)}"
    )


def _count_spellings(unit: str) -> set[str]:
    normal = _normal(unit)
    spellings = {normal, normal.rstrip("s"), *COUNT_SPELLINGS}
    if not normal:
        spellings.discard("")
    return spellings


def _expected(unit: str) -> str:
    if not unit:
        return "a plain number without a unit, e.g. 0.99"
    others = alternatives(unit)
    also = f" (or {', '.join(others)})" if others else ""
    return f"a number in {unit}{also}"
