"""``discover --scan`` on real loopback sockets: every kind of address, silent ones included.

A silent address here really never answers: its ports are listeners whose accept queue is full, so
the kernel drops every new SYN (no refusal, no reset), exactly as a dead address on a farm network.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from commission import cli
from commission.errors import ExitCode
from commission.headless import inventory
from commission.headless.scan import ScanOptions, scan
from commission.headless.targets import expand
from tests.conftest import SAMPLES
from tests.headless.fleet_support import FleetThread, free_block

FAST = ScanOptions(probe_timeout_s=0.5, retries=1, timeout_s=10.0)


class Silent:
    """Listeners on 4028 and 80 of ``host`` with a full backlog: connects there time out."""

    def __init__(self, host: str) -> None:
        self.sockets: list[socket.socket] = []
        for port in (4028, 80):
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((host, port))
            listener.listen(0)
            filler = socket.create_connection((host, port), timeout=5)
            self.sockets += [listener, filler]
        probe = socket.socket()
        probe.settimeout(0.3)
        with pytest.raises(TimeoutError):
            probe.connect((host, 4028))  # the queue is full: the kernel drops the SYN
        probe.close()

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


@pytest.fixture
def block() -> Iterator[tuple[str, FleetThread, Silent]]:
    first = free_block()
    net = first.rsplit(".", 1)[0]
    with FleetThread(["healthy", "old-firmware"], first=first) as fleet:
        silent = Silent(f"{net}.5")
        try:
            yield net, fleet, silent
        finally:
            silent.close()


async def _serve(host: str, reply: bytes) -> asyncio.Server:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(4096)
        writer.write(reply)
        await writer.drain()
        writer.close()

    return await asyncio.start_server(answer, host, 4028)


async def test_every_address_is_classified(block: tuple[str, FleetThread, Silent]) -> None:
    net, fleet, _ = block
    # another miner: a real captured S9i version reply; not a miner: something else on 4028
    s9i = (SAMPLES / "s9i-2018-version.json").read_bytes().strip() + b"\x00"
    other = await _serve(f"{net}.3", s9i)
    stranger = await _serve(f"{net}.4", b"SSH-2.0-OpenSSH_9.6\r\n")
    try:
        results = await scan(expand(f"{net}.1-6"), FAST)
    finally:
        other.close()
        stranger.close()
    kinds = {result.target.host: result for result in results}
    hydro = kinds[f"{net}.1"]
    assert (hydro.kind, hydro.model, hydro.mac) == (
        "s9-hydro",
        "Antminer S9 Hydro",
        fleet.miners[0].mac,
    )
    assert (hydro.rpc, hydro.web) == (True, True)
    assert kinds[f"{net}.2"].kind == "s9-hydro" and kinds[f"{net}.2"].firmware
    assert (kinds[f"{net}.3"].kind, kinds[f"{net}.3"].model) == ("other-miner", "Antminer S9i")
    assert kinds[f"{net}.4"].kind == "not-a-miner"
    assert "not as a miner's API" in kinds[f"{net}.4"].note
    silent = kinds[f"{net}.5"]
    assert (silent.kind, silent.rpc, silent.web, silent.attempts) == ("silent", None, None, 2)
    refused = kinds[f"{net}.6"]
    assert (refused.kind, refused.rpc, refused.web) == ("not-a-miner", False, False)
    assert "refuses TCP 4028 and 80" in refused.note
    assert [r.target.host for r in results] == [f"{net}.{n}" for n in range(1, 7)]


def test_scan_command_prints_json_and_saves_the_miners(
    block: tuple[str, FleetThread, Silent], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    net, fleet, _ = block
    saved = tmp_path / "row.csv"
    argv = ["discover", "--scan", f"{net}.0/29", "--json", "--probe-timeout", "0.5"]
    assert cli.main([*argv, "--save", str(saved)]) == ExitCode.OK
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["schema"] == "commission.scan/1"
    assert document["addresses"] == 6
    assert document["by_kind"] == {
        "s9-hydro": 2,
        "other-miner": 0,
        "not-a-miner": 3,
        "silent": 1,
    }
    assert "\r" not in captured.err, "no progress when stderr is not a terminal"
    rows = inventory.read(saved)
    assert [(r.address, r.mac, r.kind) for r in rows] == [
        (m.host, m.mac, "s9-hydro") for m in fleet.miners
    ]
    assert cli.main(["discover", "--scan", f"{net}.5", "--probe-timeout", "0.3"]) == 3
    assert "no miner answered" in capsys.readouterr().err


def test_scan_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["discover", "--scan", "127.0.0.300"]) == ExitCode.USAGE
    assert cli.main(["discover", "--scan", "127.0.0.1", "--label"]) == ExitCode.USAGE
    assert cli.main(["discover", "--scan", "127.0.0.1", "--retries", "-1"]) == ExitCode.USAGE
    assert cli.main(["discover", "--listen", "--csv"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "argument 1: scan target '127.0.0.300'" in err
    assert "--label goes with --listen" in err
    assert "--csv goes with --scan" in err
