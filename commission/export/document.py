"""The report as plain words, built once from a job: what every export (PDF, HTML, text) prints.

:func:`build_document` turns a job and its checklist into sections of rows, each saying what was
checked, the reading, the limit, the status and the action, with times and the source of live
readings in words. The renderers only lay these words out, so the formats cannot disagree, and
none of them judges anything: the verdict comes from the job layer, item statuses from the
answers' recorded verdicts, live results from the latest outcome recorded per check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final

from commission import __version__
from commission.checklist.describe import place
from commission.checklist.models import (
    Checklist,
    ConfirmItem,
    DerivedItem,
    InfoItem,
    Item,
    LiveItem,
    MeasurementItem,
    Severity,
    TextItem,
)
from commission.export.words import (
    SIMULATED_STAMP,
    describe_source,
    readable_number,
    requirement_words,
)
from commission.job import Entry, Job
from commission.results import Outcome, Status
from commission.verify.report import SoakSeries

ENTRY_STATUS: Final[dict[str, Status]] = {
    "pass": Status.PASS,
    "fail": Status.FAIL,
    "invalid": Status.ERROR,
    "incomplete": Status.UNJUDGED,
}
"""How a recorded answer's verdict reads as a report status."""


@dataclass(frozen=True)
class VerdictView:
    """The job's one overall verdict as the job layer computed it, with its reasons worst first."""

    word: str
    """``READY``, ``NOT READY`` or ``INCOMPLETE``."""
    reasons: tuple[str, ...] = ()
    summary: str = ""
    """One sentence saying what the word means for this job."""

    @property
    def ready(self) -> bool:
        """True only for READY."""
        return self.word == "READY"


@dataclass(frozen=True)
class Row:
    """One checklist item in the report."""

    item_id: str
    title: str
    kind: str
    checked: str
    """What was checked, in words (the item's instruction, or its title)."""
    limit: str
    """What it must meet, in words."""
    reading: str
    """The reading or answer, readable (``12.05 V``, ``done``, ``set``); empty when open."""
    status: Status | None
    """None while the item is open (or for reference items)."""
    word: str
    """The box word: ``PASS``, ``FAIL``, ``DONE``, ``NOT DONE``, ``OPEN``, ``INFO``..."""
    note: str = ""
    """Why it passed or failed, in words."""
    action: str = ""
    """What to do about it; empty when nothing is needed."""
    at: datetime | None = None
    place: str = ""
    severity: Severity = Severity.NORMAL
    required: bool = True
    evidence: tuple[str, ...] = ()
    """For live checks: each reading with its source in words."""
    earlier: tuple[str, ...] = ()
    """Earlier answers or results, oldest first, one line each with its time."""

    @property
    def shown_note(self) -> str:
        """The note, unless it only repeats a passing reading (``24 °C is within 0–40 °C``)."""
        if self.status is Status.PASS and self.reading and self.note.startswith(self.reading):
            return ""
        return self.note

    @property
    def open(self) -> bool:
        """True when the item still needs an answer."""
        return self.status is None and self.kind != "info"


@dataclass(frozen=True)
class StepView:
    """A step of a section with its rows."""

    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class SectionView:
    """A section of the checklist with its steps."""

    id: str
    number: int
    title: str
    guide: str
    steps: tuple[StepView, ...]

    @property
    def rows(self) -> tuple[Row, ...]:
        """Every row of the section in order."""
        return tuple(row for step in self.steps for row in step.rows)


@dataclass(frozen=True)
class Document:
    """Everything a printed report shows, in words."""

    title: str
    model: str
    details: tuple[tuple[str, str], ...]
    """Label and value pairs for the header (technician, site, miner...)."""
    verdict: VerdictView
    simulated: bool
    sections: tuple[SectionView, ...]
    other_checks: tuple[Row, ...] = ()
    """Live results for items this checklist does not have."""
    soak: SoakSeries | None = None
    selftest: tuple[tuple[str, str], ...] = ()
    """Hash self-test lines (label, result), when one was recorded."""
    unknown_answers: tuple[str, ...] = ()
    generated: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def stamp(self) -> str:
        """The simulated-miner stamp, or empty for a real miner."""
        return SIMULATED_STAMP if self.simulated else ""

    def rows(self) -> tuple[Row, ...]:
        """Every row of every section, then the other live checks."""
        return tuple(row for section in self.sections for row in section.rows) + self.other_checks


