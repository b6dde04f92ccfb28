"""The control board's serial console, read in a background thread over pyserial.

The S9's UART (TX/GND/RX header, 3.3 V) runs at 115200 8N1. Any pyserial URL works: a device
(``/dev/ttyUSB0``, ``COM3``), a pty path (the simulator's console), ``socket://host:port`` or
``loop://``. The reader keeps every line and extracts what verification needs: bmminer's fatal lines
and its chain detection (``Chain[J7] has 18 asic``). A port that breaks while being read is recorded
in :attr:`ConsoleReader.error` and shown, never ignored.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Final

import serial
from serial.tools import list_ports

from commission.errors import UsageError
from commission.miner.parse import chain_detections, fatal_lines

BAUD_RATE: Final = 115200
READ_TIMEOUT: Final = 0.1
"""Seconds one read waits, so :meth:`ConsoleReader.stop` is honoured promptly."""
MAX_LINE: Final = 4096
"""A line longer than this (no newline on a noisy wire) is cut and kept in pieces."""


@dataclass(frozen=True)
class SerialPort:
    """A serial port the OS offers: ``COM3``, ``/dev/ttyUSB0``, ``/dev/cu.usbserial-1410``."""

    device: str
    """What to pass to ``--console``."""
    description: str
    """The OS's or the adapter's own name for it, e.g. ``CP2102 USB to UART Bridge Controller``."""
    hardware_id: str
    """USB vendor and product ids and the serial number where the OS gives them."""

    @property
    def usb(self) -> bool:
        """True for a USB adapter (what a technician plugs onto the control board's header)."""
        return "USB" in self.hardware_id.upper() or "VID:PID" in self.hardware_id.upper()


def serial_ports() -> list[SerialPort]:
    """The serial ports pyserial finds on this OS, USB adapters first, then by name."""
    found = [
        SerialPort(
            device=port.device,
            description="" if port.description in ("n/a", port.device) else port.description,
            hardware_id="" if port.hwid == "n/a" else port.hwid,
        )
        for port in list_ports.comports()
    ]
    return sorted(found, key=lambda port: (not port.usb, port.device))


def take_lines(pending: bytearray) -> list[bytes]:
    """Remove and return the complete lines at the front of ``pending`` (without newlines).

    A line longer than MAX_LINE is cut into MAX_LINE pieces, even when its newline is already in
    the buffer; an unfinished short line stays in ``pending`` for the next read.
    """
    lines: list[bytes] = []
    while True:
        newline = pending.find(b"\n", 0, MAX_LINE + 1)
        if newline >= 0:
            lines.append(bytes(pending[:newline]))
            del pending[: newline + 1]
        elif len(pending) > MAX_LINE:
            lines.append(bytes(pending[:MAX_LINE]))
            del pending[:MAX_LINE]
        else:
            return lines


class ConsoleReader:
    """Reads one serial console line by line in a daemon thread.

    Args:
        url: device path or pyserial URL.
        baudrate: line speed (115200 on the S9).
        on_line: called from the reader thread with each new line (keep it quick and thread-safe).
    """

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = BAUD_RATE,
        on_line: Callable[[str], None] | None = None,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self._on_line = on_line
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._port: serial.SerialBase | None = None
        self.error: str | None = None
        """Why reading stopped early (the port vanished, a read failed); None while healthy."""

    def __repr__(self) -> str:
        return f"ConsoleReader({self.url!r}, baudrate={self.baudrate})"

    def start(self) -> None:
        """Open the port (8N1) and start reading.

        Raises:
            UsageError: the port cannot be opened; the message names it and the reason.
        """
        try:
            self._port = serial.serial_for_url(
                self.url,
                baudrate=self.baudrate,
                bytesize=serial.EIGHTBITS,
                parity=serial.PARITY_NONE,
                stopbits=serial.STOPBITS_ONE,
                timeout=READ_TIMEOUT,
            )
        except (serial.SerialException, ValueError, OSError) as error:
            raise UsageError(f"cannot open serial console {self.url!r}: {error}") from error
        self._thread = threading.Thread(target=self._run, name=f"console {self.url}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop reading and close the port; lines read so far stay available."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        if self._port is not None:
            self._port.close()
            self._port = None

    def __enter__(self) -> ConsoleReader:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True while the reader thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        port = self._port
        if port is None:
            return
        pending = bytearray()
        while not self._stop.is_set():
            try:
                chunk = port.read(max(1, port.in_waiting or 1))
            except (serial.SerialException, OSError) as error:
                if not self._stop.is_set():
                    self.error = f"serial console {self.url!r} stopped: {error}"
                break
            if not chunk:
                continue
            pending += chunk
            for line in take_lines(pending):
                self._add(line)
        if pending:
            self._add(bytes(pending))

    def _add(self, raw: bytes) -> None:
        line = raw.replace(b"\x00", b"").decode("utf-8", errors="replace").rstrip("\r")
        with self._lock:
            self._lines.append(line)
        if self._on_line is not None:
            self._on_line(line)

    def lines(self) -> list[str]:
        """Every line read so far (a copy)."""
        with self._lock:
            return list(self._lines)

    def fatal_lines(self) -> list[tuple[int, str]]:
        """(line number, line) of each bmminer fatal message seen on the console."""
        return fatal_lines(self.lines())

    def chain_detections(self) -> dict[int, int]:
        """ASICs found per chain, from ``Chain[J%d] has %d asic`` lines (last count wins)."""
        return chain_detections(self.lines())
