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


class SampleFinding(BaseModel):
    """A snapshot rule that did not pass on one soak sample: what it saw and what to do."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    status: Status
    observed: str
    action: str = ""


class SoakSample(BaseModel):
    """One soak reading: a few figures per sample and the snapshot rules' verdicts on it, or why
    the sample could not be taken."""

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
    chains: tuple[int, ...] | None = None
    """The chains that reported ASICs in this sample (None when the chain table was not read)."""
    rules: dict[str, Status] = {}
    """Each soak rule's status on this sample (see :data:`commission.verify.soak.SOAK_RULES`)."""
    findings: tuple[SampleFinding, ...] = ()
    """The rules that did not pass (or were not judged) on this sample, with what they saw."""
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


class Readiness(BaseModel):
    """How waiting for a miner's warm-up ended (``--wait-ready``)."""

    model_config = ConfigDict(frozen=True)

    ready: bool
    """True when the miner ran past the warm-up (or does not report its uptime)."""
    waited_s: float
    restarts: int = 0
    """How often bmminer's Elapsed went back while we waited."""
    note: str = ""
    """The end of the wait in words (why it is not ready, or after how long it was)."""


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
    readiness: Readiness | None = None
    """How the wait for the warm-up ended; None when the run did not wait."""

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


EXIT_MEANING: dict[ExitCode, str] = {
    ExitCode.OK: "verified: every check that applies was judged and none failed",
    ExitCode.CHECK_FAILED: "a check failed",
    ExitCode.USAGE: "usage or configuration error",
    ExitCode.UNREACHABLE: "a miner could not be reached",
    ExitCode.NOT_JUDGED: "not verified: a check that applies could not be judged",
}
"""What each exit code of ``commission --verify`` means, in the words the summary prints."""

_LISTED = 4
"""How many checks an explanation names before it says "and N more"."""


def _titles(outcomes: Sequence[Outcome]) -> str:
    names = [outcome.title for outcome in outcomes[:_LISTED]]
    more = len(outcomes) - len(names)
    return "; ".join(names) + (f"; and {more} more" if more > 0 else "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def miner_explanation(report: MinerReport, *, strict: bool = False) -> str:
    """Why one miner's run is not verified and what to do, in words; empty when it is verified."""
    code = miner_exit_code(report, strict=strict)
    host = report.host
    if code is ExitCode.OK:
        return ""
    if code is ExitCode.UNREACHABLE:
        reach = next((o for o in report.outcomes if o.rule_id == "miner.reachable"), None)
        why = f" ({reach.observed})" if reach is not None else ""
        action = reach.action if reach is not None and reach.action else "check its address"
        return f"{host}: could not be reached{why}: {action}, then verify again"
    if code is ExitCode.CHECK_FAILED:
        failed = [o for o in report.outcomes if o.status is Status.FAIL]
        warned = [o for o in report.outcomes if o.status is Status.WARN] if strict else []
        parts = []
        if failed:
            parts.append(f"{_plural(len(failed), 'check')} failed ({_titles(failed)})")
        if warned:
            parts.append(
                f"{_plural(len(warned), 'warning')} that --strict counts ({_titles(warned)})"
            )
        return (
            f"{host}: "
            + " and ".join(parts)
            + ": do what each one's action names, then verify again"
        )
    open_ = [o for o in report.outcomes if o.status in (Status.UNJUDGED, Status.ERROR)]
    warming = [o for o in open_ if "warming up" in o.observed]
    text = f"{host}: {_plural(len(open_), 'check')} could not be judged ({_titles(open_)})"
    if report.readiness is not None and not report.readiness.ready:
        text += f"; {report.readiness.note}"
    if warming:
        reason = warming[0].observed.split("; ", 1)[-1]
        return (
            text + f": the miner is still warming up ({reason}); verify again then, or run with "
            "--wait-ready to wait for it"
        )
    return (
        text + ": each one says which reading was missing or implausible; fix that and verify again"
    )


def run_explanation(reports: Sequence[MinerReport], *, strict: bool = False) -> list[str]:
    """The run's exit code in words, then one line per miner that is not verified."""
    code = exit_code_for(reports, strict=strict)
    lines = [f"exit {int(code)}: {EXIT_MEANING.get(code, code.name.lower())}"]
    if code is ExitCode.OK and not strict and any(r.status is Status.WARN for r in reports):
        lines[0] += " (warnings allowed; --strict makes them fail)"
    lines.extend(line for report in reports if (line := miner_explanation(report, strict=strict)))
    return lines
