"""A job as a report in every format: PDF, HTML, text, JSON and JUnit.

The job and its checklist are turned into words once (:mod:`commission.export.document`); each
format lays those words out (:mod:`~commission.export.pdf`, :mod:`~commission.export.html`,
:mod:`~commission.export.text`) or serialises them with the machine fields
(:mod:`~commission.export.job_json`, :mod:`~commission.export.job_junit`). Secrets never reach a
report because the job never holds them (a password item records only that it was set).

SVG is no longer offered: a picture of terminal text is not a document (it does not paginate,
print or reflow); the PDF and the HTML page print properly, and the HTML carries the soak plots as
inline SVG.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Final, Literal

from commission.checklist.models import Checklist, InfoItem, Item
from commission.export.document import Document, build_document
from commission.export.html import render_html
from commission.export.job_json import REPORT_SCHEMA, report_document
from commission.export.job_junit import job_junit_xml
from commission.export.pdf import PAPERS, Paper, render_pdf
from commission.export.text import render_text
from commission.export.verify_json import dumps
from commission.job import Job, judge_job, write_atomically
from commission.results import Status

ReportFormat = Literal["pdf", "html", "text", "json", "junit"]
FORMATS: Final[tuple[ReportFormat, ...]] = ("pdf", "html", "text", "json", "junit")
SUFFIX: Final[dict[ReportFormat, str]] = {
    "pdf": ".pdf",
    "html": ".html",
    "text": ".txt",
    "json": ".json",
    "junit": ".xml",
}

__all__ = [
    "FORMATS",
    "PAPERS",
    "REPORT_SCHEMA",
    "SUFFIX",
    "Paper",
    "ReportFormat",
    "document_of",
    "item_state",
    "render_report",
    "report_bytes",
    "write_report",
]


def document_of(
    job: Job, checklist: Checklist, *, strict: bool = False, generated: datetime | None = None
) -> Document:
    """The report of ``job`` in words, with the verdict :func:`commission.job.judge_job` gives."""
    return build_document(
        job, checklist, judge_job(job, checklist, strict=strict), generated=generated
    )


def item_state(job: Job, checklist: Checklist, item: Item) -> tuple[str, Status | None]:
    """How an item stands in the job: its box word and status (None = open or reference)."""
    if isinstance(item, InfoItem):
        return "INFO", None
    row = next(row for row in document_of(job, checklist).rows() if row.item_id == item.id)
    return row.word, row.status


def report_bytes(
    job: Job,
    checklist: Checklist,
    fmt: ReportFormat,
    *,
    paper: Paper = "a4",
    generated: datetime | None = None,
) -> bytes:
    """The report of ``job`` in format ``fmt``, ready to write to a file.

    Args:
        job: the record.
        checklist: the checklist the job was made with (titles, limits, order).
        fmt: ``pdf``, ``html``, ``text``, ``json`` (``commission.report/2``) or ``junit``.
        paper: ``a4`` or ``letter`` for the PDF.
        generated: when the report is made (default: now; fixed in tests).
    """
    document = document_of(job, checklist, generated=generated)
    if fmt == "pdf":
        return render_pdf(document, paper)
    if fmt == "html":
        text = render_html(document)
    elif fmt == "text":
        text = render_text(document)
    elif fmt == "json":
        text = dumps(report_document(job, checklist, document, generated_at=generated)) + "\n"
    elif fmt == "junit":
        text = job_junit_xml(document, checklist.id)
    else:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return text.encode("utf-8")


def render_report(
    job: Job, checklist: Checklist, fmt: ReportFormat, *, generated: datetime | None = None
) -> str:
    """The report of ``job`` in a text format (everything but ``pdf``) as text."""
    if fmt == "pdf":
        raise ValueError("a PDF report is bytes: use report_bytes")
    return report_bytes(job, checklist, fmt, generated=generated).decode("utf-8")


def write_report(
    job: Job,
    checklist: Checklist,
    fmt: ReportFormat,
    path: str | Path,
    *,
    paper: Paper = "a4",
) -> Path:
    """Write the report to ``path`` atomically; returns the absolute path written.

    Raises:
        OSError: the file cannot be written (the caller names it to the user).
    """
    target = Path(path).expanduser().absolute()
    write_atomically(target, report_bytes(job, checklist, fmt, paper=paper))
    return target
