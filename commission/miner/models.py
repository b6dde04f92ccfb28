"""Typed snapshots of a miner: what the parsers produce and everything above the miner layer reads.

Nothing here knows a firmware field name; :mod:`commission.miner.parse` maps replies onto these
models. A snapshot is one moment; a soak keeps a series of them. Values the firmware did not report
are ``None`` (never a made-up zero), so a rule can tell "not read" from "read as 0".
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from commission.miner.layout import ASICS_PER_CHAIN, CHAIN_PLACES


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Identity(_Frozen):
    """Who the miner says it is (RPC ``version``, web ``get_system_info.cgi``)."""

    miner_type: str
    """The firmware's type string, first line only, e.g. ``Antminer S9 Hydro``."""
    compile_time: str = ""
    """The firmware build stamp as printed, e.g. ``Mon Aug 20 11:12:13 CST 2018``."""
    firmware_date: datetime | None = None
    """``compile_time`` parsed; None when it could not be parsed."""
    bmminer_version: str = ""
    api_version: str = ""
    miner_version: str = ""
    mac: str | None = None
    """Upper-case ``XX:XX:..`` from the web UI; None when the web UI was not read."""
    hostname: str | None = None
    ip_address: str | None = None


class ChainReading(_Frozen):
    """One hash chain as the firmware reports it (API chain number = connector J-number)."""

    chain: int
    asics: int
    """ASICs detected (``chain_acnN``); 0 for a chain that is missing."""
    asic_status: str = ""
    """The firmware's per-chip string, e.g. `` oooooooo oooooooo oo`` (``x`` = chip in error)."""
    frequency_mhz: float | None = None
    rate_ideal_ghs: float | None = None
    rate_ghs: float | None = None
    """Real-time rate; None when the firmware printed an empty string (chain absent)."""
    hw_errors: int = 0
    temps_pcb: tuple[float, ...] = ()
    """Board readings in deg C (from ``temp_pcbN`` when present, else ``tempN``); NaN/0 dropped."""
    temps_chip: tuple[float, ...] = ()
    """Chip readings in deg C (from ``temp_chipN`` when present, else ``temp2_N``/``temp3_N``)."""

    @property
    def present(self) -> bool:
        """True when the firmware found at least one ASIC on this chain."""
        return self.asics > 0

    @property
    def failed_asics(self) -> int:
        """Chips marked ``x`` in the status string."""
        return self.asic_status.lower().count("x")

    @property
    def dead_asics(self) -> int:
        """Chips marked ``-`` in the status string."""
        return self.asic_status.count("-")

    @property
    def expected_asics(self) -> int:
        """ASICs a healthy S9 Hydro chain has."""
        return ASICS_PER_CHAIN

    @property
    def pcb_max(self) -> float | None:
        """Hottest board reading, or None when none was reported."""
        return max(self.temps_pcb, default=None)

    @property
    def chip_max(self) -> float | None:
        """Hottest chip reading, or None when none was reported."""
        return max(self.temps_chip, default=None)

    @property
    def board(self) -> int | None:
        """Hash board (1-4) this chain sits on, from the layout table; None if not a Hydro chain."""
        place = CHAIN_PLACES.get(self.chain)
        return place.board if place else None


class FanReading(_Frozen):
    """One fan slot (1-8) and its speed in r/min (0 = stopped or not connected)."""

    index: int
    rpm: int


class PoolReading(_Frozen):
    """One configured pool as the firmware reports it."""

    index: int
    url: str
    user: str
    status: str
    """``Alive``, ``Dead``, ``Disabled``, ``Rejecting`` or ``Unknown``."""
    priority: int
    accepted: int = 0
    rejected: int = 0
    stale: int = 0
    stratum_active: bool = False
    last_share_time: str = ""
    diff: str = ""

    @property
    def reject_rate(self) -> float:
        """Rejected / (accepted + rejected), 0 when no share was sent."""
        total = self.accepted + self.rejected
        return self.rejected / total if total else 0.0


class Totals(_Frozen):
    """Whole-machine figures."""

    elapsed_s: int | None = None
    """The miner's uptime (``Elapsed``); None when neither summary nor stats reported it."""
    ghs_5s: float | None = None
    ghs_avg: float | None = None
    ghs_ideal: float | None = None
    hw_errors: int = 0
    device_hw_pct: float | None = None
    accepted: int = 0
    rejected: int = 0
    frequency_mhz: float | None = None


class Problem(_Frozen):
    """A part of the snapshot that could not be read, with the reason (shown as evidence)."""

    source: str
    """What was being read, e.g. ``rpc stats`` or ``web get_kernel_log.cgi``."""
    message: str


class MinerSnapshot(_Frozen):
    """Everything read from one miner at one moment."""

    host: str
    taken_at: datetime
    identity: Identity | None = None
    chains: tuple[ChainReading, ...] = ()
    """One per expected Hydro chain (missing ones with ``asics=0``), plus any unexpected chain."""
    fans: tuple[FanReading, ...] = ()
    pools: tuple[PoolReading, ...] = ()
    totals: Totals | None = None
    kernel_log: tuple[str, ...] | None = None
    """Kernel log lines; None when the web UI was not read."""
    default_password_active: bool | None = None
    """True when root/root still logs in to the web UI; None when not checked."""
    problems: tuple[Problem, ...] = ()

    def chain(self, number: int) -> ChainReading | None:
        """The reading for API chain ``number``, or None when it is not in the snapshot."""
        return next((reading for reading in self.chains if reading.chain == number), None)
