"""``commission --verify``: check miners from a script, print a table or JSON, exit with a code.

This front end parses hosts and options into plain values, builds one stock client per miner (or
starts the simulator in-process on ephemeral loopback ports and points a stock client at it, so the
verify path only ever sees a miner client), optionally waits for each miner's warm-up
(``--wait-ready``), runs the verifier on all of them concurrently, prints the outcome table grouped
by checklist section (or the ``commission.verify/1`` JSON) and, in words, why the run is not
verified, writes JUnit when asked, and returns the exit code. It never imports Textual.

Exit 0 means verified: every check that applies was judged and none failed. The codes and their
precedence across miners are :class:`commission.errors.ExitCode` and
:func:`commission.verify.report.exit_code_for`.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import math
import os
import sys
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Final

from pydantic import SecretStr
from rich.console import Console

from commission.errors import UsageError
from commission.export.junit import write_junit
from commission.export.verify_json import dumps, verify_document
from commission.headless.fleet import FleetOptions, progress_stream_for, verify_fleet
from commission.headless.record import HeadlessRecord
from commission.headless.targets import Target, resolve
from commission.miner.client import StockMinerClient
from commission.miner.console import ConsoleReader
from commission.render.outcomes import (
    SoakProgressBar,
    report_renderable,
    section_titles,
    summary_text,
)
from commission.render.terminal import terminal
from commission.settings import ENV_WEB_PASSWORD
from commission.verify.report import MinerReport, exit_code_for, run_explanation
from commission.verify.runner import Verifier, verify_many
from commission.verify.soak import SoakClock

SIMULATED_UPTIME_S: Final = 900.0
"""``--simulate`` shows a miner that has run 15 minutes (as on the guide's status page), so the
checks gated on warm-up (hash rate, HW errors, shares) are judged and slow faults have developed
(the ``fresh-boot`` scenario shows one 3 s after power-on instead)."""
DEFAULT_WAIT_READY_MINUTES: Final = 10.0
"""``--wait-ready`` without MINUTES: a miner powered on just now warms up in about 6 min (its API
answers after about a minute, then bmminer's 5-minute warm-up), so 10 min leaves room."""
CONSOLE_QUIET_S: Final = 0.3
"""The serial console counts as caught up once no line arrived for this long."""
CONSOLE_WAIT_S: Final = 3.0
"""The longest we wait for the console to catch up before verifying."""
CONCURRENCY: Final = 16
"""Miners read at the same time; more queue (the RPC API serves one connection at a time)."""
SIMULATOR_CONSOLE: Final = "sim"
"""``--console sim`` with ``--simulate`` reads the simulated miner's own serial console."""


@dataclass(frozen=True)
class VerifyOptions:
    """Everything ``--verify`` needs, checked; built from argparse by :func:`options_from`."""

    targets: tuple[Target, ...]
    simulate: str | None
    json: bool
    junit: str | None
    soak_minutes: float | None
    wait_ready_minutes: float | None
    """Wait this long at most for each miner's warm-up before judging; None judges at once."""
    strict: bool
    console: str | None
    timeout: float
    web_user: str
    web_password: SecretStr | None
    job: str | None = None
    """``--job FILE``: record the (one) miner's outcomes in this job file."""
    fleet: FleetOptions = field(default_factory=FleetOptions)


def parse_target(text: str) -> Target:
    """``HOST``, ``HOST:PORT`` or ``[IPv6]:PORT`` -> Target.

    Raises:
        UsageError: naming the argument and what is wrong with it.
    """
    raw = text.strip()
    if not raw:
        raise UsageError("an empty HOST was given to --verify")
    host, port_text = raw, ""
    if raw.startswith("["):
        close = raw.find("]")
        if close < 0:
            raise UsageError(f"host {text!r}: missing ']' after the IPv6 address")
        host, rest = raw[1:close], raw[close + 1 :]
        if rest and (not rest.startswith(":") or len(rest) == 1):
            raise UsageError(f"host {text!r}: expected ':PORT' after ']'")
        port_text = rest[1:]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise UsageError(f"host {text!r}: {host!r} is not an IPv6 address") from None
    elif raw.count(":") == 1:
        host, port_text = raw.split(":")
        if not port_text:
            raise UsageError(f"host {text!r}: a ':' must be followed by the RPC port")
    elif raw.count(":") > 1:
        raise UsageError(f"host {text!r}: write an IPv6 address with a port as [ADDRESS]:PORT")
    if not host or any(c.isspace() or c in "/?#@" for c in host):
        raise UsageError(f"host {text!r} is not a host name or address")
    if port_text == "":
        return Target(host)
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise UsageError(f"host {text!r}: port {port_text!r} must be a number from 1 to 65535")
    return Target(host, int(port_text))


def options_from(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> VerifyOptions:
    """Check the parsed arguments and the environment, and collect them.

    Raises:
        UsageError: for a bad host, soak length, timeout, or console use.
    """
    env = os.environ if environ is None else environ
    targets = tuple(resolve(args.hosts, getattr(args, "hosts_file", None) or ()))
    fleet = FleetOptions(
        concurrency=getattr(args, "concurrency", FleetOptions.concurrency),
        deadline_s=getattr(args, "deadline", FleetOptions.deadline_s),
        details=getattr(args, "details", False) or len(targets) == 1,
        only_failed=getattr(args, "only_failed", False),
        jsonl=getattr(args, "jsonl", False),
        csv=getattr(args, "csv", None),
        jobs_dir=getattr(args, "jobs_dir", None),
        technician=getattr(args, "technician", "") or "",
        site=getattr(args, "site", "") or "",
    )
    fleet.check()
    single_only = [
        flag
        for flag, used in (
            ("--soak", args.soak is not None),
            ("--console", args.console is not None),
            ("--wait-ready", getattr(args, "wait_ready", None) is not None),
            ("--job", getattr(args, "job", None) is not None),
        )
        if used
    ]
    fleet_only = [
        flag
        for flag, used in (
            ("--jsonl", fleet.jsonl),
            ("--csv", fleet.csv),
            ("--jobs-dir", fleet.jobs_dir),
            ("--only-failed", fleet.only_failed),
        )
        if used
    ]
    if single_only and fleet_only:
        raise UsageError(
            f"{', '.join(fleet_only)} cannot be combined with {', '.join(single_only)}"
        )
    if fleet_only and args.simulate is not None:
        raise UsageError(
            f"{', '.join(fleet_only)} verify real miners; for a simulated fleet run "
            "'commission simulate --count N' and verify its addresses"
        )
    if args.soak is not None and (not math.isfinite(args.soak) or args.soak <= 0):
        raise UsageError(f"--soak must be a positive number of minutes, not {args.soak:g}")
    wait_ready = getattr(args, "wait_ready", None)
    if wait_ready is not None and (not math.isfinite(wait_ready) or wait_ready < 0):
        raise UsageError(
            f"--wait-ready must be a number of minutes (0 or more), not {wait_ready:g}"
        )
    if not math.isfinite(args.timeout) or args.timeout <= 0:
        raise UsageError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    if args.console is not None:
        if len(targets) > 1:
            raise UsageError("--console reads one miner's serial console: give only one HOST")
        if args.console == SIMULATOR_CONSOLE and args.simulate is None:
            raise UsageError(f"--console {SIMULATOR_CONSOLE} only works with --simulate")
    job = getattr(args, "job", None)
    if job is not None and len(targets) > 1:
        raise UsageError("--job records one miner: give only one HOST (one job file per miner)")
    password = env.get(ENV_WEB_PASSWORD)
    return VerifyOptions(
        targets=targets,
        simulate=args.simulate,
        json=args.json,
        junit=args.junit,
        soak_minutes=args.soak,
        wait_ready_minutes=wait_ready,
        strict=args.strict,
        console=args.console,
        timeout=args.timeout,
        web_user=args.web_user,
        web_password=SecretStr(password) if password else None,
        job=job,
        fleet=fleet,
    )


@dataclass
class _Clients:
    """The clients of one run, the simulator's console path, and the clock waits and soaks use."""

    clients: list[StockMinerClient]
    console_path: str | None = None
    clock: SoakClock | None = None
    """None: real time. With ``--simulate``: the simulated miner's time, moved by our waits."""


def _running_for(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


@asynccontextmanager
async def _clients(options: VerifyOptions, notes: Console) -> AsyncIterator[_Clients]:
    """Stock clients for the targets, or for a simulator started here (with its console path and
    its clock: waits and soaks against it run on simulated time, so they end at once)."""
    async with AsyncExitStack() as stack:
        console_path: str | None = None
        soak_clock: SoakClock | None = None
        if options.simulate is not None:
            from commission.simulator.clock import FastForwardClock, ManualClock
            from commission.simulator.miner import SimulatedMiner

            clock = ManualClock(time.time())
            simulator = SimulatedMiner(
                scenarios=options.simulate,
                clock=clock,
                console=options.console == SIMULATOR_CONSOLE,
            )
            await stack.enter_async_context(simulator)
            running_s = simulator.scenarios.running_seconds(SIMULATED_UPTIME_S)
            clock.advance(running_s)
            soak_clock = FastForwardClock(clock)
            host, api_port = simulator.api_address
            _, web_port = simulator.web_address
            console_path = simulator.console_path
            notes.print(
                f"simulated S9 Hydro ({simulator.scenarios}), running {_running_for(running_s)}, "
                f"on {host}: RPC {api_port}, web {web_port}"
                + (f", console {console_path}" if console_path else "")
                + "; waits and soaks run on simulated time",
                highlight=False,
            )
            clients = [
                StockMinerClient(
                    host,
                    api_port=api_port,
                    web_port=web_port,
                    timeout=options.timeout,
                    web_user=options.web_user,
                    # The simulated miner's password is known here (root/root unless the
                    # password-changed scenario), so $COMMISSION_WEB_PASSWORD is for real miners.
                    web_password=SecretStr(simulator.web_password),
                )
            ]
        else:
            clients = [
                StockMinerClient(
                    target.host,
                    api_port=target.api_port,
                    timeout=options.timeout,
                    web_user=options.web_user,
                    web_password=options.web_password,
                )
                for target in options.targets
            ]
        try:
            yield _Clients(clients, console_path, soak_clock)
        finally:
            await asyncio.gather(*(client.aclose() for client in clients))


async def verify(options: VerifyOptions, out: Console, notes: Console) -> list[MinerReport]:
    """Verify every miner in ``options`` and return the reports (printing only progress)."""
    async with _clients(options, notes) as run:
        url = run.console_path if options.console == SIMULATOR_CONSOLE else options.console
        reader = ConsoleReader(url) if url is not None else None
        if reader is not None:
            reader.start()
            await console_quiet(reader)
        try:
            waits = options.soak_minutes is not None or options.wait_ready_minutes is not None
            bar = SoakProgressBar(notes) if waits and notes.is_terminal else None
            wait_s = None if options.wait_ready_minutes is None else options.wait_ready_minutes * 60
            with bar if bar is not None else nullcontext():
                return await verify_many(
                    Verifier(clock=run.clock),
                    run.clients,
                    concurrency=CONCURRENCY,
                    soak_minutes=options.soak_minutes,
                    console=reader,
                    on_sample=bar.update if bar is not None else None,
                    wait_ready_s=wait_s,
                    on_wait=bar.update_wait if bar is not None else None,
                )
        finally:
            if reader is not None:
                reader.stop()


async def console_quiet(
    reader: ConsoleReader, *, quiet_s: float = CONSOLE_QUIET_S, limit_s: float = CONSOLE_WAIT_S
) -> None:
    """Let the console reader take in what the board has already printed (the boot log).

    Returns once no new line arrived for ``quiet_s``, or after ``limit_s`` on a chatty console.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_s
    seen = -1
    while loop.time() < deadline and reader.error is None:
        count = len(reader.lines())
        if count == seen:
            return
        seen = count
        await asyncio.sleep(quiet_s)


def print_reports(
    reports: Sequence[MinerReport], options: VerifyOptions, exit_code: int, out: Console
) -> None:
    """The JSON document or the table per miner, then the summary line."""
    titles = section_titles()
    if options.json:
        document = verify_document(
            reports, exit_code=exit_code, strict=options.strict, sections=titles
        )
        out.file.write(dumps(document) + "\n")
        out.file.flush()
        return
    for report in reports:
        out.print(report_renderable(report, titles))
        out.print()
    out.print(summary_text(reports, exit_code, strict=options.strict))


def run(args: argparse.Namespace) -> int:
    """Entry point of ``commission --verify`` (see :mod:`commission.cli`)."""
    options = options_from(args)
    out = terminal()
    notes = terminal(stderr=True)
    if options.simulate is None and not _single_miner_path(options):
        code = asyncio.run(
            verify_fleet(
                options.targets,
                fleet=options.fleet,
                json_document=options.json,
                junit=options.junit,
                strict=options.strict,
                timeout=options.timeout,
                web_user=options.web_user,
                web_password=options.web_password,
                out=out,
                notes=notes,
                progress_stream=progress_stream_for(sys.stderr),
            )
        )
        sys.stdout.flush()
        return code
    record = _open_record(options)  # before reading the miner: a held job is refused at once
    try:
        reports = asyncio.run(verify(options, out, notes))
    except BaseException:
        if record is not None:
            record.close()
        raise
    code = exit_code_for(reports, strict=options.strict)
    if options.junit:
        write_junit(options.junit, reports, strict=options.strict)
    print_reports(reports, options, int(code), out)
    if options.json:
        # The document carries the exit code; the reason in words goes to stderr for the log.
        for line in run_explanation(reports, strict=options.strict):
            notes.print(line, highlight=False, markup=False)
    if options.junit and not options.json:
        notes.print(f"JUnit written to {options.junit}", highlight=False)
    if record is not None:
        _record_job(record, reports, options, notes)
    sys.stdout.flush()
    return int(code)


def _single_miner_path(options: VerifyOptions) -> bool:
    """True for what the fleet path does not do: soak, console, wait for warm-up, one job file."""
    return (
        options.soak_minutes is not None
        or options.console is not None
        or options.wait_ready_minutes is not None
        or options.job is not None
    )


def _open_record(options: VerifyOptions) -> HeadlessRecord | None:
    if options.job is None:
        return None
    return HeadlessRecord.open(options.job)


def _record_job(
    record: HeadlessRecord, reports: Sequence[MinerReport], options: VerifyOptions, notes: Console
) -> None:
    """Record the run in the job (``--job``), say what the job's verdict is now, let it go."""
    try:
        if not reports:
            return
        verdict = record.record(reports[0], simulated=options.simulate)
    finally:
        record.close()
    made = "created" if record.created else "updated"
    notes.print(f"job {options.job} {made}: {verdict.headline}", highlight=False, markup=False)
    if verdict.notice:
        notes.print(verdict.notice, highlight=False, markup=False)
