"""Rules on hashing: the machine's rate against the nominal, each chain against its own ideal,
and the hardware errors of each chain."""

from __future__ import annotations

from commission.miner.models import ChainReading, FieldKey, MinerSnapshot
from commission.results import Evidence, Status
from commission.verify.limits import Limits
from commission.verify.rules.base import (
    Finding,
    chain_place,
    fmt,
    not_read,
    rule,
    warming_up,
)
from commission.verify.rules.chains import chain_evidence, missing_chains


def band(ratio: float, limits: Limits) -> Status:
    """PASS, WARN or FAIL for a rate as a share of what it should be."""
    if ratio >= limits.hashrate_pass_ratio:
        return Status.PASS
    if ratio >= limits.hashrate_warn_ratio:
        return Status.WARN
    return Status.FAIL


def machine_rate(snapshot: MinerSnapshot) -> tuple[float | None, str]:
    """The real-time rate (5-second, else the average) and the reading key it came from."""
    totals = snapshot.totals
    if totals is None:
        return None, FieldKey.GHS_5S
    if totals.ghs_5s is not None or not snapshot.usable(FieldKey.GHS_5S):
        return totals.ghs_5s, FieldKey.GHS_5S
    return totals.ghs_avg, FieldKey.GHS_AVG


def chain_ratios(snapshot: MinerSnapshot) -> list[tuple[ChainReading, float]]:
    """Each detected chain whose rate and ideal are usable, with its rate as a share of its ideal."""
    out: list[tuple[ChainReading, float]] = []
    for reading in snapshot.chains:
        if not reading.present or not reading.rate_ideal_ghs or reading.rate_ghs is None:
            continue
        keys = (FieldKey.chain(reading.chain, "rate"), FieldKey.chain(reading.chain, "rate_ideal"))
        if all(snapshot.usable(key) for key in keys):
            out.append((reading, reading.rate_ghs / reading.rate_ideal_ghs))
    return out


def weak_chains(snapshot: MinerSnapshot, limits: Limits) -> list[tuple[ChainReading, float]]:
    """Chains below the pass share of their own ideal rate."""
    return [(r, q) for r, q in chain_ratios(snapshot) if q < limits.hashrate_pass_ratio]


def hashrate_action(snapshot: MinerSnapshot, limits: Limits) -> str:
    rate, _ = machine_rate(snapshot)
    if rate is not None and rate < 0.05 * limits.nominal_ghs:
        return (
            "the miner is not hashing: the kernel-log check shows whether the firmware "
            "stopped it (temperature, fans, network); the pool checks show whether it has work"
        )
    weak = weak_chains(snapshot, limits)
    missing = missing_chains(snapshot)
    parts: list[str] = []
    if missing:
        which = ", ".join(map(str, missing))
        parts.append(
            (f"chain {which} is missing" if len(missing) == 1 else f"chains {which} are missing")
            + " (see the chains check)"
        )
    parts.extend(
        f"{chain_place(r.chain)} runs at {ratio:.0%} of its ideal rate" for r, ratio in weak
    )
    if parts:
        return (
            "; ".join(parts)
            + ": check those boards' PCIe power and cooling, then the HW error and temperature checks"
        )
    return (
        "no single chain stands out: check the PSU (12 V, at least 170 A) and its PCIe cables, "
        "and the temperatures"
    )


