"""Small live panels of the dashboard: totals line, fan strip, pool table and trend plots.

Each one takes a snapshot (or a series) and redraws itself; none of them talks to the miner.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Sparkline, Static

from commission.miner.layout import FAN_HEADERS
from commission.miner.models import MinerSnapshot, PoolReading
from commission.results import Status
from commission.tui.widgets.status_style import status_markup, status_text, token_text


def format_elapsed(seconds: int) -> str:
    """Seconds as the firmware prints them: ``15m15s``, ``2h03m``, ``1d04h``."""
    minutes, secs = divmod(max(seconds, 0), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s"


class TotalsLine(Static):
    """One line of whole-machine figures, like the top table of the status page."""

    DEFAULT_CSS = """
    TotalsLine {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    """

    def show(self, snapshot: MinerSnapshot) -> None:
        """Redraw from ``snapshot``."""
        totals = snapshot.totals
        if totals is None:
            self.update(status_markup(Status.ERROR, "the summary could not be read"))
            return

        def ghs(value: float | None) -> str:
            return "—" if value is None else f"{value:,.2f}"

        parts = [
            f"Elapsed [b]{'—' if totals.elapsed_s is None else format_elapsed(totals.elapsed_s)}[/b]",
            f"GH/s RT [b]{ghs(totals.ghs_5s)}[/b]",
            f"avg [b]{ghs(totals.ghs_avg)}[/b]",
            f"ideal [b]{ghs(totals.ghs_ideal)}[/b]",
            f"HW [b]{totals.hw_errors}[/b]",
            f"shares [b]{totals.accepted}[/b] ok / [b]{totals.rejected}[/b] rejected",
        ]
        self.update("   ".join(parts))


class FanStrip(Static):
    """Fan speeds per header; a stalled fitted fan is marked, slots 7-8 are not fitted."""

    DEFAULT_CSS = """
    FanStrip {
        height: auto;
        padding: 0 1;
    }
    """

    def show(self, snapshot: MinerSnapshot) -> None:
        """Redraw from ``snapshot``."""
        speeds = {reading.index: reading.rpm for reading in snapshot.fans}
        if not speeds:
            self.update(status_markup(Status.ERROR, "no fan readings"))
            return
        cells = []
        for index, header in enumerate(FAN_HEADERS, start=1):
            rpm = speeds.get(index)
            if rpm is None:
                cells.append(f"{header} {status_markup(Status.ERROR, 'not read')}")
            elif rpm <= 0:
                cells.append(f"{header} {status_markup(Status.FAIL, '0 r/min')}")
            else:
                cells.append(f"{header} [b]{rpm:,}[/b] [$success]✔[/]")
        self.update("Fans (r/min)  " + "  ".join(cells))


class PoolTable(DataTable[str | Text]):
    """The three pools with their status, as on the status page."""

    DEFAULT_CSS = """
    PoolTable {
        height: auto;
        max-height: 6;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", show_cursor=False)
        self._shown: tuple[PoolReading, ...] | None = None

    def on_mount(self) -> None:
        """Add the columns."""
        self.add_columns("Pool", "Status", "URL", "Worker", "Prio", "Acc", "Rej", "Stale")

    def show(self, pools: Sequence[PoolReading]) -> None:
        """Replace the rows with ``pools`` (nothing to do when they did not change)."""
        if self._shown == tuple(pools):
            return
        self._shown = tuple(pools)
        self.clear()
        if not pools:
            self.add_row("—", token_text(self.app, "error", "✘ none"), "", "", "", "", "", "")
            return
        for pool in pools:
            self.add_row(
                str(pool.index),
                self._status(pool.status),
                pool.url,
                pool.user or "(empty)",
                str(pool.priority),
                str(pool.accepted),
                str(pool.rejected),
                str(pool.stale),
            )

    def _status(self, status: str) -> Text:
        if status == "Alive":
            return status_text(self.app, Status.PASS, status)
        if status == "Disabled":
            return status_text(self.app, Status.SKIPPED, status)
        return status_text(self.app, Status.FAIL, status or "Unknown")


class Trend(Vertical):
    """A labelled sparkline of one series: title, latest value, range."""

    DEFAULT_CSS = """
    Trend {
        height: auto;
        padding: 0 1;
    }
    Trend > .trend--label {
        width: 1fr;
        color: $text-muted;
    }
    Trend > Sparkline {
        height: 2;
        width: 1fr;
    }
    """

    def __init__(self, title: str, unit: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.unit = unit

    def compose(self) -> ComposeResult:
        """A label over a sparkline."""
        yield Label(f"{self.title}: waiting for data", classes="trend--label")
        yield Sparkline([])

    def show(self, series: Sequence[float]) -> None:
        """Plot ``series`` (oldest first) and label it with the latest value and the range."""
        values = list(series)
        label = self.query_one(".trend--label", Label)
        if not values:
            label.update(f"{self.title}: waiting for data")
        else:
            label.update(
                f"{self.title}: [b]{values[-1]:.1f}[/b] {self.unit}   "
                f"[$text-muted]{min(values):.1f}–{max(values):.1f}[/]"
            )
        self.query_one(Sparkline).data = values
