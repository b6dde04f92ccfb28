"""Where a job stands: each checklist item's status from its saved answer or live outcome.

Pure functions of the checklist, the job and the latest outcomes, shared by the section list
(progress and glyphs), the summary (every outcome and what remains) and the tests. Live items are
matched to outcomes by their rule id, which the checklist names on each live item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from commission.checklist import Checklist, Item, Section
from commission.job import Job
from commission.results import Outcome, Status, worst

_ENTRY_STATUS: dict[str, Status] = {
    "pass": Status.PASS,
    "fail": Status.FAIL,
    "invalid": Status.ERROR,
}


@dataclass(frozen=True)
class ItemState:
    """One item's standing: a status (None while open) and a sentence."""

    item: Item
    status: Status | None
    detail: str

    @property
    def done(self) -> bool:
        """Answered, computed or judged live, with any verdict."""
        return self.status is not None


def item_state(item: Item, job: Job, outcomes: Mapping[str, Outcome]) -> ItemState:
    """The standing of ``item`` from the job's latest entry or the live outcome of its rule."""
    if item.kind == "info":
        return ItemState(item, Status.SKIPPED, "information only")
    if item.kind == "live":
        outcome = outcomes.get(item.rule)
        if outcome is None:
            return ItemState(item, None, f"live check {item.rule} has not run yet")
        return ItemState(item, outcome.status, f"{outcome.observed}")
    entry = job.current(item.id)
    if entry is None:
        return ItemState(item, None, "not answered yet")
    if item.kind == "confirm" and entry.value != "yes":
        return ItemState(item, None, "unticked: not done yet")
    status = _ENTRY_STATUS.get(entry.status)
    value = entry.value if not entry.secret else "set (never stored)"
    detail = f"{value}: {entry.reason}" if entry.reason and value else entry.reason or value
    return ItemState(item, status, detail)


def states(checklist: Checklist, job: Job, outcomes: Mapping[str, Outcome]) -> list[ItemState]:
    """Every item's state, in walkthrough order."""
    return [item_state(item, job, outcomes) for _, _, item in checklist.items()]


@dataclass(frozen=True)
class SectionProgress:
    """How far one section is: done required items out of all, and the worst status so far."""

    section: Section
    done: int
    total: int
    status: Status | None

    @property
    def glyph(self) -> str:
        """The worst status's glyph when it is a warning or worse, else ○ ◐ ✔ for progress."""
        if self.status is not None and self.status.rank >= Status.WARN.rank:
            return self.status.glyph
        if self.done == 0:
            return "○"
        if self.done < self.total:
            return "◐"
        return Status.PASS.glyph

    @property
    def token(self) -> str:
        """The theme token that colours the glyph."""
        if self.status is not None and self.status.rank >= Status.FAIL.rank:
            return "error"
        if self.status is Status.WARN:
            return "warning"
        if self.total and self.done == self.total:
            return "success"
        return "text-muted"


def section_progress(
    checklist: Checklist, job: Job, outcomes: Mapping[str, Outcome]
) -> list[SectionProgress]:
    """Progress of every section, in walkthrough order (optional and info items not counted)."""
    result = []
    for section in checklist.sections:
        counted = [
            item_state(item, job, outcomes)
            for step in section.steps
            for item in step.items
            if item.kind != "info" and item.required
        ]
        answered = [state for state in counted if state.done]
        status = worst(s.status for s in answered if s.status) if answered else None
        result.append(SectionProgress(section, len(answered), len(counted), status))
    return result
