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
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, SecretStr

from commission.errors import MinerProtocolError
from commission.miner import fields
from commission.miner.layout import CHAINS
from commission.miner.models import (
    ChainReading,
    FanReading,
    Identity,
    MinerSnapshot,
    PoolReading,
    Problem,
    Totals,
)

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


class _Values:
    """Typed reads from one reply object; a value of the wrong type becomes a recorded Problem."""

    def __init__(self, obj: Mapping[str, Any], source: str, problems: list[Problem]) -> None:
        self.obj = obj
        self.source = source
        self.problems = problems

    def _problem(self, key: str, value: Any, wanted: str) -> None:
        shown = repr(value)
        if len(shown) > 40:
            shown = shown[:39] + "…"
        self.problems.append(
            Problem(source=f"{self.source} {key}", message=f"{wanted}, got {shown}")
        )

    def has(self, key: str) -> bool:
        return key in self.obj

    def text(self, key: str) -> str | None:
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self._problem(key, value, "expected text")
        return None

    def number(self, key: str) -> float | None:
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            self._problem(key, value, "expected a number")
            return None
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            if not value.strip():
                return None  # bmminer prints "" for an absent chain
            try:
                number = float(value.replace(",", ""))
            except ValueError:
                self._problem(key, value, "expected a number")
                return None
        else:
            self._problem(key, value, "expected a number")
            return None
        if not math.isfinite(number):
            self._problem(key, value, "expected a finite number")
            return None
        return number

    def integer(self, key: str) -> int | None:
        number = self.number(key)
        if number is None:
            return None
        if number != int(number):
            self._problem(key, self.obj.get(key), "expected a whole number")
            return None
        return int(number)

    def flag(self, key: str) -> bool | None:
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "false", "y", "n"}:
            return value.strip().lower() in {"true", "y"}
        self._problem(key, value, "expected true or false")
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
    raw_type = values.text(fields.VERSION_TYPE)
    if not raw_type:
        raise MinerProtocolError("version: the reply does not say the miner type")
    compile_time = values.text(fields.VERSION_COMPILE_TIME) or ""
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
    """Counters from an RPC ``summary`` reply.

    Raises:
        MinerProtocolError: the reply has no SUMMARY object.
    """
    problems: list[Problem] = []
    values = _Values(_first(reply, "summary"), "rpc summary", problems)
    return SummaryReading(
        elapsed_s=values.integer(fields.ELAPSED),
        ghs_5s=values.number(fields.GHS_5S),
        ghs_avg=values.number(fields.GHS_AV),
        accepted=values.integer(fields.ACCEPTED),
        rejected=values.integer(fields.REJECTED),
        hw_errors=values.integer(fields.HARDWARE_ERRORS),
        device_hw_pct=values.number(fields.DEVICE_HW_PCT),
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
    """Board and chip readings of one chain, with faulty sensors dropped and recorded.

    The dash-separated ``temp_pcbN``/``temp_chipN`` strings win when the firmware prints them;
    otherwise ``tempN`` is the board and ``temp2_N``/``temp3_N`` the chips (``temp3_N`` is 0 on
    boards with a single chip sensor, which is not a fault).
    """
    readings: dict[str, list[tuple[str, float | None]]] = {"pcb": [], "chip": []}
    pcb_dashed = values.text(fields.TEMP_PCB_DASHED.format(chain))
    chip_dashed = values.text(fields.TEMP_CHIP_DASHED.format(chain))
    if pcb_dashed and pcb_dashed.strip():
        key = fields.TEMP_PCB_DASHED.format(chain)
        readings["pcb"] = [(key, value) for value in _dashed(pcb_dashed)]
    else:
        key = fields.TEMP_PCB.format(chain)
        readings["pcb"] = [(key, values.number(key))] if values.has(key) else []
    if chip_dashed and chip_dashed.strip():
        key = fields.TEMP_CHIP_DASHED.format(chain)
        readings["chip"] = [(key, value) for value in _dashed(chip_dashed)]
    else:
        key = fields.TEMP_CHIP.format(chain)
        readings["chip"] = [(key, values.number(key))] if values.has(key) else []
        second = fields.TEMP_CHIP2.format(chain)
        reading = values.number(second)
        if reading:  # 0 = no second sensor on this board
            readings["chip"].append((second, reading))
    kept: dict[str, tuple[float, ...]] = {}
    for kind, pairs in readings.items():
        good: list[float] = []
        for key, reading in pairs:
            if reading is not None and reading > 0:
                good.append(reading)
            elif present:
                shown = "NaN" if reading is None else f"{reading:g}"
                values.problems.append(
                    Problem(
                        source=f"{values.source} {key}",
                        message=(
                            f"chain {chain} {kind} temperature sensor reads {shown}: "
                            "a sensor fault, reading dropped"
                        ),
                    )
                )
        kept[kind] = tuple(good)
    return kept["pcb"], kept["chip"]


def _chain(values: _Values, chain: int) -> ChainReading:
    asics = values.integer(fields.CHAIN_ACN.format(chain)) or 0
    present = asics > 0
    pcb, chip = _chain_temps(values, chain, present)
    frequency = values.number(fields.FREQ_AVG.format(chain))
    ideal = values.number(fields.CHAIN_RATEIDEAL.format(chain))
    return ChainReading(
        chain=chain,
        asics=max(asics, 0),
        asic_status=(values.text(fields.CHAIN_ACS.format(chain)) or "").strip(),
        frequency_mhz=frequency if frequency else None,
        rate_ideal_ghs=ideal if present or ideal else None,
        rate_ghs=values.number(fields.CHAIN_RATE.format(chain)) if present else None,
        hw_errors=values.integer(fields.CHAIN_HW.format(chain)) or 0,
        temps_pcb=pcb,
        temps_chip=chip,
    )


def parse_stats(reply: Mapping[str, Any]) -> StatsReading:
    """Chains, fans and figures from an RPC ``stats`` reply (already repaired by the transport).

    Every Hydro chain of :data:`~commission.miner.layout.CHAINS` gets a reading (``asics=0`` when the
    firmware found none), plus any other slot that reports ASICs, in chain order.

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
    extra = [
        n
        for n in slots
        if n not in CHAINS and (values.integer(fields.CHAIN_ACN.format(n)) or 0) > 0
    ]
    chains = tuple(_chain(values, n) for n in sorted({*CHAINS, *extra}))
    fans = tuple(
        FanReading(index=n, rpm=max(rpm, 0))
        for n in range(1, fields.FAN_SLOTS + 1)
        if (rpm := values.integer(fields.FAN.format(n))) is not None
    )
    frequency = values.number(fields.STATS_FREQUENCY)
    if not frequency:
        frequency = values.number(fields.STATS_TOTAL_FREQAVG) or None
    head_values = _Values(head or {}, "rpc stats", problems)
    raw_type = head_values.text(fields.VERSION_TYPE)
    return StatsReading(
        miner_type=miner_type_of(raw_type) if raw_type else None,
        compile_time=head_values.text(fields.VERSION_COMPILE_TIME),
        chains=chains,
        fans=fans,
        elapsed_s=values.integer(fields.ELAPSED),
        ghs_5s=values.number(fields.GHS_5S),
        ghs_avg=values.number(fields.GHS_AV),
        ghs_ideal=values.number(fields.STATS_TOTAL_RATEIDEAL),
        hw_errors=values.integer(fields.STATS_HW_ERRORS),
        device_hw_pct=values.number(fields.DEVICE_HW_PCT),
        frequency_mhz=frequency,
        problems=tuple(problems),
    )


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
        index = values.integer(fields.POOL_INDEX)
        priority = values.integer(fields.POOL_PRIORITY)
        pools.append(
            PoolReading(
                index=position if index is None else index,
                url=values.text(fields.POOL_URL) or "",
                user=values.text(fields.POOL_USER) or "",
                status=values.text(fields.POOL_STATUS) or "Unknown",
                priority=position if priority is None else priority,
                accepted=values.integer(fields.ACCEPTED) or 0,
                rejected=values.integer(fields.REJECTED) or 0,
                stale=values.integer(fields.STALE) or 0,
                stratum_active=bool(values.flag(fields.POOL_STRATUM_ACTIVE)),
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
    return DeviceReading(
        name=values.text(fields.DEVS_NAME) or "",
        enabled=values.flag(fields.DEVS_ENABLED),
        status=values.text(fields.DEVS_STATUS) or "Unknown",
        mhs_5s=values.number(fields.DEVS_MHS_5S),
        mhs_avg=values.number(fields.DEVS_MHS_AV),
        hw_errors=values.integer(fields.HARDWARE_ERRORS),
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
        values.problems.append(
            Problem(source=f"{values.source} {key}", message=f"not a MAC address: {mac[:40]!r}")
        )
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
    raw_type = values.text(fields.SYSTEM_MINER_TYPE)
    filesystem = values.text(fields.SYSTEM_FILESYSTEM_VERSION)
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
    """Combine the parsed parts of one read into a snapshot.

    Each figure comes from its best source: totals from ``summary``, then ``stats``, then ``devs``;
    identity from ``version``, then the version block in ``stats``, then the web UI; MAC and host
    name from the web UI. Problems of every part are kept.
    """
    collected: list[Problem] = list(problems)
    for part in (summary, stats, device, *web):
        if part is not None:
            collected.extend(part.problems)
    identity = _identity(identity, stats, web)
    totals = _totals(summary, stats, device, pools)
    return MinerSnapshot(
        host=host,
        taken_at=taken_at,
        identity=identity,
        chains=stats.chains if stats else (),
        fans=stats.fans if stats else (),
        pools=tuple(pools),
        totals=totals,
        kernel_log=tuple(kernel_log) if kernel_log is not None else None,
        default_password_active=default_password_active,
        problems=tuple(collected),
    )


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
