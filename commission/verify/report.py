"""What verifying one miner produced: its outcomes, who it said it was, and the soak series.

The runner builds a :class:`MinerReport`; the headless table, the JSON and JUnit writers and the
TUI read it. It holds no secret: snapshots carry no pool or web password.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from commission.errors import ExitCode, combine_exit_codes
from commission.miner.models import Identity
from commission.results import Outcome, Status, worst


class SoakSample(BaseModel):
    """One soak reading: a few figures per sample, or why the sample could not be taken."""

    model_config = ConfigDict(frozen=True)

    offset_s: float
    """Seconds since the soak started."""
    elapsed_s: int | None = None
    """The miner's own uptime (Elapsed)."""
    ghs_5s: float | None = None
    pcb_c: dict[int, float] = {}
    """Hottest PCB reading per hash board."""
    chip_max_c: float | None = None
    fans_turning: int | None = None
    error: str = ""
    """Why no reading was taken (miner unreachable, garbage reply); empty for a good sample."""

    @property
    def pcb_max_c(self) -> float | None:
        """Hottest board in this sample."""
        return max(self.pcb_c.values(), default=None)


class SoakSeries(BaseModel):
    """Every sample of one soak, in order."""

    model_config = ConfigDict(frozen=True)

    minutes: float
    """How long the soak was asked to run."""
    interval_s: float
    samples: tuple[SoakSample, ...] = ()

    @property
    def failed(self) -> tuple[SoakSample, ...]:
        """Samples that could not be taken."""
        return tuple(sample for sample in self.samples if sample.error)


class MinerReport(BaseModel):
    """Everything one verification of one miner concluded."""

    model_config = ConfigDict(frozen=True)

    host: str
    started_at: datetime
    finished_at: datetime
    reachable: bool
    """False when the miner could not be reached at all (exit code 3)."""
    identity: Identity | None = None
    outcomes: tuple[Outcome, ...] = ()
    soak: SoakSeries | None = None

    @property
    def status(self) -> Status:
        """The worst outcome status."""
        return worst(outcome.status for outcome in self.outcomes)

    def counts(self) -> dict[str, int]:
        """How many outcomes ended in each status (every status present, zeros included)."""
        counts = {status.value: 0 for status in Status}
        for outcome in self.outcomes:
            counts[outcome.status.value] += 1
        return counts


def exit_code_for(reports: Sequence[MinerReport], *, strict: bool = False) -> ExitCode:
    """The process exit code for a set of reports: each miner's code, combined by precedence.

    Per miner: 3 when it could not be reached at all; 1 when an outcome failed (or, with
    ``strict``, warned); 4 when an outcome could not be judged or made (not judged, error);
    else 0. Several miners combine by :data:`commission.errors.PRECEDENCE` (1 before 3 before 4
    before 0).

    Args:
        reports: one per miner.
        strict: treat warnings as failures.
    """
    return combine_exit_codes(miner_exit_code(report, strict=strict) for report in reports)


def miner_exit_code(report: MinerReport, *, strict: bool = False) -> ExitCode:
    """The exit code one miner's report stands for on its own (see :func:`exit_code_for`)."""
    if not report.reachable:
        return ExitCode.UNREACHABLE
    statuses = {outcome.status for outcome in report.outcomes}
    if Status.FAIL in statuses or (strict and Status.WARN in statuses):
        return ExitCode.CHECK_FAILED
    if Status.UNJUDGED in statuses or Status.ERROR in statuses:
        return ExitCode.NOT_JUDGED
    return ExitCode.OK
