"""``commission discover``: find miners by scanning addresses or by their IP Report button.

``--listen`` is the IP Report listener as a command that runs on any OS (the vendor's IP Reporter
runs on Windows only): it binds UDP 14235, prints each miner's address and MAC as its button is
held, optionally asks for a shelf/step/position label, and echoes the MAC back so the miner stops
repeating and beeps. Datagrams that are not reports are shown on stderr, never dropped in silence.
With ``--save`` every press is appended to the inventory at once, so a farm builds its map by
pressing buttons down a row.

``--scan`` probes addresses (see :mod:`commission.headless.scan`) and prints a table, JSON or CSV;
``--save`` appends the miners it found to the same inventory.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TextIO

from pydantic import SecretStr
from rich.table import Table

from commission.errors import ExitCode, UsageError
from commission.headless import inventory
from commission.headless.fleet import connection_budget
from commission.headless.scan import (
    FDS_PER_ADDRESS,
    SCAN_SCHEMA,
    ScanOptions,
    ScanResult,
    by_kind,
    scan,
)
from commission.headless.targets import resolve
from commission.miner.ipreport import IpReport, IpReportListener, UnreadableDatagram
from commission.render.terminal import terminal
from commission.settings import ENV_WEB_PASSWORD


@dataclass(frozen=True)
class DiscoverOptions:
    """The checked arguments of ``commission discover --listen``."""

    bind: str
    port: int
    label: bool
    count: int | None
    seconds: float | None
    json: bool
    save: str | None = None


def options_from(args: argparse.Namespace) -> DiscoverOptions:
    """Check the parsed arguments of ``--listen``.

    Raises:
        UsageError: --listen missing, or a port, count or duration out of range.
    """
    if not args.listen:
        raise UsageError(
            "discover needs --listen (IP Report button presses) or --scan TARGETS (probe addresses)"
        )
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be 0-65535, not {args.port}")
    if args.count is not None and args.count < 1:
        raise UsageError(f"--count must be at least 1, not {args.count}")
    if args.seconds is not None and (not math.isfinite(args.seconds) or args.seconds <= 0):
        raise UsageError(f"--seconds must be a positive number, not {args.seconds:g}")
    return DiscoverOptions(
        args.bind,
        args.port,
        args.label,
        args.count,
        args.seconds,
        args.json,
        getattr(args, "save", None),
    )


def format_report(report: IpReport, label: str | None, as_json: bool) -> str:
    """One output line for a miner: aligned text, or a JSON object."""
    if as_json:
        record = {
            "ip": report.ip,
            "mac": report.mac,
            "received_at": report.received_at.isoformat(),
            "label": label,
        }
        return json.dumps(record)
    return f"{report.ip:<15}  {report.mac}" + (f"  {label}" if label else "")


AskLabel = Callable[[IpReport], str | None]


def stdin_label(prompt_to: TextIO, answer_from: TextIO) -> AskLabel:
    """A label asker that prompts on ``prompt_to`` and reads one line from ``answer_from``.

    At end of input it stops asking (returns None from then on).
    """
    finished = False

    def ask(report: IpReport) -> str | None:
        nonlocal finished
        if finished:
            return None
        prompt_to.write(f"shelf/step/position for {report.ip} ({report.mac}): ")
        prompt_to.flush()
        line = answer_from.readline()
        if not line:
            finished = True
            prompt_to.write("\n(no more input: not asking for labels)\n")
            return None
        return line.strip() or None

    return ask


async def discover(
    options: DiscoverOptions,
    out: TextIO,
    notes: TextIO,
    ask_label: AskLabel | None = None,
    *,
    on_listening: Callable[[tuple[str, int]], None] | None = None,
) -> list[tuple[IpReport, str | None]]:
    """Listen until ``count`` miners or ``seconds`` passed; print each miner as it is found.

    Args:
        options: the checked arguments.
        out: where the miner lines go (stdout).
        notes: where status and unreadable datagrams go (stderr).
        ask_label: asks for a label per miner when ``options.label``.
        on_listening: called with the bound address once listening.

    Returns:
        Each distinct miner found (by MAC) with its label.
    """
    found: dict[str, tuple[IpReport, str | None]] = {}
    saver = inventory.Appender(options.save) if options.save else None
    # The stock daemon sends from UDP 14236 and waits there; echoing to the sender's own port is
    # the same port on a real miner, and also reaches a simulator on an ephemeral port.
    listener = IpReportListener(options.bind, options.port, reply_port=None)
    async with listener:
        host, port = listener.address
        notes.write(
            f"listening for IP reports on UDP {host}:{port}; hold a miner's IP Report button "
            "about 5 s until it beeps"
            + (
                f" (stopping after {options.count} miner{'s' if options.count != 1 else ''})"
                if options.count
                else ""
            )
            + "\n"
        )
        notes.flush()
        if on_listening is not None:
            on_listening((host, port))
        loop = asyncio.get_running_loop()
        deadline = None if options.seconds is None else loop.time() + options.seconds
        while options.count is None or len(found) < options.count:
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                break
            try:
                event = await listener.next_event(remaining)
            except TimeoutError:
                break
            if isinstance(event, UnreadableDatagram):
                notes.write(f"ignored a datagram from {event.sender[0]}: {event.reason}\n")
                notes.flush()
                continue
            label = None
            if options.label and ask_label is not None:
                label = await asyncio.to_thread(ask_label, event)
            if event.mac not in found:
                found[event.mac] = (event, label)
            if saver is not None:
                saver.append(press_row(event, label))
            out.write(format_report(event, label, options.json) + "\n")
            out.flush()
    if saver is not None:
        saver.close()
    return list(found.values())


def press_row(report: IpReport, label: str | None) -> inventory.InventoryRow:
    """The inventory row of one button press."""
    return inventory.InventoryRow(
        address=report.ip,
        mac=inventory.normal_mac(report.mac),
        label=label or "",
        seen_at=report.received_at.isoformat(timespec="seconds"),
        source=inventory.SOURCE_BUTTON,
    )


def run(args: argparse.Namespace) -> int:
    """Entry point of ``commission discover`` (see :mod:`commission.cli`)."""
    if getattr(args, "scan", None):
        return run_scan(args)
    for flag in ("csv", "hosts_file"):
        if getattr(args, flag, None):
            raise UsageError(f"--{flag.replace('_', '-')} goes with --scan")
    options = options_from(args)
    ask = stdin_label(sys.stderr, sys.stdin) if options.label else None
    found = asyncio.run(discover(options, sys.stdout, sys.stderr, ask))
    sys.stderr.write(f"{len(found)} miner{'s' if len(found) != 1 else ''} found\n")
    if options.count is not None and len(found) < options.count:
        sys.stderr.write(f"commission: expected {options.count} miners, found {len(found)}\n")
        return ExitCode.CHECK_FAILED
    return ExitCode.OK


def scan_options_from(args: argparse.Namespace, environ: Mapping[str, str]) -> ScanOptions:
    """Check the ``--scan`` arguments.

    Raises:
        UsageError: a limit out of range, or a listen-only flag given to a scan.
    """
    for flag, used in (
        ("--label", args.label),
        ("--count", args.count),
        ("--seconds", args.seconds),
    ):
        if used:
            raise UsageError(f"{flag} goes with --listen, not --scan")
    if args.json and args.csv:
        raise UsageError("give --json or --csv, not both")
    if args.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, not {args.concurrency}")
    if args.retries < 0:
        raise UsageError(f"--retries must be 0 or more, not {args.retries}")
    for flag, value in (("--probe-timeout", args.probe_timeout), ("--timeout", args.timeout)):
        if not math.isfinite(value) or value <= 0:
            raise UsageError(f"{flag} must be a positive number of seconds, not {value:g}")
    password = environ.get(ENV_WEB_PASSWORD)
    concurrency, note = connection_budget(args.concurrency, fds_each=FDS_PER_ADDRESS)
    if note:
        sys.stderr.write(f"note: {note}\n")
    return ScanOptions(
        concurrency=concurrency,
        probe_timeout_s=args.probe_timeout,
        retries=args.retries,
        timeout_s=args.timeout,
        web_user=args.web_user,
        web_password=SecretStr(password) if password else None,
    )


KIND_WORDS: Final = {
    inventory.KIND_S9_HYDRO: "S9 Hydro",
    inventory.KIND_OTHER_MINER: "other miner",
    inventory.KIND_NOT_A_MINER: "not a miner",
    inventory.KIND_SILENT: "silent",
}


def scan_table(results: Sequence[ScanResult]) -> Table:
    """Every address that answered (silent ones are only counted)."""
    table = Table(title="scan", title_justify="left")
    for column in ("address", "kind", "model", "MAC", "firmware", "RPC", "web", "note"):
        table.add_column(column, no_wrap=column in ("address", "MAC"))
    for result in results:
        if result.kind == inventory.KIND_SILENT:
            continue
        row = result.as_json()
        table.add_row(
            row["address"],
            KIND_WORDS[result.kind],
            result.model or "-",
            result.mac or "-",
            result.firmware or "-",
            row["rpc"],
            row["web"],
            result.note or "",
        )
    return table


def scan_totals(results: Sequence[ScanResult]) -> str:
    """``1022 addresses: 511 S9 Hydro, 0 other miners, 0 not miners, 511 silent``."""
    counts = by_kind(results)
    parts = [f"{counts[kind]} {KIND_WORDS[kind]}" for kind in inventory.KINDS]
    return f"{len(results)} address{'es' if len(results) != 1 else ''}: " + ", ".join(parts)


def run_scan(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> int:
    """``commission discover --scan``: probe, identify, classify, print, save."""
    options = scan_options_from(args, os.environ if environ is None else environ)
    targets = resolve(args.scan, args.hosts_file, what="scan target")
    appender = inventory.Appender(args.save) if args.save else None
    progress_to = sys.stderr if sys.stderr.isatty() else None
    done = 0
    answering = 0
    last_drawn = 0.0

    def on_result(result: ScanResult) -> None:
        nonlocal done, answering, last_drawn
        done += 1
        answering += result.kind != inventory.KIND_SILENT
        if progress_to is None:
            return
        now = time.monotonic()
        if now - last_drawn >= 0.25 or done == len(targets):
            last_drawn = now
            progress_to.write(f"\rprobed {done}/{len(targets)} · {answering} answering\x1b[K")
            progress_to.flush()

    results = asyncio.run(scan(targets, options, on_result=on_result))
    if progress_to is not None:
        progress_to.write("\r\x1b[K")
        progress_to.flush()
    miners = [result for result in results if result.is_miner]
    if appender is not None:
        for result in miners:
            appender.append(result.inventory_row())
        appender.close()
    if args.json:
        document = {
            "schema": SCAN_SCHEMA,
            "addresses": len(results),
            "by_kind": by_kind(results),
            "results": [result.as_json() for result in results],
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    elif args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(inventory.COLUMNS)
        for result in results:
            writer.writerow(result.inventory_row().values())
    else:
        console = terminal()
        console.print(scan_table(results))
        console.print(scan_totals(results), highlight=False)
    sys.stdout.flush()
    if appender is not None:
        sys.stderr.write(f"{len(miners)} miners appended to {args.save}\n")
    if not miners:
        sys.stderr.write("commission: no miner answered on the scanned addresses\n")
        return ExitCode.UNREACHABLE
    return ExitCode.OK