def _when(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def entry_reading(item: Item, entry: Entry) -> str:
    """The reading an answer holds, as people write it."""
    if entry.secret:
        return "set (not recorded)"
    if isinstance(item, ConfirmItem):
        return "done" if entry.value.lower() == "yes" else "not done"
    if entry.number is not None:
        shown = readable_number(entry.number, entry.unit)
        typed = entry.value.strip()
        if isinstance(item, MeasurementItem) and typed and typed not in (shown, shown.split()[0]):
            return f"{shown} (entered as “{typed}”)"
        return shown
    return entry.value


def _manual_action(item: Item, status: Status | None) -> str:
    if status is None:
        return ""
    if status is Status.FAIL:
        if isinstance(item, ConfirmItem):
            return f"do it, then confirm it (guide section {item.guide})"
        if isinstance(item, DerivedItem):
            return f"correct the readings it is worked out from (guide section {item.guide})"
        if isinstance(item, MeasurementItem):
            return f"correct it and measure again (guide section {item.guide})"
        return f"correct it (guide section {item.guide})"
    if status in (Status.UNJUDGED, Status.ERROR):
        return "answer it again: the recorded answer could not be judged"
    return ""


def _base_row(item: Item, checklist: Checklist) -> Row:
    return Row(
        item_id=item.id,
        title=item.title,
        kind=item.kind,
        checked=item.text or item.title,
        limit=requirement_words(item, checklist),
        reading="",
        status=None,
        word="INFO" if isinstance(item, InfoItem) else "OPEN",
        place=place(item),
        severity=item.severity,
        required=item.required,
    )


def _answer_word(item: Item, entry: Entry, status: Status) -> str:
    if isinstance(item, ConfirmItem):
        return {Status.PASS: "DONE", Status.FAIL: "NOT DONE"}.get(status, status.word)
    if isinstance(item, TextItem) and status is Status.PASS:
        return "SET" if entry.secret else "RECORDED"
    return status.word


def _manual_row(item: Item, job: Job, checklist: Checklist) -> Row:
    base = _base_row(item, checklist)
    history = job.history(item.id)
    if isinstance(item, InfoItem):
        return base
    if not history:
        return replace(base, note="not done yet")
    entry = history[-1]
    if entry.status in ENTRY_STATUS:
        status = ENTRY_STATUS[entry.status]
    elif isinstance(item, ConfirmItem) and entry.value.lower() == "no":
        status = Status.FAIL
    else:
        status = Status.PASS
    shows_reason = status is not Status.PASS or isinstance(item, MeasurementItem | DerivedItem)
    earlier = tuple(
        f"{_when(old.at)}: {entry_reading(item, old)}"
        + (f" ({ENTRY_STATUS[old.status].word})" if old.status in ENTRY_STATUS else "")
        for old in history[:-1]
    )
    return replace(
        base,
        reading=entry_reading(item, entry),
        status=status,
        word=_answer_word(item, entry, status),
        note=entry.reason if shows_reason else "",
        action=_manual_action(item, status),
        at=entry.at,
        earlier=earlier,
    )


def evidence_lines(outcome: Outcome) -> tuple[str, ...]:
    """Each reading behind an outcome with where it came from, in words."""
    lines = []
    for evidence in outcome.evidence:
        source = describe_source(evidence.source)
        lines.append(
            f"{evidence.label}: {evidence.value}" + (f" (from {source})" if source else "")
        )
    return tuple(lines)


def _live_row(
    item_id: str,
    title: str,
    history: Sequence[Outcome],
    item: Item | None,
    checklist: Checklist,
) -> Row:
    if item is not None:
        base = _base_row(item, checklist)
    else:
        base = Row(
            item_id=item_id,
            title=title,
            kind="live",
            checked=title,
            limit="",
            reading="",
            status=None,
            word="OPEN",
            required=False,
        )
    if not history:
        return replace(base, note="not checked on the miner yet")
    latest = history[-1]
    earlier = tuple(f"{_when(old.at)}: {old.status.word}, {old.observed}" for old in history[:-1])
    return replace(
        base,
        limit=latest.expected or base.limit,
        reading=latest.observed,
        status=latest.status,
        word=latest.status.word,
        action=latest.action if latest.status is not Status.PASS else "",
        at=latest.at,
        evidence=evidence_lines(latest) if latest.status is not Status.PASS else (),
        earlier=earlier,
    )


def live_histories(job: Job) -> dict[str, list[Outcome]]:
    """Every recorded outcome per checklist item, oldest first (the last is the latest result)."""
    histories: dict[str, list[Outcome]] = {}
    for outcome in sorted(job.results, key=lambda outcome: outcome.at):
        histories.setdefault(outcome.item_id, []).append(outcome)
    return histories


def build_document(
    job: Job,
    checklist: Checklist,
    verdict: VerdictView,
    *,
    simulated: bool = False,
    soak: SoakSeries | None = None,
    selftest: Sequence[tuple[str, str]] = (),
    generated: datetime | None = None,
) -> Document:
    """The whole report of ``job`` in words.

    Args:
        job: the record.
        checklist: the checklist it was made with (titles, limits, order).
        verdict: the job's verdict, as the job layer computed it (never judged here).
        simulated: the miner was the built-in simulator (every page is stamped).
        soak: the recorded soak series, for the plots.
        selftest: hash self-test result lines.
        generated: when the report was made (printed in the footer).
    """
    histories = live_histories(job)
    sections = []
    for number, section in enumerate(checklist.sections, start=1):
        steps = []
        for step in section.steps:
            rows = []
            for item in step.items:
                if isinstance(item, LiveItem):
                    rows.append(
                        _live_row(item.id, item.title, histories.get(item.id, []), item, checklist)
                    )
                else:
                    rows.append(_manual_row(item, job, checklist))
            steps.append(StepView(title=step.title, rows=tuple(rows)))
        sections.append(
            SectionView(
                id=section.id,
                number=number,
                title=section.title,
                guide=section.guide,
                steps=tuple(steps),
            )
        )
    known = {item.id for _s, _t, item in checklist.items()}
    other = tuple(
        _live_row(item_id, outcomes[-1].title, outcomes, None, checklist)
        for item_id, outcomes in histories.items()
        if item_id not in known
    )
    counts = {"pass": 0, "fail": 0, "open": 0, "unjudged": 0}
    for section_view in sections:
        for row in section_view.rows:
            if row.kind == "info" or not row.required:
                continue
            if row.status is None:
                counts["open"] += 1
            elif row.status is Status.FAIL:
                counts["fail"] += 1
            elif row.status in (Status.UNJUDGED, Status.ERROR):
                counts["unjudged"] += 1
            else:
                counts["pass"] += 1
    details = (
        ("Technician", job.technician),
        ("Site", job.site),
        ("Miner serial", job.miner_serial or "not recorded"),
        ("Miner MAC", job.miner_mac or "not recorded"),
        ("Miner address", job.miner_host or "not recorded"),
        ("Location", job.location.label() or "not recorded"),
        ("Checklist", f"{checklist.title}, version {job.checklist_version}"),
        ("Started", _when(job.created)),
        ("Last change", _when(job.updated)),
    )
    return Document(
        title=f"{checklist.model} commissioning report",
        model=checklist.model,
        details=details,
        verdict=verdict,
        simulated=simulated,
        sections=tuple(sections),
        other_checks=other,
        soak=soak,
        selftest=tuple(selftest),
        unknown_answers=tuple(sorted(set(job.answers) - known)),
        generated=f"commission {__version__}" + (f", {_when(generated)}" if generated else ""),
        counts=counts,
    )
