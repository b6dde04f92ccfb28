"""The IP Report button against a loopback listener, and the serial console through pyserial."""

from __future__ import annotations

import asyncio
import socket
from typing import cast

import pytest
import serial

from commission.miner.fields import IP_REPORT_ACK, IP_REPORT_NACK
from commission.simulator import ManualClock, SimulatedMiner
from tests.simulator.conftest import MinerFactory


class _Listener(asyncio.DatagramProtocol):
    """A tiny IP Reporter: records datagrams and echoes the MAC when told to."""

    def __init__(self, echo: bytes | None) -> None:
        self.echo = echo
        self.received: list[bytes] = []
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received.append(data)
        if self.echo is not None and self.transport is not None and b"," in data:
            self.transport.sendto(self.echo, addr)


async def _listen(echo: bytes | None) -> tuple[asyncio.DatagramTransport, _Listener, int]:
    loop = asyncio.get_running_loop()
    transport, listener = await loop.create_datagram_endpoint(
        lambda: _Listener(echo), local_addr=("127.0.0.1", 0)
    )
    port = transport.get_extra_info("sockname")[1]
    return transport, listener, port


async def test_ip_report_stops_when_the_mac_is_echoed(make_miner: MinerFactory) -> None:
    transport, listener, port = await _listen(echo=None)
    try:
        miner = await make_miner(report_to=("127.0.0.1", port))
        listener.echo = miner.mac.encode() + b" received"
        assert await miner.press_ip_report() is True
        await asyncio.sleep(0.05)
    finally:
        transport.close()
    assert listener.received == [f"{miner.host},{miner.mac}".encode(), IP_REPORT_ACK]
    assert miner.mac == miner.mac.upper() and len(IP_REPORT_ACK) == 10


async def test_ip_report_repeats_five_times_then_gives_up(make_miner: MinerFactory) -> None:
    clock = ManualClock()
    transport, listener, port = await _listen(echo=None)
    try:
        miner = await make_miner(report_to=("127.0.0.1", port), clock=clock)
        press = asyncio.create_task(miner.press_ip_report())
        for _ in range(100):
            await asyncio.sleep(0.005)
            clock.advance(0.5)
            if press.done():
                break
        assert press.done() and press.result() is False
    finally:
        transport.close()
    assert listener.received == [f"{miner.host},{miner.mac}".encode()] * 5


async def test_ip_report_answers_a_wrong_echo_with_faild(make_miner: MinerFactory) -> None:
    clock = ManualClock()
    transport, listener, port = await _listen(echo=b"00:00:00:00:00:00")
    try:
        miner = await make_miner(report_to=("127.0.0.1", port), clock=clock)
        press = asyncio.create_task(miner.press_ip_report())
        for _ in range(10):
            await asyncio.sleep(0.02)
        listener.echo = miner.mac.encode()
        clock.advance(2.0)
        assert await asyncio.wait_for(press, 2) is True
    finally:
        transport.close()
    assert IP_REPORT_NACK in listener.received and listener.received[-1] == IP_REPORT_ACK


def _read_until(port: serial.Serial, marker: bytes, limit: int = 200) -> bytes:
    seen = b""
    for _ in range(limit):
        seen += port.read(4096)
        if marker in seen:
            break
    return seen


@pytest.mark.parametrize("transport", ["pty", "socket"])
async def test_console_is_readable_with_pyserial(transport: str) -> None:
    # The pty is what Linux and macOS get; the socket:// console is what Windows gets (no ptys).
    clock = ManualClock()
    async with SimulatedMiner(
        "chain-missing:7,pump-stopped", clock=clock, console=True, console_transport=transport
    ) as miner:
        assert miner.console_path is not None
        if transport == "socket":
            assert miner.console_path.startswith("socket://127.0.0.1:")
        port = serial.serial_for_url(miner.console_path, 115200, timeout=0.05)
        try:
            assert (port.baudrate, port.bytesize, port.parity, port.stopbits) == (115200, 8, "N", 1)
            for _ in range(20):
                clock.advance(0.5)
                await asyncio.sleep(0.01)
            boot = await asyncio.to_thread(_read_until, port, b"Chain[J14] has 18 asic")
            assert b"Chain[J7] has 0 asic" in boot and b"Starting the kernel" in boot
            for _ in range(120):
                clock.advance(5)
                await asyncio.sleep(0)
            await asyncio.sleep(0.05)
            later = await asyncio.to_thread(_read_until, port, b"Temperature is too high!")
            assert b"Fatal Error: Temperature is too high!" in later
        finally:
            port.close()


@pytest.mark.parametrize("transport", ["pty", "socket"])
async def test_a_console_nobody_reads_never_blocks(transport: str) -> None:
    async with SimulatedMiner(
        clock=ManualClock(), console=True, console_transport=transport
    ) as miner:
        for _ in range(400):
            miner.model.console("x" * 1000, miner.clock.now())
        miner.reboot()
        assert miner.console_path is not None


def test_rpc_and_web_ports_are_tcp_on_loopback() -> None:
    miner = SimulatedMiner(console=False)
    assert miner.host == "127.0.0.1" and socket.inet_aton(miner.host)


async def test_without_ptys_the_console_is_a_loopback_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What Windows gets: no pty, so "auto" offers a socket:// URL that pyserial opens.
    from commission.simulator import console as console_module

    monkeypatch.setattr(console_module, "pty_available", lambda: False)
    async with SimulatedMiner(clock=ManualClock(), console=True) as miner:
        assert miner.console_path is not None
        assert miner.console_path.startswith("socket://127.0.0.1:")
    with pytest.raises(ValueError, match="console transport 'serial'"):
        await console_module.open_console("127.0.0.1", "serial")
