"""``commission ports``: pyserial's port list (faked per OS), shown as a table or JSON."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest

from commission import cli
from commission.headless import ports as ports_command
from commission.miner import console


def _fake(monkeypatch: pytest.MonkeyPatch, *found: tuple[str, str, str]) -> None:
    listed = [SimpleNamespace(device=d, description=t, hwid=h) for d, t, h in found]
    monkeypatch.setattr(console.list_ports, "comports", lambda: listed)


WINDOWS = (
    ("COM1", "Communications Port (COM1)", "ACPI\\PNP0501\\1"),
    ("COM3", "Silicon Labs CP210x USB to UART Bridge (COM3)", "USB VID:PID=10C4:EA60 SER=0001"),
)
MACOS = (
    ("/dev/cu.Bluetooth-Incoming-Port", "n/a", "n/a"),
    ("/dev/cu.usbserial-1410", "FT232R USB UART", "USB VID:PID=0403:6001 SER=A50285BI"),
)
LINUX = (("/dev/ttyUSB0", "CP2102 USB to UART Bridge Controller", "USB VID:PID=10C4:EA60"),)


@pytest.mark.parametrize("found", [WINDOWS, MACOS, LINUX], ids=["windows", "macos", "linux"])
def test_usb_adapters_come_first_with_their_description(
    monkeypatch: pytest.MonkeyPatch, found: tuple[tuple[str, str, str], ...]
) -> None:
    _fake(monkeypatch, *found)
    listed = console.serial_ports()
    assert listed[0].usb and listed[0].device in {"COM3", "/dev/cu.usbserial-1410", "/dev/ttyUSB0"}
    assert {port.device for port in listed} == {device for device, _, _ in found}
    assert all(port.description != "n/a" and port.hardware_id != "n/a" for port in listed)


def test_table_and_json(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake(monkeypatch, *WINDOWS)
    out = io.StringIO()
    ports_command.show(console.serial_ports(), out=out)
    text = out.getvalue()
    assert "COM3" in text and "CP210x" in text and text.index("COM3") < text.index("COM1")
    out = io.StringIO()
    ports_command.show(console.serial_ports(), as_json=True, out=out)
    document = json.loads(out.getvalue())
    assert document["ports"][0] == {
        "device": "COM3",
        "description": "Silicon Labs CP210x USB to UART Bridge (COM3)",
        "hardware_id": "USB VID:PID=10C4:EA60 SER=0001",
        "usb": True,
    }


def test_no_port_says_how_to_attach_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake(monkeypatch)
    assert cli.main(["ports"]) == 0
    assert "no serial ports found" in capsys.readouterr().out
    assert cli.main(["ports", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ports": []}
