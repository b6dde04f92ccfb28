"""The IP Report listener: find miners on the LAN by their IP Report button, on any OS.

When the button is held, the stock daemon broadcasts ``IP,MAC`` to UDP 14235 every 2 s until
somebody echoes its MAC back to port 14236; it then broadcasts a 10-byte ``OK`` (which listeners
ignore). This module owns the receiving side: parse and validate each datagram, echo the MAC to the
sender, ignore the miner's ``OK``/``FAILD`` acknowledgements, and report each miner once per press
(the repeats of one press are deduplicated). Datagrams that are not a report are reported too, as
:class:`UnreadableDatagram`, never dropped in silence.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Final

from commission.errors import MinerProtocolError, UsageError
from commission.miner import fields
from commission.miner.transport import excerpt

DEDUPE_SECONDS: Final = 10.0
"""Repeats of one (IP, MAC) within this long are the same button press (the miner gives up ~10 s)."""
MAX_DATAGRAM: Final = 64
_MAC: Final = re.compile(r"^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$")
_ACKS: Final = (fields.IP_REPORT_ACK.rstrip(b"\x00"), fields.IP_REPORT_NACK.rstrip(b"\x00"))


@dataclass(frozen=True)
class IpReport:
    """One miner that pressed its button."""

    ip: str
    mac: str
    """Upper-case ``XX:XX:XX:XX:XX:XX``."""
    sender: tuple[str, int]
    """The address the datagram came from."""
    received_at: datetime


@dataclass(frozen=True)
class UnreadableDatagram:
    """A datagram on the report port that is neither a report nor a miner's acknowledgement."""

    sender: tuple[str, int]
    reason: str
    received_at: datetime


IpReportEvent = IpReport | UnreadableDatagram


def is_acknowledgement(datagram: bytes) -> bool:
    """True for the miner's own ``OK``/``FAILD`` datagrams (NUL-padded to 10 bytes)."""
    return datagram.rstrip(b"\x00 \r\n") in _ACKS


def parse_report(datagram: bytes) -> tuple[str, str]:
    """``b"192.168.1.189,C4:F3:12:B3:9F:FC"`` -> (IP, upper-case MAC).

    Raises:
        MinerProtocolError: the datagram is not ``IPv4,MAC``; the message quotes it.
    """
    if len(datagram) > MAX_DATAGRAM:
        raise MinerProtocolError(f"{len(datagram)} bytes, too long for an IP report")
    try:
        text = datagram.rstrip(b"\x00").decode("ascii").strip()
    except UnicodeDecodeError:
        raise MinerProtocolError(f"not ASCII: {excerpt(datagram)!r}") from None
    ip, comma, mac = text.partition(",")
    if not comma:
        raise MinerProtocolError(f"no comma between IP and MAC: {excerpt(text)!r}")
    try:
        address = ipaddress.IPv4Address(ip.strip())
    except ValueError:
        raise MinerProtocolError(f"not an IPv4 address: {excerpt(ip)!r}") from None
    if not _MAC.match(mac.strip()):
        raise MinerProtocolError(f"not a MAC address: {excerpt(mac)!r}")
    return str(address), mac.strip().upper()


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, listener: IpReportListener) -> None:
        self.listener = listener

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.listener._received(data, (str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        self.listener._failed(exc)


class IpReportListener:
    """Listens for IP Report datagrams and yields each miner once per button press.

    Args:
        bind: local address to listen on (``0.0.0.0`` for the LAN, ``127.0.0.1`` in tests).
        port: UDP port (14235); 0 picks a free one (see :attr:`address`).
        reply_port: port the MAC is echoed to (14236, where the miner waits); None echoes to the
            port the datagram came from.
        dedupe_seconds: repeats of one (IP, MAC) within this long are not reported again.
        monotonic: clock for deduplication (tests pass their own).
    """

    def __init__(
        self,
        bind: str = "0.0.0.0",
        port: int = fields.IP_REPORT_LISTEN_PORT,
        *,
        reply_port: int | None = fields.IP_REPORT_MINER_PORT,
        dedupe_seconds: float = DEDUPE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bind = bind
        self.port = port
        self.reply_port = reply_port
        self.dedupe_seconds = dedupe_seconds
        self._monotonic = monotonic
        self._events: asyncio.Queue[IpReportEvent | OSError] = asyncio.Queue()
        self._seen: dict[tuple[str, str], float] = {}
        self._transport: asyncio.DatagramTransport | None = None
        self.echoes = 0
        """MAC echoes sent (one per report datagram, repeats included)."""
        self.acknowledgements = 0
        """``OK``/``FAILD`` datagrams seen and ignored."""

    def __repr__(self) -> str:
        return f"IpReportListener({self.bind!r}, port={self.port}, reply_port={self.reply_port})"

    @property
    def address(self) -> tuple[str, int]:
        """The bound (address, port); valid after :meth:`start`."""
        if self._transport is None:
            raise RuntimeError("the IP Report listener is not started")
        host, port = self._transport.get_extra_info("sockname")[:2]
        return str(host), int(port)

    async def start(self) -> None:
        """Bind the UDP port.

        Raises:
            UsageError: the port cannot be bound (in use, or not allowed).
        """
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Protocol(self), local_addr=(self.bind, self.port), allow_broadcast=True
            )
        except OSError as error:
            raise UsageError(
                f"cannot listen for IP reports on UDP {self.bind}:{self.port} "
                f"({error.strerror or error}); is another IP Reporter running?"
            ) from error
        self._transport = transport

    async def stop(self) -> None:
        """Close the socket."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    async def __aenter__(self) -> IpReportListener:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def _received(self, data: bytes, sender: tuple[str, int]) -> None:
        now = datetime.now(UTC)
        if is_acknowledgement(data):
            self.acknowledgements += 1
            return
        try:
            ip, mac = parse_report(data)
        except MinerProtocolError as error:
            self._events.put_nowait(UnreadableDatagram(sender, str(error), now))
            return
        if self._transport is not None:
            self._transport.sendto(mac.encode("ascii"), (sender[0], self.reply_port or sender[1]))
            self.echoes += 1
        key = (ip, mac)
        tick = self._monotonic()
        last = self._seen.get(key)
        self._seen[key] = tick
        if last is not None and tick - last < self.dedupe_seconds:
            return
        self._events.put_nowait(IpReport(ip, mac, sender, now))

    def _failed(self, error: Exception) -> None:
        self._events.put_nowait(error if isinstance(error, OSError) else OSError(str(error)))

    async def next_event(self, timeout: float | None = None) -> IpReportEvent:
        """The next new miner (or unreadable datagram).

        Raises:
            TimeoutError: nothing arrived within ``timeout`` seconds.
            UsageError: the socket reported an error (e.g. the network went away).
        """
        event = await asyncio.wait_for(self._events.get(), timeout)
        if isinstance(event, OSError):
            raise UsageError(f"IP Report listener on UDP {self.bind}:{self.port}: {event}")
        return event

    async def events(self) -> AsyncIterator[IpReportEvent]:
        """Every new miner and unreadable datagram, as they arrive, until the listener stops."""
        while self._transport is not None:
            yield await self.next_event()
