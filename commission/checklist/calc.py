"""Derived calculations: numbers the technician needs but cannot read off a meter directly.

Pure functions of plain floats, each validating its inputs with a clear ValueError. Derived items in
a checklist name one of them through :data:`CALCULATIONS` and supply its arguments from other items.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final, NamedTuple

MAGNUS_A: Final = 17.62
"""Magnus coefficient a (dimensionless), Sonntag 1990 / WMO fit over liquid water."""
MAGNUS_B: Final = 243.12
"""Magnus coefficient b in °C, same fit; good to about 0.1 °C between -45 °C and 60 °C."""
MAGNUS_RANGE_C: Final = (-45.0, 60.0)
"""Air temperatures for which these coefficients are published."""


def dew_point_c(temperature_c: float, relative_humidity_percent: float) -> float:
    """Dew point of air from its temperature and relative humidity (Magnus formula).

    ``gamma = ln(RH / 100) + a * T / (b + T)`` and ``Td = b * gamma / (a - gamma)`` with
    a = 17.62 and b = 243.12 °C (:data:`MAGNUS_A`, :data:`MAGNUS_B`).

    Args:
        temperature_c: air temperature in °C, -45 to 60.
        relative_humidity_percent: relative humidity in %, above 0 and at most 100.

    Returns:
        The dew point in °C (equal to the air temperature at 100 % RH).

    Raises:
        ValueError: when an input is outside the range the formula holds for.
    """
    _finite(temperature_c=temperature_c, relative_humidity_percent=relative_humidity_percent)
    low, high = MAGNUS_RANGE_C
    if not low <= temperature_c <= high:
        raise ValueError(
            f"air temperature {temperature_c:g} °C is outside {low:g} to {high:g} °C, "
            "where the Magnus formula holds"
        )
    if not 0 < relative_humidity_percent <= 100:
        raise ValueError(
            f"relative humidity {relative_humidity_percent:g} % must be above 0 and at most 100 %"
        )
    gamma = math.log(relative_humidity_percent / 100) + MAGNUS_A * temperature_c / (
        MAGNUS_B + temperature_c
    )
    return MAGNUS_B * gamma / (MAGNUS_A - gamma)


def inlet_margin_over_dew_point_c(
    inlet_c: float, ambient_c: float, relative_humidity_percent: float
) -> float:
    """How far the water inlet temperature is above the room's dew point, in °C.

    The guide wants at least 3 °C so that no water condenses on the cold plates and pipes.

    Args:
        inlet_c: water inlet temperature in °C.
        ambient_c: air temperature around the miner in °C.
        relative_humidity_percent: relative humidity of that air in %.

    Returns:
        ``inlet_c - dew_point_c(ambient_c, relative_humidity_percent)``; negative when the inlet
        is colder than the dew point.

    Raises:
        ValueError: for inputs outside the Magnus range (see :func:`dew_point_c`).
    """
    _finite(inlet_c=inlet_c)
    return inlet_c - dew_point_c(ambient_c, relative_humidity_percent)


def psu_load_percent(load_w: float, rated_w: float) -> float:
    """Load on a power supply as a percentage of its rated power.

    Args:
        load_w: power drawn from the supply in W (0 or more). The wall power is a safe stand-in
            for the DC load: it is slightly larger.
        rated_w: the supply's rated output power in W (above 0).

    Returns:
        ``100 * load_w / rated_w``; the guide advises staying at or below 90 %.

    Raises:
        ValueError: for a negative load or a rating of 0 or less.
    """
    _finite(load_w=load_w, rated_w=rated_w)
    if load_w < 0:
        raise ValueError(f"load {load_w:g} W cannot be negative")
    if rated_w <= 0:
        raise ValueError(f"rated power {rated_w:g} W must be above 0")
    return 100 * load_w / rated_w


def ac_input_current_a(
    power_w: float, voltage_v: float, power_factor: float = 1.0, efficiency: float = 1.0
) -> float:
    """Current drawn from the AC mains: ``I = P / (efficiency * V * PF)``.

    Give the wall power with the default ``efficiency=1``, or the DC output power with the
    supply's efficiency (e.g. 0.94) to estimate the wall side from the load. The default power
    factor of 1 reproduces the guide's table: 1,728 W at 220 V is 7.85 A, and 2,031 W at 200 V is
    10.16 A; a real supply (PF 0.99) draws about 1 % more.

    Args:
        power_w: wall power, or DC output power when ``efficiency`` is below 1, in W (0 or more).
        voltage_v: RMS mains voltage in V (above 0).
        power_factor: the supply's power factor, above 0 and at most 1.
        efficiency: the supply's efficiency, above 0 and at most 1.

    Returns:
        The RMS input current in A.

    Raises:
        ValueError: for a negative power, a voltage of 0 or less, or a factor outside (0, 1].
    """
    _finite(power_w=power_w, voltage_v=voltage_v, power_factor=power_factor, efficiency=efficiency)
    if power_w < 0:
        raise ValueError(f"power {power_w:g} W cannot be negative")
    if voltage_v <= 0:
        raise ValueError(f"voltage {voltage_v:g} V must be above 0")
    if not 0 < power_factor <= 1:
        raise ValueError(f"power factor {power_factor:g} must be above 0 and at most 1")
    if not 0 < efficiency <= 1:
        raise ValueError(f"efficiency {efficiency:g} must be above 0 and at most 1")
    return power_w / (efficiency * voltage_v * power_factor)


def joules_per_terahash(wall_power_w: float, hashrate_ths: float) -> float:
    """Energy efficiency in J/TH: watts divided by terahashes per second.

    Args:
        wall_power_w: power measured at the wall in W (0 or more).
        hashrate_ths: hash rate in TH/s (above 0).

    Returns:
        J/TH; the guide gives 96.0 at 25 °C and at most 110.4 at 40 °C.

    Raises:
        ValueError: for a negative power or a hash rate of 0 or less.
    """
    _finite(wall_power_w=wall_power_w, hashrate_ths=hashrate_ths)
    if wall_power_w < 0:
        raise ValueError(f"wall power {wall_power_w:g} W cannot be negative")
    if hashrate_ths <= 0:
        raise ValueError(f"hash rate {hashrate_ths:g} TH/s must be above 0")
    return wall_power_w / hashrate_ths


def _finite(**values: float) -> None:
    for name, value in values.items():
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, not {value}")


class Calculation(NamedTuple):
    """A calculation a derived checklist item can name, and the unit of its result."""

    function: Callable[..., float]
    unit: str
    title: str


CALCULATIONS: Final[dict[str, Calculation]] = {
    "dew_point_c": Calculation(dew_point_c, "°C", "dew point"),
    "inlet_margin_over_dew_point_c": Calculation(
        inlet_margin_over_dew_point_c, "°C", "inlet margin over the dew point"
    ),
    "psu_load_percent": Calculation(psu_load_percent, "%", "PSU load"),
    "ac_input_current_a": Calculation(ac_input_current_a, "A", "AC input current"),
    "joules_per_terahash": Calculation(joules_per_terahash, "J/TH", "efficiency"),
}
"""Calculations by the name a derived item uses in its ``function`` key."""
