"""The RPC listener on TCP 4028: bmminer's one-read, one-reply, close framing.

bmminer reads once (at most 8191 bytes), answers, and closes. This listener does the same for
each connection, with two fault hooks (a delay before answering, a reply cut into TCP pieces) and
a read timeout so a client that connects and says nothing cannot hold a connection forever.
The listening socket can be paused: while paused the port stays bound but does not listen, so
clients get "connection refused" exactly as when bmminer is not running.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass

from commission.miner.fields import RPC_MAX_REQUEST

log = logging.getLogger(__name__)

READ_TIMEOUT_SECONDS = 10.0
SPLIT_PIECES = 4
SPLIT_GAP_SECONDS = 0.02


@dataclass
class ReplyFaults:
    """How replies misbehave (set by the slow-replies and split-replies scenarios)."""

    delay_seconds: float = 0.0
    split: bool = False


class PausableListener:
    """A TCP port that can stop listening without giving the port up.

    Args:
        host: address to bind.
        port: port to bind (0 picks a free one; it is kept across pauses).
        factory: builds the protocol for each accepted connection.
    """

    def __init__(self, host: str, port: int, factory: Callable[[], asyncio.BaseProtocol]) -> None:
        self.host = host
        self.port = port
        self._factory = factory
        self._server: asyncio.Server | None = None
        self._reserved: socket.socket | None = None

    def _bound_socket(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        return sock

    async def open(self, listening: bool = True) -> None:
        """Bind the port; listen at once unless ``listening`` is False."""
        if self._server is not None or self._reserved is not None:
            return
        self._reserved = self._bound_socket()
        if listening:
            await self.resume()

    @property
    def listening(self) -> bool:
        """True while connections are accepted."""
        return self._server is not None

    async def resume(self) -> None:
        """Start accepting connections again."""
        if self._server is not None:
            return
        sock = self._reserved or self._bound_socket()
        self._reserved = None
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._factory, sock=sock, backlog=128)

    async def pause(self) -> None:
        """Stop listening but keep the port bound: new connections are refused."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close()
        await server.wait_closed()
        self._reserved = self._bound_socket()

    async def close(self) -> None:
        """Release the port."""
        if self._server is not None:
            server, self._server = self._server, None
            server.close()
            await server.wait_closed()
        if self._reserved is not None:
            self._reserved.close()
            self._reserved = None


class RpcProtocol(asyncio.Protocol):
    """One RPC connection: the first chunk read is the request; answer, then close."""

    def __init__(
        self,
        respond: Callable[[bytes], bytes],
        faults: ReplyFaults,
        tasks: set[asyncio.Task[None]],
    ) -> None:
        self._respond = respond
        self._faults = faults
        self._tasks = tasks
        self._transport: asyncio.Transport | None = None
        self._answered = False
        self._timeout: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._timeout = asyncio.get_running_loop().call_later(READ_TIMEOUT_SECONDS, self._give_up)

    def _give_up(self) -> None:
        if self._transport is not None and not self._answered:
            log.debug("rpc: no request within %s s; closing", READ_TIMEOUT_SECONDS)
            self._transport.abort()

    def data_received(self, data: bytes) -> None:
        if self._answered or self._transport is None:
            return
        self._answered = True
        if self._timeout is not None:
            self._timeout.cancel()
        self._transport.pause_reading()
        reply = self._respond(data[:RPC_MAX_REQUEST])
        if self._faults.delay_seconds <= 0 and not self._faults.split:
            self._transport.write(reply)
            self._transport.close()
            return
        task = asyncio.get_running_loop().create_task(self._send_late(self._transport, reply))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_late(self, transport: asyncio.Transport, reply: bytes) -> None:
        if self._faults.delay_seconds > 0:
            await asyncio.sleep(self._faults.delay_seconds)
        if transport.is_closing():
            return
        if not self._faults.split:
            transport.write(reply)
            transport.close()
            return
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        size = max(1, -(-len(reply) // SPLIT_PIECES))
        for start in range(0, len(reply), size):
            if transport.is_closing():
                return
            transport.write(reply[start : start + size])
            await asyncio.sleep(SPLIT_GAP_SECONDS)
        transport.close()

    def eof_received(self) -> bool | None:
        if not self._answered and self._transport is not None:
            # bmminer's recv returns 0 bytes: it answers the empty command, then closes.
            self.data_received(b"")
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timeout is not None:
            self._timeout.cancel()
        if exc is not None:
            log.debug("rpc: connection lost: %s", exc)
