"""The PDF report and the blank checklist, read back with pypdf (a reader we did not write)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from commission.checklist.models import Checklist, InfoItem, MeasurementItem
from commission.cli import main
from commission.errors import ExitCode
from commission.export.job_report import document_of
from commission.export.pdf import Paper, blank_checklist_pdf, render_pdf
from commission.job import SIMULATED_NOTICE, Job
from tests.export.conftest import FAILED_TITLES, GENERATED
from tests.export.pdf_text import pdf_pages, pdf_text, squeezed

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


def _pdf(job: Job, checklist: Checklist, paper: Paper = "a4") -> bytes:
    return render_pdf(document_of(job, checklist, generated=GENERATED), paper)


@pytest.fixture(scope="module")
def simulated_a4(job: Job, checklist: Checklist) -> bytes:
    return _pdf(job, checklist)


@pytest.fixture(scope="module")
def blank_a4(checklist: Checklist) -> bytes:
    return blank_checklist_pdf(checklist)


def test_report_pdf_carries_the_verdict_every_failure_and_the_stamp(simulated_a4: bytes) -> None:
    data = simulated_a4
    pages = pdf_pages(data)
    text = " ".join(pages)
    assert "NOT READY" in text
    for title in FAILED_TITLES:
        assert squeezed(title) in squeezed(text)
    assert "Inlet at least 3 °C above the dew point" in text
    assert "9.6 pH is above the 9 pH maximum" in text
    assert all(SIMULATED_NOTICE in page for page in pages), "a page lacks the simulated stamp"
    assert all(re.search(rf"page {n} of {len(pages)}", page) for n, page in enumerate(pages, 1))
    assert "Hash rate during the soak" in text and "Hottest PCB temperature" in text
    assert "Technician" in text and "Customer" in text and "Signature" in text


def test_report_pdf_of_a_real_miner_has_no_stamp(real_job: Job, checklist: Checklist) -> None:
    text = pdf_text(_pdf(real_job, checklist))
    assert "SIMULATED" not in text and "NOT READY" in text


def test_pdf_paper_sizes(simulated_a4: bytes, job: Job, checklist: Checklist) -> None:
    for data, size in ((simulated_a4, A4), (_pdf(job, checklist, "letter"), LETTER)):
        for page in PdfReader(io.BytesIO(data)).pages:
            assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(size)


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"], "font not embedded"
            names.add(str(font["/BaseFont"]))
    return names


def test_blank_checklist_has_every_item_connector_and_limit(
    checklist: Checklist, blank_a4: bytes
) -> None:
    data = blank_a4
    text = pdf_text(data)
    flat = squeezed(text)
    for _section, _step, item in checklist.items():
        assert squeezed(item.title) in flat, f"{item.id} ({item.title}) is missing"
        if isinstance(item, MeasurementItem) and item.limit_text:
            assert squeezed(item.limit_text) in flat, f"limit of {item.id} is missing"
    connectors = set(re.findall(r"PCIe-(?:B[1-4]\.[1-3]|C)\b", text))
    assert len(connectors) == 13
    boxes = text.count("☐")
    assert boxes >= sum(1 for *_, item in checklist.items() if not isinstance(item, InfoItem))
    for glyph in ("°C", "≤", "≥", "☐"):
        assert glyph in text
    fonts = _fonts(PdfReader(io.BytesIO(data)))
    assert fonts and all("DejaVuSans" in name for name in fonts)


def test_report_pdf_embeds_fonts_that_carry_the_symbols(simulated_a4: bytes) -> None:
    data = simulated_a4
    text = pdf_text(data)
    for glyph in ("°C", "≤", "✔", "✘", "☐"):
        assert glyph in text
    assert all("DejaVuSans" in name for name in _fonts(PdfReader(io.BytesIO(data))))


def test_checklist_command_writes_the_blank_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "clipboard.pdf"
    code = main(["checklist", "--format", "pdf", "-o", str(output), "--paper", "letter"])
    assert code == ExitCode.OK
    assert str(output.absolute()) in capsys.readouterr().err
    page = PdfReader(output).pages[0]
    assert float(page.mediabox.width) == pytest.approx(LETTER[0])


def test_checklist_pdf_needs_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checklist", "--format", "pdf"]) == ExitCode.USAGE
    assert "-o FILE" in capsys.readouterr().err
