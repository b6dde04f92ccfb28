"""``commission selftest``: the hash engine's known answers and speed, printed for a terminal.

The work is done by commission.hashing.selftest; this module checks the arguments, shows a Rich
progress bar on a terminal (on standard error, so ``--json`` output stays clean), prints the
result and turns it into the exit code: 1 when a known answer failed, 2 for a tier this machine
does not have.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from commission import hashing
from commission.errors import ExitCode, UsageError
from commission.hashing.selftest import SelftestReport, run_selftest
from commission.render.terminal import terminal


def _check_arguments(args: argparse.Namespace) -> None:
    if not math.isfinite(args.seconds) or args.seconds <= 0:
        raise UsageError(f"--seconds must be a positive number, got {args.seconds}")
    if args.threads < 1:
        raise UsageError(f"--threads must be at least 1, got {args.threads}")
    if args.tier is not None and args.tier not in hashing.tiers_available():
        why = f"; {hashing.fallback_reason}" if hashing.fallback_reason else ""
        raise UsageError(
            f"hash tier {args.tier!r} is not available on this machine "
            f"(it has: {', '.join(hashing.tiers_available())}{why})"
        )


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[str, float], None] | None]:
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=terminal(stderr=True),
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(phase: str, fraction: float) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=1.0)
            bar.update(tasks[phase], completed=fraction)

        yield update


def _print_report(report: SelftestReport, out: TextIO) -> None:
    engine = (
        "compiled engine"
        if report.fallback_reason is None
        else f"pure-Python twin ({report.fallback_reason})"
    )
    print(f"hash engine: {engine}; default tier {report.implementation}", file=out)
    print(f"known answers on {', '.join(report.tiers)}:", file=out)
    for check in report.checks:
        word = "PASS" if check.passed else "FAIL"
        print(f"  {word}  {check.tier:<9} {check.vector}", file=out)
        if not check.passed:
            print(f"        expected hash {check.expected_hash}", file=out)
            print(f"        observed hash {check.observed_hash}", file=out)
            print(
                f"        expected nonces {list(check.expected_nonces)}, "
                f"observed {list(check.observed_nonces)}",
                file=out,
            )
    naive, measured = report.naive, report.measured
    print("speed (same run):", file=out)
    print(f"  naive hashlib loop  {naive.mhs:8.2f} MH/s", file=out)
    threads = f", {measured.threads} threads" if measured.threads > 1 else ""
    print(
        f"  {measured.label + threads:<18}  {measured.mhs:8.2f} MH/s  "
        f"= {report.ratio:.1f}x the naive loop",
        file=out,
    )
    verdict = "all known answers match" if report.passed else f"{len(report.failures)} FAILED"
    print(f"result: {verdict}", file=out)


def run(args: argparse.Namespace) -> int:
    """Run ``commission selftest``.

    Args:
        args: parsed by ``commission.cli`` (seconds, threads, tier, json).

    Returns:
        0 when every known answer matched, 1 when one did not.

    Raises:
        UsageError: bad --seconds or --threads, or a tier this machine does not have (exit 2).
    """
    _check_arguments(args)
    with _progress_bar(sys.stderr.isatty()) as progress:
        report = run_selftest(
            seconds=args.seconds, threads=args.threads, tier=args.tier, progress=progress
        )
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        _print_report(report, sys.stdout)
    return ExitCode.OK if report.passed else ExitCode.CHECK_FAILED
