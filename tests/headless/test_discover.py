"""``commission discover --listen`` against the simulator's IP Report button, on loopback."""

from __future__ import annotations

import asyncio
import io
import json
import sys
from datetime import UTC, datetime

import pytest

from commission import cli
from commission.errors import ExitCode
from commission.headless.discover import DiscoverOptions, discover, format_report, stdin_label
from commission.miner.ipreport import IpReport
from commission.simulator.miner import SimulatedMiner
from tests.conftest import REPO


async def _read_port(stream: asyncio.StreamReader) -> int:
    line = (await asyncio.wait_for(stream.readline(), 30)).decode()
    assert "listening for IP reports on UDP 127.0.0.1:" in line, line
    return int(line.split("127.0.0.1:")[1].split(";")[0])


async def test_discover_process_prints_the_miner_and_stops_its_repeats() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "commission", "discover", "--listen", "--bind", "127.0.0.1",
        "--port", "0", "--count", "1", "--json", "--seconds", "30",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO,
    )  # fmt: skip
    assert process.stderr is not None
    port = await _read_port(process.stderr)
    async with SimulatedMiner(
        report_to=("127.0.0.1", port), ip_report_port=0, console=False, seed=5
    ) as miner:
        acked = await asyncio.wait_for(miner.press_ip_report(), 30)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert acked, "the MAC echo stopped the miner's repeats"
    record = json.loads(stdout.decode().strip())
    assert record["ip"] == "127.0.0.1"
    assert record["mac"] == miner.mac
    assert record["label"] is None
    assert process.returncode == ExitCode.OK, stderr.decode()
    assert "1 miner found" in stderr.decode()


async def test_labels_are_asked_and_attached_and_fleet_is_counted() -> None:
    out, notes = io.StringIO(), io.StringIO()
    answers = io.StringIO("shelf 2 / step 1 / pos 4\n")
    ask = stdin_label(notes, answers)
    options = DiscoverOptions("127.0.0.1", 0, True, 2, 20.0, False)
    ready: asyncio.Future[tuple[str, int]] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(discover(options, out, notes, ask, on_listening=ready.set_result))
    address = await asyncio.wait_for(ready, 10)
    async with (
        SimulatedMiner(report_to=address, ip_report_port=0, console=False, seed=1) as first,
        SimulatedMiner(report_to=address, ip_report_port=0, console=False, seed=2) as second,
    ):
        assert await first.press_ip_report()
        assert await second.press_ip_report()
        found = await asyncio.wait_for(task, 30)
    assert [report.mac for report, _ in found] == [first.mac, second.mac]
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("shelf 2 / step 1 / pos 4")
    assert first.mac in lines[0] and second.mac in lines[1]
    assert "shelf/step/position for 127.0.0.1" in notes.getvalue()
    assert "no more input" in notes.getvalue()


async def test_garbage_datagrams_are_shown_not_dropped() -> None:
    out, notes = io.StringIO(), io.StringIO()
    options = DiscoverOptions("127.0.0.1", 0, False, None, 0.5, False)
    ready: asyncio.Future[tuple[str, int]] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(discover(options, out, notes, on_listening=ready.set_result))
    address = await asyncio.wait_for(ready, 10)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, remote_addr=address
    )
    transport.sendto(b"\xff\xfe not a report")
    transport.close()
    assert await asyncio.wait_for(task, 10) == []
    assert "ignored a datagram from 127.0.0.1" in notes.getvalue()


def test_format_report() -> None:
    report = IpReport(
        "192.168.1.189", "C4:F3:12:B3:9F:FC", ("192.168.1.189", 14236), datetime.now(UTC)
    )
    assert format_report(report, None, False) == "192.168.1.189    C4:F3:12:B3:9F:FC"
    assert json.loads(format_report(report, "A-1", True))["label"] == "A-1"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["discover"], "needs --listen"),
        (["discover", "--listen", "--port", "70000"], "--port must be 0-65535"),
        (["discover", "--listen", "--count", "0"], "--count must be at least 1"),
        (["discover", "--listen", "--seconds", "-2"], "--seconds must be a positive"),
        (["discover", "--listen", "--bind", "203.0.113.9", "--port", "0"], "cannot listen"),
    ],
)
def test_discover_usage_errors_exit_2(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert fragment in err
    assert "Traceback" not in err


def test_too_few_miners_before_the_time_limit_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["discover", "--listen", "--bind", "127.0.0.1", "--port", "0", "--count", "1"]
    assert cli.main([*argv, "--seconds", "0.2"]) == ExitCode.CHECK_FAILED
    assert "expected 1 miners, found 0" in capsys.readouterr().err
