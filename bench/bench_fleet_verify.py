"""Benchmark: ``commission --verify`` against a fleet of slow stand-ins, and ``discover --scan`` of a /22.

Stand-ins are simulated S9 Hydros in separate processes (``--processes``, each serving a share of the
fleet on consecutive loopback addresses, real ports 4028 and 80, web UI behind HTTP Digest). Every
RPC reply is sent in 3 writes 50 ms apart, like a slow controller. The verifier runs as its own
process (``commission --verify --hosts-file F --jsonl``, the command a farm runs), so its figures
are its own: wall time, CPU seconds per miner (user + system, from wait4), peak RSS, and misses
(miners not reached or with an outcome that could not be made). With pyasic installed (the
``bench`` extra) the same stand-ins are read by pyasic (scan + get_data) in the same run.

``--scan`` instead serves stand-ins on half of 127.31.0.0/22 and makes the other half silent
(listeners whose accept queue is full: the kernel drops every SYN, nothing answers), then times
``commission discover --scan 127.31.0.0/22``.

Prints figures; asserts nothing. Loopback only. Examples::

    python bench/bench_fleet_verify.py --miners 1000
    python bench/bench_fleet_verify.py --miners 300 --pyasic
    python bench/bench_fleet_verify.py --miners 10000 --processes 5
    python bench/bench_fleet_verify.py --scan
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from commission.simulator.fleet import fleet_addresses  # noqa: E402

LOOPBACK = ipaddress.IPv4Network("127.0.0.0/8")
PIECES = 3
GAP_S = 0.05


def _serve(hosts: list[str], ready: Any, stop: Any) -> None:
    """A stand-in process: one simulated miner per host, RPC replies in 3 writes 50 ms apart."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    from commission.simulator import rpc
    from commission.simulator.fleet import Fleet, FleetMember
    from commission.simulator.scenarios import parse_scenarios

    rpc.SPLIT_PIECES = PIECES
    rpc.SPLIT_GAP_SECONDS = GAP_S
    split = parse_scenarios("split-replies")
    members = [FleetMember(i, host, split, i) for i, host in enumerate(hosts)]

    async def main() -> None:
        fleet = Fleet(members, report_to=("127.0.0.1", 9))
        await fleet.start()
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.2)
        await fleet.stop()

    asyncio.run(main())


