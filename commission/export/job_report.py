"""A job as a printable checklist and report: text, HTML, SVG, JSON and JUnit.

The printed form is the same Rich renderable in every format (recorded with
``Console(record=True)``), so a page printed from HTML reads like the terminal text. Every item of
the checklist appears, answered or not: an unanswered item gets an empty box to tick on paper.
Secrets never reach a report because the job never holds them (a password item records only that
it was set).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final, Literal

from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from commission import __version__
from commission.checklist.describe import place, requirement
from commission.checklist.models import Checklist, InfoItem, Item, LiveItem, Severity
from commission.export.junit import junit_xml
from commission.export.verify_json import dumps, outcome_json
from commission.job import Entry, Job
from commission.render.outcomes import STATUS_STYLE, outcome_table, status_text
from commission.render.terminal import terminal
from commission.results import Outcome, Status, worst
from commission.verify.report import MinerReport

ReportFormat = Literal["text", "html", "svg", "json", "junit"]
FORMATS: Final[tuple[ReportFormat, ...]] = ("text", "html", "svg", "json", "junit")
REPORT_SCHEMA: Final = "commission.report/1"
PAGE_WIDTH: Final = 110
"""Characters per line of the printed report (fits A4 landscape and a wide terminal)."""

_ENTRY_STATUS: Final[dict[str, Status]] = {
    "pass": Status.PASS,
    "fail": Status.FAIL,
    "invalid": Status.ERROR,
    "incomplete": Status.SKIPPED,
}
_SEVERITY_MARK: Final = {Severity.CAUTION: "▲ ", Severity.DANGER: "⚠ "}


def item_state(job: Job, item: Item) -> tuple[str, Status | None]:
    """How an item stands in the job: a word for the box column and a status (None = open).

    Live items take the worst outcome recorded for them; answered items their judged status, or
    ``done`` for a plain confirmation; items without an answer are open.
    """
    if isinstance(item, LiveItem):
        outcomes = [outcome for outcome in job.results if outcome.item_id == item.id]
        if not outcomes:
            return "open", None
        status = worst(outcome.status for outcome in outcomes)
        return status.word, status
    if isinstance(item, InfoItem):
        return "info", None
    entry = job.current(item.id)
    if entry is None:
        return "open", None
    if entry.status in _ENTRY_STATUS:
        status = _ENTRY_STATUS[entry.status]
        return entry.status.upper(), status
    if entry.value.lower() == "no":
        return "NOT DONE", Status.FAIL
    return "DONE", Status.PASS


def _answer_text(entry: Entry | None) -> str:
    if entry is None:
        return ""
    value = entry.value
    if entry.number is not None and entry.unit and entry.unit not in value:
        value = f"{value} {entry.unit}"
    return f"{value}  ({entry.at:%Y-%m-%d %H:%M})"


def _box(word: str, status: Status | None) -> Text:
    if status is None:
        return Text("[ ]" if word == "open" else "  i", style="dim" if word == "info" else "")
    return Text(f"{status.glyph} {word}", style=STATUS_STYLE[status])


def _section_table(job: Job, checklist: Checklist, section_id: str) -> Table:
    section = checklist.section(section_id)
    table = Table(expand=True, show_lines=False, pad_edge=False)
    table.add_column("", no_wrap=True, width=12)
    table.add_column("item", ratio=3)
    table.add_column("requirement", ratio=3)
    table.add_column("answer", ratio=3)
    for step in section.steps:
        table.add_row("", Text(step.title, style="bold"))
        for item in step.items:
            word, status = item_state(job, item)
            entry = job.current(item.id)
            title = Text(_SEVERITY_MARK.get(item.severity, "") + item.title)
            title.append(f"\n{item.id} · guide {item.guide}", style="dim")
            need = Text(requirement(item))
            where = place(item)
            if where:
                need.append(f"\n{where}", style="dim")
            answer = Text(_answer_text(entry))
            if entry is not None and entry.reason and status is not Status.PASS:
                answer.append(f"\n{entry.reason}", style="dim")
            if isinstance(item, LiveItem):
                for outcome in job.results:
                    if outcome.item_id == item.id and outcome.status is not Status.PASS:
                        answer.append(f"{outcome.observed}\n", style="")
                        if outcome.action:
                            answer.append(f"→ {outcome.action}\n", style="dim")
                answer.rstrip()
            table.add_row(_box(word, status), title, need, answer)
    return table


def _summary(job: Job, checklist: Checklist) -> Table:
    counts = {"open": 0, "pass": 0, "fail": 0}
    for _section, _step, item in checklist.items():
        if isinstance(item, InfoItem) or not item.required:
            continue
        _word, status = item_state(job, item)
        if status is None or status is Status.SKIPPED:
            counts["open"] += 1
        elif status.rank <= Status.WARN.rank:
            counts["pass"] += 1
        else:
            counts["fail"] += 1
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    rows = [
        ("technician", job.technician),
        ("site", job.site),
        ("miner serial", job.miner_serial or "—"),
        ("miner MAC", job.miner_mac or "—"),
        ("miner address", job.miner_host or "—"),
        ("location", job.location.label() or "—"),
        ("checklist", f"{checklist.title} ({job.checklist_id} v{job.checklist_version})"),
        ("started", f"{job.created:%Y-%m-%d %H:%M} UTC"),
        ("last change", f"{job.updated:%Y-%m-%d %H:%M} UTC"),
        (
            "required items",
            f"{counts['pass']} done or passed · {counts['fail']} failed · {counts['open']} open",
        ),
    ]
    if job.results:
        overall = worst(outcome.status for outcome in job.results)
        rows.append(("live checks", f"{len(job.results)} outcomes, worst {overall.word}"))
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def report_renderable(job: Job, checklist: Checklist) -> RenderableType:
    """The whole printable report: header, every section's items, then the live outcomes."""
    parts: list[RenderableType] = [
        Text(f"{checklist.model} commissioning report", style="bold"),
        _summary(job, checklist),
    ]
    for section in checklist.sections:
        parts.append(Rule(f"{section.title} · guide {section.guide}", align="left"))
        parts.append(_section_table(job, checklist, section.id))
    if job.results:
        titles = {section.id: section.title for section in checklist.sections}
        parts.append(Rule("Live checks against the miner", align="left"))
        parts.append(outcome_table(job.results, titles))
    legend = Text("Legend: [ ] open  ", style="dim")
    for status in (Status.PASS, Status.WARN, Status.FAIL, Status.ERROR):
        legend.append_text(status_text(status))
        legend.append("  ")
    legend.append("▲ caution  ⚠ danger", style="dim")
    parts.append(legend)
    unknown = sorted(set(job.answers) - {item.id for _s, _t, item in checklist.items()})
    if unknown:
        parts.append(
            Text(
                "Answers for items this checklist does not have: " + ", ".join(unknown),
                style=STATUS_STYLE[Status.WARN],
            )
        )
    return Group(*parts)


