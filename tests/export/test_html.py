"""The HTML report: self-contained, and printed by a real headless browser without loss.

The browser tests run Chromium (Debian's ``chromium`` package; ``.ci/run`` installs it when it
can) and are skipped, saying why, when no browser is on the machine. The browser is kept off the
network: every host name resolves to nothing and any request would go to a dead loopback port.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from commission.checklist.models import Checklist
from commission.export.html import render_html
from commission.export.job_report import document_of
from commission.job import SIMULATED_NOTICE, Job
from tests.export.conftest import FAILED_TITLES, GENERATED
from tests.export.pdf_text import pdf_text, squeezed

BROWSER = next(
    (
        shutil.which(name)
        for name in ("chromium", "chromium-browser", "google-chrome")
        if shutil.which(name)
    ),
    None,
)
needs_browser = pytest.mark.skipif(
    BROWSER is None,
    reason="no headless browser (chromium) on this machine: apt-get install chromium to run it",
)
OFFLINE = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
]


def _html(job: Job, checklist: Checklist) -> str:
    return render_html(document_of(job, checklist, generated=GENERATED))


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "poster", "data") and value:
                self.found.append(f"<{tag} {name}={value}>")
        if tag in ("script", "link", "iframe", "object", "embed", "img"):
            self.found.append(f"<{tag}>")


def test_html_is_one_self_contained_document(job: Job, checklist: Checklist) -> None:
    html = _html(job, checklist)
    assert html.startswith("<!DOCTYPE html>")
    references = _References()
    references.feed(html)
    assert references.found == []
    assert "url(" not in html and "@import" not in html
    assert "default-src 'none'" in html
    assert html.count("<svg") == 2
    assert "@page" in html and "break-inside: avoid" in html
    assert html.count(SIMULATED_NOTICE) == 2  # the page head and foot, repeated on every page


def test_html_of_a_real_miner_has_no_stamp(real_job: Job, checklist: Checklist) -> None:
    assert "SIMULATED" not in _html(real_job, checklist)


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    return subprocess.run(
        [BROWSER, *OFFLINE, f"--user-data-dir={cwd / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=cwd,
    )


PROBE = """<script>
window.addEventListener("load", () => {
  const width = document.documentElement.clientWidth;
  const over = [];
  for (const node of document.querySelectorAll("body *")) {
    const box = node.getBoundingClientRect();
    if (box.width && (box.right > width + 1 || box.left < -1)) over.push(node.tagName + " " + box.right);
    if (node.tagName === "TD" && node.scrollWidth > node.clientWidth + 1) over.push("TD " + node.scrollWidth);
  }
  const fetched = performance.getEntriesByType("resource").map((entry) => entry.name);
  document.body.setAttribute("data-probe", JSON.stringify({width, over, fetched}));
});
</script>"""


@needs_browser
@pytest.mark.slow
@pytest.mark.parametrize("width_px", [718, 740])
def test_browser_lays_the_page_out_without_overflow_or_fetches(
    job: Job, checklist: Checklist, tmp_path: Path, width_px: int
) -> None:
    """A4 and Letter printable widths at 96 dpi (186 mm and 196 mm): nothing sticks out."""
    html = _html(job, checklist)
    # Drop the page's own Content Security Policy so that a fetch it tried would really be seen.
    probe = re.sub(r"<meta http-equiv=\"Content-Security-Policy\"[^>]*>", "", html)
    probe = probe.replace("</body>", PROBE + "</body>")
    page = tmp_path / "probe.html"
    page.write_text(probe, encoding="utf-8")
    done = _run(
        f"--window-size={width_px},1000",
        "--virtual-time-budget=5000",
        "--dump-dom",
        page.as_uri(),
        cwd=tmp_path,
    )
    match = re.search(r'data-probe="([^"]*)"', done.stdout)
    assert match, f"the browser did not report back: {done.stderr[-2000:]}"
    report = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert report["fetched"] == []
    assert report["over"] == [], f"cut off at {width_px}px: {report['over'][:10]}"


def _off_page(outside: list[str], number: int, width: float) -> Callable[..., None]:
    """A pypdf text visitor noting every piece of text that starts outside the page."""

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
        if text.strip() and not -1 <= x <= width:
            outside.append(f"page {number}: {text!r} at x={x:.0f}")

    return visit


@needs_browser
@pytest.mark.slow
@pytest.mark.parametrize(("size", "points"), [("A4", (595, 842)), ("Letter", (612, 792))])
def test_browser_prints_every_item_on_a4_and_letter(
    job: Job,
    checklist: Checklist,
    tmp_path: Path,
    size: str,
    points: tuple[int, int],
) -> None:
    html = _html(job, checklist)
    page = tmp_path / "report.html"
    page.write_text(html.replace("</style>", f"@page {{ size: {size}; }}</style>", 1), "utf-8")
    output = tmp_path / "printed.pdf"
    done = _run("--no-pdf-header-footer", f"--print-to-pdf={output}", page.as_uri(), cwd=tmp_path)
    assert output.exists(), f"the browser printed nothing: {done.stderr[-2000:]}"
    data = output.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    outside: list[str] = []
    for number, printed in enumerate(reader.pages, start=1):
        width = float(printed.mediabox.width)
        assert (round(width), round(float(printed.mediabox.height))) == points

        printed.extract_text(visitor_text=_off_page(outside, number, width))
    assert outside == [], f"text printed off the page: {outside[:10]}"
    text = squeezed(pdf_text(data))
    assert "NOTREADY" in text and squeezed(SIMULATED_NOTICE) in text
    for title in FAILED_TITLES:
        assert squeezed(title) in text
    for _section, _step, item in checklist.items():
        assert squeezed(item.title) in text, f"{item.title} missing from the printed page"
    assert "Signature" in text
