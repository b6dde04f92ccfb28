"""The control board's serial console: the boot log and messages, on a pty or a loopback socket.

A real UART runs at 115200 8N1. Where the OS has pseudo-terminals (Linux, macOS) the master side of
a pty is written and the slave path is what a technician (or pyserial) opens. Windows has none, so
there (or when asked) the console is a TCP listener on the miner's loopback address, opened with
pyserial's ``socket://HOST:PORT`` URL. Either way output is queued and written when the reader can
take it, so a console nobody reads never blocks the simulator; beyond a bound the oldest bytes are
dropped, as on a UART with nothing attached.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
from typing import Protocol

log = logging.getLogger(__name__)

MAX_PENDING_BYTES = 256 * 1024


TRANSPORTS = ("auto", "pty", "socket")
"""How the simulated console is offered: ``auto`` is a pty where the OS has them, else a socket."""


def pty_available() -> bool:
    """True on systems with pseudo-terminals (not Windows)."""
    return hasattr(os, "openpty") and os.name == "posix"


class MinerConsole(Protocol):
    """What the simulated miner needs of its console, whichever transport carries it."""

    path: str
    """What a reader opens with pyserial: a pty path or a ``socket://`` URL."""
    dropped: int

    def write_lines(self, lines: list[str]) -> None: ...

    def close(self) -> None: ...


async def open_console(host: str, transport: str = "auto") -> MinerConsole:
    """Open the console on ``transport`` (see :data:`TRANSPORTS`); sockets bind ``host``."""
    if transport not in TRANSPORTS:
        raise ValueError(f"console transport {transport!r}; use one of {', '.join(TRANSPORTS)}")
    if transport == "pty" or (transport == "auto" and pty_available()):
        return SerialConsole()
    return await SocketConsole.open(host)


class SerialConsole:
    """One pty: :attr:`path` for readers, :meth:`write_lines` for the simulator."""

    def __init__(self) -> None:
        import tty  # POSIX only; never imported on Windows, where the socket console is used

        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        self._pending = bytearray()
        self._writer_armed = False
        self._closed = False
        self.dropped = 0
        """Bytes dropped because nobody read the console."""

    def write_lines(self, lines: list[str]) -> None:
        """Queue ``lines`` (CR LF line ends, as a terminal expects) and write what fits."""
        if self._closed or not lines:
            return
        self._pending += "".join(line + "\r\n" for line in lines).encode()
        overflow = len(self._pending) - MAX_PENDING_BYTES
        if overflow > 0:
            del self._pending[:overflow]
            self.dropped += overflow
        self._flush()

    def _flush(self) -> None:
        while self._pending and not self._closed:
            try:
                written = os.write(self._master, self._pending)
            except BlockingIOError:
                self._arm_writer()
                return
            except OSError as error:
                if error.errno in (errno.EIO, errno.EAGAIN):
                    self._arm_writer()
                    return
                raise
            del self._pending[:written]
        self._disarm_writer()

    def _arm_writer(self) -> None:
        if self._writer_armed:
            return
        asyncio.get_running_loop().add_writer(self._master, self._flush)
        self._writer_armed = True

    def _disarm_writer(self) -> None:
        if self._writer_armed:
            asyncio.get_running_loop().remove_writer(self._master)
            self._writer_armed = False

    def close(self) -> None:
        """Close both ends of the pty."""
        if self._closed:
            return
        if self._writer_armed:
            try:
                asyncio.get_running_loop().remove_writer(self._master)
            except RuntimeError:
                log.debug("console: event loop already gone while closing")
            self._writer_armed = False
        self._closed = True
        os.close(self._master)
        os.close(self._slave)


class SocketConsole:
    """The console as a TCP listener on loopback: every connected reader gets the stream.

    Bytes written while nobody is connected wait (bounded, oldest dropped) and go to the first
    reader that connects, as the boot log waits in a pty for whoever opens it.
    """

    def __init__(self, server: asyncio.Server, host: str, port: int) -> None:
        self._server = server
        self.path = f"socket://{host}:{port}"
        self._readers: set[asyncio.StreamWriter] = set()
        self._pending = bytearray()
        self._closed = False
        self.dropped = 0
        """Bytes dropped because nobody read the console."""

    @classmethod
    async def open(cls, host: str) -> SocketConsole:
        """Listen on ``host`` (a loopback address) at a free port."""
        console: SocketConsole | None = None

        def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            assert console is not None
            console._attach(writer)

        server = await asyncio.start_server(connected, host, 0)
        port = server.sockets[0].getsockname()[1]
        console = cls(server, host, port)
        return console

    def _attach(self, writer: asyncio.StreamWriter) -> None:
        if self._closed:
            writer.close()
            return
        self._readers.add(writer)
        if self._pending:
            writer.write(bytes(self._pending))
            self._pending.clear()

    def write_lines(self, lines: list[str]) -> None:
        """Send ``lines`` (CR LF line ends) to every reader, or keep them for the first one."""
        if self._closed or not lines:
            return
        payload = "".join(line + "\r\n" for line in lines).encode()
        for writer in list(self._readers):
            if writer.is_closing():
                self._readers.discard(writer)
                continue
            transport = writer.transport
            if transport.get_write_buffer_size() > MAX_PENDING_BYTES:
                self.dropped += len(payload)  # a reader that stopped reading: drop, never block
                continue
            writer.write(payload)
        if self._readers:
            return
        self._pending += payload
        overflow = len(self._pending) - MAX_PENDING_BYTES
        if overflow > 0:
            del self._pending[:overflow]
            self.dropped += overflow

    def close(self) -> None:
        """Stop listening and hang up on every reader."""
        if self._closed:
            return
        self._closed = True
        self._server.close()
        for writer in self._readers:
            with contextlib.suppress(RuntimeError):  # the event loop may already be closed
                writer.close()
        self._readers.clear()
