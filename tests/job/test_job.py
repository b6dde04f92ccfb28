"""Job files: round trip, resume, history, derived values, secrets, corruption and the recent list."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commission.checklist import Checklist, VerdictStatus, load_builtin
from commission.errors import JobFileError
from commission.job import (
    SECRET_MARK,
    Entry,
    Job,
    JobFile,
    Location,
    RecentJobs,
    default_job_path,
    read_job,
    restore_backup,
)
from commission.results import Evidence, Outcome, Status


@pytest.fixture(scope="module")
def checklist() -> Checklist:
    return load_builtin()


@pytest.fixture
def clock() -> Callable[[], datetime]:
    """A clock that moves one second per reading, so every save has its own time."""
    moments = iter(
        datetime(2026, 3, 1, 8, 0, tzinfo=UTC) + timedelta(seconds=n) for n in range(10**6)
    )
    return lambda: next(moments)


def _new_job(checklist: Checklist, now: Callable[[], datetime]) -> Job:
    stamp = now()
    return Job(
        technician="Ana",
        site="Hall B",
        miner_serial="SN-HYDRO-0042",
        miner_mac="c4:10:8a:12:34:56",
        location=Location(shelf="3", step="2", position="14"),
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        created=stamp,
        updated=stamp,
    )


@pytest.fixture
def job_file(tmp_path: Path, checklist: Checklist, clock: Callable[[], datetime]) -> JobFile:
    return JobFile.create(
        tmp_path / "jobs" / "job.json", _new_job(checklist, clock), checklist=checklist, now=clock
    )


def test_create_writes_a_valid_file_and_refuses_to_replace_one(
    job_file: JobFile, checklist: Checklist
) -> None:
    job, _ = read_job(job_file.path)
    assert job == job_file.job
    assert job.miner_mac == "C4:10:8A:12:34:56"
    assert json.loads(job_file.path.read_text())["schema"] == "commission.job/2"
    with pytest.raises(JobFileError, match="a job file exists already; open it to resume"):
        JobFile.create(job_file.path, job_file.job, checklist=checklist)


def test_round_trip_and_resume_exactly_where_it_stopped(
    job_file: JobFile, checklist: Checklist, clock: Callable[[], datetime]
) -> None:
    job_file.answer(checklist.item("site.ambient-temperature"), "25")
    job_file.answer(checklist.item("psu.pcie.b2-3"), "yes")
    job_file.answer(checklist.item("cooling.pump-signal-wire"), "S9 Hydro Hex pump (nothing to do)")
    job_file.answer(checklist.item("pools.1.url"), "stratum+tcp://pool.example.com:3333")
    job_file.move_to("psu", "psu.pcie")
    outcome = Outcome(
        rule_id="chains.present",
        item_id="monitoring.chains-present",
        title="All chains present",
        status=Status.FAIL,
        expected="12 chains",
        observed="11 chains",
        action="hash board 4, PCIe connector PCIe-B4.2",
        evidence=(Evidence(label="chain_acn7", value="0", source="rpc stats"),),
        at=clock(),
    )
    job_file.add_results([outcome])
    job_file.close()

    reopened = JobFile.open(job_file.path, checklist=checklist)
    assert reopened.job == job_file.job
    assert reopened.job.position is not None
    assert (reopened.job.position.section, reopened.job.position.step) == ("psu", "psu.pcie")
    assert reopened.job.results == (outcome,)
    assert reopened.job.current("psu.pcie.b2-3") == job_file.job.current("psu.pcie.b2-3")
    # The reopened file keeps saving where the first one left off.
    reopened.answer(checklist.item("site.relative-humidity"), "60")
    assert read_job(job_file.path)[0].current("site.relative-humidity") is not None


def test_history_keeps_every_answer_and_the_last_is_current(
    job_file: JobFile, checklist: Checklist
) -> None:
    item = checklist.item("psu.output-voltage")
    first = job_file.answer(item, "12,7")
    second = job_file.answer(item, "12.05 V")
    assert (first.status, second.status) == (VerdictStatus.FAIL, VerdictStatus.PASS)
    history = job_file.job.history("psu.output-voltage")
    assert [(e.value, e.number, e.status) for e in history] == [
        ("12,7", 12.7, "fail"),
        ("12.05 V", 12.05, "pass"),
    ]
    assert history[0].at < history[1].at
    assert job_file.job.current("psu.output-voltage") == history[-1]
    assert history[0].reason == "12.7 V is above the 12.6 V maximum"


def test_a_typo_is_reported_and_not_recorded(job_file: JobFile, checklist: Checklist) -> None:
    before = job_file.path.read_bytes()
    verdict = job_file.answer(checklist.item("psu.output-voltage"), "twelve")
    assert verdict.status is VerdictStatus.INVALID
    assert job_file.path.read_bytes() == before
    assert job_file.answer(checklist.item("psu.ground"), "maybe").reason == "answer yes or no"
    with pytest.raises(ValueError, match="is a live item; it is not answered by typing"):
        job_file.answer(checklist.item("monitoring.chains-present"), "yes")


def test_derived_items_follow_their_inputs(job_file: JobFile, checklist: Checklist) -> None:
    job_file.answer(checklist.item("site.ambient-temperature"), "25")
    assert job_file.job.current("water.dew-point-margin") is None
    job_file.answer(checklist.item("site.relative-humidity"), "60")
    dew_point = job_file.job.current("site.dew-point")
    assert dew_point is not None and dew_point.number == pytest.approx(16.69, abs=0.01)
    job_file.answer(checklist.item("water.inlet-temperature"), "18")
    margin = job_file.job.current("water.dew-point-margin")
    assert margin is not None
    assert (margin.status, margin.unit) == ("fail", "°C")
    assert margin.reason == "1.31 °C is below the 3 °C minimum"
    job_file.answer(checklist.item("water.inlet-temperature"), "22")
    margin = job_file.job.current("water.dew-point-margin")
    assert margin is not None and margin.status == "pass"
    assert len(job_file.job.history("water.dew-point-margin")) == 2


def test_secrets_are_never_stored(
    job_file: JobFile, checklist: Checklist, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "hunter2-Very-Secret"
    verdict = job_file.answer(checklist.item("pools.1.password"), secret)
    assert verdict.status is VerdictStatus.PASS
    job_file.answer(checklist.item("admin.new-password"), secret)
    job_file.mark_secret_set("pools.2.password", note="applied through the web UI")
    entry = job_file.job.current("pools.1.password")
    assert entry is not None and (entry.value, entry.secret) == (SECRET_MARK, True)
    on_disk = job_file.path.read_text("utf-8")
    assert secret not in on_disk
    assert secret not in job_file.backup.read_text("utf-8")
    assert secret not in repr(job_file.job) and secret not in str(verdict)
    with pytest.raises(JobFileError, match="is a secret; only that it was set may be recorded"):
        job_file.record(
            "admin.new-password", Entry(value=secret, at=datetime(2026, 1, 1, tzinfo=UTC))
        )
    with pytest.raises(ValueError, match="an entry for a secret may only hold"):
        Entry(value=secret, secret=True, at=datetime(2026, 1, 1, tzinfo=UTC))
    assert secret not in job_file.path.read_text("utf-8")
    assert secret not in capsys.readouterr().out


def test_details_are_validated_before_saving(job_file: JobFile) -> None:
    job_file.update_details(miner_host="192.168.1.37", miner_mac="c4-10-8a-00-00-01")
    assert job_file.job.miner_mac == "C4:10:8A:00:00:01"
    before = job_file.path.read_bytes()
    with pytest.raises(JobFileError, match="miner_mac"):
        job_file.update_details(miner_mac="not a mac")
    assert job_file.path.read_bytes() == before
    assert job_file.job.miner_mac == "C4:10:8A:00:00:01"
    with pytest.raises(JobFileError, match=re.escape("section 'psu' has no step 'psu.nothing'")):
        job_file.move_to("psu", "psu.nothing")


def test_every_save_keeps_the_previous_good_state_as_backup(
    job_file: JobFile, checklist: Checklist
) -> None:
    job_file.answer(checklist.item("psu.ground"), "yes")
    previous = job_file.path.read_bytes()
    job_file.answer(checklist.item("psu.airflow"), "yes")
    assert job_file.backup.read_bytes() == previous
    assert read_job(job_file.backup)[0].current("psu.airflow") is None
    assert not list(job_file.path.parent.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the file is empty"),
        (b'{"schema": "commission.job/1", "technician": ', "not valid JSON at line 1, column 46"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (
            b'{"schema": "commission.job/1", "site": "x"}',
            "not a valid job: technician: Field required",
        ),
        (b"[1, 2]", "not a valid job"),
    ],
)
def test_a_corrupt_job_file_is_reported_and_left_alone(
    job_file: JobFile, checklist: Checklist, content: bytes, problem: str
) -> None:
    job_file.answer(checklist.item("psu.ground"), "yes")  # so that there is a backup
    job_file.path.write_bytes(content)
    with pytest.raises(JobFileError) as caught:
        JobFile.open(job_file.path, checklist=checklist)
    message = str(caught.value)
    assert message.startswith(f"{job_file.path}: {problem}")
    assert f"The previous good state is in {job_file.backup}" in message
    assert job_file.path.read_bytes() == content
    # The handle that was open before the damage refuses to overwrite it too.
    with pytest.raises(JobFileError, match="changed or removed by something else"):
        job_file.answer(checklist.item("psu.airflow"), "yes")
    assert job_file.path.read_bytes() == content


def test_restore_backup_is_explicit_and_keeps_the_broken_file(
    job_file: JobFile, checklist: Checklist, clock: Callable[[], datetime]
) -> None:
    job_file.answer(checklist.item("psu.ground"), "yes")
    good = job_file.backup.read_bytes()
    job_file.path.write_bytes(b"garbage")
    job_file.close()
    aside = restore_backup(job_file.path, now=clock)
    assert aside.read_bytes() == b"garbage"
    assert job_file.path.read_bytes() == good
    assert JobFile.open(job_file.path, checklist=checklist).job.current("psu.ground") is None


def test_restore_refuses_without_a_good_backup(tmp_path: Path) -> None:
    with pytest.raises(JobFileError, match="there is no backup"):
        restore_backup(tmp_path / "job.json")
    (tmp_path / "job.json.bak").write_text("{")
    with pytest.raises(JobFileError, match=re.escape("job.json.bak: not valid JSON")):
        restore_backup(tmp_path / "job.json")


def test_missing_file_and_other_checklist(
    tmp_path: Path, job_file: JobFile, checklist: Checklist
) -> None:
    with pytest.raises(JobFileError, match="no such job file"):
        JobFile.open(tmp_path / "none.json")
    other = checklist.model_copy(update={"id": "s21"})
    with pytest.raises(JobFileError, match="made with checklist 's9-hydro', not 's21'"):
        JobFile.open(job_file.path, checklist=other)


def test_recent_jobs_newest_first(
    tmp_path: Path, job_file: JobFile, checklist: Checklist, clock: Callable[[], datetime]
) -> None:
    recent = RecentJobs(tmp_path / "data")
    assert recent.entries() == []
    second = JobFile.create(
        tmp_path / "jobs" / "second.json", _new_job(checklist, clock), now=clock
    )
    recent.remember(job_file)
    recent.remember(second)
    recent.remember(job_file)
    entries = recent.entries()
    assert [Path(e.path).name for e in entries] == ["job.json", "second.json"]
    assert entries[0].location == "shelf 3 / step 2 / position 14"
    assert entries[0].exists
    recent.forget(second.path)
    assert [Path(e.path).name for e in recent.entries()] == ["job.json"]
    recent.path.write_text("{broken")
    with pytest.raises(JobFileError, match="recent-jobs list is broken"):
        recent.entries()


def test_recent_jobs_default_to_the_data_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COMMISSION_HOME", str(tmp_path / "home"))
    assert RecentJobs().path == tmp_path / "home" / "recent-jobs.json"


def test_default_job_path(
    checklist: Checklist, clock: Callable[[], datetime], tmp_path: Path
) -> None:
    job = _new_job(checklist, clock)
    assert (
        default_job_path(job, tmp_path) == tmp_path / "jobs" / "SN-HYDRO-0042-20260301-080000.json"
    )
    nameless = job.model_copy(update={"miner_serial": "../"})
    assert default_job_path(nameless, tmp_path).name.startswith(job.id[:12])
