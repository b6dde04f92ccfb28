"""The report as plain words, built once from a job: what every export (PDF, HTML, text) prints.

:func:`build_document` turns a job and its checklist into sections of rows, each saying what was
checked, the reading, the limit, the status and the action, with times and the source of live
readings in words. The renderers only lay these words out, so the formats cannot disagree, and
none of them judges anything: the verdict comes from the job layer, item statuses from the
answers' recorded verdicts, live results from the latest outcome recorded per check.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
from commission.export.words import readable_number, requirement_words, source_words
from commission.job import Entry, Job, JobVerdict, LiveCheck, ReasonSeverity, SoakRun
from commission.results import Outcome, Status

ENTRY_STATUS: Final[dict[str, Status]] = {
    "pass": Status.PASS,
    "warn": Status.WARN,
    "fail": Status.FAIL,
    "invalid": Status.ERROR,
    "incomplete": Status.UNJUDGED,
}
"""How a recorded answer's verdict reads as a report status."""


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
    verdict: JobVerdict
    """The job's one verdict, exactly as :func:`commission.job.judge_job` gave it."""
    stamp: str
    """The simulated-miner notice on every page; empty for a real miner."""
    sections: tuple[SectionView, ...]
    other_checks: tuple[Row, ...] = ()
    """Live results of checks this checklist does not name."""
    soak: SoakRun | None = None
    """The newest soak run, for the plots."""
    soak_runs: tuple[str, ...] = ()
    """One line per soak run, oldest first."""
    selftest: tuple[tuple[str, str], ...] = ()
    """Hash self-test lines (label, result), when one was recorded."""
    miner_writes: tuple[str, ...] = ()
    """What this app wrote to the miner (pools, web password), one line each, never a value."""
    unknown_answers: tuple[str, ...] = ()
    generated: str = ""
    miner: str = ""
    """The miner in a few words for the running head: its serial, else its MAC or address."""

    @property
    def simulated(self) -> bool:
        """True when the job holds results from the built-in simulator."""
        return bool(self.stamp)

    def reason_lines(self, open_shown: int = 8) -> tuple[str, ...]:
        """The verdict's reasons as lines, worst first; a long run of open items is summarised
        (they are all listed in their sections)."""
        lines = []
        still_open = []
        for reason in self.verdict.reasons:
            if reason.severity is ReasonSeverity.OPEN:
                still_open.append(reason)
                continue
            lines.append(f"{reason.severity.word}: {reason.title}: {reason.text}")
        if len(still_open) <= open_shown:
            lines.extend(f"OPEN: {reason.title}: {reason.text}" for reason in still_open)
        else:
            titles = ", ".join(reason.title for reason in still_open[:open_shown])
            lines.append(
                f"OPEN: {len(still_open)} items not done yet, among them {titles} "
                f"(and {len(still_open) - open_shown} more, each marked OPEN below)"
            )
        return tuple(lines)

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
        return "DONE" if status is Status.PASS else status.word
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
    earlier = tuple(
        f"{_when(old.at)}: {entry_reading(item, old)}"
        + (f" ({ENTRY_STATUS[old.status].word})" if old.status in ENTRY_STATUS else "")
        for old in history[:-1]
    )
    if isinstance(item, ConfirmItem) and entry.value.lower() != "yes":
        # Answered "no": the job counts it as not done yet (open), never as done.
        return replace(
            base,
            reading="not done",
            word="NOT DONE",
            note="answered no: do it, then confirm it",
            at=entry.at,
            earlier=earlier,
        )
    if entry.status == "incomplete":
        return replace(base, note=entry.reason or "not complete yet", at=entry.at, earlier=earlier)
    status = ENTRY_STATUS.get(entry.status, Status.PASS)
    shows_reason = status is not Status.PASS or isinstance(item, MeasurementItem | DerivedItem)
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
        source = source_words(evidence.source)
        lines.append(
            f"{evidence.label}: {evidence.value}" + (f" (from {source})" if source else "")
        )
    return tuple(lines)


