"""The one verdict on a job: READY, NOT READY or INCOMPLETE, with every reason, worst first.

This is the only place that decides whether a miner is ready. It is a pure function of the job
(every answer with its judgement, the latest outcome of every live check, the soak runs and the
hash self-test) and the checklist the job follows; the TUI header and summary, every export and
the headless path show what :func:`judge_job` returns and never judge on their own.

The rules, in order:

- **NOT READY** when anything failed: a measurement out of its limits, a choice that does not
  pass, a live check (the soak included) whose latest outcome is FAIL, or a hash self-test whose
  known answers did not match on this computer (then nothing the tool computed can be trusted).
- **INCOMPLETE** when nothing failed but a required item is still open (not answered, answered
  "no", a derived value still missing an input, a live check that never ran or a soak that was
  stopped early) or a required live check's latest outcome could not be made (ERROR) or judged
  (NOT JUDGED).
- **READY** otherwise. Warnings do not stop a miner from being ready: they are listed as reasons
  of severity ``warning`` so every front end shows them. With ``strict`` (``--strict`` headless)
  a warning counts as a failure, as it does for the exit code.

Optional items count only when they were judged: an optional item that failed makes the job NOT
READY, one that warned is listed, one left open is not a reason. Live checks that the checklist
does not name are treated as optional. The hash self-test is optional too: it checks this computer,
not the miner, so not running it is no reason; a failed run is.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict

from commission.checklist import Checklist, ConfirmItem, DerivedItem, InfoItem, Item, LiveItem
from commission.checklist.models import format_value
from commission.job.models import Entry, Job
from commission.results import Outcome, Status

SELFTEST_ID: Final = "selftest"
"""The ``item_id`` of a reason about the hash self-test (it is no checklist item)."""
SOAK_RULE: Final = "soak.stability"


class Readiness(StrEnum):
    """The verdict on a job."""

    READY = "ready"
    NOT_READY = "not-ready"
    INCOMPLETE = "incomplete"

    @property
    def word(self) -> str:
        """``READY``, ``NOT READY`` or ``INCOMPLETE``."""
        return self.value.replace("-", " ").upper()


class ReasonSeverity(StrEnum):
    """How much one reason weighs, worst first (the order of :data:`SEVERITY_ORDER`)."""

    FAILED = "failed"
    """Something was judged and failed: the miner is NOT READY."""
    ERROR = "error"
    """A required live check could not be made (the miner did not answer, garbage reply)."""
    UNJUDGED = "unjudged"
    """A required live check ran but could not be judged (missing input, still warming up)."""
    OPEN = "open"
    """A required item has not been done yet (not answered, not run, stopped early)."""
    WARNING = "warning"
    """Judged and within limits but worth a look; NOT READY only with ``strict``."""

    @property
    def rank(self) -> int:
        """0 for the worst (failed), 4 for a warning."""
        return SEVERITY_ORDER.index(self)

    @property
    def word(self) -> str:
        """The severity as an upper-case word for lists."""
        return "NOT JUDGED" if self is ReasonSeverity.UNJUDGED else self.value.upper()


SEVERITY_ORDER: Final = (
    ReasonSeverity.FAILED,
    ReasonSeverity.ERROR,
    ReasonSeverity.UNJUDGED,
    ReasonSeverity.OPEN,
    ReasonSeverity.WARNING,
)


class Reason(BaseModel):
    """One thing that keeps a job from READY (or a warning on a ready job), in plain words."""

    model_config = ConfigDict(frozen=True)

    severity: ReasonSeverity
    item_id: str
    """The checklist item it concerns, or :data:`SELFTEST_ID` for the hash self-test."""
    check_id: str = ""
    """The live check (rule id) it comes from, when it comes from one."""
    title: str
    """The item's title, e.g. ``Hash rate near 18.0 TH/s``."""
    text: str
    """What was found and what to do, in plain words."""
    section: str = ""
    """The title of the checklist section holding the item."""
    status: Status | None = None
    """The status behind the reason (None for an item that is simply open)."""
    at: datetime | None = None
    """When the answer or the outcome behind the reason was recorded (None when open)."""
    required: bool = True

    @property
    def line(self) -> str:
        """``FAILED  Hash rate near 18.0 TH/s: 12.1 TH/s, …`` for plain-text lists."""
        return f"{self.severity.word}  {self.title}: {self.text}"


