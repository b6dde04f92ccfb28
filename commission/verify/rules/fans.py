"""The fan rule: six fans on FAN1-FAN6 reporting and turning, slots 7 and 8 unused."""

from __future__ import annotations

from commission.miner.layout import FAN_HEADERS
from commission.miner.models import FieldKey, MinerSnapshot
from commission.results import Evidence, Status
from commission.verify.limits import Limits
from commission.verify.rules.base import Finding, not_read, rule, unjudged


@rule(
    "fans.reporting",
    title="At least 6 fans turning",
    guide_ref="3",
    reads=("fan.*", FieldKey.FAN_COUNT),
    partial=True,
)
def check_fans(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """Six fans report a speed, and none on FAN1-FAN6 is stalled.

    The accessory spec asks for fans rated at least 3,500 r/min, but that is the rating at full
    duty; the firmware runs them slower when the water is cool (the guide's own status page shows
    2,280 and 1,320 r/min), so here a fan passes when it reports and turns, not at 3,500.
    """
    expected = (
        f">= {limits.fans_required} fans reporting, none on {FAN_HEADERS[0]}-{FAN_HEADERS[-1]} "
        f"below {limits.fan_stalled_below_rpm} r/min"
    )
    if not snapshot.fans:
        return not_read(snapshot, ("fan.*",), expected, "the fan speeds")
    evidence = tuple(
        Evidence(
            label=f"fan {fan.index}", value=f"{fan.rpm} r/min", source=f"rpc stats fan{fan.index}"
        )
        for fan in snapshot.fans
    )
    usable = [fan for fan in snapshot.fans if snapshot.usable(FieldKey.fan(fan.index))]
    turning = [fan for fan in usable if fan.rpm >= limits.fan_stalled_below_rpm]
    stalled = [
        fan
        for fan in usable
        if 1 <= fan.index <= len(FAN_HEADERS) and fan.rpm < limits.fan_stalled_below_rpm
    ]
    reported = {fan.index for fan in snapshot.fans}
    absent = [i for i in range(1, len(FAN_HEADERS) + 1) if i not in reported]
    observed = f"{len(turning)} fans turning" + (
        "; stalled: " + ", ".join(f"{FAN_HEADERS[f.index - 1]} {f.rpm} r/min" for f in stalled)
        if stalled
        else ""
    )
    if stalled:
        headers = ", ".join(FAN_HEADERS[f.index - 1] for f in stalled)
        return Finding(
            Status.FAIL,
            expected,
            observed,
            f"the fan on header {headers} is stalled or unplugged: check its plug is pushed fully "
            "home on the control board and nothing blocks the blades; replace the fan if it does "
            "not turn (guide 3)",
            evidence,
        )
    spoilt = snapshot.problems_with(("fan.*", FieldKey.FAN_COUNT))
    if len(turning) >= limits.fans_required and not absent:
        return Finding(Status.PASS, expected, observed, evidence=evidence)
    if spoilt:
        return unjudged(expected, spoilt, judged=observed, evidence=evidence)
    if absent:
        return Finding(
            Status.UNJUDGED,
            expected,
            f"{observed}; the miner reports no speed for fan " + ", ".join(map(str, absent)),
            "verify again; if the miner keeps leaving fan speeds out, restart it from its web UI",
            evidence,
        )
    return Finding(
        Status.FAIL,
        expected,
        observed,
        f"fit and connect at least {limits.fans_required} fans on headers "
        f"{', '.join(FAN_HEADERS)} (guide 3)",
        evidence,
    )
