"""How bmminer prints values: its number formats, its escaping, its JSON and text layouts.

The stock API writes JSON by hand with ``printf`` formats (``%.2f``, ``%.8f``...), escapes only
``"`` and ``\\`` in JSON, and backslash-escapes ``| , = \\`` in text mode. ``json.dumps`` would
print different numbers, so replies are assembled here from :class:`~commission.miner.fields.Field`
kinds instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from commission.miner.fields import Field, Kind

Value = str | int | float | bool
Record = list[tuple[Field, Value]]
"""One reply object: its fields in wire order with their values."""

_FLOAT_DECIMALS: dict[str, int] = {"f2": 2, "f4": 4, "f6": 6, "f8": 8}


def json_string(text: str) -> str:
    """``text`` quoted the way bmminer quotes it: only ``"`` and ``\\`` are escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def text_escape(text: str) -> str:
    """``text`` escaped for the text API: a backslash before ``| , = \\``."""
    out = []
    for char in text:
        if char in "|,=\\":
            out.append("\\")
        out.append(char)
    return "".join(out)


def format_number(value: float | int | bool, kind: Kind) -> str:
    """A number printed with bmminer's format for ``kind`` (``nan`` stays ``nan``, as in C)."""
    if kind == "bool":
        return "true" if value else "false"
    if kind == "int":
        return str(int(value))
    decimals = _FLOAT_DECIMALS[kind]
    number = float(value)
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return f"{number:.{decimals}f}"


def significant(value: float, digits: int) -> str:
    """bmminer's fixed-significant-digit rate string (``suffix_string_c5``): 7 digits give
    ``"18465.93"`` and ``"9039.731"``; a value below 1 keeps ``digits - 1`` decimals."""
    whole = len(str(int(abs(value)))) if abs(value) >= 1 else 1
    decimals = max(digits - whole, 0)
    return f"{value:.{decimals}f}"


def json_value(value: Value, kind: Kind) -> str:
    """One value as JSON text with the firmware's formatting."""
    if kind == "str":
        return json_string(str(value))
    if isinstance(value, str):
        raise TypeError(f"a {kind} field got the string {value!r}")
    return format_number(value, kind)


def text_value(value: Value, kind: Kind) -> str:
    """One value as the text API prints it (strings escaped, numbers as in JSON)."""
    if kind == "str":
        return text_escape(str(value))
    if isinstance(value, str):
        raise TypeError(f"a {kind} field got the string {value!r}")
    return format_number(value, kind)


def json_object(record: Record) -> str:
    """A record as a compact JSON object, keys in the given order."""
    return (
        "{"
        + ",".join(f"{json_string(f.key)}:{json_value(value, f.kind)}" for f, value in record)
        + "}"
    )


def text_record(record: Record, prefix: str = "") -> str:
    """A record as ``KEY=value,KEY=value|`` (``prefix`` such as ``SUMMARY,`` goes first)."""
    return prefix + ",".join(f"{f.key}={text_value(value, f.kind)}" for f, value in record) + "|"


def build(fields: Sequence[Field], values: dict[str, Value]) -> Record:
    """Pair each field with its value; every field must have one (a missing key is a bug).

    Raises:
        KeyError: naming the first field without a value.
    """
    try:
        return [(f, values[f.key]) for f in fields]
    except KeyError as error:
        raise KeyError(f"no value for reply field {error.args[0]!r}") from None


def only(fields: Iterable[Field], keep: Iterable[str]) -> tuple[Field, ...]:
    """``fields`` without every key not in ``keep`` (order unchanged)."""
    wanted = set(keep)
    return tuple(f for f in fields if f.key in wanted)
