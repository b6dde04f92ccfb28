"""Every simulator scenario run once through the real verify path: one verify, and a soak.

Each scenario runs on its own simulated S9 Hydro on loopback (a manual clock, :data:`SEED`: a
particular miner whose boards differ and whose sensors read with noise), read by the stock client.
"One verify" reads it after 15 minutes of running (``fresh-boot``: 3 s); "the soak" watches a second,
identical miner for the guide's 20 minutes. The soak samples every :data:`SOAK_INTERVAL_S` here
(5 s in real runs) to keep the suite quick; every fault the scenarios model lasts the whole run.

The fault matrix (``docs/fault-matrix.md``) and the soak tests read these runs, so they are made
once per test session.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache
from typing import Final

from pydantic import SecretStr

from commission.miner.client import StockMinerClient
from commission.simulator.clock import FastForwardClock, ManualClock
from commission.simulator.miner import SimulatedMiner
from commission.simulator.scenarios import SCENARIOS
from commission.verify.limits import Limits
from commission.verify.report import MinerReport
from commission.verify.runner import Verifier

SEED: Final = 7
RUNNING_S: Final = 900.0
SOAK_MINUTES: Final = 20.0
SOAK_INTERVAL_S: Final = 30.0
TIMEOUT_S: Final = 4.0
"""Generous for a loaded machine; `slow-replies` answers 8 s late, past it."""

ARGUMENTS: Final = {
    "chain-missing": "chain-missing:7",
    "board-missing": "board-missing:2",
    "asics-missing": "asics-missing:9:3",
    "asic-failed": "asic-failed:13",
    "fan-stalled": "fan-stalled:3",
    "air-trapped": "air-trapped:3",
    "sensor-faulty": "sensor-faulty:7",
    "hw-errors": "hw-errors:9",
    "slow-replies": "slow-replies",
}
"""The arguments each scenario runs with (the others take none)."""

SCENARIO_RUNS: Final = (*(ARGUMENTS.get(name, name) for name in SCENARIOS), "hw-errors")
"""Every scenario once (``hw-errors`` both on a board and on one chain)."""


@dataclass(frozen=True)
class ScenarioRun:
    """One scenario's two runs."""

    scenario: str
    verify: MinerReport
    soak: MinerReport | None
    """None when the miner could not be reached (no soak is run then)."""


async def _run(scenario: str, *, soak: bool) -> MinerReport:
    clock = ManualClock()
    async with SimulatedMiner(scenarios=scenario, clock=clock, console=False, seed=SEED) as miner:
        clock.advance(miner.scenarios.running_seconds(RUNNING_S))
        client = StockMinerClient(
            "127.0.0.1",
            api_port=miner.api_address[1],
            web_port=miner.web_address[1],
            timeout=TIMEOUT_S,
            web_password=SecretStr(miner.web_password),
        )
        verifier = Verifier(
            clock=FastForwardClock(clock), limits=Limits(soak_interval_s=SOAK_INTERVAL_S)
        )
        try:
            return await verifier.verify(client, soak_minutes=SOAK_MINUTES if soak else None)
        finally:
            await client.aclose()


async def _all() -> dict[str, ScenarioRun]:
    runs: dict[str, ScenarioRun] = {}
    for scenario in SCENARIO_RUNS:
        once = await _run(scenario, soak=False)
        soaked = await _run(scenario, soak=True) if once.reachable else None
        runs[scenario] = ScenarioRun(scenario, once, soaked)
    return runs


@cache
def scenario_runs() -> dict[str, ScenarioRun]:
    """Every scenario's runs, made once per session (call from a synchronous test or fixture)."""
    return asyncio.run(_all())
