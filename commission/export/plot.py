"""Soak plots as geometry: scaled lines, ticks and gaps, drawn by the HTML (SVG) and PDF reports.

The geometry is computed once here in a unit box (x and y from 0 to 1, y upwards) so the web page
and the PDF draw the same picture. A sample the miner did not answer leaves a gap in the line and
a mark on the time axis; it is never bridged or drawn as zero.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Final

from commission.checklist.models import format_value
from commission.job import SoakRun

LINE_COLOURS: Final = ("#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#b9770e")
"""Line colours for print (dark enough on white, distinct in greyscale by dash pattern)."""
DASHES: Final = ("", "6 3", "2 2", "8 3 2 3", "1 3")


@dataclass(frozen=True)
class Line:
    """One plotted quantity: runs of points (a new run after every gap) in the unit box."""

    label: str
    runs: tuple[tuple[tuple[float, float], ...], ...]


@dataclass(frozen=True)
class Plot:
    """A plot ready to draw."""

    title: str
    unit: str
    lines: tuple[Line, ...]
    y_ticks: tuple[tuple[float, str], ...]
    x_ticks: tuple[tuple[float, str], ...]
    gaps: tuple[float, ...]
    """Where along the time axis a sample could not be taken."""
    x_label: str = "minutes into the soak"


def nice_ticks(low: float, high: float, count: int = 5) -> tuple[float, float, float]:
    """A rounded axis range and tick step (1, 2 or 5 times a power of ten) covering low..high."""
    if high < low:
        low, high = high, low
    if math.isclose(low, high):
        pad = abs(low) * 0.05 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _ticks(low: float, high: float, step: float, unit: str) -> tuple[tuple[float, str], ...]:
    ticks = []
    value = low
    while value <= high + step / 1000:
        shown = round(value, 6)
        ticks.append(((value - low) / (high - low), format_value(shown, unit)))
        value += step
    return tuple(ticks)


def _series_plot(
    title: str,
    unit: str,
    times: list[float],
    series: dict[str, list[float | None]],
    total_s: float,
    gaps: tuple[float, ...],
) -> Plot | None:
    values = [v for points in series.values() for v in points if v is not None]
    if not values:
        return None
    low, high, step = nice_ticks(min(values), max(values))
    x_low, x_high, x_step = nice_ticks(0.0, max(total_s, max(times, default=0.0), 60.0) / 60.0)
    x_low = 0.0
    span_s = x_high * 60.0
    lines = []
    for label, points in series.items():
        runs: list[tuple[tuple[float, float], ...]] = []
        run: list[tuple[float, float]] = []
        for offset, value in zip(times, points, strict=True):
            if value is None:
                if run:
                    runs.append(tuple(run))
                run = []
                continue
            run.append((offset / span_s, (value - low) / (high - low)))
        if run:
            runs.append(tuple(run))
        lines.append(Line(label=label, runs=tuple(runs)))
    return Plot(
        title=title,
        unit=unit,
        lines=tuple(lines),
        y_ticks=_ticks(low, high, step, unit),
        x_ticks=_ticks(x_low, x_high, x_step, ""),
        gaps=tuple(gap / span_s for gap in gaps),
    )


def soak_plots(series: SoakRun) -> tuple[Plot, ...]:
    """The hash-rate plot and the board-temperature plot of a soak (none when it has no reading)."""
    times = [sample.offset_s for sample in series.samples]
    gaps = tuple(sample.offset_s for sample in series.samples if sample.error)
    total_s = series.minutes * 60.0
    rate = {
        "hash rate (5 s average)": [
            None if s.error or s.ghs_5s is None else s.ghs_5s / 1000.0 for s in series.samples
        ]
    }
    boards = sorted({board for sample in series.samples for board in sample.pcb_c})
    temps = {
        f"board {board}": [None if s.error else s.pcb_c.get(board) for s in series.samples]
        for board in boards
    }
    plots = (
        _series_plot("Hash rate during the soak", "TH/s", times, rate, total_s, gaps),
        _series_plot("Hottest PCB temperature per hash board", "°C", times, temps, total_s, gaps),
    )
    return tuple(plot for plot in plots if plot is not None)


def plot_svg(plot: Plot, width: int = 680, height: int = 230) -> str:
    """The plot as an inline SVG element (scales with the page; generic fonts, nothing fetched)."""
    left, right, top, bottom = 64, 16, 44, 38
    inner_w, inner_h = width - left - right, height - top - bottom

    def x(u: float) -> float:
        return round(left + u * inner_w, 1)

    def y(v: float) -> float:
        return round(top + (1 - v) * inner_h, 1)

    out = [
        f'<svg viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{html.escape(plot.title)}" class="plot">',
        f'<text x="{left}" y="18" class="plot-title">{html.escape(plot.title)}</text>',
        f'<rect x="{left}" y="{top}" width="{inner_w}" height="{inner_h}" class="plot-frame"/>',
    ]
    for position, label in plot.y_ticks:
        out.append(
            f'<line x1="{left}" x2="{left + inner_w}" y1="{y(position)}" y2="{y(position)}" '
            'class="plot-grid"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y(position) + 4}" text-anchor="end" class="plot-tick">'
            f"{html.escape(label)}</text>"
        )
    for position, label in plot.x_ticks:
        out.append(
            f'<text x="{x(position)}" y="{top + inner_h + 16}" text-anchor="middle" '
            f'class="plot-tick">{html.escape(label)}</text>'
        )
    out.append(
        f'<text x="{left + inner_w / 2}" y="{height - 4}" text-anchor="middle" '
        f'class="plot-tick">{html.escape(plot.x_label)}</text>'
    )
    for gap in plot.gaps:
        out.append(
            f'<line x1="{x(gap)}" x2="{x(gap)}" y1="{top}" y2="{top + inner_h}" class="plot-gap"/>'
        )
    for index, line in enumerate(plot.lines):
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        dash = DASHES[index % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for run in line.runs:
            points = " ".join(f"{x(u)},{y(v)}" for u, v in run)
            if len(run) == 1:
                u, v = run[0]
                out.append(f'<circle cx="{x(u)}" cy="{y(v)}" r="2" fill="{colour}"/>')
            else:
                out.append(
                    f'<polyline points="{points}" fill="none" stroke="{colour}" '
                    f'stroke-width="1.6"{dash_attr}/>'
                )
    for index, line in enumerate(plot.lines):
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        dash = DASHES[index % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        legend_x = left + index * 110
        ly = top - 8
        out.append(
            f'<line x1="{legend_x}" x2="{legend_x + 22}" y1="{ly - 4}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        out.append(
            f'<text x="{legend_x + 28}" y="{ly}" class="plot-legend">{html.escape(line.label)}</text>'
        )
    if plot.gaps:
        out.append(
            f'<text x="{left + inner_w}" y="18" text-anchor="end" class="plot-legend">'
            "grey bars: no reading from the miner</text>"
        )
    out.append("</svg>")
    return "\n".join(out)
