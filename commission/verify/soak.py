"""The commissioning soak: watch a running miner for minutes and judge whether it is stable.

The guide asks for a commissioning run of about 20 minutes once the water loop runs. The soak
samples the miner every few seconds and judges every sample with the snapshot rules (chains, fans,
temperatures, pools, hardware errors: :data:`SOAK_RULES`), then judges the series with
:func:`judge_soak`: every sample answered; no bmminer restart or reboot (Elapsed going back), no
fall of the rate to zero, no chain coming or going; the hash rate over the whole soak after the
warm-up within its band; each board settled (not still rising) and clear of the cut-off; no fatal
line in the kernel log. A soak that could not read what it needs (no sample after the warm-up, a
kernel log never read) is NOT JUDGED, never PASS.

A miner that answered when the run began and stops answering during the soak FAILS it: under
load that is what a crash, a reboot or a tripped PSU looks like from the network, and a
commissioning run that ends that way has not shown the miner stable. (A single missed sample is
only a warning.)

Time comes from an injected clock, so a test drives a 20-minute soak against a simulator on a
manual clock in about a second.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from commission.errors import MinerError
from commission.miner.models import MinerSnapshot
from commission.results import Evidence, Status, worst
from commission.verify.limits import DEFAULT_LIMITS, Limits
from commission.verify.report import SampleFinding, SoakSample, SoakSeries
from commission.verify.rules import (
    SNAPSHOT_RULES,
    Finding,
    Rule,
    apply_rule,
    board_hot_action,
    board_temperatures,
    fatal_action,
    fatal_lines,
    loop_action,
)


class SoakClock(Protocol):
    """The time source of a soak (the simulator's clocks have this shape too)."""

    def now(self) -> float:
        """Seconds on this clock (only differences are used)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Return once ``seconds`` have passed on this clock."""
        ...


class SystemClock:
    """Real time: :func:`time.monotonic` and :func:`asyncio.sleep`."""

    def now(self) -> float:
        """Monotonic seconds."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of real time."""
        await asyncio.sleep(max(0.0, seconds))


class SnapshotSource(Protocol):
    """The part of a miner client the soak uses."""

    @property
    def host(self) -> str:
        """The miner's address."""
        ...

    async def snapshot(self, *, web: bool = True) -> MinerSnapshot:
        """Read the miner once."""
        ...


@dataclass(frozen=True)
class SoakProgress:
    """Reported after each sample: how far the soak is and the latest reading."""

    host: str
    done_s: float
    total_s: float
    sample: SoakSample


ProgressCallback = Callable[[SoakProgress], None]


SERIES_RULES: Final = ("hashrate.nominal", "hashrate.ideal")
"""Judged over the whole soak rather than per sample: one 5-second rate is too noisy to fail on."""
_NOT_PER_SAMPLE: Final = ("identity.", "security.", "log.")
"""Rules that need the web UI (not read on every sample) or that cannot change during a run."""

SOAK_RULES: Final[tuple[Rule, ...]] = tuple(
    rule
    for rule in SNAPSHOT_RULES
    if rule.rule_id not in SERIES_RULES and not rule.rule_id.startswith(_NOT_PER_SAMPLE)
)
"""The snapshot rules applied to every soak sample (chains, fans, temperatures, pools, HW errors)."""

RESTART_SLACK_S: Final = 10.0
"""Elapsed may lag our clock by this much (plus 2 %) between samples before it counts as a
restart: the miner's seconds and ours are read over a network."""
STOPPED_BELOW_RATIO: Final = 0.05
"""A rate below 5 % of nominal after the miner hashed counts as "fell to zero"."""
HASHING_RATIO: Final = 0.5
"""A rate above half the nominal counts as hashing, for the fall-to-zero check."""
MIN_WARM_SAMPLES: Final = 3
"""The fewest samples after the warm-up on which the soak judges the hash rate."""


def _judged_rules(
    snapshot: MinerSnapshot, limits: Limits
) -> tuple[dict[str, Status], tuple[SampleFinding, ...]]:
    statuses: dict[str, Status] = {}
    findings: list[SampleFinding] = []
    for rule in SOAK_RULES:
        finding = apply_rule(rule, snapshot, limits)
        statuses[rule.rule_id] = finding.status
        if finding.status not in (Status.PASS, Status.SKIPPED):
            findings.append(
                SampleFinding(
                    rule_id=rule.rule_id,
                    status=finding.status,
                    observed=finding.observed,
                    action=finding.action,
                )
            )
    return statuses, tuple(findings)


def sample_of(
    snapshot: MinerSnapshot, offset_s: float, limits: Limits = DEFAULT_LIMITS
) -> SoakSample:
    """Reduce one snapshot to the figures a soak keeps, with the soak rules' verdicts on it."""
    boards = board_temperatures(snapshot)
    pcb = {board: t for board, (t, _) in boards.items() if t is not None}
    chips = [t for _, t in boards.values() if t is not None]
    totals = snapshot.totals
    rate = None
    if totals is not None:
        rate = totals.ghs_5s if totals.ghs_5s is not None else totals.ghs_avg
    problems = "; ".join(f"{p.source}: {p.message}" for p in snapshot.problems)
    if totals is None and problems:
        return SoakSample(offset_s=round(offset_s, 3), error=problems)
    statuses, findings = _judged_rules(snapshot, limits)
    return SoakSample(
        offset_s=round(offset_s, 3),
        elapsed_s=None if totals is None else totals.elapsed_s,
        ghs_5s=rate,
        pcb_c=pcb,
        chip_max_c=max(chips, default=None),
        fans_turning=(
            sum(1 for fan in snapshot.fans if fan.rpm >= limits.fan_stalled_below_rpm)
            if snapshot.fans
            else None
        ),
        chains=tuple(r.chain for r in snapshot.chains if r.present) if snapshot.chains else None,
        rules=statuses,
        findings=findings,
    )


async def run_soak(
    client: SnapshotSource,
    minutes: float,
    *,
    clock: SoakClock,
    limits: Limits = DEFAULT_LIMITS,
    on_sample: ProgressCallback | None = None,
) -> SoakSeries:
    """Sample ``client`` every ``limits.soak_interval_s`` for ``minutes`` and keep the series.

    A sample the miner does not answer is kept with its error (never dropped), so the judgement
    sees the gap. The last sample is taken at the end of the run.

    Args:
        client: the miner.
        minutes: how long to watch.
        clock: time source (real, or a manual clock in tests).
        limits: the sampling interval and judging limits.
        on_sample: called after every sample (progress display).
    """
    total_s = max(0.0, minutes * 60.0)
    interval = limits.soak_interval_s
    start = clock.now()
    samples: list[SoakSample] = []
    tick = 0
    while True:
        offset = clock.now() - start
        try:
            snapshot = await client.snapshot(web=False)
        except MinerError as error:
            sample = SoakSample(offset_s=round(offset, 3), error=f"{type(error).__name__}: {error}")
        else:
            sample = sample_of(snapshot, offset, limits)
        samples.append(sample)
        if on_sample is not None:
            on_sample(SoakProgress(client.host, min(offset, total_s), total_s, sample))
        if offset >= total_s:
            break
        tick += 1
        target = min(tick * interval, total_s)
        await clock.sleep(max(0.0, target - (clock.now() - start)))
    return SoakSeries(minutes=minutes, interval_s=interval, samples=tuple(samples))


def _rise(points: Sequence[tuple[float, float]]) -> float:
    """Temperature change over the points' time span from a least-squares line (deg C)."""
    if len(points) < 2:
        return 0.0
    xs = [x for x, _ in points]
    if max(xs) == min(xs):
        return 0.0
    slope, _ = statistics.linear_regression(xs, [y for _, y in points])
    return slope * (max(xs) - min(xs))


def _settle_window(good: Sequence[SoakSample], limits: Limits) -> list[SoakSample]:
    with_temps = [s for s in good if s.pcb_c]
    if not with_temps:
        return []
    end = with_temps[-1].offset_s
    span = min(limits.soak_settle_window_s, (end - with_temps[0].offset_s) / 2)
    return [s for s in with_temps if s.offset_s >= end - span]


@dataclass
class _Verdict:
    """What the parts of the soak judgement found, gathered into one finding."""

    statuses: list[Status]
    notes: list[str]
    actions: list[str]
    evidence: list[Evidence]

    def add(self, status: Status, note: str, action: str = "", *evidence: Evidence) -> None:
        self.statuses.append(status)
        self.notes.append(note)
        if action:
            self.actions.append(action)
        self.evidence.extend(evidence)


def _judge_answers(series: SoakSeries, verdict: _Verdict) -> None:
    samples = series.samples
    failed = series.failed
    if not failed:
        return
    longest = run = 0
    for sample in samples:
        run = run + 1 if sample.error else 0
        longest = max(longest, run)
    stopped = bool(samples[-1].error)
    share = len(failed) / len(samples)
    serious = stopped or longest >= 2 or share > 0.1
    verdict.add(
        Status.FAIL if serious else Status.WARN,
        f"{len(failed)} of {len(samples)} samples unanswered"
        + (" (stopped answering)" if stopped else "")
        + (f", first at +{failed[0].offset_s:.0f} s" if failed else ""),
        "the miner stopped answering during the run, which under load means it crashed, rebooted "
        "or lost power or network: check the PSU and its 12 V leads, the network cable, and the "
        "kernel log for a restart or a fatal line, then run the soak again",
        *(
            Evidence(label=f"no answer at +{s.offset_s:.0f} s", value=s.error, source="soak sample")
            for s in failed[:5]
        ),
    )


def _judge_restarts(good: Sequence[SoakSample], limits: Limits, verdict: _Verdict) -> None:
    restarts: list[tuple[SoakSample, SoakSample]] = []
    stops: list[SoakSample] = []
    changes: list[tuple[SoakSample, set[int], set[int]]] = []
    hashing = False
    first_chains = next((set(s.chains) for s in good if s.chains is not None), None)
    previous: SoakSample | None = None
    for sample in good:
        if previous is not None and previous.elapsed_s is not None and sample.elapsed_s is not None:
            passed = sample.offset_s - previous.offset_s
            if sample.elapsed_s + RESTART_SLACK_S + 0.02 * passed < previous.elapsed_s + passed:
                restarts.append((previous, sample))
        rate = sample.ghs_5s
        if rate is not None:
            if rate >= limits.nominal_ghs * HASHING_RATIO:
                hashing = True
            elif hashing and rate < limits.nominal_ghs * STOPPED_BELOW_RATIO:
                stops.append(sample)
                hashing = False
        if first_chains is not None and sample.chains is not None:
            now = set(sample.chains)
            if now != first_chains:
                changes.append((sample, first_chains - now, now - first_chains))
                first_chains = now
        previous = sample
    if restarts:
        before, after = restarts[0]
        verdict.add(
            Status.FAIL,
            f"bmminer restarted or the miner rebooted {len(restarts)} time"
            + ("s" if len(restarts) != 1 else "")
            + f" (Elapsed {before.elapsed_s} s at +{before.offset_s:.0f} s, then "
            f"{after.elapsed_s} s at +{after.offset_s:.0f} s)",
            "bmminer restarts by itself: read the kernel log around each restart (a fatal line, "
            "a chain or PSU fault), check the PSU's 12 V leads and the boards' PCIe connectors, "
            "and run the soak again; a miner that keeps restarting needs repair",
            *(
                Evidence(
                    label=f"restart between +{b.offset_s:.0f} s and +{a.offset_s:.0f} s",
                    value=f"Elapsed {b.elapsed_s} s -> {a.elapsed_s} s",
                    source="soak rpc Elapsed",
                )
                for b, a in restarts[:5]
            ),
        )
    if stops:
        verdict.add(
            Status.FAIL,
            f"the hash rate fell to zero {len(stops)} time"
            + ("s" if len(stops) != 1 else "")
            + f", first at +{stops[0].offset_s:.0f} s",
            "the miner stopped hashing during the run: the kernel-log check shows "
            "whether the firmware stopped it (temperature, fans, network)",
            *(
                Evidence(
                    label=f"GH/s at +{s.offset_s:.0f} s",
                    value=f"{s.ghs_5s or 0.0:,.2f}",
                    source="soak rpc GHS 5s",
                )
                for s in stops[:3]
            ),
        )
    if changes:
        sample, lost, gained = changes[0]
        what = "; ".join(
            part
            for part in (
                "lost chain " + ", ".join(map(str, sorted(lost))) if lost else "",
                "gained chain " + ", ".join(map(str, sorted(gained))) if gained else "",
            )
            if part
        )
        verdict.add(
            Status.FAIL,
            f"the chains changed during the run ({what} at +{sample.offset_s:.0f} s)",
            "a chain that comes and goes has a loose PCIe connector or ribbon cable: power off, "
            "reseat that board's three PCIe leads and its ribbon cable, and run the soak again",
            Evidence(
                label=f"chains at +{sample.offset_s:.0f} s",
                value=", ".join(map(str, sample.chains or ())),
                source="soak rpc stats chain_acn",
            ),
        )


def _judge_rules(good: Sequence[SoakSample], verdict: _Verdict) -> None:
    for rule in SOAK_RULES:
        seen = [s for s in good if rule.rule_id in s.rules]
        if not seen:
            continue
        by_status: dict[Status, list[SoakSample]] = {}
        for sample in seen:
            by_status.setdefault(sample.rules[rule.rule_id], []).append(sample)
        bad = (
            by_status.get(Status.FAIL) or by_status.get(Status.ERROR) or by_status.get(Status.WARN)
        )
        judged = [s for s in seen if s.rules[rule.rule_id].judged]
        if bad:
            status = bad[0].rules[rule.rule_id]
            first = next(f for f in bad[0].findings if f.rule_id == rule.rule_id)
            verdict.add(
                Status.UNJUDGED if status is Status.ERROR else status,
                f"{rule.rule_id} {status.word} in {len(bad)} of {len(seen)} samples (first at "
                f"+{bad[0].offset_s:.0f} s: {first.observed})",
                first.action,
                Evidence(
                    label=f"{rule.rule_id} at +{bad[0].offset_s:.0f} s",
                    value=first.observed,
                    source="soak sample",
                ),
            )
        elif not judged:
            unjudged = next(f for f in seen[-1].findings if f.rule_id == rule.rule_id)
            verdict.add(
                Status.UNJUDGED,
                f"{rule.rule_id} not judged in any sample ({unjudged.observed})",
                unjudged.action,
            )


def _judge_rate(good: Sequence[SoakSample], limits: Limits, verdict: _Verdict) -> None:
    warm = [
        s
        for s in good
        if s.ghs_5s is not None and s.elapsed_s is not None and s.elapsed_s >= limits.warmup_s
    ]
    if len(warm) < MIN_WARM_SAMPLES:
        verdict.add(
            Status.UNJUDGED,
            f"hash rate not judged: {len(warm)} samples after the {limits.warmup_s / 60:g}-min "
            "warm-up",
            "run the soak once the miner has warmed up (--wait-ready), or longer",
        )
        return
    band = limits.nominal_ghs * limits.hashrate_pass_ratio
    in_band = sum(1 for s in warm if (s.ghs_5s or 0.0) >= band) / len(warm)
    median = statistics.median(s.ghs_5s or 0.0 for s in warm)
    note = (
        f"median {median / 1000:.2f} TH/s over {len(warm)} samples after the warm-up, "
        f"{in_band:.0%} in band"
    )
    evidence = Evidence(label="median GH/s", value=f"{median:,.2f}", source="soak rpc GHS 5s")
    if in_band >= limits.soak_in_band_share:
        verdict.add(Status.PASS, note, "", evidence)
    elif median >= limits.nominal_ghs * limits.hashrate_warn_ratio:
        verdict.add(
            Status.WARN,
            note,
            "the hash rate dipped out of its band: see the hash-rate checks",
            evidence,
        )
    else:
        verdict.add(
            Status.FAIL,
            note,
            "the hash rate stayed low: see the chain and hash-rate checks",
            evidence,
        )


def _judge_temperatures(good: Sequence[SoakSample], limits: Limits, verdict: _Verdict) -> None:
    window = _settle_window(good, limits)
    if not window:
        verdict.add(
            Status.UNJUDGED,
            "temperatures not read in any sample",
            "check that the miner reports its board temperatures (stats), then run the soak again",
        )
        return
    boards = sorted({b for s in window for b in s.pcb_c})
    span = window[-1].offset_s - window[0].offset_s
    warming = window[0].elapsed_s is not None and window[0].elapsed_s < limits.warmup_s
    hottest = {board: max(s.pcb_c[board] for s in good if board in s.pcb_c) for board in boards}
    level = {
        board: statistics.fmean(s.pcb_c[board] for s in window if board in s.pcb_c)
        for board in boards
    }
    rises = {
        board: _rise([(s.offset_s, s.pcb_c[board]) for s in window if board in s.pcb_c])
        for board in boards
    }
    verdict.evidence.extend(
        Evidence(
            label=f"hash board {board} PCB",
            value=f"{level[board]:.1f} °C over the last {span / 60:.1f} min ({rises[board]:+.1f} °C), "
            f"hottest {hottest[board]:.0f} °C",
            source="soak rpc temp_pcb",
        )
        for board in boards
    )
    near = [b for b in boards if hottest[b] >= limits.pcb_cutoff_c or level[b] >= limits.pcb_fail_c]
    close = [b for b in boards if b not in near and level[b] >= limits.pcb_warn_c]
    climbing = [b for b in boards if rises[b] >= limits.soak_settle_rise_c]
    top = max(boards, key=lambda b: hottest[b])
    note = (
        f"hottest PCB {hottest[top]:.0f} °C (hash board {top}), rising "
        f"{max(rises.values()):+.1f} °C over the last {span / 60:.1f} min"
    )

    def where(chosen: Sequence[int]) -> str:
        return (
            board_hot_action(chosen[0])
            if len(chosen) == 1 and len(boards) > 1
            else loop_action(limits)
        )

    if near:
        verdict.add(
            Status.FAIL,
            note + "; at the cut-off: hash board " + ", ".join(map(str, near)),
            where(near),
        )
    if climbing:
        names = ", ".join(map(str, climbing))
        if warming and not near and not close:
            verdict.add(
                Status.UNJUDGED,
                note + f"; hash board {names} still warming up, not settled yet",
                "run the soak longer, or once the miner has warmed up (--wait-ready)",
            )
        else:
            verdict.add(Status.FAIL, note + f"; still rising: hash board {names}", where(climbing))
    if close and not climbing:
        verdict.add(
            Status.WARN,
            note + "; close to the cut-off: hash board " + ", ".join(map(str, close)),
            where(close),
        )
    if not near and not climbing and not close:
        verdict.add(Status.PASS, note + "; settled")


def _judge_logs(
    kernel_log: Sequence[str] | None,
    console_lines: Sequence[str] | None,
    limits: Limits,
    verdict: _Verdict,
) -> None:
    fatal = [("kernel log", n, t) for n, t in fatal_lines(kernel_log or ())] + [
        ("console", n, t) for n, t in fatal_lines(console_lines or ())
    ]
    if fatal:
        verdict.add(Status.FAIL, f"{len(fatal)} fatal lines")
        verdict.evidence.extend(
            Evidence(label="fatal line", value=text, source=f"{where} line {n}")
            for where, n, text in fatal
        )
        verdict.actions.extend(dict.fromkeys(fatal_action(text, limits) for _, _, text in fatal))
    elif kernel_log is None and console_lines is None:
        verdict.add(
            Status.UNJUDGED,
            "the kernel log was never read, so a firmware stop cannot be ruled out",
            "give the miner's web UI password ($COMMISSION_WEB_PASSWORD) and make sure its web "
            "port answers, or read the serial console (--console), then run the soak again",
        )
    else:
        verdict.add(Status.PASS, "no fatal line")


def judge_soak(
    series: SoakSeries,
    *,
    kernel_log: Sequence[str] | None = None,
    console_lines: Sequence[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Finding:
    """Judge a soak (see the module docstring for what each part checks).

    Args:
        series: the samples.
        kernel_log: the kernel log read at the end (None when it could not be read).
        console_lines: serial console lines read during the soak (None without a console).
        limits: the bands.
    """
    expected = (
        f"{series.minutes:g} min (the guide's run: {limits.soak_minutes:g}) answering every "
        "sample, no restart, every sample passing the chain, fan, temperature and pool checks, "
        f">= {limits.soak_in_band_share:.0%} of warmed-up samples at >= "
        f"{limits.nominal_ths * limits.hashrate_pass_ratio:.1f} TH/s, every board below "
        f"{limits.pcb_warn_c:.0f} °C and rising < {limits.soak_settle_rise_c:g} °C over the "
        f"last {limits.soak_settle_window_s / 60:g} min, no fatal line"
    )
    verdict = _Verdict(
        [],
        [],
        [],
        [Evidence(label="samples", value=str(len(series.samples)), source="soak series")],
    )
    good = [s for s in series.samples if not s.error]
    if not series.samples:
        verdict.add(Status.UNJUDGED, "no sample was taken", "run the soak again")
    else:
        _judge_answers(series, verdict)
    if good:
        _judge_restarts(good, limits, verdict)
        _judge_rules(good, verdict)
        _judge_rate(good, limits, verdict)
        _judge_temperatures(good, limits, verdict)
    elif series.samples:
        verdict.add(Status.UNJUDGED, "no sample could be read")
    _judge_logs(kernel_log, console_lines, limits, verdict)
    status = worst(verdict.statuses) if verdict.statuses else Status.UNJUDGED
    observed = f"{len(series.samples)} samples over {series.minutes:g} min: " + "; ".join(
        verdict.notes
    )
    return Finding(
        status,
        expected,
        observed,
        "" if status is Status.PASS else "; ".join(dict.fromkeys(verdict.actions)),
        tuple(verdict.evidence),
    )
