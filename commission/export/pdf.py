"""PDF documents: the completed commissioning report and the blank checklist for the clipboard.

Made with fpdf2: pure Python (its dependencies fontTools, Pillow and defusedxml ship wheels for
Linux, macOS and Windows), so no system library is needed. The fonts are DejaVu Sans, shipped in
``commission/export/fonts`` with their licence and embedded (subset) into every PDF, so °C, ≤, ✓
and ✗ print the same on any machine. Every page carries the simulated-miner stamp when the job
was simulated, the miner's serial and the page number.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from importlib import resources
from pathlib import Path
from typing import Final, Literal

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, VAlign, XPos, YPos

from commission import __version__
from commission.checklist.describe import place
from commission.checklist.models import (
    Checklist,
    ChoiceItem,
    ConfirmItem,
    DerivedItem,
    InfoItem,
    Item,
    LiveItem,
    MeasurementItem,
    Severity,
    TextItem,
)
from commission.export.document import Document, Row
from commission.export.plot import DASHES, LINE_COLOURS, Plot, soak_plots
from commission.export.words import legend, requirement_words
from commission.results import Status

Paper = Literal["a4", "letter"]
PAPERS: Final[tuple[Paper, ...]] = ("a4", "letter")
FONT: Final = "DejaVu"

INK: Final = (26, 26, 26)
MUTED: Final = (90, 90, 90)
RULE: Final = (190, 190, 190)
STATUS_RGB: Final[dict[Status, tuple[int, int, int]]] = {
    Status.PASS: (29, 107, 53),
    Status.SKIPPED: (102, 102, 102),
    Status.WARN: (138, 90, 0),
    Status.UNJUDGED: (107, 75, 0),
    Status.ERROR: (122, 31, 107),
    Status.FAIL: (166, 27, 27),
}
VERDICT_RGB: Final = {"READY": STATUS_RGB[Status.PASS], "NOT READY": STATUS_RGB[Status.FAIL]}
INCOMPLETE_RGB: Final = (138, 90, 0)


def markdown_escaped(text: str) -> str:
    """``text`` as literal characters for fpdf2's markdown cells (no stray bold or links)."""
    escaped = text.replace("\\", "\\\\")
    for marker in ("**", "__", "--", "~~"):
        escaped = escaped.replace(marker, "\\" + marker)
    return escaped.replace("](", "]\u2060(")


def _hex(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@contextmanager
def _font_files() -> Iterator[tuple[Path, Path]]:
    folder = resources.files("commission.export") / "fonts"
    with ExitStack() as stack:
        regular = stack.enter_context(resources.as_file(folder / "DejaVuSans.ttf"))
        bold = stack.enter_context(resources.as_file(folder / "DejaVuSans-Bold.ttf"))
        yield regular, bold


class _Pages(FPDF):
    """An A4 or Letter page with the running head (stamp, title, miner) and foot (page n of N)."""

    def __init__(self, paper: Paper, running_title: str, miner: str, stamp: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format=paper.upper())
        self.running_title = running_title
        self.miner = miner
        self.stamp = stamp
        self.set_margins(14, 14, 14)
        self.set_auto_page_break(True, margin=16)
        self.set_creator(f"commission {__version__}")
        self.set_title(running_title)
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_y(8)
        if self.stamp:
            self.set_draw_color(*STATUS_RGB[Status.FAIL])
            self.set_text_color(*STATUS_RGB[Status.FAIL])
            self.set_line_width(0.5)
            self.set_font(FONT, "B", 9.5)
            self.cell(0, 7, self.stamp, border=1, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1)
        self.set_text_color(*MUTED)
        self.set_font(FONT, "", 8)
        width = self.epw / 2
        self.cell(width, 4, self.running_title)
        self.cell(width, 4, self.miner, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(4)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        width = self.epw / 2
        self.cell(width, 5, f"commission {__version__}")
        self.cell(width, 5, f"page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(*INK)


def _new_pages(paper: Paper, title: str, miner: str, stamp: str) -> _Pages:
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}; choose one of {', '.join(PAPERS)}")
    pdf = _Pages(paper, title, miner, stamp)
    with _font_files() as (regular, bold):
        pdf.add_font(FONT, "", str(regular))
        pdf.add_font(FONT, "B", str(bold))
    pdf.set_font(FONT, "", 9)
    return pdf


def _heading(pdf: FPDF, text: str, size: float = 12.5, *, rule: bool = True) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 50:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if rule:
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.4)
        pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.w - pdf.r_margin, pdf.get_y() + 0.5)
        pdf.ln(2)
    pdf.set_font(FONT, "", 9)


def _subheading(pdf: FPDF, text: str) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 40:
        pdf.add_page()
    pdf.ln(1)
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(0, 5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)


