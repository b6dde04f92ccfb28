"""The numbers the rules judge against: the guide's limits and the tolerance bands we chose.

Every figure a rule compares with lives here, with where it comes from, so that a reviewer can
check them against the installation guide in one place and a test can pass tighter or looser
limits. Figures from the guide are marked "guide"; bands we chose say why.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Limits(BaseModel):
    """Limits and tolerance bands for the verification rules (all overridable, e.g. in tests)."""

    model_config = ConfigDict(frozen=True)

    miner_type: str = "Antminer S9 Hydro"
    """The type string the firmware prints for the model this checklist is for."""
    firmware_min_date: datetime = datetime(2018, 8, 20)
    """The guide's example status page runs file-system version 20180820 (guide 8.1); older
    builds are flagged for an upgrade (guide 8.2)."""

    nominal_ths: float = 18.0
    """Typical hash rate, TH/s (guide 1.2)."""
    max_ths: float = 18.4
    """Maximum hash rate, TH/s (guide 1.2). Not a failure when exceeded: the guide's own status
    page shows 18.47 TH/s real-time, so short-term readings above it are normal."""
    hashrate_pass_ratio: float = 0.95
    """Pass at >= 95 % of nominal (17.1 TH/s) and of the firmware's ideal rate. A healthy S9
    Hydro reads 18.0-18.5; 5 % covers the 5-second average's jitter."""
    hashrate_warn_ratio: float = 0.90
    """Between 90 % and 95 % warn (one weak chain costs about 8 %); below 90 % fail."""
    warmup_s: int = 300
    """Hash rate and share counts are judged only once the miner has run this long (Elapsed):
    bmminer finds chains, tunes frequencies and ramps up in the first minutes after a start."""

    hw_error_warn_pct: float = 0.01
    """Device Hardware% above this warns. The guide's healthy example reads 0.0001 %."""
    hw_error_fail_pct: float = 0.1
    """Device Hardware% above this fails: a board or chip is returning wrong nonces."""

    fans_required: int = 6
    """At least 6 fans on the four 4-pin headers and the split pair (guide 3, accessory table)."""
    fan_stalled_below_rpm: int = 600
    """A fitted fan reading below this is stalled or unplugged. The accessory table asks for fans
    rated >= 3,500 r/min, but that is the fan's rating at full duty: the guide's own status page
    shows 2,280 and 1,320 r/min at low duty on a healthy miner, so at run time we judge only
    "reporting and turning" and never compare against 3,500."""

    pcb_cutoff_c: float = 80.0
    """The firmware stops hashing when Temp(PCB) reaches 80 °C (guide 7)."""
    pcb_warn_c: float = 70.0
    """Board reading at or above this warns: 10 °C of margin left (the guide's example: 55)."""
    pcb_fail_c: float = 75.0
    """Board reading at or above this fails: within 5 °C of the cut-off."""
    chip_warn_c: float = 90.0
    """Chip reading at or above this warns (the guide's example: 70)."""
    chip_fail_c: float = 100.0
    """Chip reading at or above this fails."""
    board_spread_warn_c: float = 6.0
    """One board this much hotter than the median of the others warns (trapped air in its cold
    plate). The guide's healthy example spans 53-58 °C across boards."""
    board_spread_fail_c: float = 12.0
    """One board this much hotter than the others fails."""
    all_hot_pcb_c: float = 65.0
    """Every board at or above this (with a small spread) points at the loop: pump, flow, inlet."""

    pool_count: int = 3
    """The guide configures three pools with priorities 1 > 2 > 3 (guide 6)."""
    reject_warn_ratio: float = 0.01
    """Rejected shares above 1 % of sent shares warn."""
    reject_fail_ratio: float = 0.05
    """Rejected shares above 5 % fail (wrong worker, a pool far away, or bad hardware)."""

    soak_minutes: float = 20.0
    """The guide's commissioning run of the water loop lasts about 20 minutes (guide 3, note 5)."""
    soak_interval_s: float = 5.0
    """Seconds between soak samples."""
    soak_in_band_share: float = 0.9
    """During a soak at least 90 % of warmed-up samples must be in the hash-rate band."""
    soak_settle_window_s: float = 300.0
    """Temperatures have settled when the hottest board rose less than ``soak_settle_rise_c``
    over the last this-many seconds of the soak."""
    soak_settle_rise_c: float = 2.0
    """Allowed rise of the hottest board over the settle window, °C."""

    @property
    def nominal_ghs(self) -> float:
        """Nominal hash rate in GH/s (the unit the firmware reports)."""
        return self.nominal_ths * 1000.0

    @property
    def pcb_margin_c(self) -> float:
        """The margin to the cut-off that still passes (cut-off minus the warn level)."""
        return self.pcb_cutoff_c - self.pcb_warn_c


DEFAULT_LIMITS = Limits()
