"""Clocks for the simulator: the wall clock, and a manual one that tests move by hand.

Everything in the simulator that depends on time (hash-rate ramp, temperatures, counters, the API
pause after a restart, the IP Report repeat interval) reads :meth:`Clock.now` and waits with
:meth:`Clock.sleep`, so a test can run the guide's 20-minute soak in a second by advancing a
:class:`ManualClock` (or letting the verifier move it with :class:`FastForwardClock`).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol

DEFAULT_EPOCH: float = 1_534_752_000.0
"""Where a :class:`ManualClock` starts: 2018-08-20 08:00 UTC, the guide's firmware date."""


class Clock(Protocol):
    """What the simulator needs from a clock."""

    def now(self) -> float:
        """Seconds since the Unix epoch (what the firmware prints as ``When``)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Return once ``seconds`` have passed on this clock."""
        ...


class RealClock:
    """The wall clock; sleeping is :func:`asyncio.sleep`."""

    def now(self) -> float:
        """Seconds since the Unix epoch."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of real time."""
        await asyncio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "RealClock()"


class ManualClock:
    """A clock that only moves when :meth:`advance` is called.

    Sleepers wake when an :meth:`advance` carries the time past their deadline (their tasks then
    run at the event loop's next turns, so a test should yield, e.g. ``await asyncio.sleep(0)``).

    Args:
        start: the initial time in seconds since the Unix epoch.
    """

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        self._now = float(start)
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> float:
        """The current manual time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the time forward by ``seconds`` and wake every sleeper whose deadline passed.

        Raises:
            ValueError: when ``seconds`` is negative (time never goes back).
        """
        if seconds < 0:
            raise ValueError(f"a clock cannot go back ({seconds} s)")
        self._now += seconds
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    async def sleep(self, seconds: float) -> None:
        """Wait until the clock has been advanced by ``seconds`` (at once for 0 or less)."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._order), future))
        await future

    @property
    def sleepers(self) -> int:
        """How many sleeps are waiting (cancelled ones included until their deadline passes)."""
        return sum(1 for _, _, future in self._sleepers if not future.done())

    def __repr__(self) -> str:
        return f"ManualClock(now={self._now:.3f})"


class FastForwardClock:
    """A waiting party's view of a :class:`ManualClock`: its sleeps move the manual time forward.

    A verifier (or a test) that soaks or waits against a simulated miner on a manual clock uses
    this, so a 20-minute soak or a 10-minute wait for the warm-up takes only the time the readings
    take; the miner sees exactly the simulated time that passed.

    Args:
        clock: the simulated miner's manual clock.
    """

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock

    def now(self) -> float:
        """The manual clock's time."""
        return self.clock.now()

    async def sleep(self, seconds: float) -> None:
        """Advance the manual clock by ``seconds`` and let woken sleepers run."""
        if seconds > 0:
            self.clock.advance(seconds)
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"FastForwardClock({self.clock!r})"
