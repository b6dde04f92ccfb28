"""The job report in every format: golden text, JSON and JUnit; words, not internal names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from commission.checklist import calc
from commission.checklist.models import RULE_IDS, Checklist
from commission.cli import main
from commission.errors import ExitCode
from commission.export.job_report import (
    FORMATS,
    REPORT_SCHEMA,
    item_state,
    render_report,
    report_bytes,
)
from commission.job import SIMULATED_NOTICE, Job
from commission.results import Status
from tests.export.conftest import FAILED_TITLES, GENERATED, POOL_PASSWORD, WEB_PASSWORD
from tests.export.pdf_text import pdf_text

GOLDEN = Path(__file__).parent / "golden"


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; UPDATE_GOLDEN=1 renews it"


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("text", "job-report.txt"), ("json", "job-report.json"), ("junit", "job-report.xml")],
)
def test_report_matches_its_golden_file(
    job: Job, checklist: Checklist, fmt: str, name: str
) -> None:
    _golden(name, render_report(job, checklist, fmt, generated=GENERATED))  # type: ignore[arg-type]


def test_item_states_are_the_latest_results(job: Job, checklist: Checklist) -> None:
    def state(item_id: str) -> tuple[str, Status | None]:
        return item_state(job, checklist, checklist.item(item_id))

    assert state("psu.pcie.b1-1") == ("DONE", Status.PASS)
    assert state("psu.pcie.b1-2") == ("NOT DONE", None)  # answered no: still open
    assert state("psu.output-voltage") == ("PASS", Status.PASS)
    assert state("water.ph") == ("FAIL", Status.FAIL)
    assert state("water.dew-point-margin") == ("FAIL", Status.FAIL)
    assert state("monitoring.chains-present") == ("FAIL", Status.FAIL)
    # a later PASS replaces the earlier "warming up": the latest result per check is shown
    assert state("monitoring.hashrate-nominal") == ("PASS", Status.PASS)
    assert state("monitoring.temps-margin") == ("NOT JUDGED", Status.UNJUDGED)
    assert state("water.turbidity") == ("OPEN", None)
    assert state("pools.1.password") == ("SET", Status.PASS)


def test_text_report_speaks_in_words(job: Job, checklist: Checklist) -> None:
    text = render_report(job, checklist, "text", generated=GENERATED)
    for _section, _step, item in checklist.items():
        assert item.title in " ".join(text.split()) or item.title.split()[0] in text
    assert "VERDICT: NOT READY" in text
    assert text.startswith(f"*** {SIMULATED_NOTICE}")
    assert "12.05 V (entered as “12,05 V”)" in text
    assert "9.6 pH is above the 9 pH maximum" in text
    assert "Earlier (1)" in text and "9.8 pH (FAIL)" in text
    assert "(from miner API," in text and "stats: chain 7 ASIC count)" in text
    assert "PCIe-B4.2" in text
    assert "1.6 °C" in text and "1.60" not in text


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f not in ("json", "junit")])
def test_printed_formats_show_no_internal_names(job: Job, checklist: Checklist, fmt: str) -> None:
    data = report_bytes(job, checklist, fmt, generated=GENERATED)  # type: ignore[arg-type]
    text = pdf_text(data) if fmt == "pdf" else data.decode("utf-8")
    for rule in RULE_IDS:
        assert rule not in text, f"rule id {rule} printed in the {fmt} report"
    for function in calc.CALCULATIONS:
        assert f"{function}(" not in text
    assert "rpc stats" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_carries_a_secret(job: Job, checklist: Checklist, fmt: str) -> None:
    data = report_bytes(job, checklist, fmt, generated=GENERATED)  # type: ignore[arg-type]
    texts = [data.decode("latin-1")]
    if fmt == "pdf":
        texts.append(pdf_text(data))
    else:
        assert "set" in data.decode("utf-8")
    for text in texts:
        assert POOL_PASSWORD not in text and WEB_PASSWORD not in text
        assert "hunter2" not in text


def test_json_report_carries_the_whole_record(job: Job, checklist: Checklist) -> None:
    document = json.loads(render_report(job, checklist, "json", generated=GENERATED))
    assert document["schema"] == REPORT_SCHEMA == "commission.report/2"
    assert document["verdict"]["word"] == "NOT READY"
    assert document["simulated"] is True
    assert document["stamp"].startswith(SIMULATED_NOTICE)
    assert "chain-missing:7" in document["stamp"]
    assert document["sources"][0]["scenario"] == "chain-missing:7"
    reasons = document["verdict"]["reasons"]
    assert reasons[0]["severity"] == "failed"
    assert {r["title"] for r in reasons if r["severity"] == "failed"} >= set(FAILED_TITLES)
    soak = document["soaks"][0]
    assert len(soak["samples"]) == 21 and soak["samples"][7]["error"]
    assert document["selftests"][0]["passed"] is True
    assert document["miner_writes"][0]["kind"] == "pools"
    by_id = {item["id"]: item for item in document["items"]}
    assert len(by_id) == sum(1 for _ in checklist.items())
    ph = by_id["water.ph"]
    assert ph["status"] == "fail" and ph["answer"]["number"] == 9.6
    assert [entry["number"] for entry in ph["history"]] == [9.8, 9.6]
    assert ph["limit"] == "6–9 pH" and ph["reading"] == "9.6 pH"
    rate = by_id["monitoring.hashrate-nominal"]
    assert rate["status"] == "pass" and rate["live"]["latest"]["status"] == "pass"
    assert [span["status"] for span in rate["live"]["history"]] == ["skipped", "pass"]
    chains = by_id["monitoring.chains-present"]["live"]["latest"]
    assert chains["evidence"][0]["source_words"] == "miner API, stats: chain 7 ASIC count"
    assert (
        by_id["water.turbidity"]["state"] == "OPEN" and by_id["water.turbidity"]["status"] is None
    )
    assert by_id["pools.1.password"]["answer"]["secret_set"] is True


def test_junit_counts_every_item_with_stable_unique_names(job: Job, checklist: Checklist) -> None:
    root = ET.fromstring(render_report(job, checklist, "junit").split("\n", 1)[1])
    cases = root.findall(".//testcase")
    names = [f"{case.get('classname')}/{case.get('name')}" for case in cases]
    assert len(names) == len(set(names)) == sum(1 for _ in checklist.items())
    failed = {case.get("name") for case in cases if case.find("failure") is not None}
    assert failed == {
        "water.ph: pH",
        "water.dew-point-margin: Inlet at least 3 °C above the dew point",
        "monitoring.chains-present: All 12 chains with 18 chips each",
    }
    assert root.get("failures") == "3" and root.get("errors") == "1"
    assert root.get("tests") == str(len(cases))
    suite = root.find("testsuite")
    assert suite is not None
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["verdict"] == "NOT READY"
    assert properties["miner_serial"] == "SIMH0001" and properties["simulated"] == "true"
    assert properties["stamp"].startswith(SIMULATED_NOTICE)
    for item_id, message in (
        ("water.turbidity", "not done yet"),
        ("psu.pcie.b1-2", "answered no: do it, then confirm it"),
    ):
        case = next(c for c in cases if c.get("name", "").startswith(f"{item_id}:"))
        skipped = case.find("skipped")
        assert skipped is not None and skipped.get("message") == message


def test_export_command_writes_each_format_and_says_where(
    job_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt in FORMATS:
        output = tmp_path / f"report.{fmt}"
        assert main(["export", str(job_path), "--format", fmt, "-o", str(output)]) == ExitCode.OK
        assert str(output.absolute()) in capsys.readouterr().err
        assert output.stat().st_size > 0
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")


def test_export_refuses_svg(job_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(job_path), "--format", "svg"]) == ExitCode.USAGE
    assert "invalid choice: 'svg'" in capsys.readouterr().err


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
