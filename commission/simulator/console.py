"""The control board's serial console: a pseudo-terminal carrying the boot log and messages.

A real UART runs at 115200 8N1; here the master side of a pty is written and the slave path is
what a technician (or pyserial) opens. Output is queued and written when the pty can take it, so
a console nobody reads never blocks the simulator; beyond a bound the oldest bytes are dropped,
as on a UART with nothing attached.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import tty

log = logging.getLogger(__name__)

MAX_PENDING_BYTES = 256 * 1024


class SerialConsole:
    """One pty: :attr:`path` for readers, :meth:`write_lines` for the simulator."""

    def __init__(self) -> None:
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
