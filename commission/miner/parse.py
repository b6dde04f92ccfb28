"""Pure parsers: decoded firmware replies in, typed models out.

Besides the simulator, this is the only code that reads firmware field names, and it takes every
name from :mod:`commission.miner.fields`. The parsers never do I/O. A reply whose shape is wrong as a
whole (no ``STATS`` section, a list where an object belongs) raises
:class:`~commission.errors.MinerProtocolError`; a single value that is missing or garbled becomes a
:class:`~commission.miner.models.Problem` and ``None`` in the model, so one bad sensor does not hide
the rest of the miner.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, NamedTuple

from pydantic import BaseModel, ConfigDict, SecretStr

from commission.errors import MinerProtocolError
from commission.miner import fields
from commission.miner.layout import (
    ASICS_PER_CHAIN,
    BOARDS,
    CHAINS,
    FAN_HEADERS,
    board_name,
    chains_of_board,
)
from commission.miner.models import (
    ChainReading,
    FanReading,
    FieldKey,
    Identity,
    MinerSnapshot,
    PoolReading,
    Problem,
    ProblemKind,
    Totals,
)

# Plausible ranges: a reading outside them is a fault of the reading, not a fact about the miner.
TEMP_PLAUSIBLE_C: Final = (1.0, 150.0)
"""A sensor on a running water-cooled board reads above 0 °C (the water would be ice) and below
150 °C (far past the firmware's 80 °C PCB cut-off, where the chips would be destroyed)."""
FAN_MAX_RPM: Final = 15_000
"""Fans for the Hydro's radiator are rated about 3,500-7,000 r/min; above 15,000 is not a fan."""
CHAIN_MAX_GHS: Final = 5_000.0
"""One chain of 18 BM1387 chips gives about 1,540 GH/s; above 5,000 GH/s is not a reading."""
MACHINE_MAX_GHS: Final = 40_000.0
"""The S9 Hydro gives at most 18.4 TH/s (guide 1.2); above 40 TH/s is not a reading."""
RATE_IDEAL_MAX_RATIO: Final = 2.0
"""A real-time rate above twice the firmware's own ideal rate is not a reading."""
FREQUENCY_MAX_MHZ: Final = 1_500.0
ELAPSED_MAX_S: Final = 20 * 365 * 24 * 3600
COUNT_MAX: Final = 10**12
"""No share or error counter of an S9 gets near this (about 8 shares a second at pool difficulty 512
would need 4,000 years); a larger count is garbage."""
FIRMWARE_EARLIEST: Final = datetime(2016, 1, 1)
"""No S9 firmware was built before 2016 (the S9 came out that year)."""
FIRMWARE_CLOCK_SLACK: Final = timedelta(days=1)
"""A build stamp carries the build machine's zone word only: allow a day against our clock."""
RATE_SUM_TOLERANCE: Final = 0.10
"""The machine's real-time rate and the sum of its chains' rates agree within 10 % (bmminer
prints both from the same counters; the real 2019 capture agrees to the hundredth)."""
RATE_SUM_SLACK_GHS: Final = 100.0
"""...or within this many GH/s, so that a miner ramping up from 0 does not trip the check."""

_MONTHS = {
    name: number
    for number, name in enumerate(
        "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1
    )
}
_STAMP = re.compile(
    r"^\s*(?:[A-Za-z]{3}\s+)?(?P<month>[A-Za-z]{3})\s+(?P<day>\d{1,2})\s+"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2})\s+(?:[A-Za-z][\w+-]*\s+)?"
    r"(?P<year>\d{4})\s*$"
)
_DIGITS_DATE = re.compile(r"^\s*(?P<year>\d{4})-?(?P<month>\d{2})-?(?P<day>\d{2})(?:\d{4})?\s*$")
_MAC = re.compile(r"^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$")


_NO_VALUE: Any = object()