def _live_row(
    item_id: str,
    title: str,
    check: LiveCheck | None,
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
    if check is None:
        return replace(base, note="not checked on the miner yet")
    latest = check.latest
    return replace(
        base,
        limit=latest.expected or base.limit,
        reading=latest.observed,
        status=latest.status,
        word=latest.status.word,
        action=latest.action if latest.status is not Status.PASS else "",
        at=latest.at,
        evidence=evidence_lines(latest) if latest.status is not Status.PASS else (),
        earlier=span_lines(check),
    )


def span_lines(check: LiveCheck) -> tuple[str, ...]:
    """The history of a live check before its latest reading, one line per run of readings."""
    lines = []
    if check.spans_dropped:
        lines.append(f"{check.spans_dropped} older runs of readings not kept")
    spans = list(check.spans)
    last = spans.pop() if spans else None
    for span in spans:
        times = _when(span.first_at)
        if span.count > 1:
            times += f" to {span.last_at:%H:%M}, {span.count} readings"
        lines.append(f"{times}: {span.status.word}, {span.observed}")
    if last is not None and last.count > 1:
        lines.append(f"the same result {last.count} times since {_when(last.first_at)}")
    return tuple(lines)


def _soak_line(run: SoakRun) -> str:
    got = f"{len(run.samples)} samples, {len(tuple(s for s in run.samples if s.error))} without an answer"
    if run.stopped or run.outcome is None:
        ending = f"stopped after {run.ran_s / 60:.1f} min, not judged"
    else:
        ending = f"{run.outcome.status.word}: {run.outcome.observed}"
    return (
        f"{_when(run.started_at)}: {run.minutes:g} min asked, a reading every "
        f"{run.interval_s:g} s, {got}; {ending}"
    )


def _selftest_lines(job: Job) -> tuple[tuple[str, str], ...]:
    run = job.selftest
    if run is None:
        return ()
    lines = [
        ("Run", f"{_when(run.at)}" + (f", {run.implementation}" if run.implementation else ""))
    ]
    lines.append(("Result", "every tier gave the known answers" if run.passed else "FAILED"))
    for tier in run.tiers:
        speed = f", {tier.mhs:,.2f} MH/s" if tier.mhs is not None else ""
        word = "known answers match" if tier.passed else "WRONG ANSWERS"
        lines.append((tier.tier, f"{word}{': ' + tier.detail if tier.detail else ''}{speed}"))
    return tuple(lines)


_WRITE_WORDS: Final = {
    "pools": "Pools written to the miner",
    "web-password": "Web password changed",
}


def build_document(
    job: Job,
    checklist: Checklist,
    verdict: JobVerdict,
    *,
    generated: datetime | None = None,
) -> Document:
    """The whole report of ``job`` in words.

    Args:
        job: the record.
        checklist: the checklist it was made with (titles, limits, order).
        verdict: the job's verdict from :func:`commission.job.judge_job` (never judged here).
        generated: when the report was made (printed in the footer).
    """
    sections = []
    named_rules: set[str] = set()
    for number, section in enumerate(checklist.sections, start=1):
        steps = []
        for step in section.steps:
            rows = []
            for item in step.items:
                if isinstance(item, LiveItem):
                    named_rules.add(item.rule)
                    check = job.live.get(item.rule)
                    rows.append(_live_row(item.id, item.title, check, item, checklist))
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
    other = tuple(
        _live_row(rule_id, check.latest.title, check, None, checklist)
        for rule_id, check in job.live.items()
        if rule_id not in named_rules
    )
    known = {item.id for _s, _t, item in checklist.items()}
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
    writes = tuple(
        f"{_when(write.at)}: {_WRITE_WORDS[write.kind]}, "
        + ("accepted" if write.ok else "NOT accepted")
        + (f" ({write.detail})" if write.detail else "")
        for write in job.miner_writes
    )
    return Document(
        title=f"{checklist.model} commissioning report",
        model=checklist.model,
        details=details,
        verdict=verdict,
        stamp=job.simulated_notice,
        sections=tuple(sections),
        other_checks=other,
        soak=job.soak,
        soak_runs=tuple(_soak_line(run) for run in job.soaks),
        selftest=_selftest_lines(job),
        miner_writes=writes,
        unknown_answers=tuple(sorted(set(job.answers) - known)),
        miner=(
            f"miner {job.miner_serial}"
            if job.miner_serial
            else f"miner {job.miner_mac or job.miner_host}"
            if job.miner_mac or job.miner_host
            else "miner not identified yet"
        ),
        generated=f"commission {__version__}" + (f", {_when(generated)}" if generated else ""),
    )
