"""The job judges an answer with the other answers and the miner's readings, and keeps both the
text typed and the value read; a number asked back is never saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from commission.checklist import Checklist, VerdictStatus, load_builtin
from commission.job import Job, JobFile


@pytest.fixture(scope="module")
def checklist() -> Checklist:
    return load_builtin()


@pytest.fixture
def job_file(tmp_path: Path, checklist: Checklist) -> JobFile:
    job = Job(
        technician="Ana",
        site="Hall B",
        checklist_id=checklist.id,
        checklist_version=checklist.version,
    )
    return JobFile.create(tmp_path / "job.json", job, checklist=checklist)


def test_the_record_keeps_what_was_typed_and_the_value_read(
    job_file: JobFile, checklist: Checklist
) -> None:
    verdict = job_file.answer(checklist.item("psu.rated-power"), "1,600")
    assert verdict.status is VerdictStatus.FAIL
    entry = job_file.job.current("psu.rated-power")
    assert entry is not None
    assert (entry.value, entry.number, entry.unit) == ("1,600", 1600.0, "W")
    job_file.answer(checklist.item("water.pressure"), "1.5 bar")
    pressure = job_file.job.current("water.pressure")
    assert pressure is not None
    assert (pressure.value, pressure.number, pressure.status) == ("1.5 bar", 150.0, "pass")
    assert pressure.reason.startswith("1.5 bar = 150 kPa")


def test_a_question_is_returned_and_nothing_is_saved(
    job_file: JobFile, checklist: Checklist
) -> None:
    item = checklist.item("psu.output-voltage")
    verdict = job_file.answer(item, "12,600")
    assert verdict.status is VerdictStatus.QUESTION
    assert "did you mean 12600 V or 12.6 V" in verdict.reason
    assert job_file.job.current(item.id) is None
    assert job_file.answer(item, verdict.answers[1]).status is VerdictStatus.PASS


def test_the_flow_is_judged_again_when_the_water_source_changes(
    job_file: JobFile, checklist: Checklist
) -> None:
    flow, source = checklist.item("water.flow"), checklist.item("water.source")
    assert job_file.answer(flow, "3").status is VerdictStatus.FAIL
    job_file.answer(source, "external cold-water source")
    history = job_file.job.history("water.flow")
    assert [(e.value, e.status) for e in history] == [("3", "fail"), ("3", "warn")]
    job_file.answer(source, "heat-exchanger loop")
    current = job_file.job.current("water.flow")
    assert current is not None and (current.value, current.status) == ("3", "fail")
    # Answered after the source: judged with it straight away.
    job_file.answer(source, "external cold-water source")
    assert job_file.answer(flow, "2,5").status is VerdictStatus.WARN


def test_the_typed_firmware_date_is_compared_with_the_miner(
    job_file: JobFile, checklist: Checklist
) -> None:
    item = checklist.item("admin.firmware-version")
    waiting = job_file.answer(item, "20180820")
    assert waiting.status is VerdictStatus.INCOMPLETE
    assert job_file.answer(item, "20180820", live={"firmware-date": "20180820"}).passed
    mismatch = job_file.answer(item, "20180820", live={"firmware-date": "20190215"})
    assert mismatch.status is VerdictStatus.FAIL
    entry = job_file.job.current(item.id)
    assert entry is not None and entry.status == "fail"
