"""``commission simulate``: run simulated S9 Hydro miners in the foreground until Ctrl+C.

Prints each miner's RPC and web addresses, console path and faults, then serves until interrupted
(exit 0). Binds loopback unless told otherwise; a fleet (``--count N``) uses 127.0.1.1, 127.0.1.2,
... with the real ports. While it runs, typing a miner's number and Enter presses that miner's
IP Report button.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import threading
from typing import TextIO

from rich.console import Console
from rich.table import Table

from commission.errors import ExitCode, UsageError
from commission.miner.fields import IP_REPORT_LISTEN_PORT, RPC_PORT, WEB_PORT
from commission.render.terminal import terminal
from commission.simulator.fleet import (
    FLEET_FIRST_ADDRESS,
    Fleet,
    check_bind_address,
    plan_fleet,
)
from commission.simulator.scenarios import SCENARIOS, parse_scenarios

SINGLE_ADDRESS = "127.0.0.1"


def scenario_table() -> Table:
    """Every scenario with its one-line description."""
    table = Table(title="Fault scenarios (combine with commas or repeat --scenario)")
    table.add_column("scenario", style="bold", no_wrap=True)
    table.add_column("what the simulated miner shows")
    for spec in SCENARIOS.values():
        table.add_row(spec.usage, spec.description)
    return table


def parse_report_to(text: str | None, allow_non_loopback: bool) -> tuple[str, int]:
    """``ADDR[:PORT]`` for IP Report datagrams (default 127.0.0.1:14235).

    Raises:
        UsageError: for a malformed value or a non-loopback address without permission.
    """
    if not text:
        return "127.0.0.1", IP_REPORT_LISTEN_PORT
    host, colon, port_text = text.rpartition(":")
    if not colon:
        host, port_text = text, str(IP_REPORT_LISTEN_PORT)
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise UsageError(f"--report-to {text!r}: the port must be a number from 1 to 65535")
    check_bind_address(host, allow_non_loopback, flag="--report-to")
    return host, int(port_text)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``commission simulate`` (see ``commission simulate --help``)."""
    console = terminal()
    if args.list:
        console.print(scenario_table())
        return ExitCode.OK
    scenarios = parse_scenarios(args.scenario)
    if args.count < 1:
        raise UsageError(f"--count must be at least 1 (got {args.count})")
    for name in ("api_port", "web_port"):
        port = getattr(args, name)
        if port is not None and not 0 <= port < 65536:
            flag = "--" + name.replace("_", "-")
            raise UsageError(f"{flag} must be from 0 to 65535 (got {port})")
    if args.bind:
        check_bind_address(args.bind, args.allow_non_loopback)
    first = args.bind or (SINGLE_ADDRESS if args.count == 1 else FLEET_FIRST_ADDRESS)
    report_to = parse_report_to(args.report_to, args.allow_non_loopback)
    members = plan_fleet(args.count, scenarios, args.fault_rate, args.seed, first)
    fleet = Fleet(
        members,
        api_port=RPC_PORT if args.api_port is None else args.api_port,
        web_port=WEB_PORT if args.web_port is None else args.web_port,
        report_to=report_to,
        consoles=args.count == 1,
    )
    return asyncio.run(_serve(fleet, console, sys.stdin))


def miner_lines(fleet: Fleet) -> list[str]:
    """One line per miner: number, RPC and web addresses, console, MAC, serial and faults."""
    lines = []
    for number, miner in enumerate(fleet.miners, start=1):
        api_host, api_port = miner.api_address
        web_host, web_port = miner.web_address
        lines.append(
            f"miner {number}: rpc {api_host}:{api_port}  web http://{web_host}:{web_port}/  "
            f"console {miner.console_path or '-'}  mac {miner.mac}  serial {miner.serial}  "
            f"scenarios {miner.scenarios}"
        )
    return lines


async def _serve(fleet: Fleet, console: Console, stdin: TextIO) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = _stop_on_signals(loop, stop)
    await fleet.start()
    presses: set[asyncio.Task[None]] = set()
    try:
        for line in miner_lines(fleet):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        if len(fleet.miners) == 1:
            console.print("The web UI login is root/root unless a scenario changed it.")
        reading = _watch_stdin(loop, stdin, fleet, console, presses, stop)
        console.print(
            "Serving. "
            + ("Type a miner number and Enter to press its IP Report button; " if reading else "")
            + "Ctrl+C stops."
        )
        await stop.wait()
    finally:
        for task in presses:
            task.cancel()
        for signum in signals:
            loop.remove_signal_handler(signum)
        await fleet.stop()
    console.print("Stopped.")
    return ExitCode.OK


def _stop_on_signals(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> list[signal.Signals]:
    """Ctrl+C and SIGTERM stop the fleet cleanly; the signals handled (none on Windows).

    Windows' event loop has no signal handlers: there Ctrl+C interrupts ``asyncio.run``, which
    cancels the serving task, and its ``finally`` still stops the fleet.
    """
    handled = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):
            continue
        handled.append(signum)
    return handled


def _watch_stdin(
    loop: asyncio.AbstractEventLoop,
    stdin: TextIO,
    fleet: Fleet,
    console: Console,
    presses: set[asyncio.Task[None]],
    stop: asyncio.Event,
) -> bool:
    """Listen for miner numbers on standard input; False when there is no terminal to read.

    A daemon thread reads the lines (the portable way: Windows' event loop cannot watch a
    console handle) and hands each to the event loop.
    """
    if not stdin.isatty():
        return False

    def read_lines() -> None:
        for line in stdin:
            loop.call_soon_threadsafe(on_line, line)

    def on_line(line: str) -> None:
        text = line.strip()
        if text in ("q", "quit"):
            stop.set()
            return
        if not text:
            return
        if not text.isdigit() or not 1 <= int(text) <= len(fleet.miners):
            console.print(f"type a miner number from 1 to {len(fleet.miners)}", markup=False)
            return
        task = loop.create_task(_press(fleet, int(text), console))
        presses.add(task)
        task.add_done_callback(presses.discard)

    threading.Thread(target=read_lines, name="simulate-stdin", daemon=True).start()
    return True


async def _press(fleet: Fleet, number: int, console: Console) -> None:
    miner = fleet.miners[number - 1]
    console.print(f"miner {number}: IP Report button pressed, sending {miner.host},{miner.mac}")
    try:
        acked = await miner.press_ip_report()
    except UsageError as error:
        console.print(f"miner {number}: error: {error}", markup=False)
        return
    console.print(
        f"miner {number}: "
        + ("the listener echoed the MAC; sent OK" if acked else "no listener answered; gave up")
    )