def _recorded(job: Job, checklist: Checklist) -> Console:
    console = terminal(
        record=True,
        width=PAGE_WIDTH,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
    )
    console.print(report_renderable(job, checklist))
    return console


def report_json(job: Job, checklist: Checklist) -> dict[str, Any]:
    """The report as JSON (schema ``commission.report/1``), built field by field."""

    def entry_json(entry: Entry) -> dict[str, Any]:
        return {
            "value": entry.value,
            "number": entry.number,
            "unit": entry.unit,
            "status": entry.status,
            "reason": entry.reason,
            "at": entry.at.isoformat(),
        }

    items = []
    for section, step, item in checklist.items():
        word, status = item_state(job, item)
        items.append(
            {
                "id": item.id,
                "section": section.id,
                "step": step.id,
                "title": item.title,
                "kind": item.kind,
                "severity": item.severity.value,
                "guide": item.guide,
                "requirement": requirement(item),
                "state": word.lower(),
                "status": None if status is None else status.value,
                "answer": None
                if job.current(item.id) is None
                else entry_json(job.history(item.id)[-1]),
                "history": [entry_json(entry) for entry in job.history(item.id)],
            }
        )
    return {
        "schema": REPORT_SCHEMA,
        "tool": f"commission {__version__}",
        "job": {
            "id": job.id,
            "technician": job.technician,
            "site": job.site,
            "miner_serial": job.miner_serial,
            "miner_mac": job.miner_mac,
            "miner_host": job.miner_host,
            "location": job.location.model_dump(),
            "checklist": {"id": job.checklist_id, "version": job.checklist_version},
            "created": job.created.isoformat(),
            "updated": job.updated.isoformat(),
        },
        "items": items,
        "outcomes": [outcome_json(outcome) for outcome in job.results],
    }


def _as_miner_report(job: Job, outcomes: Iterable[Outcome]) -> MinerReport:
    recorded = list(outcomes)
    times = [outcome.at for outcome in recorded] or [job.updated]
    started: datetime = min(times)
    finished: datetime = max(times)
    return MinerReport(
        host=job.miner_host or job.miner_serial or job.id,
        started_at=started,
        finished_at=finished,
        reachable=not any(
            outcome.rule_id == "miner.reachable" and not outcome.ok for outcome in recorded
        ),
        outcomes=tuple(recorded),
    )


def render_report(job: Job, checklist: Checklist, fmt: ReportFormat) -> str:
    """The report of ``job`` in format ``fmt`` as text ready to write to a file.

    Args:
        job: the job to report.
        checklist: the checklist the job was made with (for titles, requirements and order).
        fmt: ``text`` (plain, printable), ``html`` (styled, printable from a browser), ``svg``,
            ``json`` (``commission.report/1``) or ``junit`` (the live outcomes).
    """
    if fmt == "json":
        return dumps(report_json(job, checklist))
    if fmt == "junit":
        return junit_xml([_as_miner_report(job, job.results)])
    console = _recorded(job, checklist)
    if fmt == "text":
        return console.export_text(styles=False)
    if fmt == "html":
        return console.export_html(inline_styles=True)
    if fmt == "svg":
        return console.export_svg(title=f"commission · {job.miner_serial or job.id}")
    raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
