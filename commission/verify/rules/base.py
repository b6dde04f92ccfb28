"""The rule machinery: the registry, findings, and the one place that decides what tainted input means.

A rule declares the readings it judges by :class:`~commission.miner.models.FieldKey` patterns
(``chain.*.asics``). :func:`apply_rule` runs it and then compares its finding with the snapshot's
problems: a rule whose input reading is missing, garbled, implausible or contradicted never
PASSes. It is NOT JUDGED (:attr:`Status.UNJUDGED`) and says which reading held what and why it
cannot be judged; a rule whose whole read failed (transport) is an ERROR. A FAIL that a rule proved
from readings that were fine stays a FAIL, with the unusable readings added as evidence.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from commission.miner.fields import describe_source, reads_supplying
from commission.miner.layout import BOARD_ORDER_NOTE, CHAIN_PLACES, board_parts
from commission.miner.models import MinerSnapshot, Problem
from commission.results import Evidence, Status
from commission.verify.limits import DEFAULT_LIMITS, Limits


@dataclass(frozen=True)
class Finding:
    """What one rule concluded; the runner turns it into an :class:`~commission.results.Outcome`."""

    status: Status
    expected: str
    observed: str
    action: str = ""
    evidence: tuple[Evidence, ...] = ()
    reads: tuple[str, ...] | None = None
    """The reading keys this finding was judged from, when they differ from the rule's ``reads``
    (e.g. the average rate, used when the miner did not report the 5-second rate)."""


SnapshotCheck = Callable[[MinerSnapshot, Limits], Finding]


@dataclass(frozen=True)
class Rule:
    """A registered rule: its stable id, title, guide section, the readings it judges, the check."""

    rule_id: str
    title: str
    guide_ref: str
    reads: tuple[str, ...] = ()
    """:class:`~commission.miner.models.FieldKey` patterns of the readings the check judges."""
    check: SnapshotCheck | None = field(default=None, compare=False)
    """The snapshot check; None for rules judged elsewhere (reachability, soak, console)."""
    partial: bool = False
    """True for a rule that judges element by element (chain, fan, board) and leaves unusable
    elements out, so a FAIL it proves from usable elements stands. Otherwise any unusable input
    makes the rule NOT JUDGED, whatever it concluded."""


RULES: dict[str, Rule] = {}
"""Every rule by id, in the order they are shown and run."""


def register(rule_: Rule) -> None:
    """Add a rule to :data:`RULES` (ids are unique)."""
    if rule_.rule_id in RULES:
        raise ValueError(f"rule {rule_.rule_id!r} is registered twice")
    RULES[rule_.rule_id] = rule_


def rule(
    rule_id: str, *, title: str, guide_ref: str, reads: Sequence[str] = (), partial: bool = False
) -> Callable[[SnapshotCheck], SnapshotCheck]:
    """Register a snapshot check under a stable id (decorator).

    Args:
        rule_id: the stable id checklists refer to.
        title: one line for tables.
        guide_ref: the guide section the expectation comes from.
        reads: reading-key patterns the check judges; a problem on any of them keeps it from
            passing.
        partial: the check leaves unusable elements out itself (see :attr:`Rule.partial`).
    """

    def decorate(check: SnapshotCheck) -> SnapshotCheck:
        register(Rule(rule_id, title, guide_ref, tuple(reads), check, partial))
        return check

    return decorate


# ---------------------------------------------------------------------------------------------
# Phrases shared by several rules: the physical places a technician touches.


def chain_place(chain: int) -> str:
    """``chain 7 on hash board 4 (PCIe leads PCIe-B4.1, PCIe-B4.2, PCIe-B4.3 and its ribbon
    cable)``: the board and everything of it that could feed the chain; ``chain N`` if unknown."""
    place = CHAIN_PLACES.get(chain)
    if place is None:
        return f"chain {chain}"
    return f"chain {chain} on {board_parts(place.board)}"


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


# ---------------------------------------------------------------------------------------------
# Unusable input: which readings held what, and why they cannot be judged.


def problem_evidence(problems: Iterable[Problem]) -> tuple[Evidence, ...]:
    """Problems as evidence lines: the reading, the raw value and the reason."""
    return tuple(
        Evidence(
            label="could not read" if not problem.field else f"unusable ({problem.kind})",
            value=(f"{problem.value}: " if problem.value is not None else "") + problem.message,
            source=problem.source,
        )
        for problem in problems
    )


def problem_words(problem: Problem) -> str:
    """One problem in a sentence: ``miner API, stats: chain 7 chip temperature held -83: ...``."""
    where = describe_source(problem.source)
    if problem.value is not None:
        return f"{where} held {problem.value} ({problem.message})"
    return f"{where}: {problem.message}"


def _summary(problems: Sequence[Problem], most: int = 3) -> str:
    words = [problem_words(problem) for problem in problems[:most]]
    if len(problems) > most:
        words.append(f"{len(problems) - most} more in the evidence")
    return "; ".join(words)


def unread_action(problems: Iterable[Problem]) -> str:
    """What to do when part of a miner could not be read (a refused web login differs)."""
    listed = list(problems)
    if any("refused the login" in p.message or "401" in p.message for p in listed):
        return (
            "the web UI refused the login: set $COMMISSION_WEB_PASSWORD to the miner's web "
            "password (and --web-user if it is not root), then verify again"
        )
    if listed and all(p.field for p in listed):
        return (
            "the miner reported readings that cannot be trusted (see the evidence): verify again; "
            "if they stay the same, restart the miner from its web UI and verify again; readings "
            "that stay implausible point at the firmware (reflash it, guide 8.2) or at the board "
            "that reports them"
        )
    return "check the miner's network connection and that it is running, then verify again"


def whole_read_problems(snapshot: MinerSnapshot, patterns: Iterable[str]) -> tuple[Problem, ...]:
    """Problems of whole reads (``rpc stats``, ``web get_kernel_log.cgi``) that supply ``patterns``."""
    sources = {source for pattern in patterns for source in reads_supplying(pattern)}
    return tuple(
        problem
        for problem in snapshot.problems
        if not problem.field and any(_from(problem, source) for source in sources)
    )


def _unread(snapshot: MinerSnapshot, patterns: Iterable[str]) -> tuple[Problem, ...]:
    """Whole-read problems of readings whose every supplier failed (then nothing fed them).

    The web login is left out: it is deduced from whichever web page answered, and the security
    rule says itself when it could not be checked.
    """
    found: list[Problem] = []
    for pattern in patterns:
        suppliers = reads_supplying(pattern)
        if not suppliers or pattern.startswith("web."):
            continue
        failed = whole_read_problems(snapshot, (pattern,))
        if {s for s in suppliers if any(_from(p, s) for p in failed)} == set(suppliers):
            found.extend(p for p in failed if p not in found)
    return tuple(found)


def _from(problem: Problem, source: str) -> bool:
    return problem.source == source or problem.source.startswith(source + " ")


def not_read(snapshot: MinerSnapshot, patterns: Sequence[str], expected: str, what: str) -> Finding:
    """The finding for a rule whose input is absent.

    ERROR when a read that supplies it failed (the check could not be made); NOT JUDGED when the
    miner answered but did not report it, or reported it unusably.
    """
    unread = whole_read_problems(snapshot, patterns)
    spoilt = snapshot.problems_with(patterns)
    problems = unread + spoilt
    if unread:
        return Finding(
            Status.ERROR,
            expected,
            f"{what} could not be read: {_summary(unread)}",
            unread_action(unread),
            problem_evidence(problems),
        )
    observed = f"{what}: not reported by the miner" + (f"; {_summary(spoilt)}" if spoilt else "")
    return Finding(
        Status.UNJUDGED,
        expected,
        observed,
        unread_action(spoilt)
        if spoilt
        else "verify again; if the miner keeps leaving it out, restart it from its web UI",
        problem_evidence(problems),
    )


def unjudged(
    expected: str,
    problems: Sequence[Problem],
    *,
    judged: str = "",
    evidence: tuple[Evidence, ...] = (),
) -> Finding:
    """NOT JUDGED because readings the check needs cannot be trusted.

    Args:
        expected: the rule's expectation.
        problems: the problems on the readings it needs.
        judged: what the readings that were fine showed, if anything.
        evidence: the rule's own evidence, kept after the problems.
    """
    observed = "cannot be judged: " + _summary(problems)
    if judged:
        observed += f" (the usable readings show: {judged})"
    return Finding(
        Status.UNJUDGED,
        expected,
        observed,
        unread_action(problems),
        problem_evidence(problems) + evidence,
    )


_BOARD_NUMBER = re.compile(r"\bhash boards? \d")


def with_board_note(finding: Finding) -> Finding:
    """Say that board numbers are assumed wherever a finding names one.

    The action gets the note when it names a board; otherwise, when the observation or the
    evidence does, an evidence line carries it.
    """
    if BOARD_ORDER_NOTE in finding.action:
        return finding
    if _BOARD_NUMBER.search(finding.action):
        return dataclasses.replace(finding, action=f"{finding.action} ({BOARD_ORDER_NOTE})")
    texts = [finding.observed, *(f"{e.label} {e.value}" for e in finding.evidence)]
    if any(_BOARD_NUMBER.search(text) for text in texts) and not any(
        e.value == BOARD_ORDER_NOTE for e in finding.evidence
    ):
        note = Evidence(label="board numbers", value=BOARD_ORDER_NOTE, source="layout")
        return dataclasses.replace(finding, evidence=(*finding.evidence, note))
    return finding


def apply_rule(rule_: Rule, snapshot: MinerSnapshot, limits: Limits = DEFAULT_LIMITS) -> Finding:
    """Run one snapshot rule, hold it to its input, and mark assumed board numbers.

    See :func:`judged_from_usable` for what unusable input does to a finding.
    """
    return with_board_note(judged_from_usable(rule_, snapshot, limits))


def judged_from_usable(
    rule_: Rule, snapshot: MinerSnapshot, limits: Limits = DEFAULT_LIMITS
) -> Finding:
    """Run one snapshot rule and hold it to its input: no conclusion from unusable readings.

    A PASS or WARN with any unusable input becomes NOT JUDGED; so does a FAIL, unless the rule
    judges element by element (:attr:`Rule.partial`) and so proved the FAIL from usable ones.

    Args:
        rule_: the rule (must have a check).
        snapshot: what was read from the miner.
        limits: the limits to judge against.
    """
    if rule_.check is None:
        raise ValueError(f"rule {rule_.rule_id} is not a snapshot rule")
    finding = rule_.check(snapshot, limits)
    reads = rule_.reads if finding.reads is None else finding.reads
    if finding.status in (Status.PASS, Status.WARN) and (unread := _unread(snapshot, reads)):
        return Finding(
            Status.ERROR,
            finding.expected,
            f"part of the data was not read ({finding.observed})",
            unread_action(unread),
            problem_evidence(unread) + finding.evidence,
            finding.reads,
        )
    spoilt = snapshot.problems_with(reads)
    if not spoilt or finding.status in (Status.ERROR, Status.UNJUDGED, Status.SKIPPED):
        return finding
    if finding.status is Status.FAIL and rule_.partial:
        shown = {(e.source, e.value) for e in finding.evidence}
        extra = tuple(e for e in problem_evidence(spoilt) if (e.source, e.value) not in shown)
        return Finding(
            finding.status,
            finding.expected,
            finding.observed,
            finding.action,
            finding.evidence + extra,
            finding.reads,
        )
    return unjudged(finding.expected, spoilt, judged=finding.observed, evidence=finding.evidence)


def warm_up_wait(elapsed_s: int, limits: Limits) -> str:
    """``judged after 5 min of uptime: in about 4 min`` for a miner that has run ``elapsed_s``."""
    left = max(0, limits.warmup_s - elapsed_s)
    when = f"in about {max(1, round(left / 60))} min" if left >= 60 else f"in {left} s"
    return f"judged after {limits.warmup_s / 60:g} min of uptime: {when}"


def warm_up_action(elapsed_s: int, limits: Limits) -> str:
    """What to do while the miner warms up: when to verify again, or wait with --wait-ready."""
    left = max(0, limits.warmup_s - elapsed_s)
    return (
        f"the miner has run only {elapsed_s} s: verify again in about {max(1, round(left / 60))} "
        "min, or run with --wait-ready (it waits for the warm-up, then judges)"
    )


def warming_up(snapshot: MinerSnapshot, limits: Limits, expected: str) -> Finding | None:
    """NOT JUDGED while the miner is warming up, saying when it can be judged; None after."""
    totals = snapshot.totals
    if totals is None or totals.elapsed_s is None or totals.elapsed_s >= limits.warmup_s:
        return None
    return Finding(
        Status.UNJUDGED,
        expected,
        f"not judged yet, warming up: bmminer has run {totals.elapsed_s} s; "
        + warm_up_wait(totals.elapsed_s, limits),
        warm_up_action(totals.elapsed_s, limits),
        (Evidence(label="elapsed", value=f"{totals.elapsed_s} s", source="rpc stats Elapsed"),),
    )
