"""``commission export``: write a job as a printable checklist and report.

Reads the job file (a corrupt one is reported, never touched), loads the checklist it was made
with, renders the report and writes it atomically to ``--output`` or prints it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commission.checklist.loader import load_builtin, load_checklist
from commission.checklist.models import Checklist
from commission.errors import ExitCode, UsageError
from commission.export.job_report import render_report
from commission.job import Job, read_job, write_atomically


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
    text = render_report(job, checklist, args.format)
    if args.output:
        output = Path(args.output)
        try:
            write_atomically(output, text.encode("utf-8"))
        except OSError as error:
            raise UsageError(f"cannot write {output}: {error.strerror or error}") from None
        print(f"wrote {args.format} report of {args.job} to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return ExitCode.OK
