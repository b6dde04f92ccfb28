"""Benchmark the TUI: start-up time to the first interactive screen, and the live dashboard's CPU.

Run from the repository root: ``python bench/bench_tui.py`` (``--runs``, ``--seconds``). It prints
figures; it asserts nothing.

1. Start-up: ``commission --simulate`` is started in a pseudo-terminal (100x30), as a technician
   starts it, and timed from just before the process is spawned until the start screen's form has
   been drawn on the terminal ("Technician" appears in the output), and until the simulated miner
   is connected (its label appears). Then Ctrl+Q quits it.
2. Dashboard CPU: a simulated miner runs in its own process (``commission simulate`` on
   127.0.7.7, real ports 4028 and 80), so its work is not counted. The TUI runs in a second process
   in a pseudo-terminal, opens a job, switches to the live dashboard refreshing once a second,
   waits for the first reading, then measures its own CPU time (user + system, getrusage) over a
   window of wall time and reports CPU % and CPU per refresh.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import os
import pty
import re
import resource
import select
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>PX^_\]][^\x1b]*")
SIM_HOST = "127.0.7.7"
COLUMNS, ROWS = 100, 30


def spawn_in_pty(argv: list[str], env: dict[str, str]) -> tuple[int, int]:
    """Start ``argv`` on a new pseudo-terminal of COLUMNS x ROWS; returns (pid, master fd)."""
    pid, master = pty.fork()
    if pid == 0:  # the child: becomes the program
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    return pid, master


def read_until(master: int, needles: list[bytes], timeout: float) -> dict[bytes, float]:
    """Read the terminal output until every needle appeared (ANSI codes stripped); their times."""
    seen: dict[bytes, float] = {}
    text = b""
    deadline = time.perf_counter() + timeout
    while len(seen) < len(needles):
        left = deadline - time.perf_counter()
        if left <= 0:
            missing = [n.decode() for n in needles if n not in seen]
            raise TimeoutError(f"not seen within {timeout} s: {missing}")
        ready, _, _ = select.select([master], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        now = time.perf_counter()
        text += ANSI.sub(b"", chunk)
        text = text[-200_000:]
        for needle in needles:
            if needle not in seen and needle in text.replace(b" ", b""):
                seen[needle] = now
    return seen


def drain(master: int, seconds: float) -> None:
    """Keep reading (and dropping) terminal output for ``seconds``."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                return


def finish(pid: int, master: int) -> None:
    """Ask the TUI to quit (Ctrl+Q); kill it if it does not within 10 s."""
    with contextlib.suppress(OSError):  # the terminal is already gone: the process has ended
        os.write(master, b"\x11")
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        drain(master, 0.2)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(master)


def measure_startup(runs: int) -> None:
    """Time ``commission --simulate`` to its first screen, ``runs`` times."""
    screen, connected = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "COMMISSION_HOME": home, "TERM": "xterm-256color"}
            argv = [sys.executable, "-m", "commission", "--simulate"]
            started = time.perf_counter()
            pid, master = spawn_in_pty(argv, env)
            try:
                seen = read_until(master, [b"Technician", b"built-insimulator"], timeout=60)
            finally:
                finish(pid, master)
            screen.append(seen[b"Technician"] - started)
            connected.append(seen[b"built-insimulator"] - started)
    print(f"start-up, process start -> start screen drawn ({runs} runs, {COLUMNS}x{ROWS} pty):")
    print(
        f"  median {statistics.median(screen):.3f} s   min {min(screen):.3f} s   "
        f"max {max(screen):.3f} s"
    )
    print("start-up, process start -> simulated miner connected (label shown):")
    print(
        f"  median {statistics.median(connected):.3f} s   min {min(connected):.3f} s   "
        f"max {max(connected):.3f} s"
    )


def wait_for_port(host: str, port: int, timeout: float) -> None:
    """Return once ``host:port`` accepts TCP connections."""
    deadline = time.perf_counter() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.perf_counter() > deadline:
                raise
            time.sleep(0.1)


def measure_dashboard(seconds: float) -> None:
    """CPU of the TUI showing the live dashboard at one refresh per second."""
    simulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "commission",
            "simulate",
            "--bind",
            SIM_HOST,
            "--api-port",
            "4028",
            "--web-port",
            "80",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(SIM_HOST, 4028, 30)
        with tempfile.TemporaryDirectory() as home:
            result = Path(home) / "result.json"
            env = {**os.environ, "COMMISSION_HOME": home, "TERM": "xterm-256color"}
            argv = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--child-dashboard",
                "--seconds",
                str(seconds),
                "--result",
                str(result),
            ]
            pid, master = spawn_in_pty(argv, env)
            deadline = time.perf_counter() + seconds + 90
            while not result.exists() and time.perf_counter() < deadline:
                drain(master, 0.5)
            finish(pid, master)
            if not result.exists():
                raise RuntimeError("the dashboard child did not report")
            figures = json.loads(result.read_text())
    finally:
        simulator.terminate()
        simulator.wait(10)
    cpu, wall, reads = figures["cpu_s"], figures["wall_s"], figures["readings"]
    print(
        f"live dashboard at 1 refresh/s for {wall:.1f} s (TUI process only, "
        f"{COLUMNS}x{ROWS} pty, miner in another process):"
    )
    print(
        f"  CPU {cpu:.2f} s = {100 * cpu / wall:.1f} % of one core;  {reads} readings, "
        f"{1000 * cpu / max(reads, 1):.1f} ms CPU per reading (read, judge, redraw)"
    )


def child_dashboard(seconds: float, result: Path) -> None:
    """In the pty: open a job, show the dashboard, measure this process's CPU for ``seconds``."""
    sys.path.insert(0, str(REPO))
    from textual.pilot import Pilot

    from commission.job import RecentJobs
    from commission.tui.app import CommissionApp
    from commission.tui.targets import miner_opener
    from tests.tui.driving import start_job, wait_for

    home = Path(os.environ["COMMISSION_HOME"])
    app = CommissionApp(
        miner_opener(SIM_HOST),
        job_path=home / "job.json",
        recent=RecentJobs(home),
        jobs_folder=home,
        refresh_seconds=1.0,
    )
    readings = 0

    def count(_: object) -> None:
        nonlocal readings
        readings += 1

    async def drive(pilot: Pilot[object]) -> None:
        await start_job(pilot)
        await pilot.press("f3")
        await wait_for(pilot, lambda: app.snapshot is not None, timeout=30)
        app.watch(app, "snapshot", count, init=False)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu0, wall0 = usage.ru_utime + usage.ru_stime, time.perf_counter()
        await asyncio.sleep(seconds)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime - cpu0
        wall = time.perf_counter() - wall0
        result.write_text(json.dumps({"cpu_s": cpu, "wall_s": wall, "readings": readings}))
        app.exit(0)

    app.run(auto_pilot=drive)


def main() -> int:
    """Run both measurements (or the dashboard child)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs (default 5)")
    parser.add_argument("--seconds", type=float, default=30.0, help="dashboard window (30)")
    parser.add_argument("--child-dashboard", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_dashboard:
        child_dashboard(args.seconds, args.result)
        return 0
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} "
        "(shared with other work; figures are as measured)"
    )
    measure_startup(args.runs)
    measure_dashboard(args.seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
