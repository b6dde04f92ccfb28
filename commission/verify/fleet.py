"""Verifying a fleet: many miners at once, each within a total deadline, results streamed as they end.

The stock API serves one connection at a time, so each miner is read by one worker, one request at
a time (the runner's snapshot), while up to ``concurrency`` workers read different miners. Workers
take targets from the caller's iterator only when they are free and make each miner's client only
then (closing it as soon as the miner is done), and finished results wait in a small bounded queue
until the caller takes them: memory depends on the concurrency, not on the size of the fleet.

A miner that does not finish within ``deadline_s`` becomes an unreachable report with that reason;
a miner whose verification raised something unexpected becomes an ERROR report naming the error.
Neither stops the rest of the fleet, and neither is ever a pass.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar

from commission.errors import ExitCode, MinerError, MinerProtocolError, MinerUnreachable
from commission.miner.models import MinerSnapshot
from commission.results import Status
from commission.verify.report import (
    EXIT_MEANING,
    MinerReport,
    miner_exit_code,
    miner_explanation,
)
from commission.verify.runner import Verifier

T = TypeVar("T")


class FleetClient(Protocol):
    """What a fleet worker needs from a miner client: a host, snapshots, and closing."""

    host: str

    async def snapshot(self, *, web: bool = True) -> MinerSnapshot:
        """Read the miner (see :class:`commission.miner.client.MinerClient`)."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


@dataclass(frozen=True)
class FleetResult(Generic[T]):
    """One miner done: the target it was made from, its report, and its hash rate when read."""

    target: T
    report: MinerReport
    ghs: float | None
    """The 5 s hash rate (GH/s) of the last snapshot; None when the miner was not read."""


class _Recording:
    """Passes snapshots through and keeps the last one's hash rate (the report does not hold it)."""

    def __init__(self, client: FleetClient) -> None:
        self.client = client
        self.host = client.host
        self.ghs: float | None = None

    async def snapshot(self, *, web: bool = True) -> MinerSnapshot:
        snapshot = await self.client.snapshot(web=web)
        totals = snapshot.totals
        self.ghs = None if totals is None else totals.ghs_5s
        return snapshot


def _now() -> datetime:
    return datetime.now(UTC)


def failed_report(
    verifier: Verifier, host: str, error: MinerError, started_at: datetime
) -> MinerReport:
    """The report of a miner that could not be verified at all, with ``error`` as the reason."""
    return MinerReport(
        host=host,
        started_at=started_at,
        finished_at=_now(),
        reachable=not isinstance(error, MinerUnreachable),
        outcomes=tuple(verifier.unanswered(host, error, started=False)),
    )


async def verify_one(
    verifier: Verifier, client: FleetClient, deadline_s: float
) -> tuple[MinerReport, float | None]:
    """Verify one miner within ``deadline_s`` (every request included), then close its client."""
    started_at = _now()
    recording = _Recording(client)
    try:
        async with asyncio.timeout(deadline_s):
            report = await verifier.verify(recording)
    except TimeoutError:
        error: MinerError = MinerUnreachable(
            f"{client.host}: the miner did not finish answering within the deadline of "
            f"{deadline_s:g} s per miner"
        )
        report = failed_report(verifier, client.host, error, started_at)
    except Exception as unexpected:  # noqa: BLE001 - reported as this miner's ERROR, never dropped
        error = MinerProtocolError(
            f"{client.host}: verifying stopped on an unexpected "
            f"{type(unexpected).__name__}: {unexpected}"
        )
        report = failed_report(verifier, client.host, error, started_at)
    finally:
        await client.aclose()
    return report, recording.ghs if report.reachable else None


