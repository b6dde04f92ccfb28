"""Every fault scenario shows up on the wire the way the real fault would."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from commission.miner.fields import FATAL_TEMPERATURE
from commission.miner.layout import chains_of_board
from commission.simulator import ManualClock, SimulatedMiner
from tests.simulator.conftest import MinerFactory, repair, rpc_json, rpc_raw

SOAK_SECONDS = 20 * 60


async def _stats(miner: SimulatedMiner) -> dict[str, object]:
    reply = await rpc_json(miner, "stats")
    device: dict[str, object] = reply["STATS"][1]
    return device


async def _kernel_log(miner: SimulatedMiner) -> str:
    host, port = miner.web_address
    auth = httpx.DigestAuth(miner.web_user, miner.web_password)
    async with httpx.AsyncClient(auth=auth) as client:
        response = await client.get(f"http://{host}:{port}/cgi-bin/get_kernel_log.cgi")
    assert response.status_code == 200
    return response.text


def _pcb_max(stats: dict[str, object]) -> int:
    return max(int(str(stats[f"temp{n}"])) for n in range(1, 17))


async def test_chain_missing_reports_no_asics_and_logs_it(make_miner: MinerFactory) -> None:
    miner = await make_miner("chain-missing:7")
    stats = await _stats(miner)
    assert (stats["chain_acn7"], stats["chain_acs7"], stats["chain_rate7"]) == (0, "", "")
    assert stats["temp_pcb7"] == "NaN-NaN-NaN" and "chain_xtime7" not in stats
    assert stats["total_acn"] == 11 * 18 and stats["miner_count"] == 11
    log = await _kernel_log(miner)
    assert "Chain[J7] has 0 asic" in log and "Chain[J8] has 18 asic" in log


async def test_board_missing_takes_its_three_chains(make_miner: MinerFactory) -> None:
    miner = await make_miner("board-missing:2")
    stats = await _stats(miner)
    for chain in chains_of_board(2):
        assert stats[f"chain_acn{chain}"] == 0
    assert stats["total_acn"] == 9 * 18


async def test_asics_missing_shortens_the_chain(make_miner: MinerFactory) -> None:
    miner = await make_miner("asics-missing:9:3")
    stats = await _stats(miner)
    assert stats["chain_acn9"] == 15
    assert stats["chain_acs9"] == " oooooooo ooooooo"
    assert float(str(stats["chain_rateideal9"])) < float(str(stats["chain_rateideal10"])) * 0.9
    assert "Chain[J9] has 15 asic" in await _kernel_log(miner)


async def test_asic_failed_puts_an_x_in_the_status_string(make_miner: MinerFactory) -> None:
    miner = await make_miner("asic-failed:12")
    stats = await _stats(miner)
    assert str(stats["chain_acs12"]).count("x") == 1 and stats["chain_acn12"] == 18
    assert "x" not in str(stats["chain_acs11"])


async def test_fan_stalled_reads_zero(make_miner: MinerFactory) -> None:
    miner = await make_miner("fan-stalled:3,fan-stalled:5")
    stats = await _stats(miner)
    assert [stats[f"fan{n}"] == 0 for n in range(1, 9)] == [
        False, False, True, False, True, False, True, True,
    ]  # fmt: skip
    assert stats["fan_num"] == 4


async def test_with_fewer_than_two_fans_bmminer_stops_with_fan_lost(
    make_miner: MinerFactory,
) -> None:
    clock = ManualClock()
    stalled = ",".join(f"fan-stalled:{n}" for n in (1, 2, 3, 4, 5))
    miner = await make_miner(stalled, clock=clock)
    clock.advance(120)
    stats = await _stats(miner)
    assert stats["fan_num"] == 1 and stats["GHS 5s"] == "0.000000"
    assert "Fatal Error: Fan lost!" in await _kernel_log(miner)


@pytest.mark.parametrize("scenario", ["pump-stopped", "inlet-too-warm"])
async def test_overheating_trips_at_80_and_stops_hashing(
    make_miner: MinerFactory, scenario: str
) -> None:
    clock = ManualClock()
    miner = await make_miner(scenario, clock=clock)
    readings = []
    tripped = False
    for _ in range(60):
        clock.advance(10)
        stats = await _stats(miner)
        readings.append((_pcb_max(stats), float(str(stats["GHS 5s"]))))
        tripped = FATAL_TEMPERATURE in await _kernel_log(miner)
        if tripped:
            break
    assert tripped, readings
    assert miner.model.stopped_at is not None
    assert max(pcb for pcb, _ in readings[:-1]) >= 75, readings
    assert readings[-1][1] == 0.0, "hashing should stop at the trip"
    pcbs = [pcb for pcb, _ in readings[:-1]]
    assert pcbs == sorted(pcbs), "temperatures should keep climbing until the trip"


async def test_healthy_soak_stays_cool_and_never_trips(make_miner: MinerFactory) -> None:
    clock = ManualClock()
    miner = await make_miner(clock=clock)
    started = time.perf_counter()
    for _ in range(SOAK_SECONDS // 60):
        clock.advance(60)
        stats = await _stats(miner)
        assert _pcb_max(stats) < 62
    assert time.perf_counter() - started < 5
    assert 17_500 < float(str(stats["GHS 5s"])) < 19_000
    assert FATAL_TEMPERATURE not in await _kernel_log(miner)


async def test_air_trapped_heats_one_board(make_miner: MinerFactory) -> None:
    clock = ManualClock()
    miner = await make_miner("air-trapped:3", clock=clock)
    clock.advance(900)
    stats = await _stats(miner)
    hot = [int(str(stats[f"temp{c}"])) for c in chains_of_board(3)]
    cool = [int(str(stats[f"temp{c}"])) for c in chains_of_board(1)]
    assert min(hot) >= max(cool) + 8, (hot, cool)
    assert max(hot) < 80


async def test_pool_dead_fails_over_to_pool_1(make_miner: MinerFactory) -> None:
    clock = ManualClock()
    miner = await make_miner("pool-dead", clock=clock)
    clock.advance(300)
    pools = (await rpc_json(miner, "pools"))["POOLS"]
    assert [pool["Status"] for pool in pools] == ["Dead", "Alive", "Alive"]
    assert [pool["Stratum Active"] for pool in pools] == [False, True, False]
    assert pools[1]["Accepted"] > 0


async def test_all_pools_dead_means_no_hash_rate(make_miner: MinerFactory) -> None:
    clock = ManualClock()
    miner = await make_miner("all-pools-dead", clock=clock)
    clock.advance(300)
    pools = (await rpc_json(miner, "pools"))["POOLS"]
    assert {pool["Status"] for pool in pools} == {"Dead"}
    assert (await rpc_json(miner, "summary"))["SUMMARY"][0]["GHS 5s"] == "0.000000"
    assert "Fatal Error: network connection lost!" in await _kernel_log(miner)


async def test_worker_unset_leaves_users_empty(make_miner: MinerFactory) -> None:
    miner = await make_miner("worker-unset")
    pools = (await rpc_json(miner, "pools"))["POOLS"]
    assert [pool["User"] for pool in pools] == ["", "", ""]


async def test_low_hashrate_is_well_below_ideal(make_miner: MinerFactory) -> None:
    clock = ManualClock()
    miner = await make_miner("low-hashrate", clock=clock)
    clock.advance(600)
    stats = await _stats(miner)
    assert float(str(stats["GHS 5s"])) < 0.88 * float(str(stats["total_rateideal"]))


async def test_hw_errors_grow_fast(make_miner: MinerFactory) -> None:
    clock = ManualClock()
    healthy = await make_miner(clock=clock)
    faulty = await make_miner("hw-errors", clock=clock)
    clock.advance(600)
    good = (await rpc_json(healthy, "summary"))["SUMMARY"][0]
    bad = (await rpc_json(faulty, "summary"))["SUMMARY"][0]
    assert bad["Hardware Errors"] > 1000 > good["Hardware Errors"]
    assert bad["Device Hardware%"] > 0.1


async def test_api_down_refuses_connections(make_miner: MinerFactory) -> None:
    miner = await make_miner("api-down")
    with pytest.raises(ConnectionRefusedError):
        await rpc_raw(miner.api_address, b'{"command":"summary"}')
    assert (await _kernel_log(miner)).startswith("[")


async def test_slow_replies_arrive_late(make_miner: MinerFactory) -> None:
    miner = await make_miner("slow-replies:0.4")
    started = time.perf_counter()
    reply = await rpc_raw(miner.api_address, b'{"command":"summary"}')
    assert time.perf_counter() - started >= 0.4
    assert repair(reply)["STATUS"][0]["Code"] == 11
    with pytest.raises(TimeoutError):
        await rpc_raw(miner.api_address, b'{"command":"summary"}', timeout=0.1)


async def test_slow_replies_default_is_past_a_five_second_timeout() -> None:
    miner = SimulatedMiner("slow-replies", clock=ManualClock(), console=False)
    assert miner.faults.delay_seconds > 5


async def test_split_replies_come_in_several_pieces(make_miner: MinerFactory) -> None:
    miner = await make_miner("split-replies")
    reader, writer = await asyncio.open_connection(*miner.api_address)
    writer.write(b'{"command":"stats"}')
    pieces = []
    while chunk := await reader.read(65536):
        pieces.append(chunk)
    writer.close()
    assert len(pieces) >= 3
    assert repair(b"".join(pieces))["STATS"][1]["ID"] == "BC50"


async def test_old_firmware_has_an_old_build_and_no_dash_temperatures(
    make_miner: MinerFactory,
) -> None:
    miner = await make_miner("old-firmware")
    version = (await rpc_json(miner, "version"))["VERSION"][0]
    assert version["CompileTime"].endswith("2017")
    stats = await _stats(miner)
    assert not any(key.startswith(("temp_pcb", "temp_chip")) for key in stats)
    assert isinstance(stats["frequency"], str)


async def test_password_changed_refuses_root_root(make_miner: MinerFactory) -> None:
    miner = await make_miner("password-changed")
    assert miner.web_password != "root"
    host, port = miner.web_address
    url = f"http://{host}:{port}/cgi-bin/get_system_info.cgi"
    async with httpx.AsyncClient() as client:
        refused = await client.get(url, auth=httpx.DigestAuth("root", "root"))
        allowed = await client.get(url, auth=httpx.DigestAuth("root", miner.web_password))
    assert refused.status_code == 401 and allowed.status_code == 200


async def test_the_same_seed_gives_the_same_numbers(make_miner: MinerFactory) -> None:
    clock = ManualClock()
    first = await make_miner(seed=4, clock=clock)
    second = await make_miner(seed=4, clock=clock)
    other = await make_miner(seed=5, clock=clock)
    clock.advance(400)
    one, two, three = await _stats(first), await _stats(second), await _stats(other)
    assert one == two
    assert one != three
