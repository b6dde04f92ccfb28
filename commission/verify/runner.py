"""The runner: read a miner, apply every rule, optionally soak, and return a report.

It is the only place that turns rule findings into :class:`~commission.results.Outcome` objects
(attaching the rule id, checklist item and section), and the only place that decides what a miner
that cannot be reached, or stops answering, looks like: error outcomes with evidence, never a pass.
It also waits, when asked, for a freshly started miner to warm up before judging it
(:meth:`Verifier.wait_ready`), so that a run right after power-on ends judged or says why not. It
sees a miner only through the small :class:`~commission.verify.soak.SnapshotSource` protocol that
every miner client (real or simulated) satisfies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Protocol

from commission.errors import MinerError, MinerProtocolError, MinerUnreachable
from commission.miner.models import MinerSnapshot
from commission.results import Evidence, Outcome, Status
from commission.verify.bindings import Binding, default_bindings
from commission.verify.limits import DEFAULT_LIMITS, Limits
from commission.verify.report import MinerReport, Readiness, SoakSeries
from commission.verify.rules import RULES, Finding, check_console, check_snapshot
from commission.verify.soak import (
    ProgressCallback,
    SnapshotSource,
    SoakClock,
    SystemClock,
    judge_soak,
    run_soak,
)

log = logging.getLogger(__name__)


class ConsoleSource(Protocol):
    """A serial console being read (the front end owns and starts the reader)."""

    @property
    def error(self) -> str | None:
        """Why reading stopped early; None while healthy."""
        ...

    def lines(self) -> list[str]:
        """Every line read so far."""
        ...


READY_POLL_S: Final = 10.0
"""How often :meth:`Verifier.wait_ready` reads a miner that is still warming up."""


@dataclass(frozen=True)
class WaitProgress:
    """Reported after each reading while waiting for a miner to warm up."""

    host: str
    waited_s: float
    limit_s: float
    elapsed_s: int | None
    """The miner's Elapsed at this reading (None when it did not answer or did not say)."""
    warmup_s: int
    note: str
    """The reading in words: ``bmminer has run 130 s of 300 s`` or why there is none."""


WaitCallback = Callable[[WaitProgress], None]


def _now() -> datetime:
    return datetime.now(UTC)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


