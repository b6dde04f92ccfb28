"""StockMinerClient, the IP Report listener and the console reader against the simulator, on
loopback: real TCP, real HTTP Digest, real UDP, a real pty."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from commission.errors import MinerAuthError, MinerUnreachable
from commission.miner.client import MinerClient, PoolSetting, StockMinerClient
from commission.miner.console import ConsoleReader
from commission.miner.fields import FATAL_TEMPERATURE
from commission.miner.ipreport import IpReport, IpReportListener
from commission.miner.layout import ASICS_PER_CHAIN, CHAINS
from commission.miner.parse import fatal_lines
from commission.simulator import SimulatedMiner
from commission.simulator.clock import ManualClock

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def stock_client(miner: SimulatedMiner, **kwargs: object) -> StockMinerClient:
    host, api_port = miner.api_address
    return StockMinerClient(
        host, api_port=api_port, web_port=miner.web_address[1], timeout=2.0,
        clock=lambda: NOW, **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.fixture
async def healthy() -> AsyncIterator[SimulatedMiner]:
    async with SimulatedMiner(seed=1) as miner:
        yield miner


async def test_client_satisfies_the_protocol(healthy: SimulatedMiner) -> None:
    client = stock_client(healthy)
    assert isinstance(client, MinerClient)
    await client.aclose()


async def test_snapshot_of_a_healthy_miner(healthy: SimulatedMiner) -> None:
    client = stock_client(healthy)
    try:
        snapshot = await client.snapshot()
    finally:
        await client.aclose()
    assert snapshot.problems == ()
    assert snapshot.taken_at == NOW
    assert snapshot.identity is not None
    assert snapshot.identity.miner_type == "Antminer S9 Hydro"
    assert snapshot.identity.firmware_date is not None
    assert snapshot.identity.mac == healthy.mac
    assert [chain.chain for chain in snapshot.chains] == list(CHAINS)
    assert all(chain.asics == ASICS_PER_CHAIN for chain in snapshot.chains)
    assert all(chain.failed_asics == 0 for chain in snapshot.chains)
    assert all(chain.temps_pcb and chain.temps_chip for chain in snapshot.chains)
    assert sum(1 for fan in snapshot.fans if fan.rpm > 0) >= 6
    assert len(snapshot.pools) == 3
    assert snapshot.totals is not None and snapshot.totals.ghs_ideal
    assert 17000 < snapshot.totals.ghs_ideal < 19500  # a freshly started miner hashes 0 yet
    assert snapshot.kernel_log
    assert snapshot.default_password_active is True


async def test_snapshot_without_web_reads_only_rpc(healthy: SimulatedMiner) -> None:
    client = stock_client(healthy)
    snapshot = await client.snapshot(web=False)
    await client.aclose()
    assert snapshot.kernel_log is None and snapshot.default_password_active is None
    assert snapshot.identity is not None and snapshot.identity.mac is None
    assert len(snapshot.chains) == len(CHAINS)


async def test_missing_chain_and_old_firmware() -> None:
    async with SimulatedMiner("chain-missing:7,old-firmware", seed=2) as miner:
        client = stock_client(miner)
        snapshot = await client.snapshot()
        await client.aclose()
    seven = snapshot.chain(7)
    assert seven is not None and seven.asics == 0 and not seven.present
    others = [chain for chain in snapshot.chains if chain.chain != 7]
    assert all(chain.asics == ASICS_PER_CHAIN and chain.temps_pcb for chain in others)


async def test_changed_password_is_seen_and_web_problems_are_recorded() -> None:
    async with SimulatedMiner("password-changed", seed=3) as miner:
        client = stock_client(miner)
        snapshot = await client.snapshot()
        assert snapshot.default_password_active is False
        assert snapshot.kernel_log is None
        assert {p.source for p in snapshot.problems} >= {"web get_kernel_log.cgi"}
        assert len(snapshot.chains) == len(CHAINS)  # RPC still read in full
        with pytest.raises(MinerAuthError):
            await client.kernel_log()
        await client.aclose()
        right = stock_client(miner, web_password=SecretStr(miner.web_password))
        snapshot = await right.snapshot()
        await right.aclose()
    assert snapshot.problems == ()
    assert snapshot.default_password_active is False


async def test_change_password_round_trip(healthy: SimulatedMiner) -> None:
    client = stock_client(healthy)
    assert await client.default_password_active() is True
    await client.change_password("root", "Hydro-2024!")
    assert await client.default_password_active() is False
    assert healthy.web_password == "Hydro-2024!"
    assert len(await client.kernel_log()) > 0  # later reads use the new password
    with pytest.raises(MinerAuthError):
        await client.change_password("wrong", "other")
    await client.aclose()


async def test_apply_pools_changes_what_pools_reports(healthy: SimulatedMiner) -> None:
    healthy.restart_seconds = 0.2
    client = stock_client(healthy)
    pools = [
        PoolSetting(url="stratum+tcp://pool-a.example:3333", user="site1.rack4", password=SecretStr("x")),
        PoolSetting(url="stratum+tcp://pool-b.example:443", user="site1.rack4", password=SecretStr("x")),
        PoolSetting(url="stratum+tcp://pool-c.example:25", user="site1.rack4", password=SecretStr("x")),
    ]  # fmt: skip
    await client.apply_pools(pools)
    deadline = time.monotonic() + 5
    while True:
        try:
            snapshot = await client.snapshot(web=False)
            break
        except MinerUnreachable:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)
    await client.aclose()
    assert [(p.url, p.user) for p in snapshot.pools] == [(p.url, p.user) for p in pools]
    assert "x'" not in repr(pools) and "**********" in repr(pools[0])


async def test_api_down_is_unreachable() -> None:
    async with SimulatedMiner("api-down", seed=4) as miner:
        client = stock_client(miner)
        with pytest.raises(MinerUnreachable):
            await client.snapshot()
        await client.aclose()


async def test_slow_replies_past_the_timeout_are_unreachable_never_a_pass() -> None:
    async with SimulatedMiner("slow-replies:3", seed=5) as miner:
        host, port = miner.api_address
        client = StockMinerClient(host, api_port=port, web_port=miner.web_address[1], timeout=0.3)
        with pytest.raises(MinerUnreachable, match=r"within 0\.3 s"):
            await client.snapshot(web=False)
        await client.aclose()


async def test_split_replies_are_joined() -> None:
    async with SimulatedMiner("split-replies", seed=6) as miner:
        client = stock_client(miner)
        snapshot = await client.snapshot(web=False)
        await client.aclose()
    assert snapshot.problems == () and len(snapshot.chains) == len(CHAINS)


async def test_ip_report_round_trip() -> None:
    async with (
        IpReportListener("127.0.0.1", 0, reply_port=None) as listener,
        SimulatedMiner(
            seed=7, report_to=listener.address, ip_report_port=0, console=False
        ) as miner,
    ):
        pressed = asyncio.create_task(miner.press_ip_report())
        event = await listener.next_event(timeout=5)
        assert await asyncio.wait_for(pressed, 5) is True
    assert isinstance(event, IpReport)
    assert (event.ip, event.mac) == ("127.0.0.1", miner.mac)
    assert listener.acknowledgements == 1  # the miner's "OK" was seen and ignored
    assert listener.echoes == 1


async def test_console_reader_on_the_simulator_pty() -> None:
    # As on site: attach the console first, then power the miner up (pyserial drops whatever was
    # waiting in the input buffer when it opens the port).
    async with SimulatedMiner("chain-missing:9,pump-stopped", seed=8, reboot_seconds=0.1) as miner:
        assert miner.console_path is not None
        with ConsoleReader(miner.console_path) as reader:
            miner.reboot()
            deadline = time.monotonic() + 5
            while len(reader.chain_detections()) < len(CHAINS) and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            detections = reader.chain_detections()
            assert reader.error is None
    assert detections.get(9) == 0
    assert all(detections.get(chain) == ASICS_PER_CHAIN for chain in CHAINS if chain != 9)


async def test_pump_stopped_trip_reaches_console_and_kernel_log() -> None:
    clock = ManualClock()
    async with SimulatedMiner("pump-stopped", seed=9, clock=clock) as miner:
        assert miner.console_path is not None
        with ConsoleReader(miner.console_path) as reader:
            for _ in range(60):  # 30 simulated minutes
                clock.advance(30)
                await asyncio.sleep(0)
            client = stock_client(miner)
            lines = await client.kernel_log()
            await client.aclose()
            deadline = time.monotonic() + 5
            while not reader.fatal_lines() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            console_fatal = reader.fatal_lines()
    assert any(line == FATAL_TEMPERATURE for _, line in fatal_lines(lines))
    assert [line for _, line in console_fatal][:1] == [FATAL_TEMPERATURE]
