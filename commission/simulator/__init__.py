"""The simulated S9 Hydro: stock wire protocols, a small physical model, fault scenarios.

:class:`SimulatedMiner` is the in-process API (the TUI, the verifier and the tests use it);
:mod:`~commission.simulator.scenarios` names the faults; :mod:`~commission.simulator.clock` lets a
test move time by hand; :mod:`~commission.simulator.fleet` runs many miners in one event loop.
"""

from commission.simulator.clock import ManualClock, RealClock
from commission.simulator.miner import SimulatedMiner
from commission.simulator.scenarios import SCENARIOS, ScenarioSet, parse_scenarios

__all__ = [
    "SCENARIOS",
    "ManualClock",
    "RealClock",
    "ScenarioSet",
    "SimulatedMiner",
    "parse_scenarios",
]
