"""The one verdict: READY, NOT READY or INCOMPLETE, and each kind of reason, worst first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commission.checklist import Checklist, load_builtin
from commission.job import (
    SELFTEST_ID,
    SIMULATED_NOTICE,
    Job,
    JobFile,
    JobVerdict,
    Readiness,
    ReasonSeverity,
    SelfTestRun,
    SelfTestTier,
    SoakReading,
    SoakRun,
    judge_job,
)
from commission.results import Outcome, Status

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

MINI = Checklist.model_validate(
    {
        "id": "mini",
        "version": 1,
        "title": "Mini checklist",
        "model": "Antminer S9 Hydro",
        "guide": "test guide",
        "sections": [
            {
                "id": "power",
                "title": "Power",
                "guide": "4",
                "steps": [
                    {
                        "id": "power.psu",
                        "title": "PSU",
                        "items": [
                            {
                                "id": "power.voltage",
                                "kind": "measurement",
                                "title": "12 V rail",
                                "guide": "4",
                                "unit": "V",
                                "min": 11.88,
                                "max": 12.12,
                            },
                            {
                                "id": "power.ground",
                                "kind": "confirm",
                                "title": "Chassis grounded",
                                "guide": "4",
                            },
                            {
                                "id": "power.spare",
                                "kind": "measurement",
                                "title": "Spare rail",
                                "guide": "4",
                                "unit": "V",
                                "max": 13,
                                "required": False,
                            },
                            {
                                "id": "power.note",
                                "kind": "info",
                                "title": "Read the label",
                                "guide": "4",
                            },
                        ],
                    }
                ],
            },
            {
                "id": "live",
                "title": "Live checks",
                "guide": "7",
                "steps": [
                    {
                        "id": "live.all",
                        "title": "Against the miner",
                        "items": [
                            {
                                "id": "live.chains",
                                "kind": "live",
                                "title": "All chains present",
                                "guide": "7",
                                "rule": "chains.present",
                            },
                            {
                                "id": "live.soak",
                                "kind": "live",
                                "title": "20-minute run stable",
                                "guide": "7",
                                "rule": "soak.stability",
                            },
                            {
                                "id": "live.console",
                                "kind": "live",
                                "title": "No fatal console line",
                                "guide": "7",
                                "rule": "console.fatal",
                                "required": False,
                            },
                        ],
                    }
                ],
            },
        ],
    }
)


@pytest.fixture
def clock() -> Callable[[], datetime]:
    moments = iter(START + timedelta(seconds=n) for n in range(10**6))
    return lambda: next(moments)


@pytest.fixture
def job_file(tmp_path: Path, clock: Callable[[], datetime]) -> JobFile:
    job = Job(technician="Ana", site="Hall B", checklist_id="mini", checklist_version=1)
    with JobFile.create(tmp_path / "job.json", job, checklist=MINI, now=clock) as created:
        pass
    return JobFile.open(created.path, checklist=MINI, now=clock)


def outcome(rule: str, item: str, status: Status, observed: str, *, action: str = "") -> Outcome:
    return Outcome(
        rule_id=rule,
        item_id=item,
        title=rule,
        status=status,
        expected="as the guide says",
        observed=observed,
        action=action,
        at=START,
    )


def soak_run(status: Status = Status.PASS) -> SoakRun:
    return SoakRun(
        started_at=START,
        finished_at=START + timedelta(minutes=20),
        minutes=20,
        interval_s=5,
        samples=(SoakReading(offset_s=0, ghs_5s=13900.0), SoakReading(offset_s=1200)),
        outcome=outcome("soak.stability", "live.soak", status, "240 samples over 20 min"),
    )


def all_done(job_file: JobFile) -> None:
    job_file.answer(MINI.item("power.voltage"), "12.01")
    job_file.answer(MINI.item("power.ground"), "yes")
    job_file.record_outcomes([outcome("chains.present", "live.chains", Status.PASS, "12 chains")])
    job_file.record_soak(soak_run())


def severities(verdict: JobVerdict) -> list[ReasonSeverity]:
    return [reason.severity for reason in verdict.reasons]


def test_a_new_job_is_incomplete_and_names_every_required_open_item(job_file: JobFile) -> None:
    verdict = judge_job(job_file.job, MINI)
    assert verdict.verdict is Readiness.INCOMPLETE
    assert verdict.word == "INCOMPLETE"
    assert [(r.item_id, r.severity) for r in verdict.reasons] == [
        ("power.voltage", ReasonSeverity.OPEN),
        ("power.ground", ReasonSeverity.OPEN),
        ("live.chains", ReasonSeverity.OPEN),
        ("live.soak", ReasonSeverity.OPEN),
    ]
    texts = {reason.item_id: reason.text for reason in verdict.reasons}
    assert texts["power.voltage"] == "not answered yet"
    assert "has not run yet" in texts["live.chains"]
    assert "soak has not run yet" in texts["live.soak"]
    assert verdict.headline == "INCOMPLETE: 4 open"


def test_everything_done_and_passed_is_ready_with_no_reasons(job_file: JobFile) -> None:
    all_done(job_file)
    verdict = judge_job(job_file.job, MINI)
    assert verdict.verdict is Readiness.READY and verdict.ready
    assert verdict.reasons == ()
    assert verdict.headline == "READY"
    assert verdict.notice == ""


def test_a_measurement_out_of_limits_is_not_ready_and_says_what_was_read(
    job_file: JobFile,
) -> None:
    all_done(job_file)
    job_file.answer(MINI.item("power.voltage"), "11.2")
    verdict = judge_job(job_file.job, MINI)
    assert verdict.verdict is Readiness.NOT_READY
    (reason,) = verdict.reasons
    assert (reason.severity, reason.item_id, reason.status) == (
        ReasonSeverity.FAILED,
        "power.voltage",
        Status.FAIL,
    )
    # The reading once, then why ("11.2 V is below ..."), never "11.2 V: 11.2 V is below ...".
    assert reason.text.startswith("11.2 V ") and reason.text.count("11.2 V") == 1
    assert "11.88" in reason.text
    assert reason.title == "12 V rail" and reason.section == "Power"
    assert reason.at == job_file.job.current("power.voltage").at  # type: ignore[union-attr]


def test_a_confirmation_answered_no_is_open_not_failed(job_file: JobFile) -> None:
    all_done(job_file)
    job_file.answer(MINI.item("power.ground"), "no")
    verdict = judge_job(job_file.job, MINI)
    assert verdict.verdict is Readiness.INCOMPLETE
    (reason,) = verdict.reasons
    assert reason.severity is ReasonSeverity.OPEN
    assert reason.text == "answered 'no': not done yet"


@pytest.mark.parametrize(
    ("status", "severity", "readiness", "start"),
    [
        (Status.FAIL, ReasonSeverity.FAILED, Readiness.NOT_READY, "11 chains"),
        (Status.ERROR, ReasonSeverity.ERROR, Readiness.INCOMPLETE, "could not be checked: "),
        (Status.UNJUDGED, ReasonSeverity.UNJUDGED, Readiness.INCOMPLETE, "not judged yet: "),
        (Status.WARN, ReasonSeverity.WARNING, Readiness.READY, "11 chains"),
    ],
)
def test_each_live_status_gives_its_reason(
    job_file: JobFile,
    status: Status,
    severity: ReasonSeverity,
    readiness: Readiness,
    start: str,
) -> None:
    all_done(job_file)
    job_file.record_outcomes(
        [outcome("chains.present", "live.chains", status, "11 chains", action="reseat board 4")]
    )
    verdict = judge_job(job_file.job, MINI)
    assert verdict.verdict is readiness
    (reason,) = verdict.reasons
    assert (reason.severity, reason.check_id, reason.item_id) == (
        severity,
        "chains.present",
        "live.chains",
    )
    assert reason.text.startswith(start)
    assert reason.text.endswith("; reseat board 4")
    assert reason.at == START


def test_only_the_latest_outcome_of_a_check_counts(job_file: JobFile) -> None:
    all_done(job_file)
    job_file.record_outcomes(
        [
            outcome("chains.present", "live.chains", Status.FAIL, "11 chains"),
            outcome("chains.present", "live.chains", Status.PASS, "12 chains"),
        ]
    )
    assert judge_job(job_file.job, MINI).verdict is Readiness.READY


def test_warnings_are_listed_on_a_ready_job_and_fail_it_when_strict(job_file: JobFile) -> None:
    all_done(job_file)
    job_file.record_outcomes([outcome("chains.present", "live.chains", Status.WARN, "slow")])
    relaxed = judge_job(job_file.job, MINI)
    assert relaxed.verdict is Readiness.READY
    assert severities(relaxed) == [ReasonSeverity.WARNING]
    assert relaxed.headline == "READY: 1 warning"
    strict = judge_job(job_file.job, MINI, strict=True)
    assert strict.verdict is Readiness.NOT_READY and strict.strict
    assert severities(strict) == [ReasonSeverity.FAILED]


def test_optional_items_count_only_when_judged_bad(job_file: JobFile) -> None:
    all_done(job_file)
    console = "console.fatal"
    job_file.record_outcomes([outcome(console, "live.console", Status.UNJUDGED, "no console")])
    assert judge_job(job_file.job, MINI).verdict is Readiness.READY
    job_file.answer(MINI.item("power.spare"), "14")
    job_file.record_outcomes([outcome(console, "live.console", Status.FAIL, "fatal line")])
    verdict = judge_job(job_file.job, MINI)
    assert verdict.verdict is Readiness.NOT_READY
    assert [(r.item_id, r.required) for r in verdict.reasons] == [
        ("power.spare", False),
        ("live.console", False),
    ]


def test_a_failed_soak_is_not_ready_and_a_stopped_one_is_open(job_file: JobFile) -> None:
    all_done(job_file)
    job_file.record_soak(soak_run(Status.FAIL))
    assert judge_job(job_file.job, MINI).reasons[0].item_id == "live.soak"
    assert judge_job(job_file.job, MINI).verdict is Readiness.NOT_READY

    fresh = Job(technician="Ana", site="Hall B", checklist_id="mini", checklist_version=1)
    stopped = SoakRun(
        started_at=START,
        finished_at=START + timedelta(minutes=4),
        minutes=20,
        interval_s=5,
        samples=(SoakReading(offset_s=0), SoakReading(offset_s=192)),
        stopped=True,
    )
    fresh = fresh.model_copy(update={"soaks": [stopped]})
    reason = next(r for r in judge_job(fresh, MINI).reasons if r.item_id == "live.soak")
    assert reason.severity is ReasonSeverity.OPEN
    assert reason.text.startswith("the soak was stopped after 3.2 of 20 min")


def test_a_failed_self_test_is_not_ready_and_an_unrun_one_is_no_reason(
    job_file: JobFile,
) -> None:
    all_done(job_file)
    assert judge_job(job_file.job, MINI).ready
    job_file.record_selftest(
        SelfTestRun(
            at=START,
            implementation="compiled",
            tiers=(
                SelfTestTier(tier="portable", passed=True, detail="3 of 3 match", mhs=2.5),
                SelfTestTier(tier="sha-ni", passed=False, detail="genesis: wrong hash"),
            ),
        )
    )
    verdict = judge_job(job_file.job, MINI)
    assert verdict.verdict is Readiness.NOT_READY
    (reason,) = verdict.reasons
    assert (reason.item_id, reason.severity) == (SELFTEST_ID, ReasonSeverity.FAILED)
    assert "sha-ni: genesis: wrong hash" in reason.text


def test_reasons_come_worst_first_and_the_headline_counts_them(job_file: JobFile) -> None:
    job_file.answer(MINI.item("power.ground"), "yes")
    job_file.record_outcomes([outcome("chains.present", "live.chains", Status.ERROR, "no reply")])
    job_file.answer(MINI.item("power.voltage"), "13")
    verdict = judge_job(job_file.job, MINI)
    assert severities(verdict) == [
        ReasonSeverity.FAILED,
        ReasonSeverity.ERROR,
        ReasonSeverity.OPEN,
    ]
    assert verdict.headline == "NOT READY: 1 failed, 1 could not be checked, 1 open"
    lines = verdict.lines()
    assert lines[0] == verdict.headline
    assert lines[1] == "  FAILED  12 V rail: 13 V is above the 12.12 V maximum"


def test_a_simulated_job_carries_the_notice(job_file: JobFile) -> None:
    job_file.note_miner(simulated=True, scenario="board-2-dead", host="127.0.0.1")
    all_done(job_file)
    verdict = judge_job(job_file.job, MINI)
    assert verdict.notice == f"{SIMULATED_NOTICE} (scenario: board-2-dead)"
    assert verdict.lines()[1] == verdict.notice
    # Later results from a real miner do not make the record a real one.
    job_file.note_miner(simulated=False, host="10.0.0.7")
    assert job_file.job.simulated and judge_job(job_file.job, MINI).notice


def test_the_builtin_checklist_new_job_is_incomplete_with_a_reason_per_required_item() -> None:
    checklist = load_builtin()
    job = Job(technician="Ana", site="Hall B", checklist_id=checklist.id, checklist_version=1)
    verdict = judge_job(job, checklist)
    required = [
        item.id for _s, _t, item in checklist.items() if item.required and item.kind != "info"
    ]
    assert verdict.verdict is Readiness.INCOMPLETE
    assert [reason.item_id for reason in verdict.reasons] == required
    derived = next(r for r in verdict.reasons if r.item_id == "water.dew-point-margin")
    assert derived.text.startswith("not computed yet: it needs ")


def test_the_verdict_round_trips_as_json(job_file: JobFile) -> None:
    verdict = judge_job(job_file.job, MINI)
    assert JobVerdict.model_validate_json(verdict.model_dump_json()) == verdict
