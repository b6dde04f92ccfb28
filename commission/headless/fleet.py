"""``commission --verify`` for a fleet: many miners at once, results streamed, one summary at the end.

It sizes the work to the machine (a connection budget under the process's file-descriptor limit,
said aloud when that limit is what holds the run back), streams each finished miner to the outputs
asked for (``--jsonl`` lines, the ``--csv`` file, JUnit one suite per miner, one job record per
miner in ``--jobs-dir``, the per-miner tables with ``--details``), keeps only a small row per miner
for the fleet summary (worst first, with totals), and shows progress on stderr while stderr is a
terminal. ``--json`` is the one output that holds every report, because it is one document.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from rich.console import Console

from commission import __version__
from commission.errors import ExitCode, JobFileError, UsageError, combine_exit_codes
from commission.export.junit import JUnitStream
from commission.export.verify_json import dumps, report_json, verify_document
from commission.headless.record import HeadlessRecord
from commission.headless.targets import Target
from commission.job.models import Location
from commission.miner.client import StockMinerClient
from commission.render.fleet import fleet_summary, hash_rate_text, progress_line
from commission.render.outcomes import report_header, report_renderable, section_titles
from commission.results import Status
from commission.verify.fleet import (
    FleetResult,
    FleetRow,
    fleet_row,
    run_headline,
    verify_stream,
    worst_first,
)
from commission.verify.report import MinerReport
from commission.verify.runner import Verifier

FLEET_SCHEMA: Final = "commission.fleet/1"
"""The ``--jsonl`` stream: one ``miner`` object per line as each finishes, then one ``summary``."""
FDS_PER_MINER: Final = 4
"""Sockets one miner can hold at once: the RPC connection or up to three web pages in parallel."""
FD_RESERVE: Final = 64
"""Descriptors kept free for stdio, output files, job records and the event loop itself."""
PROGRESS_EVERY_S: Final = 0.25
CSV_COLUMNS: Final = (
    "address",
    "mac",
    "label",
    "hash_rate_ths",
    "status",
    "reachable",
    "exit_code",
    "reason",
    "action",
)


@dataclass(frozen=True)
class FleetOptions:
    """What the fleet outputs and limits are (checked by :func:`check`)."""

    concurrency: int = 512
    deadline_s: float = 60.0
    details: bool = False
    only_failed: bool = False
    jsonl: bool = False
    csv: str | None = None
    jobs_dir: str | None = None
    technician: str = ""
    site: str = ""

    def check(self) -> None:
        """Raises UsageError for values that cannot work."""
        if self.concurrency < 1:
            raise UsageError(f"--concurrency must be at least 1, not {self.concurrency}")
        if not self.deadline_s > 0 or self.deadline_s == float("inf"):
            raise UsageError(
                f"--deadline must be a positive number of seconds, not {self.deadline_s:g}"
            )


def open_fds() -> int:
    """Descriptors this process has open now (Linux: /proc/self/fd; elsewhere a guess of 16)."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 16


