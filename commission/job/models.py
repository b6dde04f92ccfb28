"""The job record: who commissions which miner where, every answer, every live result, and how.

A job is one JSON document (see :mod:`commission.job.files` for how it is saved). Answers are kept
per checklist item id as a list of entries, oldest first, so a corrected reading keeps the reading
it replaced; the last entry is current. Live checks are kept per rule: the latest outcome in full
(with its time) and a bounded history of spans, each span a run of readings that ended the same
way. The record also holds the soak runs with their series, the hash self-test, what this app
wrote to the miner (pools, web password), and whether the miner was the built-in simulator.
Secrets never enter the model: an entry for a password records only that it was set.

The format is versioned (:data:`JOB_SCHEMA`); :func:`migrate` brings an older document up to date
when it is read, so jobs saved by an earlier version keep opening.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from commission.results import Outcome, Status

JOB_SCHEMA: Final = "commission.job/2"
OLDER_SCHEMAS: Final = ("commission.job/1",)
"""Versions :func:`migrate` reads and converts."""
SECRET_MARK: Final = "(set)"
"""What an entry for a secret item holds instead of the value."""
MAC_PATTERN: Final = r"^(?:[0-9A-F]{2}(?::[0-9A-F]{2}){5})?$"
LIVE_SPAN_LIMIT: Final = 100
"""Spans of history kept per live check; older spans are dropped (and counted)."""
SOAK_RUN_LIMIT: Final = 10
"""Soak runs kept (newest last); a job rarely has more than two or three."""
SELFTEST_LIMIT: Final = 10
"""Hash self-test runs kept (newest last)."""
MINER_WRITE_LIMIT: Final = 50
"""Writes to the miner (pools, password) kept (newest last)."""
SIMULATED_NOTICE: Final = "SIMULATED MINER: practice record, not a commissioning record"


def utc_now() -> datetime:
    """The current time in UTC (the default clock of jobs)."""
    return datetime.now(UTC)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(_Frozen):
    """Where the miner stands, in the IP Reporter's shelf / step / position terms."""

    shelf: str = ""
    step: str = ""
    position: str = ""

    def label(self) -> str:
        """``shelf 3 / step 2 / position 14``, or empty when nothing is set."""
        parts = [
            f"{name} {value}"
            for name, value in (
                ("shelf", self.shelf),
                ("step", self.step),
                ("position", self.position),
            )
            if value
        ]
        return " / ".join(parts)


class Position(_Frozen):
    """Where in the checklist the technician is: a section and a step within it."""

    section: str
    step: str


class Entry(_Frozen):
    """One answer to one item at one moment.

    ``value`` is what was typed or chosen (``yes`` for a confirmation, :data:`SECRET_MARK` for a
    secret). For measurements and derived values ``number`` and ``unit`` hold the parsed value;
    ``status`` and ``reason`` hold the verdict when the item was judged.
    """

    value: str
    at: datetime
    number: float | None = None
    unit: str = ""
    status: str = ""
    """``pass``, ``warn``, ``fail``, ``incomplete``, or empty when not judged (an invalid or
    asked-back answer is never recorded)."""
    reason: str = ""
    secret: bool = False
    """True when the item is a secret: ``value`` is then :data:`SECRET_MARK`, never the secret."""
    note: str = ""

    @model_validator(mode="after")
    def _secret_holds_no_value(self) -> Entry:
        if self.secret and self.value != SECRET_MARK:
            raise ValueError(f"an entry for a secret may only hold {SECRET_MARK!r}, not a value")
        return self


class LiveSpan(_Frozen):
    """Consecutive readings of one live check that ended with the same status.

    ``observed`` is what the last reading of the span saw; ``count`` how many readings it holds.
    """

    status: Status
    first_at: datetime
    last_at: datetime
    count: int = Field(ge=1)
    observed: str = ""


