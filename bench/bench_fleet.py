"""Benchmark: a fleet of simulated S9 Hydro miners in one process.

Starts N miners (default 1,000) in one event loop on 127.0.1.1, 127.0.1.2, ... with the real
ports 4028 and 80 (``--ephemeral`` puts them all on 127.0.0.1 with free ports instead), then
measures:

- start time of the whole fleet and the process's resident memory (RSS) before and after;
- sustained RPC requests per second: a separate client process keeps a bounded number of
  connections busy (``--concurrency``), round-robin over every miner, each request a fresh TCP
  connection as the stock API requires, for ``--seconds``; replies are checked for a STATUS S.

Prints the figures; asserts nothing. Loopback only. Run: ``python bench/bench_fleet.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from commission.simulator.fleet import Fleet, plan_fleet
from commission.simulator.scenarios import ScenarioSet


def rss_mib() -> float:
    """Resident set size of this process in MiB (from /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def _client_load(
    addresses: list[tuple[str, int]], payload: bytes, concurrency: int, seconds: float
) -> tuple[int, int, list[float]]:
    ok = 0
    failed = 0
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**12))

    async def worker() -> None:
        nonlocal ok, failed
        while time.perf_counter() < deadline:
            host, port = addresses[next(counter) % len(addresses)]
            started = time.perf_counter()
            try:
                reader, writer = await asyncio.open_connection(host, port)
                writer.write(payload)
                reply = await asyncio.wait_for(reader.read(), 10)
                writer.close()
            except (OSError, TimeoutError):
                failed += 1
                continue
            if reply.endswith(b"\x00") and b'"STATUS":"S"' in reply:
                ok += 1
                latencies.append(time.perf_counter() - started)
            else:
                failed += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok, failed, latencies


def _client_process(
    addresses: list[tuple[str, int]],
    payload: bytes,
    concurrency: int,
    seconds: float,
    results: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    results.put(asyncio.run(_client_load(addresses, payload, concurrency, seconds)))


async def run(args: argparse.Namespace) -> None:
    """Start the fleet, measure, print, stop."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    first = "127.0.0.1" if args.ephemeral else "127.0.1.1"
    port = 0 if args.ephemeral else None
    members = plan_fleet(args.count, ScenarioSet(), args.fault_rate, seed=1, first_address=first)
    if args.ephemeral:
        members = [type(m)(m.index, "127.0.0.1", m.scenarios, m.seed) for m in members]
    before = rss_mib()
    started = time.perf_counter()
    fleet = Fleet(
        members,
        **({"api_port": 0, "web_port": 0} if port == 0 else {}),
    )
    await fleet.start()
    start_seconds = time.perf_counter() - started
    after = rss_mib()
    print(
        f"miners:              {args.count} on {'127.0.0.1 (ephemeral ports)' if args.ephemeral else '127.0.1.x :4028/:80'}"
    )
    print(f"fault rate:          {args.fault_rate:.2f}")
    print(
        f"start time:          {start_seconds:.2f} s ({start_seconds / args.count * 1000:.2f} ms per miner)"
    )
    print(
        f"RSS before / after:  {before:.1f} MiB / {after:.1f} MiB ({(after - before) / args.count * 1024:.1f} KiB per miner)"
    )
    addresses = [miner.api_address for miner in fleet.miners]
    for command in args.commands:
        payload = f'{{"command":"{command}"}}'.encode()
        results: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()  # type: ignore[type-arg]
        client = multiprocessing.get_context("spawn").Process(
            target=_client_process,
            args=(addresses, payload, args.concurrency, args.seconds, results),
        )
        client.start()
        loop = asyncio.get_running_loop()
        ok, failed, latencies = await loop.run_in_executor(None, results.get)
        await loop.run_in_executor(None, client.join)
        rate = ok / args.seconds
        p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
        p99 = (
            statistics.quantiles(latencies, n=100)[98] * 1000
            if len(latencies) > 100
            else float("nan")
        )
        print(
            f"rpc {command:<8}         {rate:8.0f} req/s sustained over {args.seconds:.0f} s "
            f"with {args.concurrency} connections ({ok} ok, {failed} failed; "
            f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms)"
        )
    print(f"RSS after load:      {rss_mib():.1f} MiB")
    stopped = time.perf_counter()
    await fleet.stop()
    print(f"stop time:           {time.perf_counter() - stopped:.2f} s")
    print(
        f"cpu count:           {os.cpu_count()} (shared with other work; figures are as measured)"
    )


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="miners (default 1000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="load per command (default 10)")
    parser.add_argument(
        "--concurrency", type=int, default=32, help="client connections (default 32)"
    )
    parser.add_argument(
        "--fault-rate", type=float, default=0.0, help="share with faults (default 0)"
    )
    parser.add_argument(
        "--commands",
        nargs="+",
        default=["summary", "stats"],
        help="commands to load, one measurement each (default: summary stats)",
    )
    parser.add_argument(
        "--ephemeral", action="store_true", help="all miners on 127.0.0.1 with free ports"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
