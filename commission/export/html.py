"""The report as one self-contained, printable web page.

Print CSS fits A4 and Letter (the printer's paper decides; nothing is sized wider than either).
The page fetches nothing: no external fonts, scripts, styles or images (a Content Security Policy
forbids them, so even a browser that would try cannot), and the soak plots are inline SVG. The
outer table's head and foot repeat on every printed page, carrying the simulated-miner stamp and
the miner's name.
"""

from __future__ import annotations

from html import escape
from typing import Final

from commission.export.document import Document, Row
from commission.export.plot import plot_svg, soak_plots
from commission.export.words import legend
from commission.results import Status

_STATUS_CLASS: Final = {
    Status.PASS: "pass",
    Status.SKIPPED: "skipped",
    Status.WARN: "warn",
    Status.UNJUDGED: "unjudged",
    Status.ERROR: "error",
    Status.FAIL: "fail",
}
_VERDICT_CLASS: Final = {"READY": "ready", "NOT READY": "not-ready", "INCOMPLETE": "incomplete"}

CSS: Final = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #bbb; --pass: #1d6b35; --fail: #a61b1b;
  --warn: #8a5a00; --unjudged: #6b4b00; --error: #7a1f6b; --skipped: #666; }
* { box-sizing: border-box; }
html { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
  font-size: 10pt; line-height: 1.35; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 190mm; padding: 8mm 4mm; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; padding-bottom: 1mm; border-bottom: 1.5pt solid var(--ink);
  break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10.5pt; margin: 3mm 0 1mm; break-after: avoid; page-break-after: avoid; }
.page { width: 100%; border-collapse: collapse; }
.page > thead td, .page > tfoot td { font-size: 8pt; color: var(--muted); padding: 0 0 2mm; }
.page > tfoot td { padding: 2mm 0 0; }
.stamp { display: block; border: 1.5pt solid var(--fail); color: var(--fail); font-weight: bold;
  text-align: center; padding: 1.5mm; font-size: 9.5pt; letter-spacing: 0.03em; margin-bottom: 1mm; }
.running { display: flex; justify-content: space-between; gap: 4mm; }
.details { width: 100%; border-collapse: collapse; margin: 2mm 0 4mm; }
.details th { text-align: left; font-weight: normal; color: var(--muted); width: 38mm; padding: 0.6mm 2mm 0.6mm 0; }
.details td { padding: 0.6mm 0; }
.verdict { border: 2pt solid currentColor; padding: 3mm 4mm; margin: 3mm 0 5mm; break-inside: avoid;
  page-break-inside: avoid; }
.verdict.ready { color: var(--pass); } .verdict.not-ready { color: var(--fail); }
.verdict.incomplete { color: var(--warn); }
.verdict .word { font-size: 20pt; font-weight: bold; letter-spacing: 0.04em; }
.verdict .summary { color: var(--ink); margin: 1mm 0; }
.verdict ol { color: var(--ink); margin: 1mm 0 0; padding-left: 6mm; }
table.items { width: 100%; border-collapse: collapse; table-layout: fixed; margin-bottom: 2mm; }
table.items th { text-align: left; font-size: 8.5pt; color: var(--muted); font-weight: normal;
  border-bottom: 0.75pt solid var(--ink); padding: 1mm 1.5mm; }
table.items td { vertical-align: top; padding: 1.2mm 1.5mm; border-bottom: 0.5pt solid var(--rule);
  overflow-wrap: anywhere; }
table.items tr { break-inside: avoid; page-break-inside: avoid; }
col.c-status { width: 17%; } col.c-item { width: 27%; } col.c-limit { width: 22%; }
col.c-reading { width: 34%; }
.status { font-weight: bold; white-space: nowrap; }
.pass { color: var(--pass); } .fail { color: var(--fail); } .warn { color: var(--warn); }
.unjudged { color: var(--unjudged); } .error { color: var(--error); } .skipped { color: var(--skipped); }
.open { color: var(--ink); font-weight: normal; } .info { color: var(--muted); font-weight: normal; }
.small { font-size: 8.5pt; color: var(--muted); }
.action { margin-top: 0.8mm; font-weight: bold; }
.evidence { margin: 0.8mm 0 0; padding-left: 4mm; font-size: 8.5pt; color: var(--muted); }
.sev { font-size: 8pt; font-weight: bold; text-transform: uppercase; }
.sev.danger { color: var(--fail); } .sev.caution { color: var(--warn); }
svg.plot { width: 100%; height: auto; display: block; margin: 2mm 0 4mm; break-inside: avoid;
  page-break-inside: avoid; }
