"""The stock RPC replies of a simulated S9 Hydro: request parsing, access control, joined commands.

Given the request bytes and the model, :func:`answer` returns the exact bytes bmminer would send:
compact JSON (or the text form for text requests), the STATUS block, the ``}{`` defect in
``stats``, joined ``summary+pools`` replies in bmminer's array layout, STATUS E code 45 for the
commands the stock access group refuses, and the trailing NUL. Field names, order and kinds come
from :mod:`commission.miner.fields`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from commission.miner import fields as F
from commission.miner.fields import Field
from commission.simulator.model import POOL_DIFFICULTY, HydroModel
from commission.simulator.wire import (
    Record,
    Value,
    build,
    json_object,
    json_string,
    significant,
    text_record,
)

BMMINER_VERSION = "2.0.0"
API_VERSION = "3.1"


@dataclass(frozen=True)
class Request:
    """A parsed request: one or more command names (joined with ``+``) and the framing."""

    command: str
    parameter: str | None
    is_json: bool


class RequestError(Exception):
    """The request could not be parsed; carries bmminer's code and message."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


def parse_request(raw: bytes) -> Request:
    """Parse what one ``recv`` returned: JSON when it starts with ``{``, else ``cmd|param``.

    Raises:
        RequestError: code 23 (not a JSON object), 24 (no ``command``) or 14 (not a string).
    """
    text = raw.decode("utf-8", errors="replace").rstrip("\x00\r\n\t ")
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            raise RequestError(F.CODE_INVALID_JSON, F.MSG_INVALID_JSON) from None
        if not isinstance(document, dict):
            raise RequestError(F.CODE_INVALID_JSON, F.MSG_INVALID_JSON)
        if "command" not in document:
            raise RequestError(F.CODE_MISSING_COMMAND, F.MSG_MISSING_COMMAND)
        command = document["command"]
        if not isinstance(command, str):
            raise RequestError(F.CODE_INVALID_COMMAND, F.MSG_INVALID_COMMAND)
        parameter = document.get("parameter")
        if isinstance(parameter, bool) or parameter is None:
            parameter_text = None if parameter is None else str(parameter).lower()
        elif isinstance(parameter, int | float | str):
            parameter_text = str(parameter)
        else:
            parameter_text = None
        return Request(command, parameter_text, is_json=True)
    command, separator, parameter = text.partition("|")
    return Request(command, parameter if separator else None, is_json=False)


# ------------------------------------------------------------------------------- envelope


def _status_record(letter: str, when: int, code: int, msg: str) -> Record:
    values: dict[str, Value] = {
        "STATUS": letter,
        "When": when,
        "Code": code,
        "Msg": msg,
        "Description": F.STATUS_DESCRIPTION,
    }
    return build(F.STATUS_KEYS, values)


@dataclass(frozen=True)
class Section:
    """One command's reply before framing: its STATUS and its objects."""

    status: Record
    name: str = ""
    items: tuple[Record, ...] = ()
    text_prefix: str = ""
    """Text mode puts e.g. ``SUMMARY,`` before the first object."""
    missing_comma: bool = False
    """The ``stats`` defect: no comma between the first two objects."""

    def to_json_body(self) -> str:
        """``{"STATUS":[...],"SECTION":[...],"id":1}``."""
        parts = [f'"STATUS":[{json_object(self.status)}]']
        if self.name:
            objects = [json_object(item) for item in self.items]
            if self.missing_comma and len(objects) > 1:
                joined = objects[0] + objects[1] + "".join("," + o for o in objects[2:])
            else:
                joined = ",".join(objects)
            parts.append(f"{json_string(self.name)}:[{joined}]")
        return "{" + ",".join(parts) + ',"id":1}'

    def to_text(self) -> str:
        """``STATUS=S,...|SUMMARY,Elapsed=...|``."""
        out = [text_record(self.status)]
        for index, item in enumerate(self.items):
            out.append(text_record(item, self.text_prefix if index == 0 else ""))
        return "".join(out)


def _error(when: int, code: int, msg: str) -> Section:
    return Section(_status_record("E", when, code, msg))


# ------------------------------------------------------------------------------- commands


def _version_values(model: HydroModel) -> dict[str, Value]:
    return {
        "BMMiner": BMMINER_VERSION,
        "API": API_VERSION,
        "Miner": model.miner_version,
        "CompileTime": model.compile_time,
        "Type": F.MINER_TYPE_HYDRO,
    }


