"""Sources in plain words: every source form the parsers, the client and the rules write."""

from __future__ import annotations

import pytest

from commission.miner import parse
from commission.miner.fields import describe_source, reads_supplying
from tests.verify.hydro_replies import hydro_replies, snapshot_of


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("rpc stats chain_acn2", "miner API, stats: chain 2 ASIC count"),
        ("rpc stats chain_acs14", "miner API, stats: chain 14 ASIC status"),
        ("rpc stats chain_rate7", "miner API, stats: chain 7 hash rate"),
        ("rpc stats chain_rateideal7", "miner API, stats: chain 7 ideal hash rate"),
        ("rpc stats chain_hw9", "miner API, stats: chain 9 hardware errors"),
        ("rpc stats temp2_7", "miner API, stats: chain 7 chip temperature"),
        ("rpc stats temp7", "miner API, stats: chain 7 board (PCB) temperature"),
        ("rpc stats temp_chip7", "miner API, stats: chain 7 chip temperatures"),
        ("rpc stats fan3", "miner API, stats: fan 3 speed"),
        ("rpc stats fan_num", "miner API, stats: number of fans turning"),
        ("rpc summary GHS 5s", "miner API, summary: hash rate (5-second average)"),
        ("rpc summary Device Hardware%", "miner API, summary: hardware error share"),
        ("rpc version Type", "miner API, version: model"),
        ("rpc version CompileTime", "miner API, version: firmware build date"),
        ("rpc pools[1] URL", "miner API, pools: pool 2 URL"),
        (
            "rpc pools[0] Status/Accepted/Rejected",
            "miner API, pools: pool 1 status, accepted shares, rejected shares",
        ),
        ("rpc devs", "miner API, devices"),
        ("rpc stats", "miner API, stats"),
        ("web get_kernel_log.cgi", "web UI, kernel log"),
        ("web get_system_info.cgi minertype", "web UI, system page: model"),
        ("web default password check", "web UI, login with the default password"),
        ("kernel log line 42", "kernel log, line 42"),
        ("console line 3", "serial console, line 3"),
        ("rpc stats temp6/temp2_6", "miner API, stats: chain 6 board (PCB) temperature, chain 6 chip temperature"),
        ("rpc stats mystery_key", "miner API, stats: field 'mystery_key'"),
        ("somewhere else", "somewhere else"),
    ],
)  # fmt: skip
def test_describe_source(source: str, words: str) -> None:
    assert describe_source(source) == words


def test_every_problem_source_of_a_hostile_read_reads_as_words() -> None:
    replies = hydro_replies()
    stats = replies["stats"]["STATS"][1]
    stats.update({"temp2_7": -83, "chain_acn4": "lots", "fan3": -1, "GHS 5s": 1e308})
    del stats["chain_acs9"]
    replies["pools"]["POOLS"][0]["Accepted"] = -5
    replies["system"]["minertype"] = "Antminer S9"
    replies["kernel_log"] = ""
    problems = snapshot_of(replies).problems
    assert len(problems) >= 8
    for problem in problems:
        words = describe_source(problem.source)
        assert words.startswith(("miner API, ", "web UI, ")), problem.source
        assert "field '" not in words, problem.source


def test_whole_reads_that_supply_each_group_of_readings() -> None:
    assert reads_supplying("chain.*.asics") == ("rpc stats",)
    assert reads_supplying("totals.ghs_5s") == ("rpc summary", "rpc stats", "rpc devs")
    assert reads_supplying("kernel_log") == ("web get_kernel_log.cgi",)
    assert reads_supplying("nothing.here") == ()


def test_shown_values_are_short() -> None:
    assert parse.shown("x" * 100).endswith("…") and len(parse.shown("x" * 100)) == 40