class JobVerdict(BaseModel):
    """The verdict on a job and its reasons, worst first, as every front end and export shows it."""

    model_config = ConfigDict(frozen=True)

    verdict: Readiness
    reasons: tuple[Reason, ...] = ()
    strict: bool = False
    """True when warnings counted as failures."""
    notice: str = ""
    """The simulated-miner notice when the job holds simulated results; empty otherwise."""

    @property
    def word(self) -> str:
        """``READY``, ``NOT READY`` or ``INCOMPLETE``."""
        return self.verdict.word

    @property
    def ready(self) -> bool:
        """True only for READY."""
        return self.verdict is Readiness.READY

    def count(self, severity: ReasonSeverity) -> int:
        """How many reasons have ``severity``."""
        return sum(1 for reason in self.reasons if reason.severity is severity)

    @property
    def headline(self) -> str:
        """One line: ``NOT READY: 2 failed, 3 open; 1 warning`` or ``READY``."""
        parts = [
            f"{self.count(severity)} {_COUNT_WORD[severity]}"
            for severity in SEVERITY_ORDER
            if self.count(severity)
        ]
        return f"{self.word}: {', '.join(parts)}" if parts else self.word

    def lines(self) -> list[str]:
        """The headline, the notice, then one line per reason (plain text)."""
        lines = [self.headline]
        if self.notice:
            lines.append(self.notice)
        lines.extend(f"  {reason.line}" for reason in self.reasons)
        return lines


_COUNT_WORD: Final = {
    ReasonSeverity.FAILED: "failed",
    ReasonSeverity.ERROR: "could not be checked",
    ReasonSeverity.UNJUDGED: "not judged",
    ReasonSeverity.OPEN: "open",
    ReasonSeverity.WARNING: "warning",
}


def judge_job(job: Job, checklist: Checklist, *, strict: bool = False) -> JobVerdict:
    """The verdict on ``job`` against ``checklist``: READY, NOT READY or INCOMPLETE, with reasons.

    Args:
        job: the record.
        checklist: the checklist the job follows (titles, required items, live rules).
        strict: count warnings as failures (as ``--strict`` does for the exit code).
    """
    reasons = sorted(
        _reasons(job, checklist, strict=strict),
        key=lambda reason: reason.severity.rank,  # stable: checklist order within a severity
    )
    severities = {reason.severity for reason in reasons}
    if ReasonSeverity.FAILED in severities:
        verdict = Readiness.NOT_READY
    elif severities & {ReasonSeverity.ERROR, ReasonSeverity.UNJUDGED, ReasonSeverity.OPEN}:
        verdict = Readiness.INCOMPLETE
    else:
        verdict = Readiness.READY
    return JobVerdict(
        verdict=verdict, reasons=tuple(reasons), strict=strict, notice=job.simulated_notice
    )


def _reasons(job: Job, checklist: Checklist, *, strict: bool) -> Iterator[Reason]:
    named_rules: set[str] = set()
    for section, _step, item in checklist.items():
        if isinstance(item, InfoItem):
            continue
        if isinstance(item, LiveItem):
            named_rules.add(item.rule)
            reason = _live_reason(job, item, section.title, strict=strict)
        else:
            reason = _answer_reason(job, item, section.title, strict=strict)
        if reason is not None and (item.required or reason.status in _JUDGED_BAD):
            yield reason
    for rule_id, check in job.live.items():
        if rule_id in named_rules:
            continue
        reason = _outcome_reason(
            check.latest, check.latest.title, "Other live checks", required=False, strict=strict
        )
        if reason is not None and reason.status in _JUDGED_BAD:
            yield reason
    selftest = job.selftest
    if selftest is not None and not selftest.passed:
        failures = "; ".join(
            f"{tier.tier}: {tier.detail or 'wrong answer'}" for tier in selftest.failures
        )
        yield Reason(
            severity=ReasonSeverity.FAILED,
            item_id=SELFTEST_ID,
            title="Hash self-test on this computer",
            text=(
                f"known answers did not match ({failures}); the tool's hashing is wrong on this "
                "computer: reinstall commission, run the self-test again, and redo the checks"
            ),
            status=Status.FAIL,
            at=selftest.at,
            required=False,
        )


