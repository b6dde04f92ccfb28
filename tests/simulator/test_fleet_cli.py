"""Fleets on consecutive loopback addresses, and the ``commission simulate`` command."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from rich.console import Console

from commission import cli
from commission.errors import ExitCode, UsageError
from commission.simulator.fleet import Fleet, fleet_addresses, plan_fleet
from commission.simulator.scenarios import ScenarioSet
from tests.conftest import REPO
from tests.simulator.conftest import rpc_json


def test_fleet_addresses_skip_network_and_broadcast_octets() -> None:
    hosts = fleet_addresses("127.0.1.253", 4)
    assert hosts == ["127.0.1.253", "127.0.1.254", "127.0.2.1", "127.0.2.2"]
    assert len(set(fleet_addresses("127.0.1.1", 1000))) == 1000


def test_fault_rate_assigns_seeded_faults() -> None:
    plan = plan_fleet(20, ScenarioSet(), 0.25, seed=7)
    faulty = [member for member in plan if not member.scenarios.healthy]
    assert len(faulty) == 5
    again = plan_fleet(20, ScenarioSet(), 0.25, seed=7)
    assert [m.scenarios for m in plan] == [m.scenarios for m in again]
    with pytest.raises(UsageError, match="between 0 and 1"):
        plan_fleet(2, ScenarioSet(), 1.5, seed=0)


async def test_a_small_fleet_serves_each_miner_on_its_own_address() -> None:
    fleet = Fleet(plan_fleet(3, ScenarioSet(), 0.0, seed=1), api_port=0, web_port=0)
    async with fleet:
        macs = {miner.mac for miner in fleet.miners}
        serials = {miner.serial for miner in fleet.miners}
        assert len(macs) == len(serials) == 3
        for miner, host in zip(fleet.miners, ["127.0.1.1", "127.0.1.2", "127.0.1.3"], strict=True):
            assert miner.api_address[0] == host
            reply = await rpc_json(miner, "version")
            assert reply["VERSION"][0]["Type"] == "Antminer S9 Hydro"


def test_list_prints_every_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["simulate", "--list"]) == ExitCode.OK
    out = capsys.readouterr().out
    for name in ("chain-missing:N", "pump-stopped", "old-firmware"):
        assert name in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--bind", "10.1.2.3"], "outside loopback"),
        (["--bind", "nonsense"], "is not an IPv4 address"),
        (["--scenario", "nope"], "unknown scenario 'nope'"),
        (["--count", "0"], "--count must be at least 1"),
        (["--report-to", "192.168.1.5"], "--report-to 192.168.1.5 is outside loopback"),
        (["--report-to", "127.0.0.1:99999"], "port must be a number from 1 to 65535"),
        (["--fault-rate", "2", "--count", "2"], "between 0 and 1"),
    ],
)
def test_usage_errors_exit_2_with_a_message(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["simulate", *argv]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_simulate_runs_in_the_foreground_and_ctrl_c_exits_0() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "commission",
            "simulate",
            "--api-port",
            "0",
            "--web-port",
            "0",
            "--scenario",
            "chain-missing:7",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert process.stdout is not None
    lines = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if "Ctrl+C stops" in line:
            break
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    text = "".join(lines) + out
    assert process.returncode == 0, err
    assert "miner 1: rpc 127.0.0.1:" in text and "console /dev/pts/" in text
    assert "scenarios chain-missing:7" in text and "Stopped." in text


class _TypedLines(io.StringIO):
    """Standard input as a terminal that has had ``text`` typed into it."""

    def isatty(self) -> bool:
        return True


async def test_typed_lines_reach_the_fleet_from_a_reader_thread() -> None:
    # The reader is a thread, not loop.add_reader, so it works on Windows' event loop too.
    from commission.headless import simulate as simulate_command

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    out = io.StringIO()
    console = Console(file=out, width=200)
    fleet = SimpleNamespace(miners=[object(), object()])
    stdin = _TypedLines("7\nabc\n\nq\n")
    reading = simulate_command._watch_stdin(loop, stdin, fleet, console, set(), stop)  # type: ignore[arg-type]
    assert reading
    await asyncio.wait_for(stop.wait(), timeout=10)
    assert out.getvalue().count("type a miner number from 1 to 2") == 2
    assert not simulate_command._watch_stdin(loop, io.StringIO("1\n"), fleet, console, set(), stop)  # type: ignore[arg-type]
