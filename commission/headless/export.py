"""``commission export``: write a job as a report (PDF, HTML, text, JSON or JUnit).

Reads the job file (a corrupt one is reported, never touched), loads the checklist it was made
with, renders the report and writes it atomically to ``--output`` (saying where it went) or to
standard output. A PDF is never poured onto a terminal: it needs ``-o FILE`` or a pipe.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commission.checklist.loader import load_builtin, load_checklist
from commission.checklist.models import Checklist
from commission.errors import ExitCode, UsageError
from commission.export.job_report import report_bytes, write_report
from commission.job import Job, read_job


def _checklist_for(job: Job, path: str | None) -> Checklist:
    checklist = load_checklist(path) if path else load_builtin()
    if checklist.id != job.checklist_id:
        raise UsageError(
            f"the job was made with checklist {job.checklist_id!r} but "
            f"{'that file' if path else 'the built-in checklist'} is {checklist.id!r}; "
            "pass the right one with --checklist FILE"
        )
    if checklist.version != job.checklist_version:
        print(
            f"commission: note: the job was made with {job.checklist_id} version "
            f"{job.checklist_version}; reporting with version {checklist.version} "
            "(item ids are stable; answers to removed items are listed at the end)",
            file=sys.stderr,
        )
    return checklist


def run(args: argparse.Namespace) -> int:
    """Render ``args.job`` in ``args.format`` to ``args.output`` or standard output."""
    job, _ = read_job(Path(args.job))
    checklist = _checklist_for(job, args.checklist)
    if args.output:
        try:
            written = write_report(job, checklist, args.format, args.output, paper=args.paper)
        except OSError as error:
            raise UsageError(f"cannot write {args.output}: {error.strerror or error}") from None
        print(f"wrote the {args.format} report of {args.job} to {written}", file=sys.stderr)
        return ExitCode.OK
    if args.format == "pdf" and sys.stdout.isatty():
        raise UsageError("a PDF is not for a terminal: give -o FILE (or pipe it into a file)")
    sys.stdout.buffer.write(report_bytes(job, checklist, args.format, paper=args.paper))
    sys.stdout.flush()
    return ExitCode.OK