def shown(value: Any) -> str:
    """A raw value as evidence: its repr, shortened to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _fmt_bound(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


class _Values:
    """Typed reads from one reply object, each checked against its plausible range.

    A value that is absent (when required), of the wrong type, not finite or out of range becomes a
    :class:`Problem` naming the firmware key, the reading it spoils (``field``) and the raw value.
    """

    def __init__(self, obj: Mapping[str, Any], source: str, problems: list[Problem]) -> None:
        self.obj = obj
        self.source = source
        self.problems = problems

    def problem(
        self, key: str, field: str, kind: ProblemKind, message: str, value: Any = _NO_VALUE
    ) -> None:
        raw = self.obj.get(key, _NO_VALUE) if value is _NO_VALUE else value
        self.problems.append(
            Problem(
                source=f"{self.source} {key}",
                message=message,
                field=field,
                value=None if raw is _NO_VALUE else shown(raw),
                kind=kind,
            )
        )

    def has(self, key: str) -> bool:
        return key in self.obj

    def missing(self, key: str, field: str, what: str = "") -> None:
        self.problem(key, field, "missing", f"{what or 'the field'} is absent from the reply")

    def text(
        self, key: str, field: str = "", *, required: bool = False, numbers: bool = True
    ) -> str | None:
        value = self.obj.get(key)
        if value is None:
            if required:
                self.missing(key, field)
            return None
        if isinstance(value, str):
            return value
        if numbers and isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.problem(key, field, "garbage", "expected text")
        return None

    def number(
        self,
        key: str,
        field: str = "",
        *,
        low: float | None = None,
        high: float | None = None,
        unit: str = "",
        required: bool = False,
        keep: bool = False,
    ) -> float | None:
        """The value as a float; None when absent, garbled or (unless ``keep``) out of range.

        Args:
            key: the firmware key.
            field: the reading it feeds (a :class:`FieldKey`), named in any problem.
            low: the lowest plausible value.
            high: the highest plausible value.
            unit: the unit, for the problem's message.
            required: record a problem when the key is absent.
            keep: return an out-of-range value anyway (the problem is still recorded).
        """
        value = self.obj.get(key)
        if value is None:
            if required:
                self.missing(key, field)
            return None
        if isinstance(value, bool):
            self.problem(key, field, "garbage", "expected a number")
            return None
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            if not value.strip():
                if required:
                    self.problem(key, field, "missing", "the field is empty")
                return None  # bmminer prints "" for an absent chain
            try:
                number = float(value.replace(",", ""))
            except ValueError:
                self.problem(key, field, "garbage", "expected a number")
                return None
        else:
            self.problem(key, field, "garbage", "expected a number")
            return None
        if not math.isfinite(number):
            self.problem(key, field, "garbage", "expected a finite number")
            return None
        suffix = f" {unit}" if unit else ""
        if low is not None and number < low:
            self.problem(
                key, field, "implausible", f"below the plausible minimum {_fmt_bound(low)}{suffix}"
            )
            return number if keep else None
        if high is not None and number > high:
            self.problem(
                key, field, "implausible", f"above the plausible maximum {_fmt_bound(high)}{suffix}"
            )
            return number if keep else None
        return number

    def integer(
        self,
        key: str,
        field: str = "",
        *,
        low: float | None = None,
        high: float | None = None,
        unit: str = "",
        required: bool = False,
        keep: bool = False,
    ) -> int | None:
        value = self.obj.get(key)
        number = self.number(
            key, field, low=low, high=high, unit=unit, required=required, keep=keep
        )
        if number is None:
            return None
        if number != int(number):
            self.problem(key, field, "garbage", "expected a whole number", value)
            return None
        return int(number)

    def flag(self, key: str, field: str = "") -> bool | None:
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "false", "y", "n"}:
            return value.strip().lower() in {"true", "y"}
        self.problem(key, field, "garbage", "expected true or false")
        return None


def section(reply: Mapping[str, Any], name: str, command: str) -> list[Mapping[str, Any]]:
    """The list of objects under ``name`` (e.g. ``STATS``) in one command's reply.

    Raises:
        MinerProtocolError: the section is missing or is not a list of objects.
    """
    items = reply.get(name)
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise MinerProtocolError(
            f"{command}: reply has no {name} list of objects (keys: {', '.join(map(str, reply))[:80]})"
        )
    return items


def _first(reply: Mapping[str, Any], command: str) -> Mapping[str, Any]:
    name = fields.COMMAND_STATUS[command].section
    items = section(reply, name, command)
    if not items:
        raise MinerProtocolError(f"{command}: the {name} list is empty")
    return items[0]


def miner_type_of(raw_type: str) -> str:
    """The model name from a firmware type string: its first line, e.g. ``Antminer S9 Hydro``."""
    return raw_type.strip().splitlines()[0].strip() if raw_type.strip() else ""


def firmware_date(stamp: str) -> datetime | None:
    """Parse a firmware build stamp, or None when it is not a recognised date.

    Accepts ``date`` output with any zone word (``Fri Nov 17 17:37:49 CST 2017``) and the guide's
    file-system version form (``20180820``, also ``2018-08-20``). The result is naive: the zone word
    names the build machine's clock and is ignored.
    """
    match = _STAMP.match(stamp)
    if match:
        month = _MONTHS.get(match["month"].lower())
        if month is None:
            return None
        try:
            return datetime(
                int(match["year"]),
                month,
                int(match["day"]),
                int(match["hour"]),
                int(match["minute"]),
                int(match["second"]),
            )
        except ValueError:
            return None
    match = _DIGITS_DATE.match(stamp)
    if match:
        try:
            return datetime(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            return None
    return None


def parse_version(reply: Mapping[str, Any]) -> Identity:
    """Identity from an RPC ``version`` reply (MAC, hostname and address come from the web UI).

    Raises:
        MinerProtocolError: the reply has no VERSION object or no ``Type``.
    """
    problems: list[Problem] = []
    values = _Values(_first(reply, "version"), "rpc version", problems)
    raw_type = values.text(fields.VERSION_TYPE, FieldKey.MODEL)
    if not raw_type:
        raise MinerProtocolError("version: the reply does not say the miner type")
    compile_time = values.text(fields.VERSION_COMPILE_TIME, FieldKey.FIRMWARE_DATE) or ""
    return Identity(
        miner_type=miner_type_of(raw_type),
        compile_time=compile_time,
        firmware_date=firmware_date(compile_time),
        bmminer_version=values.text(fields.VERSION_BMMINER) or "",
        api_version=values.text(fields.VERSION_API) or "",
        miner_version=values.text(fields.VERSION_MINER) or "",
    )


class SummaryReading(NamedTuple):
    """Whole-machine counters from the RPC ``summary`` reply."""

    elapsed_s: int | None
    ghs_5s: float | None
    ghs_avg: float | None
    accepted: int | None
    rejected: int | None
    hw_errors: int | None
    device_hw_pct: float | None
    problems: tuple[Problem, ...]


def parse_summary(reply: Mapping[str, Any]) -> SummaryReading:
    """Counters from an RPC ``summary`` reply, each checked against its plausible range.

    Raises:
        MinerProtocolError: the reply has no SUMMARY object.
    """
    problems: list[Problem] = []
    values = _Values(_first(reply, "summary"), "rpc summary", problems)
    return SummaryReading(
        elapsed_s=values.integer(
            fields.ELAPSED, FieldKey.ELAPSED, low=0, high=ELAPSED_MAX_S, unit="s"
        ),
        ghs_5s=values.number(
            fields.GHS_5S, FieldKey.GHS_5S, low=0, high=MACHINE_MAX_GHS, unit="GH/s"
        ),
        ghs_avg=values.number(
            fields.GHS_AV, FieldKey.GHS_AVG, low=0, high=MACHINE_MAX_GHS, unit="GH/s"
        ),
        accepted=values.integer(
            fields.ACCEPTED, FieldKey.ACCEPTED, low=0, high=COUNT_MAX, keep=True
        ),
        rejected=values.integer(
            fields.REJECTED, FieldKey.REJECTED, low=0, high=COUNT_MAX, keep=True
        ),
        hw_errors=values.integer(
            fields.HARDWARE_ERRORS, FieldKey.HW_ERRORS, low=0, high=COUNT_MAX, keep=True
        ),
        device_hw_pct=values.number(
            fields.DEVICE_HW_PCT, FieldKey.DEVICE_HW_PCT, low=0, high=100, unit="%"
        ),
        problems=tuple(problems),
    )


class StatsReading(NamedTuple):
    """Chains, fans and machine figures from the RPC ``stats`` reply."""

    miner_type: str | None
    """From the version block the firmware prints first (``STATS[0]``), when present."""
    compile_time: str | None
    chains: tuple[ChainReading, ...]
    fans: tuple[FanReading, ...]
    elapsed_s: int | None
    ghs_5s: float | None
    ghs_avg: float | None
    ghs_ideal: float | None
    hw_errors: int | None
    device_hw_pct: float | None
    frequency_mhz: float | None
    problems: tuple[Problem, ...]
    fan_count: int | None = None
    """``fan_num``: how many fans the firmware counts as turning."""


def _dashed(text: str) -> list[float | None]:
    """Split ``"42-43.25-NaN--5"`` into readings; ``NaN`` becomes None, ``--5`` is -5."""
    readings: list[float | None] = []
    negative = False
    for piece in text.strip().split("-"):
        if not piece.strip():
            negative = True
            continue
        try:
            number = float(piece)
        except ValueError:
            readings.append(None)
            negative = False
            continue
        if math.isnan(number):
            readings.append(None)
        else:
            readings.append(-number if negative else number)
        negative = False
    return readings


def _chain_temps(
    values: _Values, chain: int, present: bool
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Board and chip readings of one chain; a faulty sensor is dropped and recorded by itself.

    The dash-separated ``temp_pcbN``/``temp_chipN`` strings win when the firmware prints them;
    otherwise ``tempN`` is the board and ``temp2_N``/``temp3_N`` the chips (``temp3_N`` is 0 on
    boards with a single chip sensor, which is not a fault). Each sensor's problem carries its own
    key (``chain.7.temp_chip.1``), so the chain's other sensors still count.
    """
    readings: dict[str, list[tuple[str, Any, float | None]]] = {"temp_pcb": [], "temp_chip": []}
    for kind, dashed_key, single_keys in (
        ("temp_pcb", fields.TEMP_PCB_DASHED, (fields.TEMP_PCB,)),
        ("temp_chip", fields.TEMP_CHIP_DASHED, (fields.TEMP_CHIP, fields.TEMP_CHIP2)),
    ):
        key = dashed_key.format(chain)
        dashed = values.text(key)
        if dashed and dashed.strip():
            readings[kind] = [(key, dashed, value) for value in _dashed(dashed)]
            continue
        for position, template in enumerate(single_keys):
            key = template.format(chain)
            if not values.has(key):
                continue
            reading = values.number(key)
            if position > 0 and not reading:
                continue  # temp3_N = 0: no second chip sensor on this board
            readings[kind].append((key, values.obj.get(key), reading))
    kept: dict[str, tuple[float, ...]] = {}
    low, high = TEMP_PLAUSIBLE_C
    for kind, triples in readings.items():
        good: list[float] = []
        words = "board (PCB)" if kind == "temp_pcb" else "chip"
        for position, (key, raw, reading) in enumerate(triples, start=1):
            if reading is not None and low <= reading <= high:
                good.append(reading)
            elif present:
                shown_reading = "NaN" if reading is None else f"{reading:g}"
                values.problems.append(
                    Problem(
                        source=f"{values.source} {key}",
                        message=(
                            f"chain {chain} {words} temperature sensor {position} reads "
                            f"{shown_reading} °C, outside the plausible {low:g} to {high:g} °C: "
                            "a sensor fault, the reading is not used"
                        ),
                        field=FieldKey.sensor(chain, kind, position),
                        value=shown(raw),
                        kind="implausible",
                    )
                )
        kept[kind] = tuple(good)
    return kept["temp_pcb"], kept["temp_chip"]