class Verifier:
    """Applies the rules to one miner and binds each finding to its checklist item.

    Args:
        limits: what the rules judge against.
        bindings: rule id -> checklist item and section (default: :func:`default_bindings`).
        clock: time source for the soak.
    """

    def __init__(
        self,
        *,
        limits: Limits = DEFAULT_LIMITS,
        bindings: dict[str, Binding] | None = None,
        clock: SoakClock | None = None,
    ) -> None:
        self.limits = limits
        self.bindings = default_bindings() if bindings is None else bindings
        self.clock: SoakClock = SystemClock() if clock is None else clock

    def outcome(self, rule_id: str, finding: Finding, at: datetime) -> Outcome:
        """Bind one finding of rule ``rule_id`` to its checklist item and section."""
        rule = RULES[rule_id]
        binding = self.bindings[rule_id]
        return Outcome(
            rule_id=rule_id,
            item_id=binding.item_id,
            title=rule.title,
            status=finding.status,
            expected=finding.expected,
            observed=finding.observed,
            action=finding.action,
            evidence=finding.evidence,
            section=binding.section,
            guide_ref=rule.guide_ref,
            at=at,
        )

    def judge(self, snapshot: MinerSnapshot) -> list[Outcome]:
        """Outcomes of every snapshot rule, plus the reachability pass, for one snapshot."""
        reachable = Finding(
            Status.PASS,
            "the RPC API (TCP 4028) answers",
            "answered",
            evidence=(Evidence(label="host", value=snapshot.host, source="rpc"),),
        )
        return [self.outcome("miner.reachable", reachable, snapshot.taken_at)] + [
            self.outcome(rule.rule_id, finding, snapshot.taken_at)
            for rule, finding in check_snapshot(snapshot, self.limits)
        ]

    def stopped_answering(self, host: str, error: MinerError) -> Outcome:
        """The reachability FAIL of a miner that answered when the run began and then stopped."""
        return self.outcome(
            "miner.reachable",
            Finding(
                Status.FAIL,
                "the RPC API (TCP 4028) answers throughout the run",
                "answered at the start, then stopped answering during the soak",
                "under load this is a crash, a reboot or a power or network loss: check the PSU "
                "and its 12 V leads, the network cable, and the kernel log for a restart",
                (Evidence(label="error", value=f"{type(error).__name__}: {error}", source=host),),
            ),
            _now(),
        )

    def unanswered(self, host: str, error: MinerError, *, started: bool) -> list[Outcome]:
        """The one outcome when the miner could not be read: reachability FAIL (or ERROR).

        One finding carries the error and the action; the checks that needed a reading are not
        repeated fifteen times with the same error (a report without them is not verified: the
        miner's exit code is UNREACHABLE, or NOT JUDGED when it stopped answering).

        Args:
            host: the miner's address.
            error: what the client raised.
            started: True when the miner answered earlier in this run and then stopped.
        """
        at = _now()
        reason = Evidence(label="error", value=f"{type(error).__name__}: {error}", source=host)
        if isinstance(error, MinerUnreachable):
            observed = "stopped answering" if started else "did not answer"
            status = Status.ERROR if started else Status.FAIL
        else:
            observed = "answered with something that could not be read"
            status = Status.ERROR
        reach = Finding(
            status,
            "the RPC API (TCP 4028) answers",
            observed,
            "check the miner is powered and its network cable is in, that the address is right "
            "(press the IP Report button to see it), and that nothing blocks TCP 4028",
            (reason,),
        )
        return [self.outcome("miner.reachable", reach, at)]

    async def wait_ready(
        self,
        client: SnapshotSource,
        limit_s: float,
        *,
        on_progress: WaitCallback | None = None,
    ) -> Readiness:
        """Wait until the miner has run past the warm-up (Elapsed), at most ``limit_s``.

        Reads the miner (RPC only) every :data:`READY_POLL_S` or sooner when the warm-up ends
        sooner. A miner that does not answer yet (it is still booting) is read again until the
        limit; one whose Elapsed goes back while we wait has restarted, and the readiness says so.

        Args:
            client: the miner.
            limit_s: the longest wait, in seconds (0: read once).
            on_progress: called after every reading.
        """
        warmup = self.limits.warmup_s
        start = self.clock.now()
        restarts = 0
        last_elapsed: int | None = None
        note = ""
        while True:
            waited = self.clock.now() - start
            left_to_warm: float = READY_POLL_S
            elapsed: int | None = None
            try:
                snapshot = await client.snapshot(web=False)
            except MinerError as error:
                note = f"not answering yet ({type(error).__name__}: {error})"
            else:
                totals = snapshot.totals
                elapsed = None if totals is None else totals.elapsed_s
                if elapsed is None:
                    # Without Elapsed the rules judge at once (and say uptime is unknown).
                    return Readiness(
                        ready=True,
                        waited_s=waited,
                        note="the miner does not report its uptime (Elapsed): judged now",
                    )
                if last_elapsed is not None and elapsed < last_elapsed:
                    restarts += 1
                last_elapsed = elapsed
                if elapsed >= warmup:
                    return Readiness(
                        ready=True,
                        waited_s=waited,
                        restarts=restarts,
                        note=f"warmed up after waiting {_minutes(waited)} (bmminer has run "
                        f"{elapsed} s)",
                    )
                note = f"bmminer has run {elapsed} s of the {warmup} s warm-up"
                left_to_warm = warmup - elapsed
            if on_progress is not None:
                on_progress(WaitProgress(client.host, waited, limit_s, elapsed, warmup, note))
            remaining = limit_s - waited
            if remaining <= 0:
                break
            await self.clock.sleep(min(READY_POLL_S, max(left_to_warm, 0.5), remaining))
        again = f"; bmminer restarted {restarts} times while we waited" if restarts else ""
        return Readiness(
            ready=False,
            waited_s=self.clock.now() - start,
            restarts=restarts,
            note=f"not warmed up after waiting {_minutes(limit_s)}: {note}{again}",
        )

    def judge_console(self, console: ConsoleSource) -> Finding:
        """The console outcome; a console that broke while being read is an ERROR with evidence."""
        lines = console.lines()
        finding = check_console(lines, self.limits)
        if console.error is None:
            return finding
        return Finding(
            Status.ERROR,
            finding.expected,
            f"the console stopped being read after {len(lines)} lines ({finding.observed})",
            "check the serial adapter's cable and port, then verify again",
            (
                Evidence(label="console error", value=console.error, source="serial console"),
                *finding.evidence,
            ),
        )

    async def verify(
        self,
        client: SnapshotSource,
        *,
        soak_minutes: float | None = None,
        console: ConsoleSource | None = None,
        on_sample: ProgressCallback | None = None,
        wait_ready_s: float | None = None,
        on_wait: WaitCallback | None = None,
        readiness: Readiness | None = None,
    ) -> MinerReport:
        """Verify one miner: optionally wait for its warm-up, read it, apply the rules, optionally
        soak, read the console.

        With a soak, the snapshot rules are applied again to a reading taken after the run (so
        warm-up-gated checks such as hash rate are judged), and the soak gets its own outcome.

        Args:
            client: the miner (real or simulated client).
            soak_minutes: run the commissioning soak this long after the first checks.
            console: the serial console being read; None without one.
            on_sample: soak progress callback.
            wait_ready_s: first wait this long at most for the miner to warm up (see
                :meth:`wait_ready`); None judges at once.
            on_wait: progress callback of the wait.
            readiness: the result of a wait already made by the caller (kept in the report).
        """
        started_at = _now()
        if readiness is None and wait_ready_s is not None:
            readiness = await self.wait_ready(client, wait_ready_s, on_progress=on_wait)
        try:
            snapshot = await client.snapshot(web=True)
        except MinerError as error:
            return MinerReport(
                host=client.host,
                started_at=started_at,
                finished_at=_now(),
                reachable=not isinstance(error, MinerUnreachable),
                outcomes=tuple(self.unanswered(client.host, error, started=False)),
                readiness=readiness,
            )
        outcomes = self.judge(snapshot)
        series: SoakSeries | None = None
        if soak_minutes is not None:
            series = await run_soak(
                client, soak_minutes, clock=self.clock, limits=self.limits, on_sample=on_sample
            )
            try:
                final = await client.snapshot(web=True)
            except MinerError as error:
                # The checks made at the start stand (they were judged then); the miner that
                # stopped answering under load fails reachability, and the soak says when.
                stopped = self.stopped_answering(client.host, error)
                outcomes = [stopped if o.rule_id == "miner.reachable" else o for o in outcomes]
                kernel_log: Sequence[str] | None = None
            else:
                snapshot = final
                outcomes = self.judge(final)
                kernel_log = final.kernel_log
            lines = None if console is None else console.lines()
            finding = judge_soak(
                series, kernel_log=kernel_log, console_lines=lines, limits=self.limits
            )
            outcomes.append(self.outcome("soak.stability", finding, _now()))
        if console is not None:
            outcomes.append(self.outcome("console.fatal", self.judge_console(console), _now()))
        return MinerReport(
            host=client.host,
            started_at=started_at,
            finished_at=_now(),
            reachable=True,
            identity=snapshot.identity,
            outcomes=tuple(outcomes),
            soak=series,
            readiness=readiness,
        )


