"""The record: the latest result of every check with its time, bounded history, and resume.

Every live outcome is recorded when it is produced (not only on a change of status); a resumed
job answers every question the first session could: live results, the soak and its series, the
self-test, the password state, whether the miner was simulated.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commission.checklist import Checklist, load_builtin
from commission.errors import JobFileError
from commission.job import (
    LIVE_SPAN_LIMIT,
    Job,
    JobFile,
    LiveCheck,
    Readiness,
    SelfTestRun,
    SelfTestTier,
    SoakReading,
    SoakRun,
    judge_job,
    migrate,
    read_job,
)
from commission.results import Outcome, Status

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def checklist() -> Checklist:
    return load_builtin()


@pytest.fixture
def clock() -> Callable[[], datetime]:
    moments = iter(START + timedelta(seconds=n) for n in range(10**6))
    return lambda: next(moments)


@pytest.fixture
def job_file(tmp_path: Path, checklist: Checklist, clock: Callable[[], datetime]) -> JobFile:
    job = Job(technician="Ana", site="Hall B", checklist_id=checklist.id, checklist_version=1)
    return JobFile.create(tmp_path / "job.json", job, checklist=checklist, now=clock)


def reading(rule: str, status: Status, observed: str, seconds: float) -> Outcome:
    return Outcome(
        rule_id=rule,
        item_id=f"item.{rule}",
        title=rule,
        status=status,
        expected="what the guide says",
        observed=observed,
        at=START + timedelta(seconds=seconds),
    )


def reopen(job_file: JobFile, checklist: Checklist) -> Job:
    job_file.close()
    with JobFile.open(job_file.path, checklist=checklist) as reopened:
        return reopened.job


def test_every_outcome_is_recorded_and_the_latest_is_kept_with_its_time(
    job_file: JobFile,
) -> None:
    warming = reading("hashrate.nominal", Status.UNJUDGED, "warming up (90 s of 600 s)", 0)
    job_file.record_outcomes([warming])
    same = reading("hashrate.nominal", Status.UNJUDGED, "warming up (93 s of 600 s)", 3)
    job_file.record_outcomes([same])  # same status: still recorded
    passed = reading("hashrate.nominal", Status.PASS, "13.9 TH/s", 600)
    job_file.record_outcomes([passed, reading("chains.present", Status.PASS, "12 chains", 600)])

    check = job_file.job.live["hashrate.nominal"]
    assert check.latest == passed and check.at == passed.at and check.status is Status.PASS
    assert check.readings == 3
    assert [(s.status, s.count, s.first_at, s.last_at, s.observed) for s in check.spans] == [
        (Status.UNJUDGED, 2, warming.at, same.at, "warming up (93 s of 600 s)"),
        (Status.PASS, 1, passed.at, passed.at, "13.9 TH/s"),
    ]
    assert job_file.job.latest("hashrate.nominal") == passed
    assert job_file.job.results == (passed, job_file.job.latest("chains.present"))
    assert set(job_file.job.latest_by_rule()) == {"hashrate.nominal", "chains.present"}


def test_history_is_bounded_and_says_how_much_it_dropped(job_file: JobFile) -> None:
    statuses = (Status.PASS, Status.WARN)
    outcomes = [
        reading("temps.margin", statuses[n % 2], f"{60 + n % 2} °C", n)
        for n in range(LIVE_SPAN_LIMIT + 25)
    ]
    job_file.record_outcomes(outcomes)
    check = job_file.job.live["temps.margin"]
    assert len(check.spans) == LIVE_SPAN_LIMIT
    assert check.spans_dropped == 25
    assert check.readings == LIVE_SPAN_LIMIT + 25
    assert check.spans[-1].last_at == outcomes[-1].at
    assert check.latest == outcomes[-1]


def test_resume_restores_every_kind_of_result(job_file: JobFile, checklist: Checklist) -> None:
    job_file.note_miner(simulated=True, scenario="healthy", host="127.0.0.1")
    job_file.record_outcomes([reading("chains.present", Status.PASS, "12 chains", 5)])
    samples = tuple(
        SoakReading(offset_s=n * 5.0, elapsed_s=900 + n * 5, ghs_5s=13900.0 + n, pcb_c={1: 55.0})
        for n in range(241)
    )
    soak = SoakRun(
        started_at=START,
        finished_at=START + timedelta(minutes=20),
        minutes=20,
        interval_s=5,
        samples=samples,
        outcome=reading("soak.stability", Status.PASS, "241 samples over 20 min", 1200),
    )
    job_file.record_soak(soak)
    selftest = SelfTestRun(
        at=START,
        implementation="compiled",
        tiers=(SelfTestTier(tier="portable", passed=True, detail="2 of 2 match", mhs=3.1),),
    )
    job_file.record_selftest(selftest)
    job_file.answer(checklist.item("admin.new-password"), "hunter2-but-long")
    job_file.record_miner_write("web-password", ok=True, detail="password changed")
    job_file.record_miner_write("pools", ok=True, detail="3 pools written")

    job = reopen(job_file, checklist)
    assert job == job_file.job
    assert job.latest("chains.present") == job_file.job.latest("chains.present")
    # The passed 20-minute soak is there after a resume, series and all.
    assert job.soak == soak and job.last_judged_soak == soak
    assert len(job.soak.samples) == 241 and job.soak.samples[-1].ghs_5s == 14140.0
    assert job.latest("soak.stability") == soak.outcome
    assert job.selftest == selftest and job.selftest.passed
    assert job.secret_set("admin.new-password")
    assert "hunter2" not in job_file.path.read_text()
    assert job.password_changed
    assert job.last_write("pools") is not None
    assert job.simulated and job.simulated_notice.startswith("SIMULATED MINER: practice record")


def test_checks_seen_passing_are_passed_in_the_record(
    job_file: JobFile, checklist: Checklist
) -> None:
    """What the screen showed as PASS is what the record (and so every export) says."""
    item = next(i for _s, _t, i in checklist.items() if i.kind == "live")
    rule = getattr(item, "rule")  # noqa: B009
    job_file.record_outcomes([reading(rule, Status.PASS, "fine", 1)])
    job = reopen(job_file, checklist)
    verdict = judge_job(job, checklist)
    assert item.id not in {reason.item_id for reason in verdict.reasons}
    assert verdict.verdict is Readiness.INCOMPLETE  # the rest of the checklist is still open


def test_a_soak_from_the_verifier_series_keeps_its_figures() -> None:
    from commission.verify.report import SoakSample, SoakSeries

    series = SoakSeries(
        minutes=20,
        interval_s=5,
        samples=(
            SoakSample(offset_s=0, elapsed_s=900, ghs_5s=13800.0, pcb_c={1: 50.0, 2: 51.0}),
            SoakSample(offset_s=5, error="MinerUnreachable: no answer"),
        ),
    )
    run = SoakRun.from_series(
        series,
        started_at=START,
        finished_at=START + timedelta(minutes=20),
        outcome=reading("soak.stability", Status.ERROR, "stopped answering", 1200),
    )
    # The job keeps the figures of each sample (the verifier's per-sample rule verdicts stay in
    # the verify report).
    kept = set(type(run.samples[0]).model_fields)
    assert [s.model_dump() for s in run.samples] == [
        {key: value for key, value in s.model_dump().items() if key in kept} for s in series.samples
    ]
    assert run.samples[0].pcb_max_c == 51.0 and run.ran_s == 5


def test_a_soak_is_either_judged_or_stopped() -> None:
    with pytest.raises(ValueError, match="carries its outcome"):
        SoakRun(started_at=START, finished_at=START, minutes=20, interval_s=5)
    with pytest.raises(ValueError, match="not judged"):
        SoakRun(
            started_at=START,
            finished_at=START,
            minutes=20,
            interval_s=5,
            stopped=True,
            outcome=reading("soak.stability", Status.PASS, "x", 0),
        )


def test_a_version_1_job_file_is_migrated_on_read(tmp_path: Path, checklist: Checklist) -> None:
    first = reading("hashrate.nominal", Status.SKIPPED, "warming up", 0)
    later = reading("hashrate.nominal", Status.PASS, "13.9 TH/s", 700)
    chains = reading("chains.present", Status.FAIL, "11 chains", 5)
    old = {
        "schema": "commission.job/1",
        "id": "abc",
        "technician": "Ana",
        "site": "Hall B",
        "checklist_id": checklist.id,
        "checklist_version": 1,
        "answers": {},
        "results": [json.loads(o.model_dump_json()) for o in (later, first, chains)],
        "created": START.isoformat(),
        "updated": START.isoformat(),
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    job, _ = read_job(path)
    assert job.schema_ == "commission.job/2"
    assert job.latest("hashrate.nominal") == later  # by time, not by position in the file
    assert job.live["hashrate.nominal"].readings == 2
    assert job.latest("chains.present") == chains
    with JobFile.open(path, checklist=checklist) as opened:
        opened.answer(checklist.item("psu.ground"), "yes")
    assert json.loads(path.read_text())["schema"] == "commission.job/2"
    assert migrate({"schema": "commission.job/2"}) == {"schema": "commission.job/2"}


def test_a_job_from_a_newer_version_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    path.write_text(json.dumps({"schema": "commission.job/9", "technician": "Ana"}))
    with pytest.raises(JobFileError, match=r"format 'commission.job/9', newer than"):
        read_job(path)


def test_live_checks_must_be_filed_under_their_rule() -> None:
    check = LiveCheck.first(reading("chains.present", Status.PASS, "12", 0))
    with pytest.raises(ValueError, match="filed under another rule id"):
        Job(
            technician="Ana",
            site="B",
            checklist_id="s9-hydro",
            checklist_version=1,
            live={"fans.reporting": check},
        )
