"""Exit 0 means verified: ``commission --verify`` as a process, its exit codes and their precedence.

Simulated miners run in this test process on loopback with the stock ports (RPC 4028, web 80) on
addresses of their own in 127.0.0.0/8, each on a manual clock, and ``commission --verify`` runs as
a child process against several of them at once. The simulated time never moves during a run, so
nothing here depends on the machine's speed.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
from collections.abc import AsyncIterator

import pytest

from commission.errors import ExitCode, UsageError
from commission.simulator.clock import ManualClock
from commission.simulator.miner import SimulatedMiner
from tests.conftest import REPO
from tests.headless.test_verify_cli import commission

ROLES = {
    "verified": "healthy",
    "warming": "fresh-boot",
    "unreachable": "api-down",
    "failed": "chain-missing:7",
}
"""The miner of each outcome, by the scenario that gives it."""


@pytest.fixture
async def fleet() -> AsyncIterator[dict[str, str]]:
    """One simulated miner per role on the stock ports; role -> its address."""
    if os.geteuid() != 0:
        pytest.skip("the stock web port 80 needs root to bind")
    rng = random.Random()
    started: list[SimulatedMiner] = []
    addresses: dict[str, str] = {}
    try:
        for index, (role, scenario) in enumerate(ROLES.items(), start=1):
            for _ in range(20):
                host = f"127.{rng.randrange(100, 250)}.{rng.randrange(1, 250)}.{index}"
                clock = ManualClock()
                miner = SimulatedMiner(
                    scenarios=scenario,
                    clock=clock,
                    host=host,
                    api_port=4028,
                    web_port=80,
                    console=False,
                    ip_report_port=0,
                )
                try:
                    await miner.start()
                except UsageError:
                    continue  # another run holds this address: draw another one
                clock.advance(miner.scenarios.running_seconds(900.0))
                started.append(miner)
                addresses[role] = host
                break
            else:
                pytest.fail(f"no free loopback address for the {role} miner")
        yield addresses
    finally:
        for miner in started:
            await miner.stop()


async def run_verify(*argv: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "commission", "--verify", *argv, "--timeout", "2",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "COLUMNS": "160"},
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


@pytest.mark.parametrize(
    ("roles", "extra", "expected"),
    [
        (("verified",), (), ExitCode.OK),
        (("verified", "warming"), (), ExitCode.NOT_JUDGED),
        (("warming", "unreachable"), (), ExitCode.UNREACHABLE),
        (("verified", "warming", "unreachable", "failed"), (), ExitCode.CHECK_FAILED),
        (("unreachable", "failed"), (), ExitCode.CHECK_FAILED),
        (("verified",), ("--strict",), ExitCode.CHECK_FAILED),
        (("verified", "failed"), ("--soak", "-1"), ExitCode.USAGE),
    ],
)
async def test_exit_code_precedence_across_miners(
    fleet: dict[str, str], roles: tuple[str, ...], extra: tuple[str, ...], expected: ExitCode
) -> None:
    code, stdout, stderr = await run_verify(*(fleet[role] for role in roles), *extra)
    assert code == expected, (stdout, stderr)
    assert "Traceback" not in stderr
    if expected is ExitCode.USAGE:
        assert "--soak must be a positive" in stderr
        return
    assert f"exit {int(expected)}" in stdout
    if expected is ExitCode.OK:
        assert "exit 0: verified: every check that applies was judged and none failed" in stdout


async def test_json_run_gives_the_combined_code_and_each_miners_reason(
    fleet: dict[str, str],
) -> None:
    code, stdout, stderr = await run_verify(fleet["verified"], fleet["warming"], "--json")
    assert code == ExitCode.NOT_JUDGED
    document = json.loads(stdout)
    assert document["exit_code"] == 4
    assert [m["host"] for m in document["miners"]] == [fleet["verified"], fleet["warming"]]
    assert "exit 4: not verified" in stderr
    assert f"{fleet['warming']}: " in stderr and "still warming up" in stderr


def test_fresh_boot_exits_4_and_says_why_in_words() -> None:
    done = commission("--verify", "--simulate", "fresh-boot")
    assert done.returncode == ExitCode.NOT_JUDGED, done.stderr
    out = " ".join(done.stdout.split())
    assert "NOT JUDGED" in out
    assert "exit 4: not verified" in out
    assert "still warming up" in out and "--wait-ready" in out
    assert "judged after 5 min of uptime" in out


def test_wait_ready_judges_a_fresh_boot_once_warmed_up() -> None:
    done = commission("--verify", "--simulate", "fresh-boot", "--wait-ready", "--json")
    assert done.returncode == ExitCode.OK, done.stderr
    (miner,) = json.loads(done.stdout)["miners"]
    statuses = {o["rule"]: o["status"] for o in miner["outcomes"]}
    assert statuses["hashrate.nominal"] == "pass"
    assert "unjudged" not in statuses.values()


def test_wait_ready_on_a_restart_loop_ends_not_judged_with_the_reason() -> None:
    done = commission("--verify", "--simulate", "restart-loop", "--wait-ready=8")
    assert done.returncode == ExitCode.NOT_JUDGED, done.stderr
    out = " ".join(done.stdout.split())
    assert "not warmed up after waiting 8.0 min" in out
    assert "restarted" in out


def test_wait_ready_rejects_a_host_in_place_of_minutes() -> None:
    done = commission("--verify", "--wait-ready", "10.0.0.7")
    assert done.returncode == ExitCode.USAGE
    assert "write hosts before --wait-ready" in done.stderr
    assert "Traceback" not in done.stderr


def test_help_documents_every_exit_code_and_the_precedence() -> None:
    done = commission("--help")
    text = " ".join(done.stdout.split())
    for fragment in (
        "0 verified: every check that applies was judged and none failed",
        "1 a check failed",
        "2 usage or configuration error",
        "3 a miner could not be reached",
        "4 not verified",
        "the first of 2, 1, 3, 4, 0 wins",
        "--wait-ready [MINUTES]",
    ):
        assert fragment in text, fragment
