"""A bounded history of snapshots for the plots: hash rate and temperatures over time.

The dashboard and the soak plot the same few series; keeping them here (not in a widget) lets both
screens share one history that the app fills as snapshots arrive, and lets tests check it directly.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from commission.miner.models import MinerSnapshot

DEFAULT_POINTS = 240
"""Samples kept per series: 20 minutes at one snapshot every 5 s."""


@dataclass
class TelemetryHistory:
    """Rolling series taken from successive snapshots (oldest first)."""

    points: int = DEFAULT_POINTS
    hashrate_ths: deque[float] = field(init=False)
    pcb_max_c: deque[float] = field(init=False)
    chip_max_c: deque[float] = field(init=False)

    def __post_init__(self) -> None:
        self.hashrate_ths = deque(maxlen=self.points)
        self.pcb_max_c = deque(maxlen=self.points)
        self.chip_max_c = deque(maxlen=self.points)

    def add(self, snapshot: MinerSnapshot) -> None:
        """Append one snapshot's figures; a figure the miner did not report is left out."""
        totals = snapshot.totals
        if totals is not None and totals.ghs_5s is not None:
            self.hashrate_ths.append(totals.ghs_5s / 1000.0)
        pcb = [reading.pcb_max for reading in snapshot.chains if reading.pcb_max is not None]
        chip = [reading.chip_max for reading in snapshot.chains if reading.chip_max is not None]
        if pcb:
            self.pcb_max_c.append(max(value for value in pcb if value is not None))
        if chip:
            self.chip_max_c.append(max(value for value in chip if value is not None))

    def clear(self) -> None:
        """Forget every sample (a new miner or a new soak)."""
        self.hashrate_ths.clear()
        self.pcb_max_c.clear()
        self.chip_max_c.clear()
