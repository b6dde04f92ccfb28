"""The commissioning soak: watch a running miner for minutes and judge whether it is stable.

The guide asks for a commissioning run of about 20 minutes once the water loop runs. The soak
samples the miner every few seconds, keeps the series, and judges it with :func:`judge_soak`: hash
rate within its band, temperatures settled (not still climbing), no fatal line, and every sample
answered. Time comes from an injected clock, so a test drives a 20-minute soak against a simulator
on a manual clock in about a second.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from commission.errors import MinerError
from commission.miner.models import MinerSnapshot
from commission.results import Evidence, Status, worst
from commission.verify.limits import DEFAULT_LIMITS, Limits
from commission.verify.report import SoakSample, SoakSeries
from commission.verify.rules import (
    Finding,
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


def sample_of(
    snapshot: MinerSnapshot, offset_s: float, limits: Limits = DEFAULT_LIMITS
) -> SoakSample:
    """Reduce one snapshot to the figures a soak keeps."""
    boards = board_temperatures(snapshot)
    pcb = {board: t for board, (t, _) in boards.items() if t is not None}
    chips = [t for _, t in boards.values() if t is not None]
    totals = snapshot.totals
    rate = None
    if totals is not None:
        rate = totals.ghs_5s if totals.ghs_5s is not None else totals.ghs_avg
    problems = "; ".join(f"{p.source}: {p.message}" for p in snapshot.problems)
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
        error=problems if totals is None and problems else "",
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


def _settle_window(series: SoakSeries, limits: Limits) -> list[SoakSample]:
    good = [s for s in series.samples if not s.error and s.pcb_c]
    if not good:
        return []
    end = good[-1].offset_s
    span = min(limits.soak_settle_window_s, (end - good[0].offset_s) / 2)
    return [s for s in good if s.offset_s >= end - span]


def judge_soak(
    series: SoakSeries,
    *,
    kernel_log: Sequence[str] | None = None,
    console_lines: Sequence[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Finding:
    """Judge a soak: answered throughout, hash rate in band, temperatures settled, no fatal line.

    Args:
        series: the samples.
        kernel_log: the kernel log read at the end (None when it could not be read).
        console_lines: serial console lines read during the soak (None without a console).
        limits: the bands.
    """
    expected = (
        f"{series.minutes:g} min (the guide's run: {limits.soak_minutes:g}) answering every "
        f"sample, >= {limits.soak_in_band_share:.0%} of warmed-up samples at >= "
        f"{limits.nominal_ths * limits.hashrate_pass_ratio:.1f} TH/s, hottest board rising < "
        f"{limits.soak_settle_rise_c:g} °C over the last {limits.soak_settle_window_s / 60:g} "
        "min, no fatal line"
    )
    statuses: list[Status] = []
    notes: list[str] = []
    actions: list[str] = []
    evidence: list[Evidence] = [
        Evidence(label="samples", value=str(len(series.samples)), source="soak series"),
    ]

    failed = series.failed
    if failed:
        stopped = bool(series.samples) and bool(series.samples[-1].error)
        share = len(failed) / len(series.samples)
        statuses.append(Status.ERROR if stopped or share > 0.1 else Status.WARN)
        notes.append(
            f"{len(failed)} of {len(series.samples)} samples unanswered"
            + (" (stopped answering)" if stopped else "")
        )
        evidence.extend(
            Evidence(label=f"no answer at +{s.offset_s:.0f} s", value=s.error, source="soak sample")
            for s in failed[:5]
        )
        actions.append(
            "the miner stopped answering during the run: check its power, the network cable, and "
            "the kernel log for a restart or a fatal line"
        )

    warm = [
        s
        for s in series.samples
        if not s.error and s.ghs_5s is not None and (s.elapsed_s or 0) >= limits.warmup_s
    ]
    if warm:
        band = limits.nominal_ghs * limits.hashrate_pass_ratio
        in_band = sum(1 for s in warm if (s.ghs_5s or 0.0) >= band) / len(warm)
        median = statistics.median(s.ghs_5s or 0.0 for s in warm)
        notes.append(f"median {median / 1000:.2f} TH/s, {in_band:.0%} of samples in band")
        evidence.append(
            Evidence(label="median GH/s", value=f"{median:,.2f}", source="soak rpc GHS 5s")
        )
        if in_band >= limits.soak_in_band_share:
            statuses.append(Status.PASS)
        elif median >= limits.nominal_ghs * limits.hashrate_warn_ratio:
            statuses.append(Status.WARN)
            actions.append("the hash rate dipped out of its band: see the hash-rate checks")
        else:
            statuses.append(Status.FAIL)
            actions.append("the hash rate stayed low: see the chain and hash-rate checks")
    else:
        notes.append(f"hash rate not judged (never past the {limits.warmup_s} s warm-up)")

    window = _settle_window(series, limits)
    if window:
        boards = sorted({b for s in window for b in s.pcb_c})
        rises = {
            board: _rise([(s.offset_s, s.pcb_c[board]) for s in window if board in s.pcb_c])
            for board in boards
        }
        hottest = max((s.pcb_max_c or 0.0) for s in series.samples if not s.error and s.pcb_c)
        span = window[-1].offset_s - window[0].offset_s
        climbing = [b for b, rise in rises.items() if rise >= limits.soak_settle_rise_c]
        notes.append(
            f"hottest PCB {hottest:.0f} °C, rising {max(rises.values()):+.1f} °C over the "
            f"last {span / 60:.1f} min"
        )
        evidence.extend(
            Evidence(
                label=f"hash board {board} PCB rise",
                value=f"{rise:+.1f} °C over {span:.0f} s",
                source="soak rpc temp_pcb",
            )
            for board, rise in rises.items()
        )
        evidence.append(Evidence(label="hottest PCB", value=f"{hottest:.0f} °C", source="soak"))
        if hottest >= limits.pcb_cutoff_c:
            statuses.append(Status.FAIL)
        if climbing:
            statuses.append(Status.FAIL if hottest >= limits.pcb_warn_c else Status.WARN)
            if len(climbing) == 1 and len(boards) > 1:
                actions.append(board_hot_action(climbing[0]))
            else:
                actions.append(loop_action(limits))
        elif hottest < limits.pcb_cutoff_c:
            statuses.append(Status.PASS)
    else:
        notes.append("temperatures not read")

    fatal = [("kernel log", n, t) for n, t in fatal_lines(kernel_log or ())] + [
        ("console", n, t) for n, t in fatal_lines(console_lines or ())
    ]
    if fatal:
        statuses.append(Status.FAIL)
        notes.append(f"{len(fatal)} fatal lines")
        evidence.extend(
            Evidence(label="fatal line", value=text, source=f"{where} line {n}")
            for where, n, text in fatal
        )
        actions.extend(dict.fromkeys(fatal_action(text, limits) for _, _, text in fatal))
    elif kernel_log is None and console_lines is None:
        notes.append("no log read")
    else:
        notes.append("no fatal line")

    status = worst(statuses) if statuses else Status.ERROR
    observed = f"{len(series.samples)} samples over {series.minutes:g} min: " + "; ".join(notes)
    return Finding(
        status,
        expected,
        observed,
        "" if status is Status.PASS else "; ".join(dict.fromkeys(actions)),
        tuple(evidence),
    )
