"""Hand-built snapshots for rule tests: the guide's healthy status page, and ways to break it."""

from __future__ import annotations

from datetime import UTC, datetime

from commission.miner.layout import ASICS_PER_CHAIN, CHAINS
from commission.miner.models import (
    ChainReading,
    FanReading,
    Identity,
    MinerSnapshot,
    PoolReading,
    Totals,
)

TAKEN_AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
HEALTHY_STATUS = " oooooooo oooooooo oo"


def chain(number: int, **changes: object) -> ChainReading:
    """A healthy chain as on the guide's status page (18 ASICs, ~1,538 GH/s, 55 / 70 deg C)."""
    values: dict[str, object] = {
        "chain": number,
        "asics": ASICS_PER_CHAIN,
        "asic_status": HEALTHY_STATUS,
        "frequency_mhz": 749.0,
        "rate_ideal_ghs": 1500.0,
        "rate_ghs": 1540.0,
        "hw_errors": 0,
        "temps_pcb": (55.0, 55.0, 52.0),
        "temps_chip": (70.0, 70.0, 67.0),
    }
    values.update(changes)
    return ChainReading.model_validate(values)


def missing_chain(number: int) -> ChainReading:
    """A chain whose PCIe connector is unplugged: no ASICs, no rate, no temperatures."""
    return ChainReading(chain=number, asics=0, asic_status="", rate_ideal_ghs=0.0, rate_ghs=None)


def healthy(**changes: object) -> MinerSnapshot:
    """A healthy S9 Hydro after 15 minutes, with the default password still active."""
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "taken_at": TAKEN_AT,
        "identity": Identity(
            miner_type="Antminer S9 Hydro",
            compile_time="Mon Aug 20 11:12:13 CST 2018",
            firmware_date=datetime(2018, 8, 20, 11, 12, 13),
            mac="C4:F3:12:B3:9F:FC",
        ),
        "chains": tuple(chain(n) for n in CHAINS),
        "fans": tuple(
            FanReading(index=i, rpm=rpm)
            for i, rpm in enumerate((2280, 2280, 2280, 2280, 1320, 2280, 0, 0), start=1)
        ),
        "pools": (
            PoolReading(
                index=0,
                url="stratum+tcp://solo.antpool.com:3333",
                user="antminer_1",
                status="Alive",
                priority=0,
                accepted=99,
                rejected=0,
                stratum_active=True,
            ),
            PoolReading(
                index=1,
                url="stratum+tcp://stratum.antpool.com:3333",
                user="antminer_1",
                status="Alive",
                priority=1,
            ),
            PoolReading(
                index=2,
                url="stratum+tcp://cn.ss.btc.com:3333",
                user="antminer.1",
                status="Alive",
                priority=2,
            ),
        ),
        "totals": Totals(
            elapsed_s=915,
            ghs_5s=18465.93,
            ghs_avg=18514.42,
            ghs_ideal=18000.0,
            hw_errors=4,
            device_hw_pct=0.0001,
            accepted=99,
        ),
        "kernel_log": ("Chain[J2] has 18 asic", "FAN PWM: 40"),
        "default_password_active": True,
    }
    values.update(changes)
    return MinerSnapshot.model_validate(values)


def with_chains(snapshot: MinerSnapshot, **replacements: ChainReading) -> MinerSnapshot:
    """``snapshot`` with chains replaced, e.g. ``with_chains(s, c7=missing_chain(7))``."""
    by_number = {int(key.lstrip("c")): value for key, value in replacements.items()}
    chains = tuple(by_number.get(r.chain, r) for r in snapshot.chains)
    return snapshot.model_copy(update={"chains": chains})
