"""Where a snapshot's time goes in the miner layer: repair, JSON, parsing, and the loopback round trip.

Run: ``python bench/bench_miner_client.py`` (prints figures; nothing is asserted). Loopback only: it starts
a simulated S9 Hydro on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from commission.miner import parse, transport
from commission.miner.client import StockMinerClient
from commission.miner.rpc import SNAPSHOT_COMMANDS
from commission.simulator import SimulatedMiner

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "samples"


def per_call(label: str, function: Callable[[], object], repeat: int = 2000) -> None:
    for _ in range(50):
        function()
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    elapsed = (time.perf_counter() - start) / repeat
    print(f"  {label:<44} {elapsed * 1e6:9.1f} µs")


async def per_await(label: str, function: Callable[[], Awaitable[object]], repeat: int) -> None:
    await function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await function()
        times.append(time.perf_counter() - start)
    print(
        f"  {label:<44} {statistics.median(times) * 1e3:9.2f} ms median, "
        f"{max(times) * 1e3:.2f} ms max ({repeat} runs)"
    )


async def main() -> None:
    stats_raw = (SAMPLES / "s9-2019-stock-stats.json").read_bytes() + b"\x00"
    repaired = transport.repair(stats_raw)
    decoded = json.loads(repaired)
    print(f"stock S9 stats reply, {len(stats_raw)} bytes:")
    per_call("transport.repair", lambda: transport.repair(stats_raw))
    per_call("json.loads of the repaired text", lambda: json.loads(repaired))
    per_call("parse.parse_stats", lambda: parse.parse_stats(decoded))

    async with SimulatedMiner(seed=1, console=False) as miner:
        host, api_port = miner.api_address
        client = StockMinerClient(host, api_port=api_port, web_port=miner.web_address[1])
        joined = await client.rpc.raw("+".join(SNAPSHOT_COMMANDS))
        print(f"simulated S9 Hydro on loopback, joined reply {len(joined)} bytes:")
        per_call("transport.decode of the joined reply", lambda: transport.decode(joined), 500)
        await per_await("rpc joined request (5 commands)", lambda: client.rpc.commands(), 50)
        await per_await("snapshot(web=False)", lambda: client.snapshot(web=False), 50)
        await per_await("snapshot() with web UI (Digest, 3 CGIs)", client.snapshot, 20)
        await client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
