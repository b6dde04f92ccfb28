"""IpReportListener on loopback with a hand-driven sender that behaves like the stock daemon."""

from __future__ import annotations

import asyncio
import socket

import pytest

from commission.errors import MinerProtocolError, UsageError
from commission.miner import fields
from commission.miner.ipreport import (
    IpReport,
    IpReportListener,
    UnreadableDatagram,
    is_acknowledgement,
    parse_report,
)


def test_parse_report() -> None:
    assert parse_report(b"192.168.1.189,c4:f3:12:b3:9f:fc") == (
        "192.168.1.189",
        "C4:F3:12:B3:9F:FC",
    )
    assert parse_report(b"10.0.0.2,C4:F3:12:B3:9F:FC\x00\x00") == ("10.0.0.2", "C4:F3:12:B3:9F:FC")


@pytest.mark.parametrize(
    ("datagram", "says"),
    [
        (b"192.168.1.189", "no comma"),
        (b"300.1.1.1,C4:F3:12:B3:9F:FC", "IPv4"),
        (b"10.0.0.1,C4:F3:12", "MAC"),
        (b"\xff\xfe,", "ASCII"),
        (b"x" * 100, "too long"),
    ],
)
def test_bad_reports_are_protocol_errors(datagram: bytes, says: str) -> None:
    with pytest.raises(MinerProtocolError, match=says):
        parse_report(datagram)


def test_acknowledgements_are_recognised() -> None:
    assert is_acknowledgement(fields.IP_REPORT_ACK)
    assert is_acknowledgement(fields.IP_REPORT_NACK)
    assert not is_acknowledgement(b"10.0.0.1,C4:F3:12:B3:9F:FC")


class _Miner(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.replies: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.replies.put_nowait(data)


async def test_report_is_echoed_acks_ignored_and_repeats_deduplicated() -> None:
    ticks = [0.0]
    async with IpReportListener(
        "127.0.0.1", 0, reply_port=None, monotonic=lambda: ticks[0]
    ) as listener:
        loop = asyncio.get_running_loop()
        transport, miner = await loop.create_datagram_endpoint(_Miner, local_addr=("127.0.0.1", 0))
        try:
            mac = "C4:F3:12:B3:9F:FC"
            report = f"127.0.0.1,{mac}".encode()
            transport.sendto(report, listener.address)
            event = await listener.next_event(timeout=2)
            assert isinstance(event, IpReport)
            assert (event.ip, event.mac) == ("127.0.0.1", mac)
            assert await asyncio.wait_for(miner.replies.get(), 2) == mac.encode()
            transport.sendto(fields.IP_REPORT_ACK, listener.address)  # the miner's "OK"
            ticks[0] = 2.0
            transport.sendto(report, listener.address)  # a repeat of the same press
            assert await asyncio.wait_for(miner.replies.get(), 2) == mac.encode()
            transport.sendto(b"hello", listener.address)
            unreadable = await listener.next_event(timeout=2)
            assert isinstance(unreadable, UnreadableDatagram)
            assert "no comma" in unreadable.reason
            ticks[0] = 20.0
            transport.sendto(report, listener.address)  # a new press later on
            again = await listener.next_event(timeout=2)
            assert isinstance(again, IpReport) and again.mac == mac
            assert listener.echoes == 3 and listener.acknowledgements == 1
        finally:
            transport.close()


async def test_echo_goes_to_port_14236_by_default() -> None:
    listener = IpReportListener("127.0.0.1", 0)
    assert listener.reply_port == fields.IP_REPORT_MINER_PORT


async def test_nothing_arrives_is_a_timeout() -> None:
    async with IpReportListener("127.0.0.1", 0) as listener:
        with pytest.raises(TimeoutError):
            await listener.next_event(timeout=0.05)


async def test_port_in_use_is_a_usage_error() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=f"UDP 127.0.0.1:{port}"):
            await IpReportListener("127.0.0.1", port).start()