async def verify_many(
    verifier: Verifier,
    clients: Iterable[SnapshotSource],
    *,
    concurrency: int = 8,
    soak_minutes: float | None = None,
    console: ConsoleSource | None = None,
    on_sample: ProgressCallback | None = None,
    wait_ready_s: float | None = None,
    on_wait: WaitCallback | None = None,
) -> list[MinerReport]:
    """Verify several miners at once, at most ``concurrency`` at a time, in the given order.

    Args:
        verifier: the rules and bindings to apply.
        clients: one client per miner.
        concurrency: the most miners read at the same time.
        soak_minutes: soak each miner this long.
        console: the serial console being read (only meaningful with one miner).
        on_sample: soak progress callback.
        wait_ready_s: wait this long at most for each miner to warm up before judging it.
        on_wait: progress callback of the wait.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    gate = asyncio.Semaphore(concurrency)

    async def one(client: SnapshotSource) -> MinerReport:
        started_at = _now()
        try:
            # Waiting is a light poll every few seconds: it does not hold one of the read slots.
            readiness = None
            if wait_ready_s is not None:
                readiness = await verifier.wait_ready(client, wait_ready_s, on_progress=on_wait)
            async with gate:
                return await verifier.verify(
                    client,
                    soak_minutes=soak_minutes,
                    console=console,
                    on_sample=on_sample,
                    readiness=readiness,
                )
        except Exception as error:
            # A fault of any kind while verifying one miner stays in that miner's report (with the
            # traceback in the log) and never loses the other miners' results.
            log.exception("verifying %s failed unexpectedly", client.host)
            failure = MinerProtocolError(
                f"verifying this miner failed unexpectedly ({type(error).__name__}: {error})"
            )
            return MinerReport(
                host=client.host,
                started_at=started_at,
                finished_at=_now(),
                reachable=True,
                outcomes=tuple(verifier.unanswered(client.host, failure, started=True)),
            )

    return list(await asyncio.gather(*(one(client) for client in clients)))
