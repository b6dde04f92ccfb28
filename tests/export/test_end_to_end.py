"""From the miner to the paper: ``commission --verify --simulate ... --job FILE``, then export.

Both steps run as processes, the way a farm operator runs them: the simulated miner on loopback
is checked, the job file records it, and the exported PDF and web page carry the verdict the
job printed and the simulated stamp on every page.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from commission.job import SIMULATED_NOTICE
from tests.export.pdf_text import pdf_pages, squeezed


def _commission(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "commission", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_verified_job_exports_with_its_verdict_and_stamp(tmp_path: Path) -> None:
    job = tmp_path / "miner.json"
    verified = _commission("--verify", "--simulate", "chain-missing:7", "--job", str(job))
    assert verified.returncode == 1, verified.stderr
    assert "NOT READY" in verified.stderr + verified.stdout
    pdf = tmp_path / "report.pdf"
    exported = _commission("export", str(job), "--format", "pdf", "-o", str(pdf))
    assert exported.returncode == 0, exported.stderr
    assert str(pdf) in exported.stderr
    pages = pdf_pages(pdf.read_bytes())
    assert all(SIMULATED_NOTICE in page for page in pages)
    text = squeezed(" ".join(pages))
    assert "NOTREADY" in text and squeezed("All 12 chains with 18 chips each") in text
    assert "PCIe-B4.2" in text
    html = tmp_path / "report.html"
    assert _commission("export", str(job), "--format", "html", "-o", str(html)).returncode == 0
    page = html.read_text(encoding="utf-8")
    assert SIMULATED_NOTICE in page and "NOT READY" in page