def _chain(values: _Values, chain: int) -> ChainReading:
    key = fields.CHAIN_ACN.format(chain)
    asics = values.integer(
        key, FieldKey.chain(chain, "asics"), low=0, high=ASICS_PER_CHAIN, unit="ASICs", keep=True
    )
    if not values.has(key):
        values.missing(key, FieldKey.chain(chain, "asics"), f"chain {chain}'s ASIC count")
    count = asics or 0
    present = count > 0
    pcb, chip = _chain_temps(values, chain, present)
    frequency = values.number(
        fields.FREQ_AVG.format(chain),
        FieldKey.chain(chain, "frequency"),
        low=0,
        high=FREQUENCY_MAX_MHZ,
        unit="MHz",
    )
    ideal = values.number(
        fields.CHAIN_RATEIDEAL.format(chain),
        FieldKey.chain(chain, "rate_ideal"),
        low=0,
        high=CHAIN_MAX_GHS,
        unit="GH/s",
    )
    rate: float | None = None
    status_key = fields.CHAIN_ACS.format(chain)
    status = (values.text(status_key, FieldKey.chain(chain, "asic_status")) or "").strip()
    hw_key = fields.CHAIN_HW.format(chain)
    hw = values.integer(
        hw_key,
        FieldKey.chain(chain, "hw_errors"),
        low=0,
        high=COUNT_MAX,
        keep=True,
        required=present,
    )
    if present:
        rate_key = fields.CHAIN_RATE.format(chain)
        high = RATE_IDEAL_MAX_RATIO * ideal if ideal else CHAIN_MAX_GHS
        rate = values.number(
            rate_key, FieldKey.chain(chain, "rate"), low=0, high=high, unit="GH/s", required=True
        )
        if not status:
            values.problem(
                status_key,
                FieldKey.chain(chain, "asic_status"),
                "missing",
                f"chain {chain} reports {count} ASICs but no per-chip status",
            )
        else:
            _check_asic_status(values, chain, count, status)
        if hw is None and not values.has(hw_key):
            values.missing(
                hw_key, FieldKey.chain(chain, "hw_errors"), f"chain {chain}'s error count"
            )
    return ChainReading(
        chain=chain,
        asics=count,
        asic_status=status,
        frequency_mhz=frequency if frequency else None,
        rate_ideal_ghs=ideal if present or ideal else None,
        rate_ghs=rate,
        hw_errors=hw or 0,
        temps_pcb=pcb,
        temps_chip=chip,
    )


