"""Rules on who the miner is: the model and the firmware build date."""

from __future__ import annotations

from commission.miner.models import FieldKey, MinerSnapshot
from commission.results import Evidence, Status
from commission.verify.limits import Limits
from commission.verify.rules.base import Finding, not_read, rule, unjudged


@rule("identity.model", title="Miner is an S9 Hydro", guide_ref="1.2", reads=(FieldKey.MODEL,))
def check_model(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """The firmware's type string names the S9 Hydro, and every source names the same model."""
    expected = f"type {limits.miner_type!r} (in version, stats and the web UI alike)"
    identity = snapshot.identity
    if identity is None or not identity.miner_type:
        return not_read(snapshot, (FieldKey.MODEL,), expected, "the miner type")
    evidence = (Evidence(label="type", value=identity.miner_type, source="rpc version Type"),)
    if spoilt := snapshot.problems_with((FieldKey.MODEL,)):
        return unjudged(expected, spoilt, evidence=evidence)
    if identity.miner_type.strip().lower() == limits.miner_type.lower():
        return Finding(Status.PASS, expected, identity.miner_type, evidence=evidence)
    return Finding(
        Status.FAIL,
        expected,
        identity.miner_type,
        "this is not an S9 Hydro: check that the address belongs to the miner you are "
        "commissioning (press its IP Report button to confirm); these limits are for the S9 Hydro",
        evidence,
    )


@rule(
    "identity.firmware",
    title="Firmware build date",
    guide_ref="8.1",
    reads=(FieldKey.FIRMWARE_DATE,),
)
def check_firmware(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """The firmware was built on or after the guide's reference version (and not in the future)."""
    expected = f"built on or after {limits.firmware_min_date:%Y-%m-%d}"
    identity = snapshot.identity
    if identity is None:
        return not_read(snapshot, (FieldKey.FIRMWARE_DATE,), expected, "the firmware version")
    evidence = (
        Evidence(
            label="compile time", value=identity.compile_time, source="rpc version CompileTime"
        ),
    )
    if spoilt := snapshot.problems_with((FieldKey.FIRMWARE_DATE,)):
        return unjudged(expected, spoilt, evidence=evidence)
    if identity.firmware_date is None:
        return Finding(
            Status.WARN,
            expected,
            f"build date not recognised: {identity.compile_time!r}",
            "read the File System Version under System > Overview and compare it with 20180820 "
            "(guide 8.1)",
            evidence,
        )
    built = identity.firmware_date.replace(tzinfo=None)
    observed = f"built {built:%Y-%m-%d}"
    if built.date() >= limits.firmware_min_date.date():
        return Finding(Status.PASS, expected, observed, evidence=evidence)
    return Finding(
        Status.WARN,
        expected,
        observed,
        "upgrade the firmware under System > Upgrade, keeping the miner powered throughout "
        "(guide 8.2)",
        evidence,
    )
