"""Named fault scenarios: what can be wrong with a simulated S9 Hydro, and how to ask for it.

A scenario is a name with optional arguments (``chain-missing:7``, ``asics-missing:7:3``);
several combine (``pump-stopped,fan-stalled:3``). This module owns the registry (one line of help
each, for ``commission simulate --list``), the parser with its usage errors, and the seeded random
choice a fleet uses for ``--fault-rate``. What each scenario does to the wire lives in the model.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

from commission.errors import UsageError
from commission.miner.layout import ASICS_PER_CHAIN, BOARDS, CHAINS

FAN_CHOICES: Final = (1, 2, 3, 4, 5, 6)
DEFAULT_SLOW_REPLY_SECONDS: Final = 8.0
"""How late ``slow-replies`` answers by default: past the usual 5 s client timeout."""
FRESH_BOOT_SECONDS: Final = 3.0
"""How long a ``fresh-boot`` miner has been running when it is first read."""
DEFAULT_RESTART_MINUTES: Final = 4.0
"""How often ``restart-loop`` restarts bmminer by default: before its 5-minute warm-up ends."""


@dataclass(frozen=True)
class Parameter:
    """One argument of a scenario (``N`` in ``chain-missing:N``)."""

    name: str
    meaning: str
    choices: tuple[int, ...] = ()
    """Allowed integer values; empty means any number in ``low``..``high``."""
    low: float = 0.0
    high: float = 0.0
    optional: bool = False
    is_float: bool = False

    def parse(self, scenario: str, text: str) -> float | int:
        """Turn one argument into a number, or raise UsageError naming the scenario."""
        try:
            value: float | int = float(text) if self.is_float else int(text)
        except ValueError:
            raise UsageError(
                f"scenario {scenario!r}: {self.name} must be a number ({self.meaning}), "
                f"not {text!r}"
            ) from None
        if self.choices and value not in self.choices:
            allowed = ", ".join(map(str, self.choices))
            raise UsageError(
                f"scenario {scenario!r}: {self.name}={value} is not valid; "
                f"{self.meaning} is one of {allowed}"
            )
        if not self.choices and not self.low <= value <= self.high:
            raise UsageError(
                f"scenario {scenario!r}: {self.name}={value} is out of range; "
                f"{self.meaning} is {self.low:g} to {self.high:g}"
            )
        return value


@dataclass(frozen=True)
class ScenarioSpec:
    """A registered scenario: its help line and its parameters."""

    name: str
    description: str
    parameters: tuple[Parameter, ...] = ()

    @property
    def usage(self) -> str:
        """The scenario as written on the command line, e.g. ``asics-missing:N:K``."""
        parts = [self.name]
        for parameter in self.parameters:
            parts.append(f"[{parameter.name}]" if parameter.optional else parameter.name)
        return ":".join(parts)


_CHAIN = Parameter("N", "the API chain number", choices=CHAINS)
_BOARD = Parameter("B", "the hash board", choices=BOARDS)
_FAN = Parameter("N", "the fan header", choices=FAN_CHOICES)

SCENARIOS: Final[dict[str, ScenarioSpec]] = {
    spec.name: spec
    for spec in (
        ScenarioSpec("healthy", "a correctly installed miner: 12 chains, pump running, root/root"),
        ScenarioSpec(
            "chain-missing",
            "chain N finds no ASICs (its PCIe power connector is unplugged)",
            (_CHAIN,),
        ),
        ScenarioSpec(
            "board-missing",
            "hash board B is not detected: its three chains report no ASICs",
            (_BOARD,),
        ),
        ScenarioSpec(
            "asics-missing",
            "chain N detects K ASICs fewer than 18",
            (
                _CHAIN,
                Parameter("K", "the number of missing ASICs", low=1, high=ASICS_PER_CHAIN - 1),
            ),
        ),
        ScenarioSpec(
            "asic-failed",
            "one ASIC on chain N is in error (an 'x' in its status string)",
            (_CHAIN,),
        ),
        ScenarioSpec("fan-stalled", "fan N does not turn (reads 0 r/min)", (_FAN,)),
        ScenarioSpec(
            "pump-stopped",
            "the pump is not running: all boards heat up until the 80 °C PCB trip",
        ),
        ScenarioSpec(
            "air-trapped",
            "air is trapped in hash board B's cold plate: that board runs much hotter",
            (_BOARD,),
        ),
        ScenarioSpec(
            "inlet-too-warm",
            "the water inlet is above the 55 °C limit: boards climb to the 80 °C trip",
        ),
        ScenarioSpec("pool-dead", "pool 0 is unreachable; the miner fails over to pool 1"),
        ScenarioSpec("one-pool", "only one pool is configured (no backup pools)"),
        ScenarioSpec("all-pools-dead", "no pool is reachable: no work, no hash rate"),
        ScenarioSpec("worker-unset", "the pools are configured without worker names"),
        ScenarioSpec(
            "password-changed", "the web password is no longer root: root/root is refused"
        ),
        ScenarioSpec("low-hashrate", "the chains hash well below their ideal rate"),
        ScenarioSpec(
            "hw-errors",
            "one board produces many hardware errors; with N, only chain N (about 900 in "
            "15 min: a small share of the miner's work, a large one of that chain's)",
            (Parameter("N", "the API chain number", choices=CHAINS, optional=True),),
        ),
        ScenarioSpec("api-down", "the RPC API on port 4028 refuses connections"),
        ScenarioSpec(
            "slow-replies",
            "the RPC API answers S seconds late (default 8, past a 5 s timeout)",
            (
                Parameter(
                    "S", "the delay in seconds", low=0, high=600, optional=True, is_float=True
                ),
            ),
        ),
        ScenarioSpec("split-replies", "the RPC API sends each reply in several TCP pieces"),
        ScenarioSpec(
            "old-firmware",
            "a 2017 firmware build without the Hydro-era dash temperature fields",
        ),
        ScenarioSpec(
            "sensor-faulty",
            "one chip sensor of chain N reads -83 °C (a broken sensor, as in a real capture)",
            (_CHAIN,),
        ),
        ScenarioSpec(
            "fresh-boot",
            "the miner was powered on 3 s ago: bmminer is still starting, 0 GH/s, no share yet",
        ),
        ScenarioSpec(
            "restart-loop",
            "bmminer crashes and restarts every M minutes (default 4): never warms up",
            (
                Parameter(
                    "M",
                    "the minutes between restarts",
                    low=0.5,
                    high=120,
                    optional=True,
                    is_float=True,
                ),
            ),
        ),
    )
}
"""Every scenario, in the order ``commission simulate --list`` prints them."""


@dataclass(frozen=True, order=True)
class Scenario:
    """One requested scenario with its arguments, e.g. ``Scenario("chain-missing", (7,))``."""

    name: str
    args: tuple[float | int, ...] = ()

    def __str__(self) -> str:
        return ":".join([self.name, *(f"{arg:g}" for arg in self.args)])


@dataclass(frozen=True)
class ScenarioSet:
    """The scenarios one simulated miner runs; empty means healthy."""

    scenarios: tuple[Scenario, ...] = field(default_factory=tuple)

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self.scenarios)

    def __len__(self) -> int:
        return len(self.scenarios)

    def __contains__(self, name: object) -> bool:
        return any(scenario.name == name for scenario in self.scenarios)

    def args_of(self, name: str) -> list[tuple[float | int, ...]]:
        """The argument tuples of every requested ``name`` (one per occurrence)."""
        return [scenario.args for scenario in self.scenarios if scenario.name == name]

    def ints_of(self, name: str) -> set[int]:
        """The first arguments of every requested ``name``, as integers."""
        return {int(args[0]) for args in self.args_of(name) if args}

    @property
    def healthy(self) -> bool:
        """True when no fault was requested."""
        return not self.scenarios

    def running_seconds(self, default: float) -> float:
        """How long this miner has run when a verify harness first reads it: ``default``, or
        :data:`FRESH_BOOT_SECONDS` for ``fresh-boot``."""
        return FRESH_BOOT_SECONDS if "fresh-boot" in self else default

    @property
    def restart_every_s(self) -> float | None:
        """Seconds between bmminer restarts under ``restart-loop``; None without it."""
        found = self.args_of("restart-loop")
        if not found:
            return None
        minutes = float(found[0][0]) if found[0] else DEFAULT_RESTART_MINUTES
        return minutes * 60.0

    def __str__(self) -> str:
        return ",".join(map(str, self.scenarios)) or "healthy"


def _valid_names() -> str:
    return ", ".join(spec.usage for spec in SCENARIOS.values())


def _parse_one(text: str) -> Scenario | None:
    name, *raw_args = (part.strip() for part in text.strip().split(":"))
    spec = SCENARIOS.get(name.lower())
    if spec is None:
        raise UsageError(f"unknown scenario {name!r}; valid scenarios are: {_valid_names()}")
    required = [parameter for parameter in spec.parameters if not parameter.optional]
    if len(raw_args) < len(required) or len(raw_args) > len(spec.parameters):
        if not spec.parameters:
            raise UsageError(f"scenario {spec.name!r} takes no arguments (got {text.strip()!r})")
        raise UsageError(f"scenario {spec.name!r} is written {spec.usage} (got {text.strip()!r})")
    args = tuple(
        parameter.parse(spec.name, raw)
        for parameter, raw in zip(spec.parameters, raw_args, strict=False)
    )
    if spec.name == "healthy":
        return None
    return Scenario(spec.name, args)


def parse_scenarios(text_or_list: str | Iterable[str] | ScenarioSet | None) -> ScenarioSet:
    """Parse scenarios written as ``"pump-stopped,fan-stalled:3"`` or as a list of such strings.

    ``healthy`` (or nothing) is the empty set; duplicates collapse; names are case-insensitive.

    Raises:
        UsageError: for an unknown name, a missing or extra argument, or an argument out of range;
            the message names the offending scenario and lists the valid ones.
    """
    if isinstance(text_or_list, ScenarioSet):
        return text_or_list
    if text_or_list is None:
        return ScenarioSet()
    items = [text_or_list] if isinstance(text_or_list, str) else list(text_or_list)
    found: list[Scenario] = []
    saw_healthy = False
    for item in items:
        if not isinstance(item, str):
            raise UsageError(f"a scenario must be text like 'chain-missing:7', not {item!r}")
        for part in item.split(","):
            if not part.strip():
                continue
            scenario = _parse_one(part)
            if scenario is None:
                saw_healthy = True
            elif scenario not in found:
                found.append(scenario)
    if saw_healthy and found:
        raise UsageError(
            "'healthy' cannot be combined with fault scenarios (got "
            + ", ".join(map(str, found))
            + ")"
        )
    return ScenarioSet(tuple(found))


def random_scenarios(rng: random.Random) -> ScenarioSet:
    """One or two seeded random faults for a fleet member (never ``healthy``, never api-down).

    ``api-down`` and ``slow-replies`` are left out so that a fleet stays browsable, and
    ``fresh-boot`` because a fleet's miners all start together; everything else may be drawn.
    """
    names = [
        name
        for name in SCENARIOS
        if name not in {"healthy", "api-down", "slow-replies", "fresh-boot"}
    ]
    chosen: list[Scenario] = []
    for name in rng.sample(names, k=rng.choice((1, 1, 2))):
        spec = SCENARIOS[name]
        args: list[float | int] = []
        for parameter in spec.parameters:
            if parameter.optional:
                continue
            if parameter.choices:
                args.append(rng.choice(parameter.choices))
            else:
                args.append(rng.randint(int(parameter.low), int(parameter.high)))
        chosen.append(Scenario(name, tuple(args)))
    return ScenarioSet(tuple(sorted(chosen)))