def _check_asic_status(values: _Values, chain: int, count: int, status: str) -> None:
    """The per-chip string has one ``o``/``x``/``-`` per ASIC the firmware counted."""
    chips = [c for c in status if not c.isspace()]
    key = fields.CHAIN_ACS.format(chain)
    field = FieldKey.chain(chain, "asic_status")
    strange = sorted({c for c in chips if c.lower() not in "ox-"})
    if strange:
        values.problem(
            key, field, "garbage", "characters other than o, x and -: " + "".join(strange)[:10]
        )
    elif len(chips) != count:
        values.problem(
            key,
            field,
            "inconsistent",
            f"{len(chips)} chips in the status but {count} ASICs counted (chain_acn{chain})",
        )


def parse_stats(reply: Mapping[str, Any]) -> StatsReading:
    """Chains, fans and figures from an RPC ``stats`` reply (already repaired by the transport).

    Every Hydro chain of :data:`~commission.miner.layout.CHAINS` gets a reading (``asics=0`` when the
    firmware found none), plus any other slot that reports ASICs, in chain order. Every value is
    checked against its plausible range; a slot the Hydro does not have that reports ASICs, a fan
    on slot 7 or 8, and a fan count that disagrees with the fans turning are recorded as problems.

    Raises:
        MinerProtocolError: the reply has no STATS list or no device object with chain data.
    """
    items = section(reply, fields.COMMAND_STATUS["stats"].section, "stats")
    head = next((item for item in items if fields.VERSION_TYPE in item), None)
    device = next(
        (item for item in items if any(fields.CHAIN_ACN.format(n) in item for n in CHAINS)), None
    )
    if device is None:
        raise MinerProtocolError("stats: no device object with chain_acn readings in the reply")
    problems: list[Problem] = []
    values = _Values(device, "rpc stats", problems)
    slots = range(1, fields.CHAIN_SLOTS + 1)
    quiet = _Values(device, "rpc stats", [])
    extra = [
        n for n in slots if n not in CHAINS and (quiet.integer(fields.CHAIN_ACN.format(n)) or 0) > 0
    ]
    for n in extra:
        values.problem(
            fields.CHAIN_ACN.format(n),
            FieldKey.CHAIN_LAYOUT,
            "inconsistent",
            f"ASICs reported in chain slot {n}, which the S9 Hydro does not have "
            f"(its chains are {', '.join(map(str, CHAINS))})",
        )
    chains = tuple(_chain(values, n) for n in sorted({*CHAINS, *extra}))
    fans = _fans(values)
    fan_count = values.integer(
        fields.STATS_FAN_NUM, FieldKey.FAN_COUNT, low=0, high=fields.FAN_SLOTS
    )
    turning = sum(1 for fan in fans if fan.rpm > 0)
    if fan_count is not None and fans and fan_count != turning:
        values.problem(
            fields.STATS_FAN_NUM,
            FieldKey.FAN_COUNT,
            "inconsistent",
            f"the firmware counts {fan_count} fans but {turning} report a speed",
        )
    frequency = values.number(
        fields.STATS_FREQUENCY, FieldKey.FREQUENCY, low=0, high=FREQUENCY_MAX_MHZ, unit="MHz"
    )
    if not frequency:
        frequency = (
            values.number(
                fields.STATS_TOTAL_FREQAVG, FieldKey.FREQUENCY, low=0, high=FREQUENCY_MAX_MHZ
            )
            or None
        )
    ideal = values.number(
        fields.STATS_TOTAL_RATEIDEAL, FieldKey.GHS_IDEAL, low=0, high=MACHINE_MAX_GHS, unit="GH/s"
    )
    rate_high = RATE_IDEAL_MAX_RATIO * ideal if ideal else MACHINE_MAX_GHS
    head_values = _Values(head or {}, "rpc stats", problems)
    raw_type = head_values.text(fields.VERSION_TYPE, FieldKey.MODEL)
    return StatsReading(
        miner_type=miner_type_of(raw_type) if raw_type else None,
        compile_time=head_values.text(fields.VERSION_COMPILE_TIME, FieldKey.FIRMWARE_DATE),
        chains=chains,
        fans=fans,
        elapsed_s=values.integer(fields.ELAPSED, FieldKey.ELAPSED, low=0, high=ELAPSED_MAX_S),
        ghs_5s=values.number(fields.GHS_5S, FieldKey.GHS_5S, low=0, high=rate_high, unit="GH/s"),
        ghs_avg=values.number(fields.GHS_AV, FieldKey.GHS_AVG, low=0, high=rate_high, unit="GH/s"),
        ghs_ideal=ideal,
        hw_errors=values.integer(
            fields.STATS_HW_ERRORS, FieldKey.HW_ERRORS, low=0, high=COUNT_MAX, keep=True
        ),
        device_hw_pct=values.number(
            fields.DEVICE_HW_PCT, FieldKey.DEVICE_HW_PCT, low=0, high=100, unit="%"
        ),
        frequency_mhz=frequency,
        problems=tuple(problems),
        fan_count=fan_count,
    )


