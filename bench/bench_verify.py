"""``commission --verify`` against a healthy simulated miner: the whole process, and where time goes.

Run: ``python bench/bench_verify.py [--runs N]`` (prints figures; nothing is asserted). Loopback only.

1. The whole command as a process (``commission --verify --simulate healthy``, table and ``--json``).
2. Import time of the headless path (``-X importtime``), against a bare interpreter start, with the
   heaviest imports listed.
3. In one process: simulator start, the stock client's snapshot (RPC + web), the rules, the table
   rendering and the JSON document, each timed separately.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _median_ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1e3:7.1f} ms  (min {min(times) * 1e3:.1f}, max {max(times) * 1e3:.1f})"


def timed_process(argv: list[str], runs: int) -> list[float]:
    times = []
    env = {**os.environ, "COLUMNS": "120"}
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, cwd=REPO, env=env, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()}")
    return times


def whole_process(runs: int) -> None:
    print("1. whole process")
    python = [sys.executable]
    for label, argv in (
        ("python -c pass (interpreter start)", [*python, "-c", "pass"]),
        ("commission --version", [*python, "-m", "commission", "--version"]),
        (
            "commission --verify --simulate healthy",
            [*python, "-m", "commission", "--verify", "--simulate"],
        ),
        (
            "commission --verify --simulate healthy --json",
            [*python, "-m", "commission", "--verify", "--simulate", "--json"],
        ),
    ):
        print(f"  {label:<48} {_median_ms(timed_process(argv, runs))}")


def import_time() -> None:
    print("2. import time of the headless path (-X importtime, cumulative)")
    code = "import commission.cli, commission.headless.verify, commission.simulator.miner"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    rows: list[tuple[int, int, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, _, rest = line.partition(":")
        self_us, cumulative_us, name = rest.split("|")
        rows.append((int(cumulative_us), int(self_us), name.strip()))
    total = sum(own for _, own, _ in rows)
    print(f"  all imports: {total / 1e3:.1f} ms (sum of each module's own time)")
    for package in ("commission", "rich", "pydantic", "httpx", "serial", "asyncio", "textual"):
        own = sum(o for _, o, name in rows if name.split(".")[0].lstrip("_") == package)
        note = "   (never loaded: good)" if package == "textual" and not own else ""
        print(f"  {package:<12} {own / 1e3:7.1f} ms own time{note}")
    print("  heaviest single imports:")
    for us, _, name in sorted(rows, reverse=True)[:8]:
        print(f"    {us / 1e3:7.1f} ms  {name} (cumulative)")


async def in_process(runs: int) -> None:
    print("3. in one process (after imports)")
    from pydantic import SecretStr
    from rich.console import Console

    from commission.export.verify_json import dumps, verify_document
    from commission.miner.client import StockMinerClient
    from commission.render.outcomes import report_renderable, section_titles
    from commission.simulator.miner import SimulatedMiner
    from commission.verify.bindings import default_bindings
    from commission.verify.runner import Verifier

    phases: dict[str, list[float]] = {}

    def note(label: str, start: float) -> None:
        phases.setdefault(label, []).append(time.perf_counter() - start)

    start = time.perf_counter()
    default_bindings()
    note("load checklist bindings (first call)", start)
    verifier = Verifier()
    for _ in range(runs):
        start = time.perf_counter()
        miner = SimulatedMiner(console=False)
        await miner.start()
        note("simulator start", start)
        client = StockMinerClient(
            "127.0.0.1",
            api_port=miner.api_address[1],
            web_port=miner.web_address[1],
            web_password=SecretStr(miner.web_password),
        )
        start = time.perf_counter()
        snapshot = await client.snapshot(web=True)
        note("snapshot: RPC joined request + web UI", start)
        start = time.perf_counter()
        await client.snapshot(web=False)
        note("snapshot: RPC only", start)
        start = time.perf_counter()
        outcomes = verifier.judge(snapshot)
        note(f"rules ({len(outcomes)} outcomes)", start)
        start = time.perf_counter()
        report = await verifier.verify(client)
        note("Verifier.verify (snapshot + rules)", start)
        start = time.perf_counter()
        Console(file=io.StringIO(), width=120).print(report_renderable(report, section_titles()))
        note("render the table", start)
        start = time.perf_counter()
        dumps(verify_document([report], exit_code=0, strict=False, sections=section_titles()))
        note("JSON document", start)
        await client.aclose()
        start = time.perf_counter()
        await miner.stop()
        note("simulator stop", start)
    for label, times in phases.items():
        print(f"  {label:<40} {_median_ms(times)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions per figure (default 5)")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; {args.runs} runs each\n")
    steps: list[Callable[[], None]] = [
        lambda: whole_process(args.runs),
        import_time,
        lambda: asyncio.run(in_process(args.runs)),
    ]
    for step in steps:
        step()
        print()


if __name__ == "__main__":
    main()
