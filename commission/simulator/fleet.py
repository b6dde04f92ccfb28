"""A fleet of simulated miners in one process and one event loop, on consecutive loopback addresses.

Each miner gets its own address (127.0.1.1, 127.0.1.2, ...) so every one can use the real ports
(4028, 80), its own MAC and serial, and, with ``fault_rate``, a seeded random set of faults. The
assignment is decided before anything starts, so it can be printed and reproduced from the seed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
from dataclasses import dataclass

from commission.errors import UsageError
from commission.miner.fields import IP_REPORT_LISTEN_PORT, IP_REPORT_MINER_PORT, RPC_PORT, WEB_PORT
from commission.simulator.clock import Clock
from commission.simulator.miner import SimulatedMiner, make_mac, make_serial
from commission.simulator.scenarios import ScenarioSet, random_scenarios

FLEET_FIRST_ADDRESS = "127.0.1.1"
LOOPBACK = ipaddress.IPv4Network("127.0.0.0/8")
START_BATCH = 64
"""Miners started concurrently (bounded so a big fleet does not open thousands of binds at once)."""


def check_bind_address(
    address: str, allow_non_loopback: bool, flag: str = "--bind"
) -> ipaddress.IPv4Address:
    """Validate a bind address; outside 127.0.0.0/8 only with the explicit permission.

    Raises:
        UsageError: for text that is not an IPv4 address, or a non-loopback address without
            ``allow_non_loopback``.
    """
    try:
        parsed = ipaddress.IPv4Address(address)
    except ValueError:
        raise UsageError(f"{flag} {address!r} is not an IPv4 address") from None
    if parsed not in LOOPBACK and not allow_non_loopback:
        raise UsageError(
            f"{flag} {address} is outside loopback (127.0.0.0/8); the simulator would be "
            "reachable from the network. Add --allow-non-loopback if that is really wanted"
        )
    return parsed


def fleet_addresses(first: str, count: int) -> list[str]:
    """``count`` consecutive host addresses from ``first``, skipping .0 and .255.

    Raises:
        UsageError: when the addresses would run past 127.255.255.254 or ``count`` < 1.
    """
    if count < 1:
        raise UsageError(f"--count must be at least 1 (got {count})")
    start = ipaddress.IPv4Address(first)
    address = start
    out: list[str] = []
    while len(out) < count:
        if address.packed[-1] not in (0, 255):
            out.append(str(address))
        if address == ipaddress.IPv4Address("255.255.255.254"):
            break
        address += 1
    if len(out) < count or (start in LOOPBACK and ipaddress.IPv4Address(out[-1]) not in LOOPBACK):
        raise UsageError(f"not enough addresses after {first} for {count} miners")
    return out


@dataclass(frozen=True)
class FleetMember:
    """The plan for one miner of a fleet."""

    index: int
    host: str
    scenarios: ScenarioSet
    seed: int


def plan_fleet(
    count: int,
    scenarios: ScenarioSet,
    fault_rate: float,
    seed: int,
    first_address: str = FLEET_FIRST_ADDRESS,
) -> list[FleetMember]:
    """Decide each miner's address, seed and faults (``fault_rate`` of them get random ones).

    Raises:
        UsageError: for a fault rate outside 0-1 or a bad count.
    """
    if not 0.0 <= fault_rate <= 1.0:
        raise UsageError(f"--fault-rate must be between 0 and 1 (got {fault_rate})")
    hosts = fleet_addresses(first_address, count)
    rng = random.Random(seed)
    faulty = set(rng.sample(range(count), k=round(count * fault_rate)))
    members = []
    for index, host in enumerate(hosts):
        chosen = random_scenarios(rng) if index in faulty else scenarios
        members.append(FleetMember(index, host, chosen, seed * 1_000_003 + index))
    return members


class Fleet:
    """Many simulated miners sharing one event loop.

    Args:
        members: the plan from :func:`plan_fleet`.
        clock: shared time source (None: the wall clock).
        api_port: RPC port of every miner (the real 4028 by default).
        web_port: web UI port of every miner (the real 80 by default).
        report_to: where IP Report datagrams go.
        consoles: give each miner a pseudo-terminal console (one pty per miner).
    """

    def __init__(
        self,
        members: list[FleetMember],
        clock: Clock | None = None,
        api_port: int = RPC_PORT,
        web_port: int = WEB_PORT,
        report_to: tuple[str, int] = ("127.0.0.1", IP_REPORT_LISTEN_PORT),
        consoles: bool = False,
    ) -> None:
        self.members = members
        self.miners = [
            SimulatedMiner(
                member.scenarios,
                seed=member.seed,
                clock=clock,
                host=member.host,
                api_port=api_port,
                web_port=web_port,
                report_to=report_to,
                console=consoles,
                mac=make_mac(member.seed, member.index),
                serial=make_serial(member.seed, member.index),
                ip_report_port=IP_REPORT_MINER_PORT,
            )
            for member in members
        ]

    async def start(self) -> None:
        """Start every miner, a batch at a time; on a failure stop the ones already running."""
        try:
            for first in range(0, len(self.miners), START_BATCH):
                await asyncio.gather(
                    *(miner.start() for miner in self.miners[first : first + START_BATCH])
                )
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop every miner."""
        await asyncio.gather(*(miner.stop() for miner in self.miners))

    async def __aenter__(self) -> Fleet:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