def _fans(values: _Values) -> tuple[FanReading, ...]:
    fans: list[FanReading] = []
    for n in range(1, fields.FAN_SLOTS + 1):
        key = fields.FAN.format(n)
        rpm = values.integer(key, FieldKey.fan(n), low=0, high=FAN_MAX_RPM, unit="r/min", keep=True)
        if rpm is None:
            if values.has(key):
                fans.append(FanReading(index=n, rpm=0))  # garbled: recorded, shown as 0
            continue
        if n > len(FAN_HEADERS) and rpm > 0:
            values.problem(
                key,
                FieldKey.fan(n),
                "inconsistent",
                f"fan slot {n} reports {rpm} r/min, but the S9 Hydro has fans only on slots "
                f"1-{len(FAN_HEADERS)} (slots 7 and 8 read 0)",
            )
        fans.append(FanReading(index=n, rpm=rpm))
    return tuple(fans)


def parse_pools(reply: Mapping[str, Any]) -> tuple[tuple[PoolReading, ...], tuple[Problem, ...]]:
    """Configured pools from an RPC ``pools`` reply, in the firmware's order.

    Raises:
        MinerProtocolError: the reply has no POOLS list.
    """
    problems: list[Problem] = []
    pools: list[PoolReading] = []
    for position, item in enumerate(
        section(reply, fields.COMMAND_STATUS["pools"].section, "pools")
    ):
        values = _Values(item, f"rpc pools[{position}]", problems)
        index = values.integer(fields.POOL_INDEX, FieldKey.pool(position, "index"), low=0)
        number = position if index is None else index
        priority = values.integer(
            fields.POOL_PRIORITY, FieldKey.pool(number, "priority"), low=0, keep=True
        )
        status = values.text(fields.POOL_STATUS, FieldKey.pool(number, "status"), required=True)
        if status is not None and status not in fields.POOL_STATUSES:
            values.problem(
                fields.POOL_STATUS,
                FieldKey.pool(number, "status"),
                "garbage",
                "not a pool status (" + ", ".join(fields.POOL_STATUSES) + ")",
            )
            status = None
        counts = {
            part: values.integer(key, FieldKey.pool(number, part), low=0, high=COUNT_MAX, keep=True)
            for part, key in (
                ("accepted", fields.ACCEPTED),
                ("rejected", fields.REJECTED),
                ("stale", fields.STALE),
            )
        }
        pools.append(
            PoolReading(
                index=number,
                url=values.text(fields.POOL_URL, FieldKey.pool(number, "url"), numbers=False) or "",
                user=values.text(fields.POOL_USER, FieldKey.pool(number, "user"), numbers=False)
                or "",
                status=status or "Unknown",
                priority=position if priority is None else priority,
                accepted=counts["accepted"] or 0,
                rejected=counts["rejected"] or 0,
                stale=counts["stale"] or 0,
                stratum_active=bool(
                    values.flag(fields.POOL_STRATUM_ACTIVE, FieldKey.pool(number, "active"))
                ),
                last_share_time=values.text(fields.POOL_LAST_SHARE_TIME) or "",
                diff=values.text(fields.POOL_DIFF) or "",
            )
        )
    return tuple(pools), tuple(problems)


class DeviceReading(NamedTuple):
    """The single ASC device (``BC5``, the whole machine) from the RPC ``devs`` reply."""

    name: str
    enabled: bool | None
    status: str
    mhs_5s: float | None
    mhs_avg: float | None
    hw_errors: int | None
    problems: tuple[Problem, ...]


def parse_devs(reply: Mapping[str, Any]) -> DeviceReading:
    """The first device of an RPC ``devs`` reply.

    Raises:
        MinerProtocolError: the reply has no DEVS object.
    """
    problems: list[Problem] = []
    values = _Values(_first(reply, "devs"), "rpc devs", problems)
    mhs_high = MACHINE_MAX_GHS * 1000
    return DeviceReading(
        name=values.text(fields.DEVS_NAME) or "",
        enabled=values.flag(fields.DEVS_ENABLED),
        status=values.text(fields.DEVS_STATUS) or "Unknown",
        mhs_5s=values.number(
            fields.DEVS_MHS_5S, FieldKey.GHS_5S, low=0, high=mhs_high, unit="MH/s"
        ),
        mhs_avg=values.number(
            fields.DEVS_MHS_AV, FieldKey.GHS_AVG, low=0, high=mhs_high, unit="MH/s"
        ),
        hw_errors=values.integer(
            fields.HARDWARE_ERRORS, FieldKey.HW_ERRORS, low=0, high=COUNT_MAX, keep=True
        ),
        problems=tuple(problems),
    )


class WebIdentity(NamedTuple):
    """What the web UI says about the miner (``get_system_info.cgi``/``get_network_info.cgi``)."""

    miner_type: str | None
    mac: str | None
    hostname: str | None
    ip_address: str | None
    filesystem_version: str | None
    firmware_date: datetime | None
    bmminer_version: str | None
    problems: tuple[Problem, ...]


def _mac(values: _Values, key: str) -> str | None:
    mac = values.text(key)
    if mac is None or not mac.strip():
        return None
    if not _MAC.match(mac.strip()):
        values.problem(key, "identity.mac", "garbage", f"not a MAC address: {mac[:40]!r}")
        return None
    return mac.strip().upper()


