"""The hash self-test without a user interface: known answers on every tier, then speed.

``run_selftest`` checks each tier against the known answers (digest and a nonce scan around the
winning nonce), then measures the chosen tier and the naive hashlib loop in the same run, so the
ratio is fair on a busy machine. Front ends (``commission selftest``, the TUI) pass a progress
callback and render the report; the clock is injectable so tests do not wait.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from commission import hashing
from commission.hashing import _python
from commission.hashing.header import DIFF1_TARGET
from commission.hashing.vectors import GENESIS, KNOWN_ANSWERS, KnownAnswer

Clock = Callable[[], float]
Progress = Callable[[str, float], None]
"""Called with the phase being worked on and the fraction of that phase done (0 to 1)."""

SCAN_WINDOW: Final = 2048
"""Nonces scanned around each known answer's winning nonce (half below, half from it)."""
SLICE_SECONDS: Final = 0.05
"""A speed measurement calls the scanner in slices of about this long (progress updates)."""


@dataclass(frozen=True)
class VectorCheck:
    """One known answer on one tier.

    Attributes:
        tier: the tier checked.
        vector: the known answer's name.
        expected_hash: the published block hash.
        observed_hash: the block hash this tier computed.
        expected_nonces: what a scan around the winning nonce must return.
        observed_nonces: what it returned.
    """

    tier: str
    vector: str
    expected_hash: str
    observed_hash: str
    expected_nonces: tuple[int, ...]
    observed_nonces: tuple[int, ...]

    @property
    def passed(self) -> bool:
        """True when both the digest and the scan match."""
        return (
            self.observed_hash == self.expected_hash
            and self.observed_nonces == self.expected_nonces
        )


