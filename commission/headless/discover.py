"""``commission discover --listen``: the IP Report listener as a command that runs on any OS.

The vendor's IP Reporter runs on Windows only. This command binds UDP 14235, prints each miner's
address and MAC as its IP Report button is held, optionally asks for a shelf/step/position label,
and echoes the MAC back so the miner stops repeating and beeps. Datagrams that are not reports are
shown on stderr, never dropped in silence.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from commission.errors import ExitCode, UsageError
from commission.miner.ipreport import IpReport, IpReportListener, UnreadableDatagram


@dataclass(frozen=True)
class DiscoverOptions:
    """The checked arguments of ``commission discover``."""

    bind: str
    port: int
    label: bool
    count: int | None
    seconds: float | None
    json: bool


def options_from(args: argparse.Namespace) -> DiscoverOptions:
    """Check the parsed arguments.

    Raises:
        UsageError: --listen missing, or a port, count or duration out of range.
    """
    if not args.listen:
        raise UsageError("discover needs --listen (it listens for IP Report button presses)")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be 0-65535, not {args.port}")
    if args.count is not None and args.count < 1:
        raise UsageError(f"--count must be at least 1, not {args.count}")
    if args.seconds is not None and (not math.isfinite(args.seconds) or args.seconds <= 0):
        raise UsageError(f"--seconds must be a positive number, not {args.seconds:g}")
    return DiscoverOptions(args.bind, args.port, args.label, args.count, args.seconds, args.json)


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
            out.write(format_report(event, label, options.json) + "\n")
            out.flush()
    return list(found.values())


def run(args: argparse.Namespace) -> int:
    """Entry point of ``commission discover`` (see :mod:`commission.cli`)."""
    options = options_from(args)
    ask = stdin_label(sys.stderr, sys.stdin) if options.label else None
    found = asyncio.run(discover(options, sys.stdout, sys.stderr, ask))
    sys.stderr.write(f"{len(found)} miner{'s' if len(found) != 1 else ''} found\n")
    if options.count is not None and len(found) < options.count:
        sys.stderr.write(f"commission: expected {options.count} miners, found {len(found)}\n")
        return ExitCode.CHECK_FAILED
    return ExitCode.OK
