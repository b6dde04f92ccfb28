"""Frozen data for TUI tests: the guide's own status page as a snapshot, and a client that serves it.

The figures are the ones printed on the guide's example status page (section 7), so screenshots
of the dashboard look like the real thing and never change between runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from commission.miner.layout import CHAINS
from commission.miner.models import (
    ChainReading,
    FanReading,
    Identity,
    MinerSnapshot,
    PoolReading,
    Totals,
)

FROZEN_AT = datetime(2026, 1, 15, 9, 30, 0, tzinfo=UTC)

# chain: (MHz, ideal GH/s, real GH/s, HW, PCB, chip) from the guide's status page.
_GUIDE_CHAINS = {
    2: (744.0, 1528.0, 1548.49, 1, (55, 55, 52), (70, 70, 67)),
    3: (748.0, 1538.0, 1543.77, 0, (55, 58, 53), (70, 73, 68)),
    4: (735.0, 1510.0, 1541.00, 0, (54, 55, 51), (69, 70, 66)),
    6: (749.0, 1538.0, 1505.42, 0, (55, 57, 53), (70, 72, 68)),
    7: (749.0, 1538.0, 1533.25, 0, (55, 57, 53), (70, 72, 68)),
    8: (749.0, 1538.0, 1544.71, 0, (55, 57, 53), (70, 72, 68)),
    9: (749.0, 1538.0, 1545.21, 0, (55, 55, 52), (70, 70, 67)),
    10: (743.0, 1526.0, 1492.42, 0, (55, 55, 52), (70, 70, 67)),
    11: (750.0, 1539.0, 1558.42, 1, (55, 58, 53), (70, 73, 68)),
    12: (749.0, 1537.0, 1544.90, 0, (55, 58, 53), (70, 73, 68)),
    13: (743.0, 1526.0, 1563.64, 2, (54, 53, 51), (69, 70, 66)),
    14: (735.0, 1510.0, 1524.70, 0, (54, 55, 51), (69, 70, 66)),
}


def guide_snapshot(missing: Sequence[int] = (), host: str = "127.0.0.1") -> MinerSnapshot:
    """The guide's status page as a snapshot; chains in ``missing`` read as absent."""
    chains = []
    for chain in CHAINS:
        freq, ideal, real, hw, pcb, chip = _GUIDE_CHAINS[chain]
        if chain in missing:
            chains.append(ChainReading(chain=chain, asics=0))
            continue
        chains.append(
            ChainReading(
                chain=chain,
                asics=18,
                asic_status=" oooooooo oooooooo oo",
                frequency_mhz=freq,
                rate_ideal_ghs=ideal,
                rate_ghs=real,
                hw_errors=hw,
                temps_pcb=tuple(float(value) for value in pcb),
                temps_chip=tuple(float(value) for value in chip),
            )
        )
    real_total = sum(reading.rate_ghs or 0.0 for reading in chains)
    return MinerSnapshot(
        host=host,
        taken_at=FROZEN_AT,
        identity=Identity(miner_type="Antminer S9 Hydro", compile_time="Mon Aug 20 2018"),
        chains=tuple(chains),
        fans=tuple(
            FanReading(index=index, rpm=rpm)
            for index, rpm in enumerate((2280, 2280, 2280, 2280, 1320, 2280, 0, 0), start=1)
        ),
        pools=(
            PoolReading(
                index=0,
                url="stratum+tcp://solo.antpool.com:3333",
                user="antminer_1",
                status="Alive",
                priority=0,
                accepted=99,
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
                status="Dead",
                priority=2,
            ),
        ),
        totals=Totals(
            elapsed_s=915,
            ghs_5s=round(real_total, 2),
            ghs_avg=18514.42,
            ghs_ideal=18000.0,
            hw_errors=4,
            device_hw_pct=0.0001,
            accepted=99,
        ),
    )
