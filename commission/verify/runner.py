"""The runner: read a miner, apply every rule, optionally soak, and return a report.

It is the only place that turns rule findings into :class:`~commission.results.Outcome` objects
(attaching the rule id, checklist item and section), and the only place that decides what a miner
that cannot be reached, or stops answering, looks like: error outcomes with evidence, never a pass.
It sees a miner only through the small :class:`~commission.verify.soak.SnapshotSource` protocol
that every miner client (real or simulated) satisfies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from commission.errors import MinerError, MinerUnreachable
from commission.miner.models import MinerSnapshot
from commission.results import Evidence, Outcome, Status
from commission.verify.bindings import Binding, default_bindings
from commission.verify.limits import DEFAULT_LIMITS, Limits
from commission.verify.report import MinerReport, SoakSeries
from commission.verify.rules import RULES, SNAPSHOT_RULES, Finding, check_console, check_snapshot
from commission.verify.soak import (
    ProgressCallback,
    SnapshotSource,
    SoakClock,
    SystemClock,
    judge_soak,
    run_soak,
)


class ConsoleSource(Protocol):
    """A serial console being read (the front end owns and starts the reader)."""

    @property
    def error(self) -> str | None:
        """Why reading stopped early; None while healthy."""
        ...

    def lines(self) -> list[str]:
        """Every line read so far."""
        ...


def _now() -> datetime:
    return datetime.now(UTC)


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

    def unanswered(self, host: str, error: MinerError, *, started: bool) -> list[Outcome]:
        """Outcomes when the miner could not be read: reachability FAIL/ERROR, every rule ERROR.

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
        outcomes = [self.outcome("miner.reachable", reach, at)]
        for rule in SNAPSHOT_RULES:
            outcomes.append(
                self.outcome(
                    rule.rule_id,
                    Finding(
                        Status.ERROR,
                        "a reading from the miner",
                        f"not checked: the miner {observed}",
                        "fix the connection (see miner.reachable) and verify again",
                        (reason,),
                    ),
                    at,
                )
            )
        return outcomes

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
    ) -> MinerReport:
        """Verify one miner: read it, apply the rules, optionally soak, read the console.

        With a soak, the snapshot rules are applied again to a reading taken after the run (so
        warm-up-gated checks such as hash rate are judged), and the soak gets its own outcome.

        Args:
            client: the miner (real or simulated client).
            soak_minutes: run the commissioning soak this long after the first checks.
            console: the serial console being read; None without one.
            on_sample: soak progress callback.
        """
        started_at = _now()
        try:
            snapshot = await client.snapshot(web=True)
        except MinerError as error:
            return MinerReport(
                host=client.host,
                started_at=started_at,
                finished_at=_now(),
                reachable=not isinstance(error, MinerUnreachable),
                outcomes=tuple(self.unanswered(client.host, error, started=False)),
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
                outcomes = self.unanswered(client.host, error, started=True)
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
        )


async def verify_many(
    verifier: Verifier,
    clients: Iterable[SnapshotSource],
    *,
    concurrency: int = 8,
    soak_minutes: float | None = None,
    console: ConsoleSource | None = None,
    on_sample: ProgressCallback | None = None,
) -> list[MinerReport]:
    """Verify several miners at once, at most ``concurrency`` at a time, in the given order.

    Args:
        verifier: the rules and bindings to apply.
        clients: one client per miner.
        concurrency: the most miners read at the same time.
        soak_minutes: soak each miner this long.
        console: the serial console being read (only meaningful with one miner).
        on_sample: soak progress callback.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    gate = asyncio.Semaphore(concurrency)

    async def one(client: SnapshotSource) -> MinerReport:
        async with gate:
            return await verifier.verify(
                client, soak_minutes=soak_minutes, console=console, on_sample=on_sample
            )

    return list(await asyncio.gather(*(one(client) for client in clients)))