@rule(
    "hashrate.nominal",
    title="Hash rate near 18.0 TH/s",
    guide_ref="1.2",
    reads=(FieldKey.GHS_5S, FieldKey.ELAPSED),
)
def check_hashrate_nominal(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """After warm-up the real-time hash rate is within the band around the nominal 18.0 TH/s."""
    low = limits.nominal_ths * limits.hashrate_pass_ratio
    expected = (
        f">= {low:.1f} TH/s ({limits.hashrate_pass_ratio:.0%} of the nominal "
        f"{limits.nominal_ths:.1f} TH/s) after {limits.warmup_s} s"
    )
    rate, key = machine_rate(snapshot)
    totals = snapshot.totals
    if totals is None or rate is None:
        return not_read(snapshot, (key,), expected, "the hash rate")
    if (warming := warming_up(snapshot, limits, expected)) is not None:
        return warming
    ratio = rate / limits.nominal_ghs
    evidence = (
        Evidence(
            label="GH/s (5 s)" if key == FieldKey.GHS_5S else "GH/s (average)",
            value=fmt(rate, 2),
            source="rpc summary GHS 5s" if key == FieldKey.GHS_5S else "rpc summary GHS av",
        ),
        Evidence(
            label="elapsed",
            value="not reported" if totals.elapsed_s is None else f"{totals.elapsed_s} s",
            source="rpc summary Elapsed",
        ),
    )
    observed = f"{rate / 1000:.2f} TH/s ({ratio:.0%} of nominal)"
    status = band(ratio, limits)
    action = "" if status is Status.PASS else hashrate_action(snapshot, limits)
    return Finding(status, expected, observed, action, evidence, reads=(key, FieldKey.ELAPSED))


@rule(
    "hashrate.ideal",
    title="Hash rate near the firmware's ideal",
    guide_ref="7",
    reads=(
        FieldKey.GHS_5S,
        FieldKey.GHS_IDEAL,
        FieldKey.ELAPSED,
        "chain.*.rate",
        "chain.*.rate_ideal",
    ),
    partial=True,
)
def check_hashrate_ideal(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """After warm-up the machine and every chain run within the band of their own ideal rate."""
    expected = (
        f">= {limits.hashrate_pass_ratio:.0%} of the ideal rate (GH/S ideal) after "
        f"{limits.warmup_s} s, on every chain"
    )
    totals = snapshot.totals
    rate, key = machine_rate(snapshot)
    reads = (key, FieldKey.GHS_IDEAL, FieldKey.ELAPSED, "chain.*.rate", "chain.*.rate_ideal")
    if totals is None or not totals.ghs_ideal:
        return not_read(snapshot, (FieldKey.GHS_IDEAL,), expected, "the ideal hash rate")
    if rate is None:
        return not_read(snapshot, (key,), expected, "the hash rate")
    if (warming := warming_up(snapshot, limits, expected)) is not None:
        return warming
    ratio = rate / totals.ghs_ideal
    ratios = chain_ratios(snapshot)
    detected = [r for r in snapshot.chains if r.present]
    evidence = (
        Evidence(label="GH/s (5 s)", value=fmt(rate, 2), source="rpc stats GHS 5s"),
        Evidence(
            label="GH/s ideal", value=fmt(totals.ghs_ideal, 2), source="rpc stats total_rateideal"
        ),
        *(
            chain_evidence(
                r,
                "GH/s",
                f"{fmt(r.rate_ghs or 0.0, 2)} of {fmt(r.rate_ideal_ghs or 0.0, 2)} ({q:.0%})",
                f"chain_rate{r.chain}",
            )
            for r, q in ratios
        ),
    )
    machine_usable = all(snapshot.usable(k) for k in (key, FieldKey.GHS_IDEAL, FieldKey.ELAPSED))
    # An unusable machine rate cannot fail the rule; the chains' own rates still can.
    status = band(ratio, limits) if machine_usable else Status.PASS
    weak = [(r, q) for r, q in ratios if q < limits.hashrate_pass_ratio]
    for _, q in weak:
        status = max(status, band(q, limits), key=lambda s: s.rank)
    observed = f"{ratio:.1%} of ideal overall" + (
        "; weak: " + ", ".join(f"chain {r.chain} {q:.0%}" for r, q in weak) if weak else ""
    )
    if status is Status.PASS and len(ratios) < len(detected):
        unjudged_chains = sorted({r.chain for r in detected} - {r.chain for r, _ in ratios})
        return Finding(
            Status.UNJUDGED,
            expected,
            f"{observed}; chain {', '.join(map(str, unjudged_chains))} reports no usable rate "
            "or ideal rate, so it cannot be judged",
            "verify again; if a chain keeps reporting no rate, restart the miner",
            evidence,
            reads,
        )
    action = "" if status is Status.PASS else hashrate_action(snapshot, limits)
    return Finding(status, expected, observed, action, evidence, reads)


# 2^32 hashes make one difficulty-1 share: per-chain error shares are estimated from the rates.


def chain_error_shares(
    snapshot: MinerSnapshot, device_pct: float
) -> list[tuple[ChainReading, float]]:
    """Each detected chain with an estimate of its own Hardware% (wrong nonces of its work).

    The machine's Device Hardware% is spread over the chains by their share of the errors and
    of the work (their ideal rates, or equal shares when those are not reported): a chain with
    all of 900 errors but a twelfth of the work has twelve times the machine's share.
    """
    detected = [
        r
        for r in snapshot.chains
        if r.present and snapshot.usable(FieldKey.chain(r.chain, "hw_errors"))
    ]
    errors = sum(r.hw_errors for r in detected)
    if not detected or errors <= 0:
        return [(r, 0.0) for r in detected]
    ideals = [r.rate_ideal_ghs or 0.0 for r in detected]
    work_total = sum(ideals) if all(ideals) else float(len(detected))
    out: list[tuple[ChainReading, float]] = []
    for reading, ideal in zip(detected, ideals, strict=True):
        work_share = (ideal if all(ideals) else 1.0) / work_total
        error_share = reading.hw_errors / errors
        out.append((reading, min(100.0, device_pct * error_share / work_share)))
    return out


@rule(
    "hashrate.hw_errors",
    title="Hardware error rate",
    guide_ref="7",
    reads=(FieldKey.DEVICE_HW_PCT, FieldKey.ELAPSED, "chain.*.hw_errors"),
    partial=True,
)
def check_hw_errors(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """Few wrong nonces (Device Hardware%) on the machine and on each chain; bad chains named."""
    expected = (
        f"Device Hardware% <= {limits.hw_error_warn_pct:g} % on the machine and on each chain"
    )
    totals = snapshot.totals
    if totals is None or totals.device_hw_pct is None:
        return not_read(snapshot, (FieldKey.DEVICE_HW_PCT,), expected, "the hardware error rate")
    if (warming := warming_up(snapshot, limits, expected)) is not None:
        return warming
    pct = totals.device_hw_pct
    shares = chain_error_shares(snapshot, pct)

    def status_of(value: float) -> Status:
        if value <= limits.hw_error_warn_pct:
            return Status.PASS
        return Status.WARN if value <= limits.hw_error_fail_pct else Status.FAIL

    bad = sorted(
        ((r, q) for r, q in shares if status_of(q) is not Status.PASS),
        key=lambda item: -item[1],
    )
    evidence: tuple[Evidence, ...] = (
        Evidence(label="Device Hardware%", value=f"{pct:g}", source="rpc summary Device Hardware%"),
        Evidence(
            label="HW errors", value=str(totals.hw_errors), source="rpc summary Hardware Errors"
        ),
        *(
            chain_evidence(r, "HW errors", f"{r.hw_errors} (about {q:.3g} %)", f"chain_hw{r.chain}")
            for r, q in (bad or [max(shares, key=lambda item: item[0].hw_errors)] if shares else [])
            if r.hw_errors
        ),
    )
    status = status_of(pct)
    for _, q in bad:
        status = max(status, status_of(q), key=lambda s: s.rank)
    observed = f"{pct:g} % ({totals.hw_errors} errors)" + (
        "; " + ", ".join(f"chain {r.chain}: {r.hw_errors} errors, about {q:.3g} %" for r, q in bad)
        if bad
        else ""
    )
    if status is Status.PASS:
        return Finding(Status.PASS, expected, observed, evidence=evidence)
    if bad:
        where = (
            "; ".join(f"{chain_place(r.chain)} returns {q:.3g} % wrong nonces" for r, q in bad)
            + ": check that board's temperature and PCIe power"
        )
    else:
        where = (
            "the errors are spread over the chains: check the boards' temperatures and the "
            "PSU's PCIe cables"
        )
    return Finding(
        status,
        expected,
        observed,
        where + "; errors that persist after a restart mean the hash board needs repair",
        evidence,
    )