def _paragraph(pdf: FPDF, text: str, size: float = 9, colour: tuple[int, int, int] = INK) -> None:
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, size * 0.48, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)


def _details(
    pdf: FPDF, details: Sequence[tuple[str, str]], *, blank: bool = False, label_w: float = 34
) -> None:
    for label, value in details:
        pdf.set_font(FONT, "", 9)
        pdf.set_text_color(*MUTED)
        pdf.cell(label_w, 6 if blank else 5, label)
        pdf.set_text_color(*INK)
        if blank:
            x, y = pdf.get_x(), pdf.get_y()
            pdf.set_draw_color(*INK)
            pdf.set_line_width(0.2)
            pdf.line(x, y + 5, pdf.w - pdf.r_margin, y + 5)
            pdf.ln(7)
        else:
            pdf.multi_cell(0, 5, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _verdict_box(pdf: FPDF, document: Document) -> None:
    verdict = document.verdict
    colour = VERDICT_RGB.get(verdict.word, INCOMPLETE_RGB)
    top = pdf.get_y()
    pdf.set_x(pdf.l_margin + 4)
    pdf.set_y(top + 3)
    pdf.set_text_color(*colour)
    pdf.set_font(FONT, "B", 20)
    pdf.set_x(pdf.l_margin + 4)
    pdf.cell(0, 9, verdict.word, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    inner = pdf.epw - 8
    if verdict.headline != verdict.word:
        pdf.set_font(FONT, "", 9.5)
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(inner, 4.8, verdict.headline, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    for number, reason in enumerate(document.reason_lines(), start=1):
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(
            inner, 4.6, f"{number}. {reason}", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    bottom = pdf.get_y() + 3
    pdf.set_draw_color(*colour)
    pdf.set_line_width(0.8)
    pdf.rect(pdf.l_margin, top, pdf.epw, bottom - top)
    pdf.set_y(bottom + 4)


def _status_face(row: Row) -> tuple[str, FontFace]:
    if row.status is None:
        if row.kind == "info":
            return row.word, FontFace(color=MUTED)
        return f"☐ {row.word}", FontFace(color=INK)
    return f"{row.status.glyph} {row.word}", FontFace(emphasis="BOLD", color=STATUS_RGB[row.status])


def _item_text(title: str, where: str, severity: Severity, required: bool) -> str:
    """Markdown for an item cell: the title in bold, then its marks and place."""
    lines = [f"**{markdown_escaped(title)}**"]
    marks = []
    if severity in (Severity.DANGER, Severity.CAUTION):
        marks.append(severity.value.upper())
    if not required:
        marks.append("optional")
    if where:
        marks.append(where)
    if marks:
        lines.append(markdown_escaped(" · ".join(marks)))
    return "\n".join(lines)


def _reading_text(row: Row) -> str:
    lines = []
    if row.reading:
        lines.append(row.reading)
    if row.shown_note:
        lines.append(row.shown_note)
    if row.at is not None:
        lines.append(f"{row.at:%Y-%m-%d %H:%M} UTC")
    if row.action:
        lines.append(f"What to do: {row.action}")
    lines.extend(f"· {line}" for line in row.evidence)
    if row.earlier:
        shown = "; ".join(row.earlier[-3:]) + ("; …" if len(row.earlier) > 3 else "")
        lines.append(f"Earlier ({len(row.earlier)}): {shown}")
    return markdown_escaped("\n".join(lines))


def _rows_table(pdf: FPDF, rows: Sequence[Row]) -> None:
    pdf.set_font(FONT, "", 8.5)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    headings = FontFace(emphasis="", color=MUTED, size_pt=8)
    with pdf.table(
        col_widths=(17, 28, 22, 33),
        headings_style=headings,
        line_height=3.9,
        text_align="LEFT",
        v_align=VAlign.T,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        padding=(1.2, 1.2, 1.2, 1.2),
        repeat_headings=1,
        markdown=True,
    ) as table:
        heading = table.row()
        for text in ("Status", "What was checked", "Limit", "Reading and action"):
            heading.cell(text)
        for row in rows:
            word, face = _status_face(row)
            cells = table.row()
            cells.cell(markdown_escaped(word), style=face)
            cells.cell(_item_text(row.title, row.place, row.severity, row.required))
            cells.cell(markdown_escaped(row.limit))
            cells.cell(_reading_text(row))
    pdf.ln(2)


def _plot(pdf: FPDF, plot: Plot) -> None:
    height = 62.0
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    left = pdf.l_margin + 16
    width = pdf.epw - 20
    inner_top = top + 12
    inner_h = height - 22
    pdf.set_font(FONT, "B", 9.5)
    pdf.set_xy(left, top)
    pdf.cell(width, 5, plot.title)

    def x(u: float) -> float:
        return left + u * width

    def y(v: float) -> float:
        return inner_top + (1 - v) * inner_h

    pdf.set_font(FONT, "", 7)
    pdf.set_text_color(*MUTED)
    for position, label in plot.y_ticks:
        pdf.set_draw_color(222, 222, 222)
        pdf.set_line_width(0.15)
        pdf.line(left, y(position), left + width, y(position))
        pdf.set_xy(pdf.l_margin - 2, y(position) - 2)
        pdf.cell(17, 4, label, align="R")
    for position, label in plot.x_ticks:
        pdf.set_xy(x(position) - 8, inner_top + inner_h + 1)
        pdf.cell(16, 4, label, align="C")
    pdf.set_xy(left, inner_top + inner_h + 5)
    pdf.cell(width, 4, plot.x_label, align="C")
    for gap in plot.gaps:
        pdf.set_draw_color(190, 190, 190)
        pdf.set_line_width(1.2)
        pdf.line(x(gap), inner_top, x(gap), inner_top + inner_h)
    pdf.set_draw_color(136, 136, 136)
    pdf.set_line_width(0.25)
    pdf.rect(left, inner_top, width, inner_h)
    for index, line in enumerate(plot.lines):
        colour = _hex(LINE_COLOURS[index % len(LINE_COLOURS)])
        dash = DASHES[index % len(DASHES)]
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        pdf.set_line_width(0.45)
        if dash:
            parts = [float(part) * 0.35 for part in dash.split()]
            pdf.set_dash_pattern(dash=parts[0], gap=parts[1])
        for run in line.runs:
            if len(run) == 1:
                u, v = run[0]
                pdf.circle(x(u), y(v), 0.6, style="F")
                continue
            pdf.polyline([(x(u), y(v)) for u, v in run])
        pdf.set_dash_pattern()
        legend_x = left + 3 + index * 32
        legend_y = top + 7.5
        pdf.set_line_width(0.6)
        if dash:
            parts = [float(part) * 0.35 for part in dash.split()]
            pdf.set_dash_pattern(dash=parts[0], gap=parts[1])
        pdf.line(legend_x, legend_y, legend_x + 6, legend_y)
        pdf.set_dash_pattern()
        pdf.set_text_color(*INK)
        pdf.set_font(FONT, "", 7)
        pdf.set_xy(legend_x + 7, legend_y - 2)
        pdf.cell(24, 4, line.label)
    if plot.gaps:
        pdf.set_text_color(*MUTED)
        pdf.set_xy(left, top + 5.5)
        pdf.cell(width, 4, "grey bars: no reading from the miner", align="R")
    pdf.set_text_color(*INK)
    pdf.set_y(top + height + 2)


def _signoff(pdf: FPDF, *, intro: str) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 62:
        pdf.add_page()
    _heading(pdf, "Sign-off")
    _paragraph(pdf, intro)
    pdf.ln(3)
    column = (pdf.epw - 10) / 2
    top = pdf.get_y()
    for index, role in enumerate(("Technician", "Customer")):
        x = pdf.l_margin + index * (column + 10)
        pdf.set_xy(x, top)
        pdf.set_font(FONT, "B", 10)
        pdf.cell(column, 6, role)
        y = top + 8
        for label in ("Name", "Signature", "Date"):
            y += 9
            pdf.set_draw_color(*INK)
            pdf.set_line_width(0.25)
            pdf.line(x, y, x + column, y)
            pdf.set_xy(x, y + 0.5)
            pdf.set_font(FONT, "", 8)
            pdf.set_text_color(*MUTED)
            pdf.cell(column, 4, label)
            pdf.set_text_color(*INK)
            y += 4
    pdf.set_y(top + 8 + 3 * 13 + 4)


def render_pdf(document: Document, paper: Paper = "a4") -> bytes:
    """The completed report as PDF bytes.

    Args:
        document: the report in words (see :func:`commission.export.document.build_document`).
        paper: ``a4`` or ``letter``.
    """
    pdf = _new_pages(paper, document.title, document.miner, document.stamp)
    pdf.add_page()
    pdf.set_font(FONT, "B", 17)
    pdf.multi_cell(0, 8, document.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    _details(pdf, document.details)
    _verdict_box(pdf, document)
    for section in document.sections:
        _heading(pdf, f"{section.number}. {section.title}  (guide section {section.guide})")
        for step in section.steps:
            _subheading(pdf, step.title)
            _rows_table(pdf, step.rows)
    if document.other_checks:
        _heading(pdf, "Other live checks")
        _rows_table(pdf, document.other_checks)
    if document.soak_runs:
        if pdf.get_y() > pdf.h - pdf.b_margin - 90:
            pdf.add_page()
        _heading(pdf, "Commissioning soak")
        for line in document.soak_runs:
            _paragraph(pdf, line)
        pdf.ln(2)
        plots = soak_plots(document.soak) if document.soak is not None else ()
        for plot in plots:
            _plot(pdf, plot)
        if not plots:
            _paragraph(pdf, "No sample of the newest soak carried a reading.")
    if document.miner_writes:
        _heading(pdf, "Written to the miner")
        for line in document.miner_writes:
            _paragraph(pdf, line)
    if document.selftest:
        _heading(pdf, "Hash self-test")
        _details(pdf, document.selftest)
    if document.unknown_answers:
        _paragraph(
            pdf,
            "Answers for items this checklist does not have: "
            + ", ".join(document.unknown_answers),
            colour=MUTED,
        )
    _heading(pdf, "What the words mean")
    _details(pdf, legend(), label_w=44)
    _signoff(
        pdf,
        intro=(
            "By signing, the technician confirms the work and readings above were done and taken "
            "as recorded, and the customer confirms the miner was handed over in this state."
        ),
    )
    return bytes(pdf.output())


def _blank_answer(item: Item) -> str:
    if isinstance(item, MeasurementItem):
        return "\n_______________ " + item.unit
    if isinstance(item, DerivedItem):
        return "worked out from the readings:\n_______________ " + item.unit
    if isinstance(item, ConfirmItem):
        return "☐ done     ☐ not done"
    if isinstance(item, ChoiceItem):
        return "\n".join(f"☐ {option}" for option in item.options)
    if isinstance(item, TextItem):
        if item.secret:
            return "☐ set (never write it here)"
        return "\n______________________"
    if isinstance(item, LiveItem):
        return "on the miner: ☐ pass  ☐ fail\n\n______________________"
    return ""


def blank_checklist_pdf(checklist: Checklist, paper: Paper = "a4") -> bytes:
    """The checklist to print and fill in by hand: every section and item with its limits.

    Args:
        checklist: the checklist to print.
        paper: ``a4`` or ``letter``.
    """
    title = f"{checklist.model} commissioning checklist"
    pdf = _new_pages(paper, title, f"{checklist.id} version {checklist.version}", "")
    pdf.add_page()
    pdf.set_font(FONT, "B", 17)
    pdf.multi_cell(0, 8, title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _paragraph(
        pdf,
        f"Every item of {checklist.title} (version {checklist.version}), following {checklist.guide}. "
        "Tick the box when an item is done, write each reading with its unit next to its limit, "
        "and mark anything outside its limit before going on. Items marked DANGER can damage "
        "hardware or hurt someone; CAUTION items cost lifetime or a failed run.",
        colour=MUTED,
    )
    pdf.ln(2)
    _details(
        pdf,
        [
            (label, "")
            for label in (
                "Technician",
                "Site",
                "Miner serial",
                "Miner MAC",
                "Miner address",
                "Location",
                "Date",
            )
        ],
        blank=True,
    )
    headings = FontFace(emphasis="", color=MUTED, size_pt=8)
    for number, section in enumerate(checklist.sections, start=1):
        _heading(pdf, f"{number}. {section.title}  (guide section {section.guide})")
        for step in section.steps:
            _subheading(pdf, step.title)
            pdf.set_font(FONT, "", 8.5)
            pdf.set_draw_color(*RULE)
            pdf.set_line_width(0.2)
            with pdf.table(
                col_widths=(6, 34, 28, 32),
                headings_style=headings,
                line_height=4.2,
                text_align="LEFT",
                v_align=VAlign.T,
                borders_layout=TableBordersLayout.HORIZONTAL_LINES,
                padding=(1.4, 1.2, 1.4, 1.2),
                repeat_headings=1,
                markdown=True,
            ) as table:
                heading = table.row()
                for text in ("", "Item", "Limit", "Reading"):
                    heading.cell(text)
                for item in step.items:
                    cells = table.row()
                    box = "" if isinstance(item, InfoItem) else "☐"
                    cells.cell(box, style=FontFace(size_pt=12))
                    instruction = "" if isinstance(item, InfoItem) else item.text
                    cells.cell(
                        _item_text(item.title, place(item), item.severity, item.required)
                        + (f"\n{markdown_escaped(instruction)}" if instruction else "")
                    )
                    cells.cell(markdown_escaped(requirement_words(item, checklist)))
                    cells.cell(markdown_escaped(_blank_answer(item)))
            pdf.ln(1)
    _heading(pdf, "Notes")
    for _ in range(6):
        pdf.ln(8)
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.2)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(4)
    _signoff(
        pdf,
        intro=(
            "By signing, the technician confirms every item above was done and every reading "
            "taken as written, and the customer confirms the miner was handed over in this state."
        ),
    )
    return bytes(pdf.output())


__all__ = ["PAPERS", "Paper", "blank_checklist_pdf", "render_pdf"]
