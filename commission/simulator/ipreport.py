"""The IP Report button: ``IP,MAC`` datagrams until a listener echoes the MAC, then ``OK``.

The stock daemon sends from UDP port 14236 to port 14235, waits up to 2 s for a reply after each
datagram, gives up after 5 silent windows, answers a reply that starts with its MAC with a 10-byte
``OK`` and any other reply with ``FAILD`` (then keeps sending). Waiting uses the simulator's clock.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from commission.errors import UsageError
from commission.miner.fields import IP_REPORT_ACK, IP_REPORT_NACK
from commission.simulator.clock import Clock

log = logging.getLogger(__name__)

REPEAT_SECONDS = 2.0
ATTEMPTS = 5


@dataclass
class IpReportResult:
    """How one button press went."""

    acked: bool
    sent: int
    """Datagrams with ``IP,MAC`` that went out."""
    replies: list[bytes] = field(default_factory=list)


class _ReportProtocol(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.replies: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self.replies.put_nowait(data)

    def error_received(self, exc: Exception) -> None:
        log.debug("ip report: %s", exc)


async def press(
    *,
    host: str,
    mac: str,
    report_to: tuple[str, int],
    from_port: int,
    clock: Clock,
) -> IpReportResult:
    """Run one IP Report cycle and return when acknowledged or after the last silent window.

    Raises:
        UsageError: when the sending port cannot be bound (e.g. already in use on this address).
    """
    loop = asyncio.get_running_loop()
    try:
        transport, protocol = await loop.create_datagram_endpoint(
            _ReportProtocol, local_addr=(host, from_port)
        )
    except OSError as error:
        raise UsageError(
            f"IP Report: cannot send from {host}:{from_port} ({error.strerror or error}); "
            "another simulator may be using that port"
        ) from error
    payload = f"{host},{mac.upper()}".encode()
    mine = mac.upper().encode()
    result = IpReportResult(acked=False, sent=0)
    try:
        while result.sent < ATTEMPTS:
            transport.sendto(payload, report_to)
            result.sent += 1
            window = asyncio.ensure_future(clock.sleep(REPEAT_SECONDS))
            try:
                while (reply := await _next_reply(protocol.replies, window)) is not None:
                    result.replies.append(reply)
                    if reply.upper().startswith(mine):
                        transport.sendto(IP_REPORT_ACK, report_to)
                        result.acked = True
                        return result
                    transport.sendto(IP_REPORT_NACK, report_to)
            finally:
                window.cancel()
        return result
    finally:
        transport.close()


async def _next_reply(replies: asyncio.Queue[bytes], window: asyncio.Future[None]) -> bytes | None:
    """The next reply, or None once the 2-second ``window`` (a clock sleep) has passed."""
    if window.done():
        return None
    getter = asyncio.ensure_future(replies.get())
    waiting: set[asyncio.Future[Any]] = {getter, window}
    try:
        done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not getter.done():
            getter.cancel()
    if getter in done:
        return getter.result()
    return None