def _as_object(obj: Any, source: str) -> Mapping[str, Any]:
    if not isinstance(obj, dict):
        raise MinerProtocolError(f"{source}: expected a JSON object, got {type(obj).__name__}")
    return obj


def parse_system_info(obj: Any) -> WebIdentity:
    """Identity from ``get_system_info.cgi`` (type, MAC, host name, firmware file-system date).

    Raises:
        MinerProtocolError: the body is not a JSON object.
    """
    source = "web get_system_info.cgi"
    problems: list[Problem] = []
    values = _Values(_as_object(obj, source), source, problems)
    raw_type = values.text(fields.SYSTEM_MINER_TYPE, FieldKey.MODEL)
    filesystem = values.text(fields.SYSTEM_FILESYSTEM_VERSION, FieldKey.FIRMWARE_DATE)
    return WebIdentity(
        miner_type=miner_type_of(raw_type) if raw_type else None,
        mac=_mac(values, fields.SYSTEM_MAC),
        hostname=values.text(fields.SYSTEM_HOSTNAME) or None,
        ip_address=values.text(fields.SYSTEM_IP) or None,
        filesystem_version=filesystem,
        firmware_date=firmware_date(filesystem) if filesystem else None,
        bmminer_version=values.text(fields.SYSTEM_BMMINER_VERSION) or None,
        problems=tuple(problems),
    )


def parse_network_info(obj: Any) -> WebIdentity:
    """MAC, address and configured host name from ``get_network_info.cgi``.

    Raises:
        MinerProtocolError: the body is not a JSON object.
    """
    source = "web get_network_info.cgi"
    problems: list[Problem] = []
    values = _Values(_as_object(obj, source), source, problems)
    return WebIdentity(
        miner_type=None,
        mac=_mac(values, fields.NETWORK_MAC),
        hostname=values.text(fields.NETWORK_HOSTNAME) or None,
        ip_address=values.text(fields.NETWORK_IP) or None,
        filesystem_version=None,
        firmware_date=None,
        bmminer_version=None,
        problems=tuple(problems),
    )