def connection_budget(wanted: int, *, fds_each: int = FDS_PER_MINER) -> tuple[int, str | None]:
    """How many miners may be read at once under the descriptor limit, and a note when it binds.

    Raises the soft limit to the hard one first (allowed without privileges), then leaves
    :data:`FD_RESERVE` free and gives each miner ``fds_each`` descriptors.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65_536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass  # the soft limit stays as it was; the budget below is computed from it
    free = soft - open_fds() - FD_RESERVE
    allowed = max(1, free // fds_each)
    if allowed >= wanted:
        return wanted, None
    return allowed, (
        f"the file-descriptor limit ({soft}) allows {allowed} at a time instead of "
        f"{wanted} ({fds_each} sockets each); raise it (ulimit -n) to go faster"
    )


class _Progress:
    """``done/total`` on one rewritten stderr line; drawn only when stderr is a terminal."""

    def __init__(self, stream: IO[str], total: int) -> None:
        self.stream = stream
        self.total = total
        self.started = time.monotonic()
        self.drawn_at = 0.0

    def update(self, done: int, failed: int, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.drawn_at < PROGRESS_EVERY_S:
            return
        self.drawn_at = now
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 and done else None
        eta = (self.total - done) / rate if rate else None
        self.stream.write("\r" + progress_line(done, self.total, failed, rate, eta) + "\x1b[K")
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()


def job_file_name(row: FleetRow, target: Target) -> str:
    """``AA-BB-CC-DD-EE-FF.json`` by MAC; ``host-ADDRESS.json`` when the MAC is not known."""
    if row.mac:
        return row.mac.replace(":", "-") + ".json"
    safe = "".join(c if c.isalnum() or c in ".-" else "-" for c in str(target))
    return f"host-{safe}.json"


def location_from(label: str) -> Location:
    """``3/2/14`` (or ``3-2-14``, ``3 2 14``) -> shelf 3, step 2, position 14; else all in shelf."""
    for separator in ("/", "-", " "):
        parts = [part.strip() for part in label.split(separator)]
        if len(parts) == 3 and all(parts):
            return Location(shelf=parts[0], step=parts[1], position=parts[2])
    return Location(shelf=label.strip())


class _Jobs:
    """Keeps one job record per miner in a folder, through the ``--job`` record (h5's job API).

    A record that exists is extended (the next day's verification of the same row); a new one
    gets the technician, the site and the location label when they were given.
    """

    def __init__(self, folder: str, technician: str, site: str) -> None:
        from commission.checklist.loader import load_builtin

        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UsageError(f"cannot create --jobs-dir {folder!r}: {error.strerror}") from None
        self.checklist = load_builtin()
        self.technician = technician.strip()
        self.site = site.strip()
        self.written = 0

    def record(self, row: FleetRow, target: Target, report: MinerReport) -> Path:
        """Record one miner's outcomes; returns the job file's path.

        Raises:
            JobFileError: the job is held by another program, broken, or another miner's.
        """
        path = self.folder / job_file_name(row, target)
        record = HeadlessRecord.open(path, checklist=self.checklist)
        try:
            created = record.created
            record.record(report, simulated=None)
            job_file = record.job_file
            if created and job_file is not None:
                job_file.update_details(
                    technician=self.technician or None,
                    site=self.site or None,
                    miner_mac=row.mac or None,
                    location=location_from(row.label) if row.label else None,
                )
        finally:
            record.close()
        self.written += 1
        return path


def miner_line(result: FleetResult[Target], row: FleetRow) -> dict[str, Any]:
    """One ``--jsonl`` miner object."""
    return {
        "type": "miner",
        "schema": FLEET_SCHEMA,
        "address": str(result.target),
        "host": row.host,
        "mac": row.mac or None,
        "label": row.label or None,
        "status": row.status.value,
        "reachable": row.reachable,
        "exit_code": int(row.exit_code),
        "ghs_5s": row.ghs,
        "reason": row.reason,
        "action": row.action,
        "report": report_json(result.report),
    }


def _csv_cells(row: FleetRow) -> list[str]:
    return [
        row.host,
        row.mac,
        row.label,
        "" if row.ghs is None else f"{row.ghs / 1000:.3f}",
        row.status.value,
        "yes" if row.reachable else "no",
        str(int(row.exit_code)),
        row.reason,
        row.action,
    ]


def _open_csv(path: str) -> IO[str]:
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as error:
        raise UsageError(f"cannot write the CSV file {path!r}: {error.strerror}") from None


async def verify_fleet(
    targets: Sequence[Target],
    *,
    fleet: FleetOptions,
    json_document: bool,
    junit: str | None,
    strict: bool,
    timeout: float,
    web_user: str,
    web_password: Any,
    out: Console,
    notes: Console,
    progress_stream: IO[str] | None,
) -> int:
    """Verify ``targets`` as a fleet, write every output asked for, and return the exit code.

    Args:
        targets: the miners, in the order given.
        fleet: outputs and limits.
        json_document: print the single ``commission.verify/1`` document (holds every report).
        junit: write JUnit here, one suite per miner.
        strict: warnings fail.
        timeout: each request's connect and read timeout.
        web_user: the web UI user.
        web_password: the web UI password (a SecretStr) or None for the default.
        out: stdout console.
        notes: stderr console (notes, the budget message).
        progress_stream: where progress is drawn; None when stderr is not a terminal.
    """
    fleet.check()
    total = len(targets)
    concurrency, budget_note = connection_budget(min(fleet.concurrency, max(1, total)))
    if budget_note:
        notes.print(f"note: {budget_note}", highlight=False)

    def connect(target: Target) -> StockMinerClient:
        return StockMinerClient(
            target.host,
            api_port=target.api_port,
            timeout=timeout,
            web_user=web_user,
            web_password=web_password,
        )

    titles = section_titles()
    verifier = Verifier()
    rows: list[FleetRow] = []
    by_status: Counter[Status] = Counter()
    codes: list[ExitCode] = []
    reports: list[tuple[Target, MinerReport]] = []
    not_passing = 0
    done = 0
    stdout = out.file
    csv_file = _open_csv(fleet.csv) if fleet.csv else None
    csv_writer = csv.writer(csv_file) if csv_file is not None else None
    if csv_writer is not None:
        csv_writer.writerow(CSV_COLUMNS)
    junit_stream = JUnitStream(junit, strict=strict) if junit else None
    jobs = _Jobs(fleet.jobs_dir, fleet.technician, fleet.site) if fleet.jobs_dir else None
    progress = _Progress(progress_stream, total) if progress_stream is not None else None
    text_output = not (json_document or fleet.jsonl)
    started = time.monotonic()
    try:
        async for result in verify_stream(
            verifier, targets, connect, concurrency=concurrency, deadline_s=fleet.deadline_s
        ):
            target, report = result.target, result.report
            row = fleet_row(
                report, ghs=result.ghs, mac=target.mac, label=target.label, strict=strict
            )
            done += 1
            by_status[row.status] += 1
            codes.append(row.exit_code)
            if len(codes) > 64:
                codes[:] = [combine_exit_codes(codes)]
            failing = row.exit_code is not ExitCode.OK
            not_passing += failing
            if failing or not fleet.only_failed:
                rows.append(row)
            if json_document:
                reports.append((target, report))
            if fleet.jsonl and (failing or not fleet.only_failed):
                stdout.write(json.dumps(miner_line(result, row)) + "\n")
                stdout.flush()
            if csv_writer is not None:
                csv_writer.writerow(_csv_cells(row))
            if junit_stream is not None:
                junit_stream.add(report)
            if jobs is not None:
                try:
                    jobs.record(row, target, report)
                except JobFileError as error:
                    notes.print(f"commission: job record for {target}: {error}", highlight=False)
                    codes.append(ExitCode.USAGE)
            if text_output and fleet.details and (failing or not fleet.only_failed):
                if progress is not None:
                    progress.clear()
                if report.reachable:
                    out.print(report_renderable(report, titles))
                else:
                    line = report_header(report)
                    line.append(f"\n  {row.reason}")
                    out.print(line)
                out.print()
            if progress is not None:
                progress.update(done, not_passing, final=done == total)
    finally:
        if progress is not None:
            progress.clear()
        if csv_file is not None:
            csv_file.close()
    if junit_stream is not None:
        junit_stream.close()
    code = combine_exit_codes(codes)
    headline = run_headline(dict(by_status), code, strict=strict)
    wall_s = time.monotonic() - started
    if json_document:
        # The single document keeps the order the targets were given in.
        position = {target.key: index for index, target in enumerate(targets)}
        reports.sort(key=lambda pair: position.get(pair[0].key, len(position)))
        document = verify_document(
            [report for _, report in reports], exit_code=int(code), strict=strict, sections=titles
        )
        stdout.write(dumps(document) + "\n")
    elif fleet.jsonl:
        summary = {
            "type": "summary",
            "schema": FLEET_SCHEMA,
            "tool": {"name": "commission", "version": __version__},
            "miners": done,
            "by_status": {status.value: by_status.get(status, 0) for status in Status},
            "not_passing": not_passing,
            "exit_code": int(code),
            "strict": strict,
            "wall_s": round(wall_s, 3),
        }
        stdout.write(json.dumps(summary) + "\n")
    else:
        out.print(
            fleet_summary(
                worst_first(rows), by_status, done, int(code), strict=strict, headline=headline
            )
        )
    stdout.flush()
    if not text_output:
        # The document carries the exit code; the reason in words goes to stderr for the log.
        notes.print(headline, highlight=False, markup=False)
        for row in worst_first(rows):
            if row.explanation:
                notes.print(row.explanation, highlight=False, markup=False)
    if junit and text_output:
        notes.print(f"JUnit written to {junit}", highlight=False)
    if jobs is not None and text_output:
        notes.print(f"{jobs.written} job records in {jobs.folder}", highlight=False)
    return int(code)


def progress_stream_for(stream: IO[str] = sys.stderr) -> IO[str] | None:
    """``stream`` when it is a terminal (progress is drawn there), else None (no progress)."""
    isatty = getattr(stream, "isatty", None)
    return stream if isatty is not None and isatty() else None


__all__ = [
    "FleetOptions",
    "connection_budget",
    "hash_rate_text",
    "job_file_name",
    "location_from",
    "progress_stream_for",
    "verify_fleet",
]