class LiveCheck(_Frozen):
    """Everything the job knows about one live check (one rule): the latest outcome and history."""

    rule_id: str
    item_id: str
    latest: Outcome
    """The most recent outcome, in full, with the time it was produced (``latest.at``)."""
    readings: int = Field(default=1, ge=1)
    """How many outcomes of this check were recorded in all."""
    spans: tuple[LiveSpan, ...] = ()
    """History, oldest first, at most :data:`LIVE_SPAN_LIMIT` spans; the last ends with
    ``latest``."""
    spans_dropped: int = Field(default=0, ge=0)
    """Older spans dropped to keep the history bounded."""

    @property
    def status(self) -> Status:
        """The latest status."""
        return self.latest.status

    @property
    def at(self) -> datetime:
        """When the latest outcome was produced."""
        return self.latest.at

    def with_outcome(self, outcome: Outcome) -> LiveCheck:
        """This check with ``outcome`` recorded as the latest reading."""
        spans = list(self.spans)
        last = spans[-1] if spans else None
        if last is not None and last.status is outcome.status:
            spans[-1] = LiveSpan(
                status=last.status,
                first_at=last.first_at,
                last_at=max(last.last_at, outcome.at),
                count=last.count + 1,
                observed=outcome.observed,
            )
        else:
            spans.append(_span(outcome))
        dropped = max(0, len(spans) - LIVE_SPAN_LIMIT)
        return LiveCheck(
            rule_id=self.rule_id,
            item_id=outcome.item_id,
            latest=outcome,
            readings=self.readings + 1,
            spans=tuple(spans[dropped:]),
            spans_dropped=self.spans_dropped + dropped,
        )

    @classmethod
    def first(cls, outcome: Outcome) -> LiveCheck:
        """A check whose first recorded reading is ``outcome``."""
        return cls(
            rule_id=outcome.rule_id,
            item_id=outcome.item_id,
            latest=outcome,
            spans=(_span(outcome),),
        )


def _span(outcome: Outcome) -> LiveSpan:
    return LiveSpan(
        status=outcome.status,
        first_at=outcome.at,
        last_at=outcome.at,
        count=1,
        observed=outcome.observed,
    )


def fold_outcomes(
    live: Mapping[str, LiveCheck], outcomes: Iterable[Outcome]
) -> dict[str, LiveCheck]:
    """``live`` with every outcome recorded, in the order given, under its rule id."""
    folded = dict(live)
    for outcome in outcomes:
        known = folded.get(outcome.rule_id)
        folded[outcome.rule_id] = (
            LiveCheck.first(outcome) if known is None else known.with_outcome(outcome)
        )
    return folded


class SoakReading(_Frozen):
    """One soak sample as the job keeps it (the figures of the plots), or why it is missing."""

    offset_s: float
    """Seconds since the soak started."""
    elapsed_s: int | None = None
    """The miner's own uptime."""
    ghs_5s: float | None = None
    pcb_c: dict[int, float] = {}
    """Hottest PCB reading per hash board."""
    chip_max_c: float | None = None
    fans_turning: int | None = None
    error: str = ""
    """Why no reading was taken; empty for a good sample."""

    @property
    def pcb_max_c(self) -> float | None:
        """Hottest board in this sample."""
        return max(self.pcb_c.values(), default=None)


class SoakRun(_Frozen):
    """One soak: when it ran, for how long, every sample, and how it ended.

    ``outcome`` is the soak's own verdict (rule ``soak.stability``); None when the run was stopped
    before its end (``stopped`` is then True) and nothing was judged.
    """

    started_at: datetime
    finished_at: datetime
    minutes: float = Field(gt=0)
    """How long the soak was asked to run."""
    interval_s: float = Field(gt=0)
    samples: tuple[SoakReading, ...] = ()
    outcome: Outcome | None = None
    stopped: bool = False

    @model_validator(mode="after")
    def _judged_or_stopped(self) -> SoakRun:
        if self.stopped and self.outcome is not None:
            raise ValueError("a stopped soak is not judged; it cannot carry an outcome")
        if not self.stopped and self.outcome is None:
            raise ValueError("a soak that ran to its end carries its outcome")
        return self

    @property
    def ran_s(self) -> float:
        """How far the soak got, in seconds (the last sample's offset)."""
        return self.samples[-1].offset_s if self.samples else 0.0

    @classmethod
    def from_series(
        cls,
        series: object,
        *,
        started_at: datetime,
        finished_at: datetime,
        outcome: Outcome | None,
        stopped: bool = False,
    ) -> SoakRun:
        """A run from a soak series (any object with ``minutes``, ``interval_s`` and ``samples``
        whose samples carry the :class:`SoakReading` fields, e.g. the verifier's series)."""
        samples = tuple(
            SoakReading.model_validate(sample, from_attributes=True)
            for sample in getattr(series, "samples", ())
        )
        return cls(
            started_at=started_at,
            finished_at=finished_at,
            minutes=getattr(series, "minutes"),  # noqa: B009 - duck-typed on purpose
            interval_s=getattr(series, "interval_s"),  # noqa: B009
            samples=samples,
            outcome=outcome,
            stopped=stopped,
        )