async def verify_stream(
    verifier: Verifier,
    targets: Iterable[T],
    connect: Callable[[T], FleetClient],
    *,
    concurrency: int,
    deadline_s: float,
) -> AsyncIterator[FleetResult[T]]:
    """Verify every target, ``concurrency`` at a time, yielding each result as it finishes.

    Args:
        verifier: the rules and bindings to apply.
        targets: the miners, taken one at a time as workers become free.
        connect: makes the client of one target (called by the worker that reads it).
        concurrency: the most miners read at the same time.
        deadline_s: the longest one miner may take, all of its requests together.

    Yields:
        One result per target, in the order they finish.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    if deadline_s <= 0:
        raise ValueError(f"deadline_s must be positive, not {deadline_s}")
    pending = iter(targets)
    # Results wait here for the caller; ``room`` bounds how many (a slow reader holds workers
    # back instead of letting results pile up). The end-of-worker marker needs no room.
    done: asyncio.Queue[FleetResult[T] | None] = asyncio.Queue()
    room = asyncio.Semaphore(max(64, concurrency))

    async def worker() -> None:
        try:
            for target in pending:
                report, ghs = await verify_one(verifier, connect(target), deadline_s)
                await room.acquire()
                done.put_nowait(FleetResult(target, report, ghs))
        finally:
            done.put_nowait(None)

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    try:
        running = len(workers)
        while running:
            result = await done.get()
            if result is None:
                running -= 1
                continue
            room.release()
            yield result
        for task in workers:
            task.result()  # a worker that broke outside a miner is a bug: raise it here
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


@dataclass(frozen=True)
class FleetRow:
    """One miner in the fleet summary: small enough to keep for ten thousand miners."""

    host: str
    mac: str
    label: str
    ghs: float | None
    status: Status
    reachable: bool
    exit_code: ExitCode
    action: str
    """What to do first: the action of the worst outcome (or what to fix to reach the miner)."""
    reason: str
    """Why it is not a pass, in one line (the worst outcome's observation, or the error)."""
    counts: tuple[tuple[str, int], ...]
    explanation: str = ""
    """Why this miner's run is not verified and what to do, in words (empty when verified)."""


def _reachability_reason(report: MinerReport) -> str:
    for outcome in report.outcomes:
        if outcome.rule_id == "miner.reachable":
            error = next((e.value for e in outcome.evidence if e.label == "error"), "")
            _, _, message = error.partition(": ")
            return f"{outcome.observed}: {message or error}" if error else outcome.observed
    return "could not be read"


def fleet_row(
    report: MinerReport, *, ghs: float | None, mac: str = "", label: str = "", strict: bool
) -> FleetRow:
    """The summary row of one miner's report (``mac``/``label`` from the inventory when known)."""
    status = report.status
    if not report.reachable:
        worst_outcome = None
    else:
        worst_outcome = max(report.outcomes, key=lambda outcome: outcome.status.rank, default=None)
    if worst_outcome is None or worst_outcome.rule_id == "miner.reachable" or not report.reachable:
        reason = _reachability_reason(report) if status is not Status.PASS else ""
        reach = next((o for o in report.outcomes if o.rule_id == "miner.reachable"), None)
        action = reach.action if reach is not None and status is not Status.PASS else ""
    else:
        if worst_outcome.status is Status.PASS:
            reason, action = "", ""
        else:
            reason = f"{worst_outcome.title}: {worst_outcome.observed}"
            action = worst_outcome.action
    identity_mac = report.identity.mac if report.identity is not None else None
    return FleetRow(
        host=report.host,
        mac=identity_mac or mac,
        label=label,
        ghs=ghs,
        status=status,
        reachable=report.reachable,
        exit_code=miner_exit_code(report, strict=strict),
        action=action,
        reason=reason,
        counts=tuple((key, value) for key, value in report.counts().items() if value),
        explanation=miner_explanation(report, strict=strict),
    )


def run_headline(rows_by_status: dict[Status, int], code: ExitCode, *, strict: bool) -> str:
    """``exit 1: a check failed`` (the words of :data:`EXIT_MEANING`), as a single run prints it."""
    line = f"exit {int(code)}: {EXIT_MEANING.get(code, code.name.lower())}"
    if code is ExitCode.OK and not strict and rows_by_status.get(Status.WARN, 0):
        line += " (warnings allowed; --strict makes them fail)"
    return line


def worst_first(rows: Iterable[FleetRow]) -> list[FleetRow]:
    """Rows sorted worst status first, then by address (numerically for IPv4)."""

    def key(row: FleetRow) -> tuple[int, int, tuple[int, ...], str]:
        parts = row.host.split(".")
        numeric = tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else ()
        return (-row.status.rank, 0 if numeric else 1, numeric, row.host)

    return sorted(rows, key=key)
