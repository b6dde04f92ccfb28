"""Make the README pictures of the PDF report and the blank checklist (first pages as PNG).

Nothing is drawn by hand: a job is recorded through the job file API with a technician's typed
answers, ``commission --verify --simulate chain-missing:7 --soak 1 --job FILE`` adds the live
checks and a short soak from the built-in simulator on loopback, ``commission export`` writes the
PDF and ``commission checklist --format pdf`` the blank checklist. ``pdftoppm`` (poppler-utils)
renders the first pages.

Run from the repository root: ``python tools/report_screenshots.py``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from commission.checklist import load_builtin
from commission.job import Job, JobFile, Location

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
SCENARIO = "chain-missing:7"
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


def _first_page_png(pdf: Path, name: str) -> Path:
    target = SCREENSHOTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "72", "-singlefile", str(pdf), str(target.with_suffix(""))],
        check=True,
    )
    return target


def _commission(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "commission", *args], check=False)
    if done.returncode not in (0, 1):  # 1: the job is NOT READY, as the picture shows
        raise SystemExit(f"commission {' '.join(args)} ended with exit {done.returncode}")


def main() -> int:
    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing: apt-get install poppler-utils", file=sys.stderr)
        return 2
    checklist = load_builtin()
    with tempfile.TemporaryDirectory() as folder:
        job_path = Path(folder) / "job.json"
        ticks = _clock()
        with JobFile.create(
            job_path,
            Job(
                technician="R. Ortega",
                site="Hall B, row 3",
                miner_serial="SIMH0001",
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
        _commission("--verify", "--simulate", SCENARIO, "--soak", "1", "--job", str(job_path))
        report = Path(folder) / "report.pdf"
        _commission("export", str(job_path), "--format", "pdf", "-o", str(report))
        blank = Path(folder) / "checklist.pdf"
        _commission("checklist", "--format", "pdf", "-o", str(blank))
        for path in (
            _first_page_png(report, "report-pdf.png"),
            _first_page_png(blank, "checklist-pdf.png"),
        ):
            print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