class SelfTestTier(_Frozen):
    """One hash tier in a self-test: did its known answers match, and how fast it went."""

    tier: str
    passed: bool
    detail: str = ""
    """What matched or what did not (``2 of 2 match``, ``genesis: wrong hash``)."""
    mhs: float | None = None


class SelfTestRun(_Frozen):
    """One run of the hash self-test on the technician's computer."""

    at: datetime
    implementation: str = ""
    """The hash engine in use (compiled or the pure-Python twin)."""
    tiers: tuple[SelfTestTier, ...] = Field(min_length=1)

    @property
    def passed(self) -> bool:
        """True when every tier's known answers matched."""
        return all(tier.passed for tier in self.tiers)

    @property
    def failures(self) -> tuple[SelfTestTier, ...]:
        """The tiers whose known answers did not match."""
        return tuple(tier for tier in self.tiers if not tier.passed)


class MinerWrite(_Frozen):
    """Something this app wrote to the miner (pools, the web password), when, and whether it took.

    Only the fact is kept, never a password.
    """

    kind: Literal["pools", "web-password"]
    at: datetime
    ok: bool
    detail: str = ""


class MinerSource(_Frozen):
    """What the live results were read from: a real miner at an address, or the simulator."""

    simulated: bool
    scenario: str = ""
    """The simulator's fault scenario(s), e.g. ``healthy`` or ``board-2-dead``."""
    host: str = ""
    first_at: datetime
    """When results from this source were first recorded in the job."""


