"""The job report: a golden printable text, HTML/SVG/JSON/JUnit forms, and `commission export`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commission.checklist import load_builtin
from commission.checklist.models import Checklist
from commission.cli import main
from commission.errors import ExitCode
from commission.export.job_report import REPORT_SCHEMA, item_state, render_report
from commission.job import Job, JobFile, Location
from commission.results import Evidence, Outcome, Status

GOLDEN = Path(__file__).parent / "golden" / "job-report.txt"
POOL_PASSWORD = "hunter2-pool-secret"


def _clock() -> Iterator[datetime]:
    moment = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    while True:
        yield moment
        moment += timedelta(minutes=1)


@pytest.fixture
def checklist() -> Checklist:
    return load_builtin()


@pytest.fixture
def job_path(tmp_path: Path, checklist: Checklist) -> Path:
    ticks = _clock()
    job = Job(
        technician="R. Ortega",
        site="Hall B",
        miner_serial="SIMH0001",
        miner_mac="02:5a:c5:00:00:01",
        miner_host="127.0.0.1",
        location=Location(shelf="3", step="2", position="14"),
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        created=datetime(2026, 11, 24, 8, 59, tzinfo=UTC),
        updated=datetime(2026, 11, 24, 8, 59, tzinfo=UTC),
    )
    path = tmp_path / "job.json"
    job_file = JobFile.create(path, job, checklist=checklist, now=lambda: next(ticks))
    job_file.answer(checklist.item("psu.pcie.b1-1"), "yes")
    job_file.answer(checklist.item("psu.output-voltage"), "12,05 V")
    job_file.answer(checklist.item("water.ph"), "9.6")
    job_file.answer(checklist.item("pools.1.password"), POOL_PASSWORD)
    job_file.add_results(
        [
            Outcome(
                rule_id="chains.present",
                item_id="monitoring.chains-present",
                title="All 12 chains present",
                status=Status.FAIL,
                expected="12 chains with 18 ASICs each",
                observed="11 of 12 chains; missing: 7",
                action="check hash board 4, PCIe connector PCIe-B4.2 and its ribbon cable",
                evidence=(
                    Evidence(label="chain 7", value="0 ASICs", source="rpc stats chain_acn7"),
                ),
                section="monitoring",
                guide_ref="7",
                at=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
            )
        ]
    )
    return path


def _job(path: Path) -> Job:
    return Job.model_validate_json(path.read_text())


def test_text_report_matches_the_golden_file(job_path: Path, checklist: Checklist) -> None:
    text = render_report(_job(job_path), checklist, "text")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_report_lists_every_item_with_its_state(job_path: Path, checklist: Checklist) -> None:
    job = _job(job_path)
    text = render_report(job, checklist, "text")
    for _section, _step, item in checklist.items():
        assert item.id in text
    assert item_state(job, checklist.item("psu.pcie.b1-1")) == ("PASS", Status.PASS)
    assert item_state(job, checklist.item("psu.output-voltage")) == ("PASS", Status.PASS)
    assert item_state(job, checklist.item("water.ph")) == ("FAIL", Status.FAIL)
    assert item_state(job, checklist.item("monitoring.chains-present")) == ("FAIL", Status.FAIL)
    assert item_state(job, checklist.item("water.turbidity")) == ("open", None)
    assert "9.6 pH is above" in text or "above the 9 pH maximum" in text
    assert "PCIe-B4.2" in text


@pytest.mark.parametrize("fmt", ["text", "html", "svg", "json", "junit"])
def test_no_format_carries_a_secret(job_path: Path, checklist: Checklist, fmt: str) -> None:
    rendered = render_report(_job(job_path), checklist, fmt)  # type: ignore[arg-type]
    assert POOL_PASSWORD not in rendered
    assert "(set)" in rendered or fmt == "junit"


def test_json_report_has_the_schema_items_and_outcomes(
    job_path: Path, checklist: Checklist
) -> None:
    document = json.loads(render_report(_job(job_path), checklist, "json"))
    assert document["schema"] == REPORT_SCHEMA
    by_id = {item["id"]: item for item in document["items"]}
    assert len(by_id) == sum(1 for _ in checklist.items())
    assert by_id["water.ph"]["status"] == "fail"
    assert by_id["water.ph"]["answer"]["number"] == 9.6
    assert by_id["water.turbidity"]["state"] == "open"
    assert document["outcomes"][0]["rule"] == "chains.present"


def test_junit_report_counts_the_failed_live_check(job_path: Path, checklist: Checklist) -> None:
    root = ET.fromstring(render_report(_job(job_path), checklist, "junit").split("\n", 1)[1])
    assert root.get("failures") == "1"
    assert root.get("tests") == "1"


def test_html_and_svg_are_complete_documents(job_path: Path, checklist: Checklist) -> None:
    html = render_report(_job(job_path), checklist, "html")
    assert html.lstrip().startswith("<!DOCTYPE html>") and "PCIe-B1.1" in html
    svg = render_report(_job(job_path), checklist, "svg")
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")


def test_export_command_writes_the_file(job_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    assert main(["export", str(job_path), "--format", "html", "-o", str(output)]) == ExitCode.OK
    assert "<html" in output.read_text()


def test_export_of_a_corrupt_job_names_the_file_and_leaves_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "commission.job/1", "technician": ')
    done = subprocess.run(
        [sys.executable, "-m", "commission", "export", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == ExitCode.USAGE
    assert str(broken) in done.stderr and "not valid JSON" in done.stderr
    assert "Traceback" not in done.stderr
    assert broken.read_text() == '{"schema": "commission.job/1", "technician": '


def test_export_refuses_a_checklist_of_another_model(job_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    builtin = (Path(__file__).resolve().parents[2] / "checklists" / "s9-hydro.toml").read_text()
    other.write_text(builtin.replace('id = "s9-hydro"', 'id = "other-model"', 1))
    assert main(["export", str(job_path), "--checklist", str(other)]) == ExitCode.USAGE