@dataclass(frozen=True)
class SpeedMeasurement:
    """How many nonces a scanner tried in how long.

    Attributes:
        label: the tier, or "naive hashlib loop".
        threads: threads used.
        nonces: nonces tried.
        seconds: time taken.
    """

    label: str
    threads: int
    nonces: int
    seconds: float

    @property
    def mhs(self) -> float:
        """Millions of nonces (double SHA-256 hashes) per second."""
        return self.nonces / self.seconds / 1e6 if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class SelftestReport:
    """Everything one self-test found.

    Attributes:
        implementation: the tier the package uses by default.
        fallback_reason: why the pure-Python twin is in use, if it is.
        tiers: the tiers checked (every tier this machine has).
        checks: one entry per tier and known answer.
        naive: the naive hashlib loop, measured in the same run.
        measured: the measured tier.
    """

    implementation: str
    fallback_reason: str | None
    tiers: tuple[str, ...]
    checks: tuple[VectorCheck, ...]
    naive: SpeedMeasurement
    measured: SpeedMeasurement
    failures: tuple[VectorCheck, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "failures", tuple(c for c in self.checks if not c.passed))

    @property
    def passed(self) -> bool:
        """True when every known answer matched on every tier."""
        return not self.failures

    @property
    def ratio(self) -> float:
        """The measured tier's speed over the naive loop's."""
        return self.measured.mhs / self.naive.mhs if self.naive.mhs > 0 else math.inf

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form (the ``--json`` output)."""
        return {
            "implementation": self.implementation,
            "fallback_reason": self.fallback_reason,
            "tiers": list(self.tiers),
            "passed": self.passed,
            "vectors": [
                {
                    "tier": c.tier,
                    "vector": c.vector,
                    "passed": c.passed,
                    "expected_hash": c.expected_hash,
                    "observed_hash": c.observed_hash,
                    "expected_nonces": list(c.expected_nonces),
                    "observed_nonces": list(c.observed_nonces),
                }
                for c in self.checks
            ],
            "speed": {
                "tier": self.measured.label,
                "threads": self.measured.threads,
                "mhs": round(self.measured.mhs, 3),
                "nonces": self.measured.nonces,
                "seconds": round(self.measured.seconds, 3),
                "naive_mhs": round(self.naive.mhs, 3),
                "naive_nonces": self.naive.nonces,
                "naive_seconds": round(self.naive.seconds, 3),
                "ratio": round(self.ratio, 2),
            },
        }


def check_vector(tier: str, answer: KnownAnswer, window: int = SCAN_WINDOW) -> VectorCheck:
    """Check one known answer on one tier: its digest, and a scan around its nonce.

    Args:
        tier: an available tier.
        answer: the known answer.
        window: how many nonces to scan around the winning one.

    Returns:
        What was expected and what the tier gave.
    """
    digest = hashing.sha256d(answer.header, tier=tier)
    start = max(0, answer.nonce - window // 2)
    count = min(window, hashing.NONCE_LIMIT - start)
    found = hashing.Scanner(answer.prefix, answer.target, tier=tier).scan(start, count)
    return VectorCheck(
        tier=tier,
        vector=answer.name,
        expected_hash=answer.block_hash,
        observed_hash=digest[::-1].hex(),
        expected_nonces=(answer.nonce,),
        observed_nonces=tuple(found),
    )


def measure(
    label: str,
    scan: Callable[[int, int], object],
    seconds: float,
    *,
    threads: int = 1,
    clock: Clock = time.perf_counter,
    on_progress: Callable[[float], None] | None = None,
) -> SpeedMeasurement:
    """Call ``scan(start, count)`` on fresh nonces for about ``seconds`` and count them.

    Slices start small and grow until one takes about ``SLICE_SECONDS``, so slow and fast
    scanners both report progress often and neither overshoots by much.

    Args:
        label: what is measured.
        scan: the scanner; its result is ignored.
        seconds: how long to measure.
        threads: threads the scanner uses (recorded in the result).
        clock: a monotonic clock in seconds.
        on_progress: called with the fraction of ``seconds`` used so far.

    Returns:
        The measurement.
    """
    began = clock()
    elapsed = 0.0
    nonces = 0
    start = 0
    size = 256
    while elapsed < seconds:
        if start + size > hashing.NONCE_LIMIT:
            start = 0
        before = clock()
        scan(start, size)
        took = clock() - before
        start += size
        nonces += size
        elapsed = clock() - began
        if on_progress is not None:
            on_progress(min(1.0, elapsed / seconds))
        if took < SLICE_SECONDS / 2 and size < 1 << 26:
            size *= 2
    return SpeedMeasurement(label=label, threads=threads, nonces=nonces, seconds=elapsed)


def run_selftest(
    *,
    seconds: float,
    threads: int = 1,
    tier: str | None = None,
    tiers: Sequence[str] | None = None,
    clock: Clock = time.perf_counter,
    progress: Progress | None = None,
) -> SelftestReport:
    """Check the known answers on every tier, then measure ``tier`` against the naive loop.

    Args:
        seconds: length of each of the two speed measurements.
        threads: threads for the measured tier (the naive loop is one thread by nature).
        tier: the tier to measure (default: ``hashing.implementation``).
        tiers: the tiers to check (default: every tier this machine has).
        clock: a monotonic clock in seconds.
        progress: called with each phase's name and the fraction of it done.

    Returns:
        The report; ``report.passed`` is False when any known answer failed.

    Raises:
        HashInputError: the tier is unknown or not available, or threads < 1.
    """
    measured_tier = tier or hashing.implementation
    prefix, target = GENESIS.prefix, DIFF1_TARGET
    # Fail on a bad tier or thread count before spending any time.
    hashing.scan_parallel(prefix, target, 0, 0, threads, tier=measured_tier)

    def report(phase: str, fraction: float) -> None:
        if progress is not None:
            progress(phase, fraction)

    checked = tuple(tiers) if tiers is not None else hashing.tiers_available()
    checks: list[VectorCheck] = []
    total = len(checked) * len(KNOWN_ANSWERS)
    for each in checked:
        for answer in KNOWN_ANSWERS:
            report("known answers", len(checks) / total)
            checks.append(check_vector(each, answer))
    report("known answers", 1.0)

    naive = measure(
        "naive hashlib loop",
        lambda start, count: _python.naive_scan(prefix, target, start, count),
        seconds,
        clock=clock,
        on_progress=lambda fraction: report("naive hashlib loop", fraction),
    )
    scanner = hashing.Scanner(prefix, target, tier=measured_tier)
    scan: Callable[[int, int], object] = (
        scanner.scan
        if threads == 1
        else lambda start, count: hashing.scan_parallel(
            prefix, target, start, count, threads, tier=measured_tier
        )
    )
    measured = measure(
        measured_tier,
        scan,
        seconds,
        threads=threads,
        clock=clock,
        on_progress=lambda fraction: report(f"{measured_tier} x{threads}", fraction),
    )
    return SelftestReport(
        implementation=hashing.implementation,
        fallback_reason=hashing.fallback_reason,
        tiers=checked,
        checks=tuple(checks),
        naive=naive,
        measured=measured,
    )
