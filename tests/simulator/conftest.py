"""Fixtures for the simulator tests: miners on loopback ephemeral ports and a raw RPC client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from commission.simulator import ManualClock, SimulatedMiner

MinerFactory = Callable[..., Awaitable[SimulatedMiner]]


@pytest.fixture
async def make_miner() -> AsyncIterator[MinerFactory]:
    """Start simulated miners (manual clock, no console, free ports) and stop them afterwards."""
    started: list[SimulatedMiner] = []

    async def make(scenarios: Any = None, **options: Any) -> SimulatedMiner:
        options.setdefault("clock", ManualClock())
        options.setdefault("console", False)
        options.setdefault("ip_report_port", 0)
        miner = SimulatedMiner(scenarios, **options)
        await miner.start()
        started.append(miner)
        return miner

    yield make
    for miner in started:
        await miner.stop()


async def rpc_raw(address: tuple[str, int], payload: bytes, timeout: float = 5.0) -> bytes:
    """Send one request and read until the miner closes the connection."""
    reader, writer = await asyncio.open_connection(*address)
    try:
        writer.write(payload)
        if not payload:
            writer.write_eof()  # nothing to say: close our side, as `nc < /dev/null` does
        await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()


def repair(reply: bytes) -> Any:
    """Parse a reply the way field clients do: strip the NUL, fix the ``}{`` defect."""
    assert reply.endswith(b"\x00"), reply[-20:]
    return json.loads(reply[:-1].decode().replace("}{", "},{"))


async def rpc_json(miner: SimulatedMiner, command: str) -> Any:
    """Send ``{"command": ...}`` and return the repaired JSON reply."""
    payload = json.dumps({"command": command}).encode()
    return repair(await rpc_raw(miner.api_address, payload))
