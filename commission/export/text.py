"""The report as plain text (for a terminal, an e-mail or a plain printer), from the same words.

Laid out with Rich tables recorded at a fixed width, then exported without styles, so the text is
the same on every machine (the golden file test holds it to that).
"""

from __future__ import annotations

import io
from typing import Final

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from commission.export.document import Document, Row
from commission.export.plot import soak_plots
from commission.export.words import legend
from commission.render.terminal import terminal

PAGE_WIDTH: Final = 110
"""Characters per line."""


def _status(row: Row) -> str:
    if row.status is None:
        return "" if row.kind == "info" else "[ ] OPEN"
    return f"{row.status.glyph} {row.word}"


def _item(row: Row) -> str:
    lines = [row.title]
    marks = []
    if row.severity.value in ("danger", "caution"):
        marks.append(row.severity.value.upper())
    if not row.required:
        marks.append("optional")
    if row.place:
        marks.append(row.place)
    if marks:
        lines.append(" · ".join(marks))
    return "\n".join(lines)


def _reading(row: Row) -> str:
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
    return "\n".join(lines)


def _table(rows: tuple[Row, ...]) -> Table:
    table = Table(expand=True, show_lines=True, pad_edge=False)
    table.add_column("status", no_wrap=True, width=12)
    table.add_column("what was checked", ratio=3)
    table.add_column("limit", ratio=3)
    table.add_column("reading and action", ratio=4)
    for row in rows:
        table.add_row(_status(row), _item(row), row.limit, _reading(row))
    return table


def _renderable(document: Document) -> RenderableType:
    parts: list[RenderableType] = []
    if document.simulated:
        parts.append(Text(f"*** {document.stamp} ***"))
    parts.append(Text(document.title))
    grid = Table.grid(padding=(0, 2))
    grid.add_column()
    grid.add_column()
    for label, value in document.details:
        grid.add_row(label, value)
    parts.append(grid)
    verdict = document.verdict
    box = [f"VERDICT: {verdict.word}"]
    if verdict.headline != verdict.word:
        box.append(verdict.headline)
    box.extend(f"{number}. {line}" for number, line in enumerate(document.reason_lines(), start=1))
    verdict_table = Table(show_header=False, expand=True)
    verdict_table.add_column()
    verdict_table.add_row("\n".join(box))
    parts.append(verdict_table)
    for section in document.sections:
        parts.append(
            Rule(f"{section.number}. {section.title} (guide section {section.guide})", align="left")
        )
        for step in section.steps:
            parts.append(Text(step.title))
            parts.append(_table(step.rows))
    if document.other_checks:
        parts.append(Rule("Other live checks", align="left"))
        parts.append(_table(document.other_checks))
    if document.soak_runs:
        parts.append(Rule("Commissioning soak", align="left"))
        parts.extend(Text(line) for line in document.soak_runs)
        if document.soak is not None:
            for plot in soak_plots(document.soak):
                parts.append(Text(f"{plot.title}: plotted in the PDF and HTML reports"))
    if document.miner_writes:
        parts.append(Rule("Written to the miner", align="left"))
        parts.extend(Text(line) for line in document.miner_writes)
    if document.selftest:
        parts.append(Rule("Hash self-test", align="left"))
        for label, value in document.selftest:
            parts.append(Text(f"{label}: {value}"))
    if document.unknown_answers:
        parts.append(
            Text(
                "Answers for items this checklist does not have: "
                + ", ".join(document.unknown_answers)
            )
        )
    parts.append(Rule("What the words mean", align="left"))
    words = Table.grid(padding=(0, 2))
    words.add_column()
    words.add_column()
    for word, meaning in legend():
        words.add_row(word, meaning)
    parts.append(words)
    parts.append(Rule("Sign-off", align="left"))
    for role in ("Technician", "Customer"):
        parts.append(
            Text(
                f"{role}\n  Name: ______________________  Signature: ______________________  Date: ____________\n"
            )
        )
    if document.simulated:
        parts.append(Text(f"*** {document.stamp} ***"))
    parts.append(Text(document.generated))
    return Group(*parts)


def render_text(document: Document) -> str:
    """The report as plain text, ``PAGE_WIDTH`` characters wide."""
    console = terminal(
        record=True, width=PAGE_WIDTH, file=io.StringIO(), color_system=None, force_terminal=False
    )
    console.print(_renderable(document))
    return console.export_text(styles=False)
