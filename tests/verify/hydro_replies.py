"""A healthy S9 Hydro as wire replies, parsed and cross-checked like the client does it.

The shapes are those of the real captures in tests/fixtures/samples (stock 2019 S9 stats, pools,
version), filled in for the Hydro's 12 chains of 18 ASICs; tests change one field at a time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from commission.miner import parse
from commission.miner.layout import CHAINS
from commission.miner.models import MinerSnapshot

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"
TAKEN_AT = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
CHAIN_RATE = 1538.83
STATUS_18 = " oooooooo oooooooo oo"


def hydro_replies() -> dict[str, Any]:
    """A healthy S9 Hydro's replies: version, summary, stats, pools, web system info, kernel log."""
    device: dict[str, Any] = {
        "STATS": 0, "ID": "BC50", "Elapsed": 915, "GHS 5s": f"{CHAIN_RATE * 12:.2f}",
        "GHS av": 18400.12, "miner_count": 12, "frequency": 749, "fan_num": 6,
        "temp_num": 12, "total_rateideal": 18000.0, "total_freqavg": 749.0,
        "Device Hardware%": 0.0001, "no_matching_work": 4,
    }  # fmt: skip
    for index in range(1, 9):
        device[f"fan{index}"] = 2280 if index <= 6 else 0
    for n in range(1, 17):
        on = n in CHAINS
        device[f"temp{n}"] = 55 if on else 0
        device[f"temp2_{n}"] = 70 if on else 0
        device[f"temp3_{n}"] = 0
        device[f"freq_avg{n}"] = 749.0 if on else 0.0
        device[f"chain_rateideal{n}"] = 1500.0 if on else 0.0
        device[f"chain_acn{n}"] = 18 if on else 0
        device[f"chain_acs{n}"] = STATUS_18 if on else ""
        device[f"chain_hw{n}"] = (1 if n in (2, 3, 4, 6) else 0) if on else 0
        device[f"chain_rate{n}"] = f"{CHAIN_RATE:.2f}" if on else ""
    head = {"BMMiner": "2.0.0", "Miner": "16.8.1.3", "CompileTime": "Mon Aug 20 11:12:13 CST 2018",
            "Type": "Antminer S9 Hydro"}  # fmt: skip
    pool = {"POOL": 0, "URL": "stratum+tcp://solo.antpool.com:3333", "Status": "Alive",
            "Priority": 0, "Accepted": 99, "Rejected": 0, "Stale": 0, "User": "antminer_1",
            "Stratum Active": True}  # fmt: skip
    pools = [
        pool,
        {**pool, "POOL": 1, "Priority": 1, "URL": "stratum+tcp://stratum.antpool.com:3333",
         "Accepted": 0, "Stratum Active": False},
        {**pool, "POOL": 2, "Priority": 2, "URL": "stratum+tcp://cn.ss.btc.com:3333",
         "Accepted": 0, "Stratum Active": False},
    ]  # fmt: skip
    return {
        "version": {"STATUS": [{"STATUS": "S"}], "VERSION": [{**head, "API": "3.1"}]},
        "summary": {
            "STATUS": [{"STATUS": "S"}],
            "SUMMARY": [
                {
                    "Elapsed": 915,
                    "GHS 5s": device["GHS 5s"],
                    "GHS av": 18400.12,
                    "Accepted": 99,
                    "Rejected": 0,
                    "Hardware Errors": 4,
                    "Device Hardware%": 0.0001,
                }
            ],
        },
        "stats": {"STATUS": [{"STATUS": "S"}], "STATS": [head, device]},
        "pools": {"STATUS": [{"STATUS": "S"}], "POOLS": pools},
        "system": {
            "minertype": "Antminer S9 Hydro",
            "macaddr": "C4:F3:12:B3:9F:FC",
            "system_filesystem_version": "20180820",
        },
        "kernel_log": "Linux version 3.14.0\nChain[J2] has 18 asic\nFAN PWM: 40\n",
    }


def device(replies: dict[str, Any]) -> dict[str, Any]:
    """The ``STATS[1]`` object of the replies (to change in place)."""
    stats: dict[str, Any] = replies["stats"]["STATS"][1]
    return stats


def summary(replies: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = replies["summary"]["SUMMARY"][0]
    return result


def snapshot_of(replies: dict[str, Any]) -> MinerSnapshot:
    pools, pool_problems = parse.parse_pools(replies["pools"])
    return parse.assemble(
        "127.0.0.1",
        TAKEN_AT,
        identity=parse.parse_version(replies["version"]),
        summary=parse.parse_summary(replies["summary"]),
        stats=parse.parse_stats(replies["stats"]),
        pools=pools,
        web=[parse.parse_system_info(replies["system"])],
        kernel_log=parse.parse_kernel_log(replies["kernel_log"]),
        default_password_active=False,
        problems=pool_problems,
    )