_JUDGED_BAD: Final = (Status.FAIL, Status.WARN)
"""Statuses that count for optional items."""


def _live_reason(job: Job, item: LiveItem, section: str, *, strict: bool) -> Reason | None:
    outcome = job.latest(item.rule)
    if outcome is None:
        text = "the live check has not run yet: connect the miner and read it"
        soak = job.soak
        if item.rule == SOAK_RULE:
            text = "the commissioning soak has not run yet: start it once the water loop runs"
            if soak is not None and soak.stopped:
                text = (
                    f"the soak was stopped after {soak.ran_s / 60:.1f} of {soak.minutes:g} min "
                    "and was not judged: run it to the end"
                )
        return Reason(
            severity=ReasonSeverity.OPEN,
            item_id=item.id,
            check_id=item.rule,
            title=item.title,
            text=text,
            section=section,
            required=item.required,
        )
    return _outcome_reason(
        outcome, item.title, section, required=item.required, strict=strict, item_id=item.id
    )


def _outcome_reason(
    outcome: Outcome,
    title: str,
    section: str,
    *,
    required: bool,
    strict: bool,
    item_id: str = "",
) -> Reason | None:
    status = outcome.status
    if status in (Status.PASS, Status.SKIPPED):
        return None
    action = f"; {outcome.action}" if outcome.action else ""
    if status is Status.FAIL:
        severity, text = (
            ReasonSeverity.FAILED,
            f"{outcome.observed} (expected {outcome.expected}){action}",
        )
    elif status is Status.WARN:
        severity = ReasonSeverity.FAILED if strict else ReasonSeverity.WARNING
        text = f"{outcome.observed} (expected {outcome.expected}){action}"
    elif status is Status.ERROR:
        severity, text = ReasonSeverity.ERROR, f"could not be checked: {outcome.observed}{action}"
    else:
        severity, text = ReasonSeverity.UNJUDGED, f"not judged yet: {outcome.observed}{action}"
    return Reason(
        severity=severity,
        item_id=item_id or outcome.item_id,
        check_id=outcome.rule_id,
        title=title,
        text=text,
        section=section,
        status=status,
        at=outcome.at,
        required=required,
    )


def _answer_reason(job: Job, item: Item, section: str, *, strict: bool) -> Reason | None:
    entry = job.current(item.id)

    def reason(severity: ReasonSeverity, text: str, status: Status | None) -> Reason:
        return Reason(
            severity=severity,
            item_id=item.id,
            title=item.title,
            text=text,
            section=section,
            status=status,
            at=None if entry is None else entry.at,
            required=item.required,
        )

    if entry is None:
        if isinstance(item, DerivedItem):
            missing = [source for source in item.inputs.values() if job.current(source) is None]
            needs = f": it needs {', '.join(missing)}" if missing else ""
            return reason(ReasonSeverity.OPEN, f"not computed yet{needs}", None)
        return reason(ReasonSeverity.OPEN, "not answered yet", None)
    if isinstance(item, ConfirmItem):
        if entry.value == "yes":
            return None
        return reason(ReasonSeverity.OPEN, f"answered {entry.value!r}: not done yet", None)
    if entry.status == "fail":
        # The evaluator's reason already quotes the reading ("9.6 pH is above the 9 pH maximum").
        return reason(ReasonSeverity.FAILED, entry.reason or _shown(entry), Status.FAIL)
    if entry.status == "incomplete":
        return reason(ReasonSeverity.OPEN, entry.reason or "not complete yet", None)
    if entry.status == "invalid":
        return reason(
            ReasonSeverity.UNJUDGED,
            f"the recorded answer {_shown(entry)} could not be read ({entry.reason}): answer again",
            Status.UNJUDGED,
        )
    return None


def _shown(entry: Entry) -> str:
    if entry.secret:
        return "set"
    if entry.number is not None:
        # Four significant digits: a computed 1.30685 °C reads 1.307 °C, 2,040 W stays 2,040 W.
        return format_value(float(f"{entry.number:.4g}"), entry.unit)
    return repr(entry.value)
