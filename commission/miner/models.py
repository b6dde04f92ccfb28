"""Typed snapshots of a miner: what the parsers produce and everything above the miner layer reads.

Nothing here knows a firmware field name; :mod:`commission.miner.parse` maps replies onto these
models. A snapshot is one moment; a soak keeps a series of them. Values the firmware did not report
are ``None`` where the model allows it, so a rule can tell "not read" from "read as 0". Every
reading that is missing, garbled, implausible or contradicted is also named in
``MinerSnapshot.problems`` by its :class:`FieldKey`: a reading with a problem is not to be judged
(see :meth:`MinerSnapshot.usable`), whatever value the model holds for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Final, Literal

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


class FieldKey:
    """Names of the readings in a snapshot, so a problem and a rule can name the same reading.

    A key is a dotted path such as ``chain.7.asics`` or ``totals.ghs_5s``; a rule declares the keys
    it reads as patterns (``chain.*.asics``), and a problem carries the key of the reading it spoils.
    These are our names, not the firmware's: :mod:`commission.miner.fields` maps firmware fields
    onto them.
    """

    ELAPSED: Final = "totals.elapsed"
    GHS_5S: Final = "totals.ghs_5s"
    GHS_AVG: Final = "totals.ghs_avg"
    GHS_IDEAL: Final = "totals.ghs_ideal"
    HW_ERRORS: Final = "totals.hw_errors"
    DEVICE_HW_PCT: Final = "totals.device_hw_pct"
    ACCEPTED: Final = "totals.accepted"
    REJECTED: Final = "totals.rejected"
    FREQUENCY: Final = "totals.frequency"
    MODEL: Final = "identity.model"
    FIRMWARE_DATE: Final = "identity.firmware_date"
    CHAIN_LAYOUT: Final = "chains.layout"
    """The set of chain positions (exactly the Hydro's 12)."""
    FAN_COUNT: Final = "fans.count"
    KERNEL_LOG: Final = "kernel_log"
    WEB_LOGIN: Final = "web.login"

    @staticmethod
    def chain(chain: int, part: str) -> str:
        """One reading of one chain: ``asics``, ``asic_status``, ``rate``, ``rate_ideal``,
        ``hw_errors``, ``frequency``."""
        return f"chain.{chain}.{part}"

    @staticmethod
    def sensor(chain: int, kind: str, position: int) -> str:
        """One temperature sensor of a chain: ``kind`` is ``temp_pcb`` or ``temp_chip``, 1-based."""
        return f"chain.{chain}.{kind}.{position}"

    @staticmethod
    def board(board: int, kind: str) -> str:
        """One hash board's temperature, ``kind`` ``temp_pcb`` or ``temp_chip`` (spoilt only when
        none of the board's sensors of that kind gives a usable reading)."""
        return f"board.{board}.{kind}"

    @staticmethod
    def fan(index: int) -> str:
        return f"fan.{index}"

    @staticmethod
    def pool(index: int, part: str) -> str:
        """One reading of one pool (0-based index as the firmware numbers pools)."""
        return f"pool.{index}.{part}"


ProblemKind = Literal["unread", "missing", "garbage", "implausible", "inconsistent"]
"""Why a reading cannot be used: its command was not read at all, the field was absent, its value
could not be decoded, it is out of the plausible range, or it contradicts another reading."""


class Problem(_Frozen):
    """A reading (or a whole read) that cannot be trusted, with the reason (shown as evidence)."""

    source: str
    """Where it came from, e.g. ``rpc stats temp2_7`` (a field) or ``rpc stats`` (a whole read);
    :func:`commission.miner.fields.describe_source` says it in plain words."""
    message: str
    """Why it cannot be used, e.g. ``below the plausible -10 to 150 °C``."""
    field: str = ""
    """The :class:`FieldKey` of the reading it spoils; empty when a whole read failed."""
    value: str | None = None
    """The raw value as received (shortened), None when there was no value."""
    kind: ProblemKind = "unread"


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

    def problems_with(self, patterns: Iterable[str]) -> tuple[Problem, ...]:
        """The field problems whose key matches any of ``patterns`` (``chain.*.asics``)."""
        wanted = tuple(patterns)
        return tuple(
            problem
            for problem in self.problems
            if problem.field and any(fnmatchcase(problem.field, pattern) for pattern in wanted)
        )

    def usable(self, key: str) -> bool:
        """True when no problem spoils the reading ``key`` (it may still be absent: check None)."""
        return not any(problem.field == key for problem in self.problems)
