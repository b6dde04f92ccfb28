"""Make the README pictures of the PDF report and the blank checklist (first pages as PNG).

Nothing is drawn by hand: a job is recorded through the job file API with a technician's typed
answers, the live checks and a short soak are run by ``commission --verify --simulate`` against
the built-in simulator on loopback (a missing chain 7), and ``commission checklist --format pdf``
writes the blank checklist. ``pdftoppm`` (poppler-utils) renders the first pages.

Run from the repository root: ``python tools/report_screenshots.py``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from commission.checklist import load_builtin
from commission.export.job_report import document_of
from commission.export.pdf import blank_checklist_pdf, render_pdf
from commission.job import Job, JobFile, Location, SoakReading, SoakRun
from commission.results import Evidence, Outcome, Status

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
SCENARIO = "chain-missing:7"
VERIFY = (sys.executable, "-m", "commission", "--verify", "--simulate", SCENARIO, "--soak", "1")
ANSWERS = (
    ("site.ambient-temperature", "24"),
    ("site.relative-humidity", "48"),
    ("site.ac-voltage", "231"),
    ("site.ac-frequency", "50"),
    ("psu.output-voltage", "12,04"),
    ("psu.rated-current", "170"),
    ("psu.rated-power", "2100"),
    ("psu.ripple", "0.4"),
    ("psu.line-regulation", "0.5"),
    ("psu.load-regulation", "0.5"),
    ("psu.pcie-terminals", "13"),
    ("psu.power-factor", "0.995"),
    ("psu.condition", "yes"),
    ("psu.ac-cable", "1.5"),
    ("psu.ground", "yes"),
    ("psu.airflow", "yes"),
    ("water.ph", "9.4"),
    ("water.inlet-temperature", "21"),
)


STARTED = datetime(2026, 11, 24, 8, 58, tzinfo=UTC)


def _clock() -> Iterator[datetime]:
    moment = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    while True:
        yield moment
        moment += timedelta(minutes=2)


def _verify() -> dict[str, Any]:
    done = subprocess.run(
        [*VERIFY, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if not done.stdout.strip():
        raise SystemExit(
            f"commission --verify gave no JSON (exit {done.returncode}):\n{done.stderr}"
        )
    miner: dict[str, Any] = json.loads(done.stdout)["miners"][0]
    return miner


def _outcome(data: dict[str, Any]) -> Outcome:
    return Outcome(
        rule_id=data["rule"],
        item_id=data["item"],
        section=data["section"],
        title=data["title"],
        status=Status(data["status"]),
        expected=data["expected"],
        observed=data["observed"],
        action=data["action"],
        guide_ref=data["guide_ref"],
        at=datetime.fromisoformat(data["at"]),
        evidence=tuple(Evidence(**evidence) for evidence in data["evidence"]),
    )


def _soak(data: dict[str, Any], outcomes: list[Outcome]) -> SoakRun:
    samples = tuple(
        SoakReading(
            offset_s=sample["offset_s"],
            elapsed_s=sample["elapsed_s"],
            ghs_5s=sample["ghs_5s"],
            pcb_c={int(board): value for board, value in sample["pcb_c"].items()},
            chip_max_c=sample["chip_max_c"],
            fans_turning=sample["fans_turning"],
            error=sample["error"],
        )
        for sample in data["samples"]
    )
    outcome = next(outcome for outcome in outcomes if outcome.rule_id == "soak.stability")
    return SoakRun(
        started_at=outcome.at - timedelta(minutes=data["minutes"]),
        finished_at=outcome.at,
        minutes=data["minutes"],
        interval_s=data["interval_s"],
        samples=samples,
        outcome=outcome,
    )


def _first_page_png(pdf: Path, name: str) -> Path:
    target = SCREENSHOTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "72", "-singlefile", str(pdf), str(target.with_suffix(""))],
        check=True,
    )
    return target


def main() -> int:
    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing: apt-get install poppler-utils", file=sys.stderr)
        return 2
    checklist = load_builtin()
    miner = _verify()
    outcomes = [_outcome(outcome) for outcome in miner["outcomes"]]
    with tempfile.TemporaryDirectory() as folder:
        ticks = _clock()
        with JobFile.create(
            Path(folder) / "job.json",
            Job(
                technician="R. Ortega",
                site="Hall B, row 3",
                miner_serial="SIMH0001",
                miner_mac="02:5A:C5:00:00:01",
                miner_host=miner["host"],
                location=Location(shelf="3", step="2", position="14"),
                checklist_id=checklist.id,
                checklist_version=checklist.version,
                created=STARTED,
                updated=STARTED,
            ),
            checklist=checklist,
            now=lambda: next(ticks),
        ) as job_file:
            for item_id, text in ANSWERS:
                job_file.answer(checklist.item(item_id), text)
            job_file.note_miner(simulated=True, scenario=SCENARIO, host=miner["host"])
            job_file.record_outcomes(o for o in outcomes if o.rule_id != "soak.stability")
            if miner["soak"] is not None:
                job_file.record_soak(_soak(miner["soak"], outcomes))
            job = job_file.job
        document = document_of(job, checklist)
        report = Path(folder) / "report.pdf"
        report.write_bytes(render_pdf(document))
        blank = Path(folder) / "checklist.pdf"
        blank.write_bytes(blank_checklist_pdf(checklist))
        for path in (
            _first_page_png(report, "report-pdf.png"),
            _first_page_png(blank, "checklist-pdf.png"),
        ):
            print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
