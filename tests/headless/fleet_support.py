"""A simulated fleet served from its own thread and event loop, for fleet tests on loopback.

The verifier under test then runs in the test's own loop (or through ``cli.main``, which starts
its own), so the two never share an event loop, as with real miners. Each fleet gets a random
127.X.Y.0/24-style block so parallel test runs on this machine do not collide.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Coroutine, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

from commission.simulator.clock import ManualClock
from commission.simulator.fleet import Fleet, FleetMember, fleet_addresses
from commission.simulator.miner import SimulatedMiner
from commission.simulator.scenarios import parse_scenarios

RUNNING_S = 900.0
"""Miners start 15 minutes into their run, so warm-up-gated checks are judged."""

T = TypeVar("T")


def free_block() -> str:
    """The first address of a random loopback block (127.100-249.x.1)."""
    return f"127.{random.randint(100, 249)}.{random.randint(1, 250)}.1"


class FleetThread:
    """``with FleetThread(["healthy", "pump-stopped"]) as fleet:`` serves the miners until exit."""

    def __init__(
        self,
        scenarios: Sequence[str],
        *,
        first: str | None = None,
        report_to: tuple[str, int] = ("127.0.0.1", 9),
        manual_clock: bool = True,
    ) -> None:
        self.hosts = fleet_addresses(first or free_block(), len(scenarios))
        self.scenarios = list(scenarios)
        members = [
            # every miner runs the simulator's default seed, as the single-miner scenario tests do,
            # so a scenario develops the same way; MAC and serial still differ by index
            FleetMember(index, host, parse_scenarios(name), 0)
            for index, (host, name) in enumerate(zip(self.hosts, self.scenarios, strict=True))
        ]
        # A manual clock 15 minutes in (judged, reproducible); the IP Report button needs the wall
        # clock, since a press waits for its echo in real time.
        self.clock = ManualClock() if manual_clock else None
        self.fleet = Fleet(members, clock=self.clock, report_to=report_to)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def miners(self) -> list[SimulatedMiner]:
        return self.fleet.miners

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run ``coroutine`` in the fleet's loop and wait for its result."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout)

    def __enter__(self) -> FleetThread:
        self._thread.start()
        self.call(self.fleet.start())
        if self.clock is not None:
            self.call(self._run_for(RUNNING_S))
        return self

    async def _run_for(self, seconds: float) -> None:
        assert self.clock is not None
        self.clock.advance(seconds)
        await asyncio.sleep(0)

    def __exit__(self, *exc_info: object) -> None:
        self.call(self.fleet.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