def parse_kernel_log(text: str) -> list[str]:
    """The kernel log page as lines (NULs and carriage returns removed, trailing blanks dropped)."""
    lines = [line.rstrip() for line in text.replace("\x00", "").replace("\r", "").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def fatal_lines(lines: Iterable[str]) -> list[tuple[int, str]]:
    """The (1-based line number, line) pairs that carry one of bmminer's fatal messages."""
    return [
        (number, line)
        for number, line in enumerate(lines, start=1)
        if any(fatal in line for fatal in fields.FATAL_LINES)
    ]


_CHAIN_ASICS = re.compile(
    re.escape(fields.LOG_CHAIN_ASICS)
    .replace(re.escape("{chain}"), r"(?P<chain>\d+)")
    .replace(re.escape("{asics}"), r"(?P<asics>\d+)")
)


def chain_detections(lines: Iterable[str]) -> dict[int, int]:
    """ASIC counts per chain from ``Chain[J%d] has %d asic`` lines (the last count wins)."""
    found: dict[int, int] = {}
    for line in lines:
        for match in _CHAIN_ASICS.finditer(line):
            found[int(match["chain"])] = int(match["asics"])
    return found


class PoolSetting(BaseModel):
    """One pool as bmminer.conf stores it and set_miner_conf.cgi takes it.

    The password is a :class:`~pydantic.SecretStr`: its repr and str are masked, so it cannot leak
    into logs, exports or test output by accident.
    """

    model_config = ConfigDict(frozen=True)

    url: str
    user: str
    password: SecretStr = SecretStr("")


class MinerConf(NamedTuple):
    """The parts of bmminer.conf that set_miner_conf.cgi rewrites (kept when pools change)."""

    pools: tuple[PoolSetting, ...]
    nobeeper: bool
    notempoverctrl: bool
    fan_ctrl: bool
    fan_pwm: str
    frequency: str


def parse_miner_conf(obj: Any) -> MinerConf:
    """The settings in ``get_miner_conf.cgi`` (bmminer.conf) that a pool change must keep.

    Raises:
        MinerProtocolError: the body is not an object or its ``pools`` is not a list of objects.
    """
    source = "web get_miner_conf.cgi"
    conf = _as_object(obj, source)
    raw_pools = conf.get(fields.CONF_POOLS, [])
    if not isinstance(raw_pools, list) or not all(isinstance(p, dict) for p in raw_pools):
        raise MinerProtocolError(f"{source}: '{fields.CONF_POOLS}' is not a list of objects")
    problems: list[Problem] = []
    pools = []
    for pool in raw_pools:
        values = _Values(pool, source, problems)
        pools.append(
            PoolSetting(
                url=values.text(fields.CONF_POOL_URL) or "",
                user=values.text(fields.CONF_POOL_USER) or "",
                password=SecretStr(values.text(fields.CONF_POOL_PASS) or ""),
            )
        )
    values = _Values(conf, source, problems)
    if problems:
        raise MinerProtocolError(f"{source}: {problems[0].source}: {problems[0].message}")
    frequency = values.text(fields.CONF_FREQ)
    pwm = values.text(fields.CONF_FAN_PWM)
    return MinerConf(
        pools=tuple(pools),
        nobeeper=bool(values.flag(fields.CONF_NOBEEPER)),
        notempoverctrl=bool(values.flag(fields.CONF_NOTEMPOVERCTRL)),
        fan_ctrl=bool(values.flag(fields.CONF_FAN_CTRL)),
        fan_pwm=pwm or "",
        frequency=frequency or "",
    )


def assemble(
    host: str,
    taken_at: datetime,
    *,
    identity: Identity | None = None,
    summary: SummaryReading | None = None,
    stats: StatsReading | None = None,
    pools: Sequence[PoolReading] = (),
    device: DeviceReading | None = None,
    web: Sequence[WebIdentity] = (),
    kernel_log: Sequence[str] | None = None,
    default_password_active: bool | None = None,
    problems: Sequence[Problem] = (),
) -> MinerSnapshot:
    """Combine the parsed parts of one read into a snapshot, and cross-check the parts.

    Each figure comes from its best source: totals from ``summary``, then ``stats``, then ``devs``;
    identity from ``version``, then the version block in ``stats``, then the web UI; MAC and host
    name from the web UI. Problems of every part are kept, and the cross-checks add their own: the
    model type in ``version``, ``stats`` and the web UI agree; the machine's rate agrees with the
    sum of its chains and is plausible against the ideal; each of the 4 hash boards has a usable
    temperature; the firmware date is not in the future; the kernel log is a log.
    """
    collected: list[Problem] = list(problems)
    for part in (summary, stats, device, *web):
        if part is not None:
            collected.extend(part.problems)
    identity = _identity(identity, stats, web)
    totals = _totals(summary, stats, device, pools)
    chains = stats.chains if stats else ()
    log = tuple(kernel_log) if kernel_log is not None else None
    collected.extend(_model_agreement(identity, stats, web))
    if identity is not None:
        collected.extend(_firmware_date_problems(identity, taken_at, web))
    if totals is not None and stats is not None:
        collected.extend(_rate_problems(totals, chains, summary is not None, collected))
    if stats is not None:
        collected.extend(_board_temperature_problems(chains, collected))
    if log is not None:
        collected.extend(_kernel_log_problems(log))
    return MinerSnapshot(
        host=host,
        taken_at=taken_at,
        identity=identity,
        chains=chains,
        fans=stats.fans if stats else (),
        pools=tuple(pools),
        totals=totals,
        kernel_log=log,
        default_password_active=default_password_active,
        problems=tuple(collected),
    )


def _model_agreement(
    identity: Identity | None, stats: StatsReading | None, web: Sequence[WebIdentity]
) -> list[Problem]:
    """One problem when ``version``, ``stats`` and the web UI name different models."""
    named: list[tuple[str, str]] = []
    if identity is not None and identity.miner_type:
        named.append(("rpc version Type", identity.miner_type))
    if stats is not None and stats.miner_type:
        named.append(("rpc stats Type", stats.miner_type))
    named.extend(
        ("web get_system_info.cgi minertype", part.miner_type) for part in web if part.miner_type
    )
    if len({name.strip().lower() for _, name in named}) <= 1:
        return []
    return [
        Problem(
            source=named[0][0],
            message="the miner names different models: "
            + "; ".join(f"{source} says {name!r}" for source, name in named),
            field=FieldKey.MODEL,
            value=shown(named[0][1]),
            kind="inconsistent",
        )
    ]


def _firmware_date_problems(
    identity: Identity, taken_at: datetime, web: Sequence[WebIdentity]
) -> list[Problem]:
    built = identity.firmware_date
    if built is None:
        return []
    now = taken_at.replace(tzinfo=None) if taken_at.tzinfo is not None else taken_at
    source = "rpc version CompileTime"
    if not identity.compile_time and any(part.firmware_date for part in web):
        source = f"web get_system_info.cgi {fields.SYSTEM_FILESYSTEM_VERSION}"
    if built > now + FIRMWARE_CLOCK_SLACK:
        reason = f"built {built:%Y-%m-%d}, after this reading was taken ({now:%Y-%m-%d})"
    elif built < FIRMWARE_EARLIEST:
        reason = f"built {built:%Y-%m-%d}, before any S9 firmware ({FIRMWARE_EARLIEST:%Y})"
    else:
        return []
    return [
        Problem(
            source=source,
            message=f"implausible firmware date: {reason}",
            field=FieldKey.FIRMWARE_DATE,
            value=shown(identity.compile_time or f"{built:%Y-%m-%d}"),
            kind="implausible",
        )
    ]


def _rate_problems(
    totals: Totals, chains: Sequence[ChainReading], from_summary: bool, known: Sequence[Problem]
) -> list[Problem]:
    """The machine's rate against its ideal and against the sum of its chains' rates."""
    out: list[Problem] = []
    source = f"rpc {'summary' if from_summary else 'stats'} {fields.GHS_5S}"
    rate = totals.ghs_5s
    if rate is None:
        return out
    ideal = totals.ghs_ideal
    if ideal and rate > RATE_IDEAL_MAX_RATIO * ideal:
        out.append(
            Problem(
                source=source,
                message=f"{rate:,.0f} GH/s is more than {RATE_IDEAL_MAX_RATIO:g} times the "
                f"firmware's ideal rate ({ideal:,.0f} GH/s)",
                field=FieldKey.GHS_5S,
                value=shown(rate),
                kind="implausible",
            )
        )
        return out
    present = [chain for chain in chains if chain.present]
    spoilt = {problem.field for problem in known}
    if not present or any(
        chain.rate_ghs is None or FieldKey.chain(chain.chain, "rate") in spoilt for chain in present
    ):
        return out  # the chains' own problems already say what is wrong
    total = sum(chain.rate_ghs or 0.0 for chain in present)
    allowed = max(RATE_SUM_TOLERANCE * max(rate, total), RATE_SUM_SLACK_GHS)
    if abs(rate - total) > allowed:
        out.append(
            Problem(
                source=source,
                message=f"the machine reports {rate:,.2f} GH/s but its chains add up to "
                f"{total:,.2f} GH/s (more than {RATE_SUM_TOLERANCE:.0%} apart)",
                field=FieldKey.GHS_5S,
                value=shown(rate),
                kind="inconsistent",
            )
        )
    return out


def _board_temperature_problems(
    chains: Sequence[ChainReading], known: Sequence[Problem]
) -> list[Problem]:
    """A problem for each hash board with no usable board (PCB) or chip temperature."""
    out: list[Problem] = []
    by_number = {chain.chain: chain for chain in chains}
    for board in BOARDS:
        members = [by_number[n] for n in chains_of_board(board) if n in by_number]
        detected = [chain for chain in members if chain.present]
        numbers = ", ".join(str(n) for n in chains_of_board(board))
        for kind, words, attribute in (
            ("temp_pcb", "board (PCB)", "temps_pcb"),
            ("temp_chip", "chip", "temps_chip"),
        ):
            if any(getattr(chain, attribute) for chain in detected):
                continue
            if not detected:
                reason = f"none of its chains ({numbers}) is detected, so it reports no {words} temperature"
            else:
                reason = f"no {words} temperature sensor of its chains ({numbers}) gives a usable reading"
            keys = "/".join(
                (fields.TEMP_PCB if kind == "temp_pcb" else fields.TEMP_CHIP).format(n)
                for n in chains_of_board(board)
            )
            out.append(
                Problem(
                    source=f"rpc stats {keys}",
                    message=f"{board_name(board)}: {reason}",
                    field=FieldKey.board(board, kind),
                    kind="missing",
                )
            )
    return out


_HTML_MARKS: Final = ("<html", "<!doctype", "<body", "<form", "<head", "<title")
_TEXT_SAMPLE_CHARS: Final = 65536
_TEXT_UNPRINTABLE_SHARE: Final = 0.05
"""A kernel log is text: more than 5 % control codes or undecodable bytes means it is not one."""


def _kernel_log_problems(lines: Sequence[str]) -> list[Problem]:
    source = f"web {fields.CGI_PATHS['kernel_log'].rsplit('/', 1)[-1]}"
    if not any(line.strip() for line in lines):
        return [
            Problem(
                source=source,
                message="the kernel log page is empty: a running miner always logs its boot",
                field=FieldKey.KERNEL_LOG,
                value="''",
                kind="missing",
            )
        ]
    sample = "\n".join(lines)[:_TEXT_SAMPLE_CHARS]
    unprintable = sum(1 for char in sample if not (char.isprintable() or char in "\t\n"))
    unprintable += sample.count("\ufffd")
    if unprintable > _TEXT_UNPRINTABLE_SHARE * len(sample):
        return [
            Problem(
                source=source,
                message=f"the page is not text ({unprintable} of its first {len(sample)} "
                "characters are control codes or undecodable bytes), not the kernel log",
                field=FieldKey.KERNEL_LOG,
                value=shown(sample[:40]),
                kind="garbage",
            )
        ]
    head = "\n".join(lines[:50]).lower()
    if any(mark in head for mark in _HTML_MARKS):
        first = next(line for line in lines if line.strip())
        return [
            Problem(
                source=source,
                message="the page is HTML (a login or error page?), not the kernel log",
                field=FieldKey.KERNEL_LOG,
                value=shown(first.strip()),
                kind="garbage",
            )
        ]
    return []


def _identity(
    identity: Identity | None, stats: StatsReading | None, web: Sequence[WebIdentity]
) -> Identity | None:
    def first(attribute: str) -> Any:
        return next((getattr(part, attribute) for part in web if getattr(part, attribute)), None)

    if identity is None:
        miner_type = (stats.miner_type if stats else None) or first("miner_type")
        if miner_type is None:
            return None
        compile_time = (stats.compile_time if stats else None) or first("filesystem_version") or ""
        identity = Identity(
            miner_type=miner_type,
            compile_time=compile_time,
            firmware_date=firmware_date(compile_time),
            bmminer_version=first("bmminer_version") or "",
        )
    updates: dict[str, Any] = {
        "mac": first("mac"),
        "hostname": first("hostname"),
        "ip_address": first("ip_address"),
    }
    if identity.firmware_date is None and first("firmware_date") is not None:
        updates["firmware_date"] = first("firmware_date")
    return identity.model_copy(update={k: v for k, v in updates.items() if v is not None})


def _totals(
    summary: SummaryReading | None,
    stats: StatsReading | None,
    device: DeviceReading | None,
    pools: Sequence[PoolReading],
) -> Totals | None:
    def pick(*candidates: Any) -> Any:
        return next((value for value in candidates if value is not None), None)

    elapsed = pick(summary and summary.elapsed_s, stats and stats.elapsed_s)
    if summary is None and stats is None and device is None:
        return None
    mhs_5s = device.mhs_5s / 1000 if device and device.mhs_5s is not None else None
    mhs_avg = device.mhs_avg / 1000 if device and device.mhs_avg is not None else None
    accepted = pick(summary and summary.accepted, sum(pool.accepted for pool in pools))
    rejected = pick(summary and summary.rejected, sum(pool.rejected for pool in pools))
    return Totals(
        elapsed_s=elapsed,
        ghs_5s=pick(summary and summary.ghs_5s, stats and stats.ghs_5s, mhs_5s),
        ghs_avg=pick(summary and summary.ghs_avg, stats and stats.ghs_avg, mhs_avg),
        ghs_ideal=stats.ghs_ideal if stats else None,
        hw_errors=pick(
            summary and summary.hw_errors, stats and stats.hw_errors, device and device.hw_errors
        )
        or 0,
        device_hw_pct=pick(summary and summary.device_hw_pct, stats and stats.device_hw_pct),
        accepted=accepted or 0,
        rejected=rejected or 0,
        frequency_mhz=stats.frequency_mhz if stats else None,
    )
