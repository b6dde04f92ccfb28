"""The chain table of the firmware's status page: one row per hash chain, plus the total.

Columns follow the stock "Miner Status" page (chain, ASIC#, frequency, ideal and real GH/s, HW,
PCB and chip temperatures, ASIC status) and add where the chain physically is (hash board and PCIe
connector), so a missing chain names what to check. Missing chains and chips in error are marked
with a glyph and a theme colour.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from commission.miner.layout import CHAIN_PLACES, TOTAL_ASICS
from commission.miner.models import ChainReading, MinerSnapshot
from commission.results import Status
from commission.tui.widgets.status_style import status_text, token_text

PCB_CUTOFF_C = 80.0
"""The firmware stops hashing when a board reaches this PCB temperature (guide section 7)."""
PCB_WARN_C = 75.0
"""Shown as a warning: within 5 degrees of the cut-off."""

COLUMNS = (
    "Chain",
    "Board / PCIe",
    "ASIC#",
    "MHz",
    "GH/s ideal",
    "GH/s RT",
    "HW",
    "PCB °C",
    "Chip °C",
    "ASIC status",
)


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _temps(values: tuple[float, ...]) -> str:
    return "-".join(f"{value:.0f}" for value in values) if values else "—"


class ChainTable(DataTable[str | Text]):
    """A DataTable shaped like the firmware's chain table, filled from a snapshot."""

    DEFAULT_CSS = """
    ChainTable {
        height: auto;
        max-height: 16;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self.column_keys: list[ColumnKey] = []

    def on_mount(self) -> None:
        """Add the status-page columns."""
        self.column_keys = self.add_columns(*COLUMNS)

    def show(self, snapshot: MinerSnapshot) -> None:
        """Show the chains of ``snapshot`` and a total row (cells change in place when it can)."""
        rows = {str(reading.chain): self._row(reading) for reading in snapshot.chains}
        rows["total"] = self._total(snapshot)
        if [key.value for key in self.rows] != list(rows):
            self.clear()
            for key, cells in rows.items():
                self.add_row(*cells, key=key)
            return
        for key, cells in rows.items():
            for column, cell in zip(self.column_keys, cells, strict=True):
                if self.get_cell(key, column) != cell:
                    self.update_cell(key, column, cell)

    def _row(self, reading: ChainReading) -> list[str | Text]:
        place = CHAIN_PLACES.get(reading.chain)
        where = f"B{place.board} {place.connector}" if place else "not a Hydro chain"
        if not reading.present:
            missing = status_text(self.app, Status.FAIL, f"{reading.chain}")
            return [
                missing,
                token_text(self.app, "error", f"✘ {where}"),
                token_text(self.app, "error", "0 missing"),
                "—",
                "—",
                "—",
                "—",
                "—",
                "—",
                token_text(self.app, "error", "no chips found"),
            ]
        chain_status = Status.PASS
        asics: str | Text = str(reading.asics)
        if reading.asics < reading.expected_asics:
            chain_status = Status.WARN
            asics = token_text(self.app, "warning", f"{reading.asics} ▲")
        asic_status: str | Text = reading.asic_status.strip()
        if reading.failed_asics or reading.dead_asics:
            chain_status = Status.WARN
            asic_status = token_text(self.app, "warning", f"▲ {reading.asic_status.strip()}")
        pcb: str | Text = _temps(reading.temps_pcb)
        hottest = reading.pcb_max
        if hottest is not None and hottest >= PCB_CUTOFF_C:
            chain_status = Status.FAIL
            pcb = token_text(self.app, "error", f"✘ {pcb}")
        elif hottest is not None and hottest >= PCB_WARN_C:
            chain_status = max(chain_status, Status.WARN, key=lambda status: status.rank)
            pcb = token_text(self.app, "warning", f"▲ {pcb}")
        return [
            status_text(self.app, chain_status, str(reading.chain)),
            where,
            asics,
            _number(reading.frequency_mhz),
            _number(reading.rate_ideal_ghs),
            _number(reading.rate_ghs),
            str(reading.hw_errors),
            pcb,
            _temps(reading.temps_chip),
            asic_status,
        ]

    def _total(self, snapshot: MinerSnapshot) -> list[str | Text]:
        asics = sum(reading.asics for reading in snapshot.chains)
        ideal = [r.rate_ideal_ghs for r in snapshot.chains if r.rate_ideal_ghs is not None]
        real = [r.rate_ghs for r in snapshot.chains if r.rate_ghs is not None]
        freqs = [r.frequency_mhz for r in snapshot.chains if r.present and r.frequency_mhz]
        count: str | Text = f"{asics}/{TOTAL_ASICS}"
        if asics < TOTAL_ASICS:
            count = token_text(self.app, "error", f"✘ {asics}/{TOTAL_ASICS}")
        return [
            Text("Total", style="bold", end=""),
            "",
            count,
            _number(sum(freqs) / len(freqs) if freqs else None),
            _number(sum(ideal) if ideal else None),
            _number(sum(real) if real else None),
            str(sum(reading.hw_errors for reading in snapshot.chains)),
            "",
            "",
            "",
        ]
