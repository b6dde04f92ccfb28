"""The result vocabulary: what a check concluded, what it saw, and what the technician should do.

Rules produce :class:`Outcome` objects; jobs store them; the headless output, the exports and the
TUI show them. Keeping the vocabulary here (below all of those) lets each of them import it without
importing each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    """How a check ended. Ordered from best to worst by :attr:`rank`."""

    PASS = "pass"
    """Judged from readings that were present, plausible and consistent, and within limits."""
    SKIPPED = "skipped"
    """The check does not apply to this run (e.g. no serial console was given)."""
    WARN = "warn"
    UNJUDGED = "unjudged"
    """The check applies but could not be judged yet: its input is missing, implausible or
    contradictory, or the miner is still warming up. Never a pass; the outcome says which field
    held what and when it can be judged."""
    ERROR = "error"
    """The check could not be made (miner stopped answering, garbage reply): never a pass."""
    FAIL = "fail"

    @property
    def rank(self) -> int:
        """Severity for sorting and for the worst-of rollup (pass lowest, error highest)."""
        return _RANK[self]

    @property
    def glyph(self) -> str:
        """A character that carries the status without colour."""
        return _GLYPH[self]

    @property
    def word(self) -> str:
        """The status as an upper-case word for tables and plain-text reports."""
        return _WORD.get(self, self.value.upper())

    @property
    def judged(self) -> bool:
        """True when the check reached a conclusion (pass, warn or fail)."""
        return self in (Status.PASS, Status.WARN, Status.FAIL)


_RANK = {
    Status.PASS: 0,
    Status.SKIPPED: 1,
    Status.WARN: 2,
    Status.UNJUDGED: 3,
    Status.ERROR: 4,
    Status.FAIL: 5,
}
_GLYPH = {
    Status.PASS: "✔",
    Status.SKIPPED: "–",
    Status.WARN: "▲",
    Status.UNJUDGED: "?",
    Status.ERROR: "⚠",
    Status.FAIL: "✘",
}
_WORD = {Status.UNJUDGED: "NOT JUDGED"}


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status of several; PASS for none."""
    return max(statuses, key=lambda status: status.rank, default=Status.PASS)


class Evidence(BaseModel):
    """One observation backing an outcome: a labelled value and where it came from."""

    model_config = ConfigDict(frozen=True)

    label: str
    value: str
    source: str = ""
    """Where the value was read, e.g. ``rpc stats chain_acn7`` or ``kernel log line 42``."""


class Outcome(BaseModel):
    """The verdict of one rule on one snapshot (or series of snapshots)."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    """Stable id of the rule, e.g. ``chains.present``; checklist live items refer to it."""
    item_id: str
    """The checklist item this outcome belongs to."""
    title: str
    status: Status
    expected: str
    observed: str
    action: str = ""
    """What the technician should touch or do; empty when nothing is needed."""
    evidence: tuple[Evidence, ...] = ()
    section: str = ""
    """Checklist section id, for grouping in reports."""
    guide_ref: str = ""
    """The guide section the expectation comes from, e.g. ``7`` or ``8.3``."""
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @property
    def ok(self) -> bool:
        """True for statuses that neither fail nor leave the run unjudged (pass, skipped, warn)."""
        return self.status.rank <= Status.WARN.rank