def _version(model: HydroModel, now: float) -> Section:
    status = F.COMMAND_STATUS["version"]
    return Section(
        _status_record("S", int(now), status.code, status.msg),
        status.section,
        (build(F.VERSION_FIELDS, _version_values(model)),),
        text_prefix="VERSION,",
    )


def _rates(model: HydroModel, now: float) -> tuple[float, float]:
    rate_5s = sum(model.chain_rate(chain, now) for chain in model.chains.values())
    elapsed = max(1, model.elapsed(now))
    return rate_5s, model.total_hashes_gh() / elapsed


def _percent(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole > 0 else 0.0


def _summary_values(model: HydroModel, now: float) -> dict[str, Value]:
    rate_5s, rate_av = _rates(model, now)
    elapsed = model.elapsed(now)
    minutes = max(elapsed, 1) / 60.0
    accepted, rejected = model.shares()
    diff1 = model.diff1_work()
    hw = model.hardware_errors()
    hashing_seconds = max(0.0, elapsed - 30.0)
    getworks = int(hashing_seconds / 40) + (1 if model.running_pools else 0)
    get_failures = 0 if model.running_pools else int(elapsed / 30)
    return {
        "Elapsed": elapsed,
        "GHS 5s": significant(rate_5s, 7),
        "GHS av": rate_av,
        "Found Blocks": 0,
        "Getworks": getworks,
        "Accepted": accepted,
        "Rejected": rejected,
        "Hardware Errors": hw,
        "Utility": accepted / minutes,
        "Discarded": getworks * 22,
        "Stale": 0,
        "Get Failures": get_failures,
        "Local Work": int(diff1 / 64),
        "Remote Failures": 0,
        "Network Blocks": int(elapsed / 600),
        "Total MH": model.total_hashes_gh() * 1000.0,
        "Work Utility": diff1 / minutes,
        "Difficulty Accepted": float(accepted * POOL_DIFFICULTY),
        "Difficulty Rejected": float(rejected * POOL_DIFFICULTY),
        "Difficulty Stale": 0.0,
        "Best Share": int(diff1 * 0.6),
        "Device Hardware%": _percent(hw, hw + diff1),
        "Device Rejected%": _percent(rejected * POOL_DIFFICULTY, diff1),
        "Pool Rejected%": _percent(rejected, accepted + rejected),
        "Pool Stale%": 0.0,
        "Last getwork": int(now) if model.running_pools else 0,
    }


def _summary(model: HydroModel, now: float) -> Section:
    status = F.COMMAND_STATUS["summary"]
    return Section(
        _status_record("S", int(now), status.code, status.msg),
        status.section,
        (build(F.SUMMARY_FIELDS, _summary_values(model, now)),),
        text_prefix="SUMMARY,",
    )


def _ago(seconds: float | None) -> str:
    if seconds is None:
        return "0"
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _stratum_host(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return rest.rsplit(":", 1)[0] if ":" in rest else rest


def _pool_values(model: HydroModel, now: float) -> list[dict[str, Value]]:
    active = model.active_pool()
    accepted, rejected = model.shares()
    elapsed = model.elapsed(now)
    out: list[dict[str, Value]] = []
    for index, pool in enumerate(model.pools):
        is_active = index == active
        got = (accepted, rejected) if is_active else (0, 0)
        getworks = (int(max(0, elapsed - 30) / 40) + 1) if is_active else (1 if pool.alive else 0)
        out.append(
            {
                "POOL": index,
                "URL": pool.url,
                "Status": "Alive" if pool.alive else "Dead",
                "Priority": index,
                "Quota": 1,
                "Long Poll": "N",
                "Getworks": getworks,
                "Accepted": got[0],
                "Rejected": got[1],
                "Discarded": getworks * 22 if is_active else 0,
                "Stale": 0,
                "Get Failures": 0 if pool.alive or not pool.url else int(elapsed / 30),
                "Remote Failures": 0,
                "User": pool.user,
                "Last Share Time": _ago(model.seconds_since_share(now)) if is_active else "0",
                "Diff": "65.5K" if pool.alive else "",
                "Diff1 Shares": 0,
                "Proxy Type": "",
                "Proxy": "",
                "Difficulty Accepted": float(got[0] * POOL_DIFFICULTY),
                "Difficulty Rejected": float(got[1] * POOL_DIFFICULTY),
                "Difficulty Stale": 0.0,
                "Last Share Difficulty": float(POOL_DIFFICULTY) if got[0] else 0.0,
                "Has Stratum": pool.alive,
                "Stratum Active": is_active,
                "Stratum URL": _stratum_host(pool.url) if is_active else "",
                "Has GBT": False,
                "Best Share": int(model.diff1_work() * 0.6) if is_active else 0,
                "Pool Rejected%": _percent(got[1], got[0] + got[1]),
                "Pool Stale%": 0.0,
            }
        )
    return out


def _pools(model: HydroModel, now: float) -> Section:
    status = F.COMMAND_STATUS["pools"]
    values = _pool_values(model, now)
    return Section(
        _status_record("S", int(now), status.code, status.msg % len(values)),
        status.section,
        tuple(build(F.POOL_FIELDS, pool) for pool in values),
    )


def _devs(model: HydroModel, now: float) -> Section:
    status = F.COMMAND_STATUS["devs"]
    rate_5s, rate_av = _rates(model, now)
    accepted, rejected = model.shares()
    hw = model.hardware_errors()
    diff1 = model.diff1_work()
    elapsed = model.elapsed(now)
    chips = [
        max(chain.chip_readings(model.flow_factor))
        for chain in model.chains.values()
        if chain.present
    ]
    since = model.seconds_since_share(now)
    active = model.active_pool()
    values: dict[str, Value] = {
        "ASC": 0,
        "Name": "BC5",
        "ID": 0,
        "Enabled": "Y",
        "Status": "Alive" if model.stopped_at is None else "Dead",
        "Temperature": float(max(chips, default=0)),
        "MHS av": rate_av * 1000.0,
        "MHS 5s": rate_5s * 1000.0,
        "Accepted": accepted,
        "Rejected": rejected,
        "Hardware Errors": hw,
        "Utility": accepted / (max(elapsed, 1) / 60.0),
        "Last Share Pool": active if accepted and active is not None else -1,
        "Last Share Time": int(now - since) if since is not None else 0,
        "Total MH": model.total_hashes_gh() * 1000.0,
        "Diff1 Work": int(diff1),
        "Difficulty Accepted": float(accepted * POOL_DIFFICULTY),
        "Difficulty Rejected": float(rejected * POOL_DIFFICULTY),
        "Last Share Difficulty": float(POOL_DIFFICULTY) if accepted else 0.0,
        "Last Valid Work": int(now) if model.hashing(now) else 0,
        "Device Hardware%": _percent(hw, hw + diff1),
        "Device Rejected%": _percent(rejected * POOL_DIFFICULTY, diff1),
        "Device Elapsed": elapsed,
    }
    return Section(
        _status_record("S", int(now), status.code, status.msg % 1),
        status.section,
        (build(F.DEVS_FIELDS, values),),
    )


def _dashed(readings: tuple[int, ...] | None) -> str:
    if readings is None:
        return "NaN-NaN-NaN"
    return "-".join(str(value) for value in readings)


def stats_fields(model: HydroModel) -> tuple[Field, ...]:
    """The ``STATS[1]`` keys this miner prints (old firmware lacks the dash temperatures and
    prints ``frequency`` as a string, as the 2017 source does)."""
    present = [chain.chain for chain in model.chains.values() if chain.present]
    fields = F.stats_device_fields(present)
    if not model.old_firmware:
        return fields
    out: list[Field] = []
    for f in fields:
        if f.key.startswith(("temp_pcb", "temp_chip")):
            continue
        out.append(Field(f.key, "str") if f.key == "frequency" else f)
    return tuple(out)


def _stats_values(model: HydroModel, now: float) -> dict[str, Value]:
    rate_5s, rate_av = _rates(model, now)
    flow_factor = model.flow_factor
    fans = model.fan_speeds(now)
    values: dict[str, Value] = {
        "STATS": 0,
        "ID": "BC50",
        "Elapsed": model.elapsed(now),
        "Calls": 0,
        "Wait": 0.0,
        "Max": 0.0,
        "Min": 99999999.0,
        "GHS 5s": significant(rate_5s, 7),
        "GHS av": rate_av,
        "fan_num": sum(1 for rpm in fans if rpm > 0),
    }
    for index, rpm in enumerate(fans, start=1):
        values[F.FAN.format(index)] = rpm
    present = [chain for chain in model.chains.values() if chain.present]
    values["miner_count"] = len(present)
    frequency = round(sum(c.frequency_mhz for c in present) / len(present)) if present else 0
    values["frequency"] = str(model.frequency_setting) if model.old_firmware else frequency
    values["temp_num"] = len(present)
    chip_max = 0
    total_ideal = 0.0
    total_rate = 0.0
    hw_total = model.hardware_errors()
    for slot in range(1, F.CHAIN_SLOTS + 1):
        chain = model.chains.get(slot)
        if chain is None or not chain.present:
            pcb: tuple[int, ...] | None = None
            chip: tuple[int, ...] | None = None
            values.update(
                {
                    F.TEMP_PCB.format(slot): 0,
                    F.TEMP_CHIP.format(slot): 0,
                    F.TEMP_CHIP2.format(slot): 0,
                    F.FREQ_AVG.format(slot): 0.0,
                    F.CHAIN_RATEIDEAL.format(slot): 0.0,
                    F.CHAIN_ACN.format(slot): 0,
                    F.CHAIN_ACS.format(slot): "",
                    F.CHAIN_HW.format(slot): 0,
                    F.CHAIN_RATE.format(slot): "",
                }
            )
        else:
            pcb = chain.pcb_readings()
            chip = chain.chip_readings(flow_factor)
            rate = model.chain_rate(chain, now)
            chip_max = max(chip_max, chip[0])
            total_ideal += round(chain.ideal_ghs, 2)
            total_rate += rate
            values.update(
                {
                    F.TEMP_PCB.format(slot): max(pcb),
                    F.TEMP_CHIP.format(slot): chip[0],
                    F.TEMP_CHIP2.format(slot): chip[1],
                    F.FREQ_AVG.format(slot): chain.frequency_mhz,
                    F.CHAIN_RATEIDEAL.format(slot): chain.ideal_ghs,
                    F.CHAIN_ACN.format(slot): chain.asics,
                    F.CHAIN_ACS.format(slot): chain.asic_status(),
                    F.CHAIN_HW.format(slot): int(chain.hw_errors),
                    F.CHAIN_RATE.format(slot): significant(rate, 6),
                    f"chain_xtime{slot}": "{}",
                    f"chain_offside_{slot}": "0",
                    f"chain_opencore_{slot}": "0",
                }
            )
        values[F.TEMP_PCB_DASHED.format(slot)] = _dashed(pcb)
        values[F.TEMP_CHIP_DASHED.format(slot)] = _dashed(chip)
    diff1 = model.diff1_work()
    values.update(
        {
            "total_rateideal": total_ideal,
            "total_freqavg": (
                sum(c.frequency_mhz for c in present) / len(present) if present else float("nan")
            ),
            "total_acn": sum(c.asics for c in present),
            "total_rate": total_rate,
            "temp_max": chip_max,
            "Device Hardware%": _percent(hw_total, hw_total + diff1),
            "no_matching_work": hw_total,
            "miner_version": model.miner_version,
        }
    )
    return values


def _stats(model: HydroModel, now: float) -> Section:
    status = F.COMMAND_STATUS["stats"]
    head_values = _version_values(model)
    head = build(F.STATS_HEAD_FIELDS, head_values)
    device = build(stats_fields(model), _stats_values(model, now))
    return Section(
        _status_record("S", int(now), status.code, status.msg),
        status.section,
        (head, device),
        missing_comma=True,
    )


COMMANDS: dict[str, Callable[[HydroModel, float], Section]] = {
    "version": _version,
    "summary": _summary,
    "stats": _stats,
    "pools": _pools,
    "devs": _devs,
}
"""The commands the stock access group runs (fields.STOCK_ALLOWED_COMMANDS)."""


def _run(command: str, model: HydroModel, now: float) -> Section:
    when = int(now)
    if command not in F.KNOWN_COMMANDS:
        return _error(when, F.CODE_INVALID_COMMAND, F.MSG_INVALID_COMMAND)
    if command not in F.STOCK_ALLOWED_COMMANDS:
        return _error(when, F.CODE_ACCESS_DENIED, F.MSG_ACCESS_DENIED % command)
    return COMMANDS[command](model, now)


def answer(raw: bytes, model: HydroModel, now: float) -> bytes:
    """The complete reply to one request, NUL included (``model`` is advanced to ``now``)."""
    model.advance_to(now)
    model.calls += 1
    try:
        request = parse_request(raw)
    except RequestError as error:
        return _error(int(now), error.code, error.msg).to_json_body().encode() + b"\x00"
    if not request.is_json:
        section = _run(request.command, model, now)
        return section.to_text().encode() + b"\x00"
    if "+" not in request.command:
        return _run(request.command, model, now).to_json_body().encode() + b"\x00"
    parts: list[str] = []
    seen: set[str] = set()
    for command in request.command.split("+"):
        if not command or command in seen:
            continue
        seen.add(command)
        parts.append(f"{json_string(command)}:[{_run(command, model, now).to_json_body()}]")
    return ("{" + "".join(p + "," for p in parts) + '"id":1}').encode() + b"\x00"
