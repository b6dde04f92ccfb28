"""``commission ports``: the serial ports this computer offers, for ``--console``.

The S9's control board has a 3-pin UART header (TX, GND, RX at 3.3 V, 115200 8N1); a USB-serial
adapter on it shows up here as ``COM3`` on Windows, ``/dev/cu.usbserial-*`` on macOS or
``/dev/ttyUSB0`` on Linux. The list comes from pyserial, so it is the OS's own view.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from rich.table import Table

from commission.errors import ExitCode
from commission.miner.console import SerialPort, serial_ports
from commission.render.terminal import terminal

NO_PORTS = (
    "no serial ports found. Plug a 3.3 V USB-serial adapter onto the control board's UART header "
    "(TX, GND, RX), then run 'commission ports' again; pass the port it shows to --console."
)


def _as_json(ports: list[SerialPort]) -> str:
    return json.dumps(
        {
            "ports": [
                {
                    "device": port.device,
                    "description": port.description,
                    "hardware_id": port.hardware_id,
                    "usb": port.usb,
                }
                for port in ports
            ]
        },
        indent=2,
    )


def show(ports: list[SerialPort], *, as_json: bool = False, out: TextIO | None = None) -> None:
    """Print ``ports`` as a table (or JSON), or say how to attach a console when there is none."""
    stream = sys.stdout if out is None else out
    if as_json:
        print(_as_json(ports), file=stream)
        return
    if not ports:
        print(NO_PORTS, file=stream)
        return
    table = Table(title="Serial ports (pass one to --console)", title_justify="left")
    table.add_column("port", no_wrap=True)
    table.add_column("description")
    table.add_column("hardware")
    for port in ports:
        table.add_row(port.device, port.description or "-", port.hardware_id or "-")
    terminal(file=stream).print(table)


def run(args: argparse.Namespace) -> int:
    """List the serial ports; exit 0 (an empty list is an answer, not an error)."""
    show(serial_ports(), as_json=args.json)
    return ExitCode.OK