.plot-title { font: bold 13px sans-serif; fill: #1a1a1a; }
.plot-tick { font: 11px sans-serif; fill: #555; } .plot-legend { font: 11px sans-serif; fill: #1a1a1a; }
.plot-frame { fill: none; stroke: #888; stroke-width: 1; } .plot-grid { stroke: #ddd; stroke-width: 1; }
.plot-gap { stroke: #bbb; stroke-width: 4; }
.signoff { display: flex; gap: 10mm; margin-top: 6mm; break-inside: avoid; page-break-inside: avoid; }
.signoff > div { flex: 1; }
.signoff .line { border-bottom: 0.75pt solid var(--ink); height: 9mm; margin-bottom: 1mm; }
.signoff .label { font-size: 8.5pt; color: var(--muted); margin-bottom: 3mm; }
.signoff-block { break-inside: avoid; page-break-inside: avoid; }
@page { margin: 12mm 12mm 14mm;
  @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt; color: #555; } }
@media print {
  body { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
}
"""


def _status_cell(row: Row) -> str:
    if row.status is None:
        css = "info" if row.kind == "info" else "open"
        glyph = "" if row.kind == "info" else "☐ "
        return f'<td class="status {css}">{glyph}{escape(row.word)}</td>'
    css = _STATUS_CLASS[row.status]
    return f'<td class="status {css}">{escape(row.status.glyph)} {escape(row.word)}</td>'


def _row_html(row: Row) -> str:
    item = [f"<strong>{escape(row.title)}</strong>"]
    if row.severity.value in ("danger", "caution"):
        item.append(f' <span class="sev {row.severity.value}">{row.severity.value}</span>')
    if row.place:
        item.append(f'<div class="small">{escape(row.place)}</div>')
    if not row.required:
        item.append('<div class="small">optional</div>')
    reading = []
    if row.reading:
        reading.append(f"<div>{escape(row.reading)}</div>")
    if row.shown_note:
        reading.append(f'<div class="small">{escape(row.shown_note)}</div>')
    if row.at is not None:
        reading.append(f'<div class="small">{row.at:%Y-%m-%d %H:%M} UTC</div>')
    if row.action:
        reading.append(f'<div class="action">What to do: {escape(row.action)}</div>')
    if row.evidence:
        reading.append(
            '<ul class="evidence">'
            + "".join(f"<li>{escape(line)}</li>" for line in row.evidence)
            + "</ul>"
        )
    if row.earlier:
        reading.append(
            f'<div class="small">Earlier ({len(row.earlier)}): '
            + "; ".join(escape(line) for line in row.earlier[-3:])
            + ("; …" if len(row.earlier) > 3 else "")
            + "</div>"
        )
    return (
        "<tr>"
        + _status_cell(row)
        + f"<td>{''.join(item)}</td>"
        + f"<td>{escape(row.limit)}</td>"
        + f"<td>{''.join(reading)}</td>"
        + "</tr>"
    )


def _table(rows: tuple[Row, ...]) -> str:
    return (
        '<table class="items"><colgroup><col class="c-status"><col class="c-item">'
        '<col class="c-limit"><col class="c-reading"></colgroup>'
        "<thead><tr><th>Status</th><th>What was checked</th><th>Limit</th>"
        "<th>Reading and action</th></tr></thead><tbody>"
        + "".join(_row_html(row) for row in rows)
        + "</tbody></table>"
    )


def _signoff() -> str:
    def person(role: str) -> str:
        return (
            f"<div><h3>{role}</h3>"
            '<div class="line"></div><div class="label">Name</div>'
            '<div class="line"></div><div class="label">Signature</div>'
            '<div class="line"></div><div class="label">Date</div></div>'
        )

    return (
        '<section class="signoff-block"><h2>Sign-off</h2>'
        "<p>By signing, the technician confirms the work and readings above were done and taken "
        "as recorded, and the customer confirms the miner was handed over in this state.</p>"
        f'<div class="signoff">{person("Technician")}{person("Customer")}</div></section>'
    )


def render_html(document: Document) -> str:
    """The report as an HTML document (UTF-8 text)."""
    verdict = document.verdict
    stamp = f'<span class="stamp">{escape(document.stamp)}</span>' if document.simulated else ""
    running = (
        f'<div class="running"><span>{escape(document.title)}</span>'
        f"<span>{escape(document.miner)}</span></div>"
    )
    body: list[str] = [f"<h1>{escape(document.title)}</h1>"]
    body.append(
        '<table class="details">'
        + "".join(
            f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
            for label, value in document.details
        )
        + "</table>"
    )
    css = _VERDICT_CLASS.get(verdict.word, "incomplete")
    reasons = "".join(f"<li>{escape(line)}</li>" for line in document.reason_lines())
    headline = verdict.headline if verdict.headline != verdict.word else ""
    body.append(
        f'<div class="verdict {css}"><div class="word">{escape(verdict.word)}</div>'
        + (f'<div class="summary">{escape(headline)}</div>' if headline else "")
        + (f"<ol>{reasons}</ol>" if reasons else "")
        + "</div>"
    )
    for section in document.sections:
        body.append(
            f"<section><h2>{section.number}. {escape(section.title)} "
            f'<span class="small">guide section {escape(section.guide)}</span></h2>'
        )
        for step in section.steps:
            body.append(f"<h3>{escape(step.title)}</h3>")
            body.append(_table(step.rows))
        body.append("</section>")
    if document.other_checks:
        body.append("<section><h2>Other live checks</h2>" + _table(document.other_checks))
        body.append("</section>")
    if document.soak_runs:
        plots = soak_plots(document.soak) if document.soak is not None else ()
        body.append("<section><h2>Commissioning soak</h2>")
        body.extend(f"<p>{escape(line)}</p>" for line in document.soak_runs)
        body.extend(plot_svg(plot) for plot in plots)
        if not plots:
            body.append("<p>No sample of the newest soak carried a reading.</p>")
        body.append("</section>")
    if document.miner_writes:
        body.append("<section><h2>Written to the miner</h2>")
        body.extend(f"<p>{escape(line)}</p>" for line in document.miner_writes)
        body.append("</section>")
    if document.selftest:
        body.append(
            '<section><h2>Hash self-test</h2><table class="details">'
            + "".join(
                f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
                for label, value in document.selftest
            )
            + "</table></section>"
        )
    if document.unknown_answers:
        body.append(
            "<p class='small'>Answers for items this checklist does not have: "
            + escape(", ".join(document.unknown_answers))
            + "</p>"
        )
    body.append(
        '<section><h2>What the words mean</h2><table class="details">'
        + "".join(
            f"<tr><th>{escape(word)}</th><td>{escape(meaning)}</td></tr>"
            for word, meaning in legend()
        )
        + "</table></section>"
    )
    body.append(_signoff())
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(document.title)}: {escape(document.miner)}</title>\n"
        f"<style>{CSS}</style></head>\n<body>\n"
        '<table class="page"><thead><tr><td>'
        + stamp
        + running
        + "</td></tr></thead>\n"
        + '<tfoot><tr><td><div class="running">'
        + f"<span>{escape(document.generated)}</span>"
        + (f"<span>{escape(document.stamp)}</span>" if document.simulated else "")
        + "</div></td></tr></tfoot>\n<tbody><tr><td>\n"
        + "\n".join(body)
        + "\n</td></tr></tbody></table>\n</body></html>\n"
    )