class Job(BaseModel):
    """One commissioning job, from the first answer to the last verification result."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    schema_: Literal["commission.job/2"] = Field(default=JOB_SCHEMA, alias="schema")
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    technician: str = Field(min_length=1)
    site: str = Field(min_length=1)
    miner_serial: str = ""
    miner_mac: str = Field(default="", pattern=MAC_PATTERN)
    """Upper-case ``XX:XX:XX:XX:XX:XX``, or empty until known."""
    miner_host: str = ""
    """The miner's address once found (IP Report or typed in)."""
    location: Location = Location()
    checklist_id: str
    checklist_version: int = Field(ge=1)
    answers: dict[str, list[Entry]] = {}
    """Per item id, every answer in the order given; the last one is current."""
    position: Position | None = None
    """The step to reopen at; None before the walkthrough starts."""
    live: dict[str, LiveCheck] = {}
    """Per rule id, the latest outcome and the history of that live check."""
    soaks: list[SoakRun] = []
    """Every soak run (newest last, at most :data:`SOAK_RUN_LIMIT`)."""
    selftests: list[SelfTestRun] = []
    """Every hash self-test run (newest last, at most :data:`SELFTEST_LIMIT`)."""
    miner_writes: list[MinerWrite] = []
    """Pools and password written to the miner by this app (newest last)."""
    sources: list[MinerSource] = []
    """Every miner (real or simulated) whose results were recorded, in the order first seen."""
    created: datetime = Field(default_factory=utc_now)
    updated: datetime = Field(default_factory=utc_now)

    @field_validator("miner_mac", mode="before")
    @classmethod
    def _normal_mac(cls, mac: object) -> object:
        return mac.strip().upper().replace("-", ":") if isinstance(mac, str) else mac

    @field_validator("answers")
    @classmethod
    def _no_empty_histories(cls, answers: dict[str, list[Entry]]) -> dict[str, list[Entry]]:
        empty = [item_id for item_id, history in answers.items() if not history]
        if empty:
            raise ValueError(f"items {empty} have an empty answer history")
        return answers

    @field_validator("live")
    @classmethod
    def _live_keyed_by_rule(cls, live: dict[str, LiveCheck]) -> dict[str, LiveCheck]:
        wrong = [key for key, check in live.items() if key != check.rule_id]
        if wrong:
            raise ValueError(f"live checks {wrong} are filed under another rule id")
        return live

    # -- answers ------------------------------------------------------------------------------

    def current(self, item_id: str) -> Entry | None:
        """The latest answer to ``item_id``, or None when it has none."""
        history = self.answers.get(item_id)
        return history[-1] if history else None

    def history(self, item_id: str) -> list[Entry]:
        """Every answer to ``item_id``, oldest first."""
        return list(self.answers.get(item_id, ()))

    def numbers(self) -> dict[str, float | None]:
        """Current numeric value per item id (the inputs derived items are computed from)."""
        return {item_id: history[-1].number for item_id, history in self.answers.items()}

    def secret_set(self, item_id: str) -> bool:
        """True when the job records that the secret ``item_id`` (a password) was set."""
        entry = self.current(item_id)
        return entry is not None and entry.secret

    # -- live results -------------------------------------------------------------------------

    @property
    def results(self) -> tuple[Outcome, ...]:
        """The latest outcome of every live check, in the order the checks were first seen."""
        return tuple(check.latest for check in self.live.values())

    def latest(self, rule_id: str) -> Outcome | None:
        """The latest outcome of rule ``rule_id``, or None when it never ran."""
        check = self.live.get(rule_id)
        return None if check is None else check.latest

    def latest_by_rule(self) -> dict[str, Outcome]:
        """Rule id -> latest outcome (the shape the TUI's item states read)."""
        return {rule_id: check.latest for rule_id, check in self.live.items()}

    @property
    def soak(self) -> SoakRun | None:
        """The newest soak run, or None when no soak ran."""
        return self.soaks[-1] if self.soaks else None

    @property
    def last_judged_soak(self) -> SoakRun | None:
        """The newest soak that ran to its end (and so was judged), or None."""
        return next((run for run in reversed(self.soaks) if not run.stopped), None)

    @property
    def selftest(self) -> SelfTestRun | None:
        """The newest hash self-test, or None when it never ran."""
        return self.selftests[-1] if self.selftests else None

    def last_write(self, kind: Literal["pools", "web-password"]) -> MinerWrite | None:
        """The newest write of ``kind`` to the miner, or None."""
        return next((write for write in reversed(self.miner_writes) if write.kind == kind), None)

    @property
    def password_changed(self) -> bool:
        """True when this app changed the miner's web password and the miner accepted it."""
        write = self.last_write("web-password")
        return write is not None and write.ok

    # -- simulated or real --------------------------------------------------------------------

    @property
    def simulated(self) -> bool:
        """True when any recorded result came from the built-in simulator."""
        return any(source.simulated for source in self.sources)

    @property
    def simulated_notice(self) -> str:
        """The words every front end and export shows on a simulated job; empty for a real one.

        Once a simulator's results are in a job, the job stays a practice record.
        """
        scenarios = [s.scenario for s in self.sources if s.simulated and s.scenario]
        if not self.simulated:
            return ""
        if scenarios:
            return f"{SIMULATED_NOTICE} (scenario: {', '.join(dict.fromkeys(scenarios))})"
        return SIMULATED_NOTICE

    def to_json(self) -> str:
        """The job as the JSON text stored in a job file."""
        return self.model_dump_json(by_alias=True, indent=2) + "\n"


def migrate(document: Any) -> Any:
    """An older job document (plain JSON data) converted to the current :data:`JOB_SCHEMA`.

    Version 1 kept a flat ``results`` list of live outcomes; version 2 keeps, per rule, the
    latest outcome and its history. A document of the current version, or one that is not a job
    at all, is returned unchanged (validation then says what is wrong with it).
    """
    if not isinstance(document, dict) or document.get("schema") not in OLDER_SCHEMAS:
        return document
    upgraded = dict(document)
    results = upgraded.pop("results", [])
    if isinstance(results, list):
        outcomes = [Outcome.model_validate(raw) for raw in results]
        outcomes.sort(key=lambda outcome: outcome.at)
        upgraded["live"] = {
            rule_id: check.model_dump(mode="json")
            for rule_id, check in fold_outcomes({}, outcomes).items()
        }
    else:
        upgraded["results"] = results  # not a list: let validation name it
    upgraded["schema"] = JOB_SCHEMA
    return upgraded
