"""The outcome table, the ``commission.verify/1`` JSON and the JUnit XML, from hand-built reports."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from rich.console import Console

from commission.export.junit import junit_xml
from commission.export.verify_json import SCHEMA, dumps, verify_document
from commission.render.outcomes import (
    group_by_section,
    outcome_table,
    report_header,
    section_titles,
    summary_text,
)
from commission.results import Status
from commission.verify.report import MinerReport, SoakSample, SoakSeries, exit_code_for
from commission.verify.runner import Verifier
from tests.verify.snapshots import healthy, missing_chain, with_chains

START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def report_of(**changes: object) -> MinerReport:
    snapshot = with_chains(healthy(**changes), c7=missing_chain(7))
    return MinerReport(
        host="10.0.0.7",
        started_at=START,
        finished_at=START + timedelta(seconds=1),
        reachable=True,
        identity=snapshot.identity,
        outcomes=tuple(Verifier().judge(snapshot)),
        soak=SoakSeries(
            minutes=20,
            interval_s=5,
            samples=(
                SoakSample(offset_s=0, elapsed_s=900, ghs_5s=18000.0, pcb_c={1: 55.0, 2: 56.0}),
                SoakSample(offset_s=5, error="MinerUnreachable: timed out"),
            ),
        ),
    )


def render(renderable: object) -> str:
    console = Console(file=io.StringIO(), width=160, record=True)
    console.print(renderable)
    return console.export_text()


def test_table_groups_by_checklist_section_in_checklist_order() -> None:
    report = report_of()
    titles = section_titles()
    groups = group_by_section(report.outcomes, titles)
    order = list(titles)
    assert [order.index(section) for section, _ in groups] == sorted(
        order.index(section) for section, _ in groups
    )
    text = render(outcome_table(report.outcomes, titles))
    assert "Monitoring" in text and "Mining pools" in text
    assert "✘ FAIL" in text and "PCIe-B4.2" in text and "chains.present" in text
    assert "▲ WARN" in text and "guide 8.3" in text


def test_header_and_summary_lines() -> None:
    report = report_of()
    header = render(report_header(report))
    assert "10.0.0.7" in header and "Antminer S9 Hydro" in header and "C4:F3:12:B3:9F:FC" in header
    assert "FAIL" in header
    summary = render(summary_text([report], exit_code_for([report]), strict=False))
    assert "1 miner verified" in summary and "exit 1" in summary


def test_json_document_is_versioned_and_complete() -> None:
    report = report_of()
    document = verify_document(
        [report], exit_code=1, strict=True, sections=section_titles(), generated_at=START
    )
    text = dumps(document)
    again = json.loads(text)
    assert again["schema"] == SCHEMA == "commission.verify/1"
    assert again["generated_at"] == START.isoformat()
    assert again["summary"] == {
        "miners": 1,
        "by_status": {
            "pass": 0,
            "skipped": 0,
            "warn": 0,
            "unjudged": 0,
            "error": 0,
            "fail": 1,
        },
    }
    miner = again["miners"][0]
    assert miner["counts"]["fail"] == 1
    chains = next(o for o in miner["outcomes"] if o["rule"] == "chains.present")
    assert chains["item"] == "monitoring.chains-present"
    assert {"label": "chain 7 ASICs", "value": "0", "source": "rpc stats chain_acn7"} in chains[
        "evidence"
    ]
    assert miner["soak"]["samples"][0]["pcb_c"] == {"1": 55.0, "2": 56.0}
    assert miner["soak"]["samples"][1]["error"].startswith("MinerUnreachable")


def test_junit_counts_and_strict_warnings() -> None:
    report = report_of()
    relaxed = ET.fromstring(junit_xml([report]))
    assert relaxed.get("failures") == "1" and relaxed.get("errors") == "0"
    suite = relaxed.find("testsuite")
    assert suite is not None and suite.get("hostname") == "10.0.0.7"
    failure = relaxed.find(".//testcase/failure")
    assert failure is not None and "PCIe-B4.2" in (failure.text or "")
    warn_out = relaxed.find(".//testcase/system-out")
    assert warn_out is not None and (warn_out.text or "").startswith("WARN")
    strict = ET.fromstring(junit_xml([report], strict=True))
    assert strict.get("failures") == "2"


def test_exit_codes() -> None:
    full = report_of()
    keep = {Status.PASS, Status.WARN}
    warned = full.model_copy(
        update={"outcomes": tuple(o for o in full.outcomes if o.status in keep)}
    )
    assert exit_code_for([warned]) == 0
    assert exit_code_for([warned], strict=True) == 1
    assert exit_code_for([full]) == 1
    unreachable = warned.model_copy(update={"reachable": False})
    assert exit_code_for([unreachable]) == 3
    unjudged = full.model_copy(
        update={
            "outcomes": tuple(
                o.model_copy(update={"status": Status.UNJUDGED}) if o.status is Status.FAIL else o
                for o in full.outcomes
            )
        }
    )
    assert exit_code_for([unjudged]) == 4
    # Precedence across miners: a failure, then unreachable, then not judged, then verified.
    assert exit_code_for([full, unreachable, unjudged, warned]) == 1
    assert exit_code_for([unreachable, unjudged, warned]) == 3
    assert exit_code_for([unjudged, warned]) == 4
    assert exit_code_for([]) == 0