class StandIns:
    """Stand-in processes serving ``hosts`` between them."""

    def __init__(self, hosts: list[str], processes: int) -> None:
        for host in hosts:
            assert ipaddress.IPv4Address(host) in LOOPBACK, host
        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        share = -(-len(hosts) // processes)
        self.workers = []
        self.ready = []
        for first in range(0, len(hosts), share):
            event = context.Event()
            worker = context.Process(
                target=_serve, args=(hosts[first : first + share], event, self.stop), daemon=True
            )
            self.workers.append(worker)
            self.ready.append(event)

    def __enter__(self) -> StandIns:
        started = time.perf_counter()
        for worker in self.workers:
            worker.start()
        for event in self.ready:
            if not event.wait(600):
                raise SystemExit("a stand-in process did not start within 600 s")
        print(
            f"stand-ins: {len(self.workers)} processes up in {time.perf_counter() - started:.1f} s"
        )
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        for worker in self.workers:
            worker.join(30)
            if worker.is_alive():
                worker.terminate()


def timed_child(argv: list[str], stdout_path: Path) -> tuple[int, float, float, float]:
    """Run ``argv``; return its exit code, wall s, CPU s (user+sys) and peak RSS (MiB)."""
    with stdout_path.open("wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, cwd=REPO)
        assert child.stderr is not None
        err = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1, 3, 4):
        sys.stderr.write(err.decode(errors="replace"))
    return child.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def verify_figures(hosts: list[str], folder: Path, concurrency: int) -> dict[str, Any]:
    hosts_file = folder / "fleet.txt"
    hosts_file.write_text("\n".join(hosts) + "\n")
    out = folder / "verify.jsonl"
    argv = [sys.executable, "-m", "commission", "--verify", "--hosts-file", str(hosts_file)]
    argv += ["--jsonl", "--concurrency", str(concurrency)]
    code, wall, cpu, rss = timed_child(argv, out)
    misses = timeouts = 0
    miners = 0
    summary: dict[str, Any] = {}
    with out.open() as lines:
        for line in lines:
            record = json.loads(line)
            if record["type"] == "summary":
                summary = record
                continue
            miners += 1
            outcomes = record["report"]["outcomes"]
            errors = [o for o in outcomes if o["status"] == "error"]
            if not record["reachable"] or errors:
                misses += 1
            if "deadline" in record["reason"] or any("within" in o["observed"] for o in errors):
                timeouts += 1
    return {
        "exit": code,
        "miners": miners,
        "wall_s": wall,
        "cpu_ms_per_miner": cpu / max(1, miners) * 1000,
        "peak_rss_mib": rss,
        "misses": misses,
        "timeouts": timeouts,
        "by_status": summary.get("by_status"),
    }


PYASIC_SCRIPT = """
import asyncio, json, sys
from pyasic.network import MinerNetwork

async def main():
    hosts = open(sys.argv[1]).read().split()
    network = MinerNetwork.from_list(hosts)
    miners = await network.scan()
    data = await asyncio.gather(*(miner.get_data() for miner in miners), return_exceptions=True)
    good = [d for d in data if not isinstance(d, BaseException)]
    hashing = sum(1 for d in good if getattr(d, "hashrate", None) is not None)
    print(json.dumps({"found": len(miners), "data": len(good), "with_hashrate": hashing}))

asyncio.run(main())
"""


def pyasic_figures(hosts: list[str], folder: Path) -> dict[str, Any] | None:
    try:
        import pyasic  # noqa: F401
    except ImportError:
        return None
    hosts_file = folder / "pyasic.txt"
    hosts_file.write_text("\n".join(hosts) + "\n")
    out = folder / "pyasic.json"
    code, wall, cpu, rss = timed_child([sys.executable, "-c", PYASIC_SCRIPT, str(hosts_file)], out)
    found = json.loads(out.read_text() or "{}") if code == 0 else {}
    return {
        "exit": code,
        "wall_s": wall,
        "cpu_ms_per_miner": cpu / max(1, len(hosts)) * 1000,
        "peak_rss_mib": rss,
        **found,
    }


def run_verify(args: argparse.Namespace) -> None:
    hosts = fleet_addresses(args.first, args.miners)
    processes = args.processes or max(1, -(-args.miners // 2500))
    print(
        f"fleet: {len(hosts)} stand-ins on {hosts[0]}..{hosts[-1]}, {processes} processes, "
        f"RPC replies in {PIECES} writes {GAP_S * 1000:.0f} ms apart, web UI with Digest"
    )
    with tempfile.TemporaryDirectory() as scratch, StandIns(hosts, processes):
        folder = Path(scratch)
        figures = verify_figures(hosts, folder, args.concurrency)
        print(
            f"commission --verify: {figures['miners']} miners in {figures['wall_s']:.2f} s wall "
            f"({figures['miners'] / figures['wall_s']:.0f} miners/s), "
            f"{figures['cpu_ms_per_miner']:.2f} ms CPU per miner, "
            f"peak RSS {figures['peak_rss_mib']:.0f} MiB, {figures['misses']} misses, "
            f"{figures['timeouts']} timeouts, exit {figures['exit']}, {figures['by_status']}"
        )
        if args.pyasic:
            theirs = pyasic_figures(hosts, folder)
            if theirs is None:
                print("pyasic: not installed (pip install -e '.[bench]')")
            else:
                rate = len(hosts) / theirs["wall_s"]
                ours = figures["miners"] / figures["wall_s"]
                print(
                    f"pyasic scan + get_data: found {theirs.get('found')}, data for "
                    f"{theirs.get('data')} ({theirs.get('with_hashrate')} with a hash rate) in "
                    f"{theirs['wall_s']:.2f} s wall ({rate:.0f} miners/s), "
                    f"{theirs['cpu_ms_per_miner']:.2f} ms CPU per miner, peak RSS "
                    f"{theirs['peak_rss_mib']:.0f} MiB, exit {theirs['exit']}"
                )
                print(f"ratio: commission {ours / rate:.1f}x pyasic's miners per second")


def run_scan(args: argparse.Namespace) -> None:
    block = ipaddress.IPv4Network("127.31.0.0/22")
    addresses = [str(a) for a in block.hosts()]
    miners, silent = addresses[::2], addresses[1::2]
    print(
        f"scan: {block} ({len(addresses)} addresses), {len(miners)} stand-ins, {len(silent)} silent"
    )
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    held: list[socket.socket] = []
    for host in silent:
        for port in (4028, 80):
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((host, port))
            listener.listen(0)
            held += [listener, socket.create_connection((host, port), timeout=5)]
    with tempfile.TemporaryDirectory() as scratch, StandIns(miners, args.processes or 1):
        out = Path(scratch) / "scan.json"
        argv = [sys.executable, "-m", "commission", "discover", "--scan", str(block), "--json"]
        code, wall, cpu, rss = timed_child(argv, out)
        document = json.loads(out.read_text())
        found = {r["address"] for r in document["results"] if r["kind"] == "s9-hydro"}
        print(
            f"discover --scan {block}: {wall:.2f} s wall, {cpu:.2f} s CPU, peak RSS {rss:.0f} MiB, "
            f"{document['by_kind']}, every stand-in found: {found == set(miners)}, exit {code}"
        )
    for sock in held:
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--miners", type=int, default=1000)
    parser.add_argument(
        "--processes", type=int, default=0, help="stand-in processes (default: one per 2,500)"
    )
    parser.add_argument("--first", default="127.20.0.1", help="first stand-in address (loopback)")
    parser.add_argument("--concurrency", type=int, default=512)
    parser.add_argument("--pyasic", action="store_true", help="also time pyasic on the same fleet")
    parser.add_argument("--scan", action="store_true", help="time a /22 scan instead")
    args = parser.parse_args()
    if ipaddress.IPv4Address(args.first) not in LOOPBACK:
        raise SystemExit("--first must be a loopback address")
    if args.scan:
        run_scan(args)
    else:
        run_verify(args)


if __name__ == "__main__":
    main()
