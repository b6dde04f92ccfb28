"""``commission --verify`` as a process and in-process: output, JSON schema, JUnit, exit codes."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from commission import cli
from commission.errors import ExitCode, UsageError
from commission.headless.verify import Target, console_quiet, options_from, parse_target
from commission.miner.client import StockMinerClient
from commission.miner.console import ConsoleReader
from commission.results import Status
from commission.settings import ENV_WEB_PASSWORD
from commission.simulator.miner import SimulatedMiner
from commission.verify.runner import Verifier
from tests.conftest import REPO

SECRET = "s3cret-web-pass"


def commission(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "COLUMNS": "160", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "commission", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=environ,
        timeout=120,
    )


def test_healthy_simulated_miner_passes_as_a_process_without_loading_textual(
    tmp_path: Path,
) -> None:
    junit = tmp_path / "verify.xml"
    code = (
        "import sys, json\n"
        "from commission.cli import main\n"
        f"code = main(['--verify', '--simulate', 'healthy', '--json', '--junit', {str(junit)!r}])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'textual')\n"
        "print(json.dumps({'code': code, 'textual': loaded}), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env={**os.environ, ENV_WEB_PASSWORD: SECRET},
        timeout=120,
    )
    marker = json.loads(done.stderr.strip().splitlines()[-1])
    assert marker == {"code": 0, "textual": []}, done.stderr
    document = json.loads(done.stdout)
    assert document["schema"] == "commission.verify/1"
    assert document["exit_code"] == 0
    (miner,) = document["miners"]
    assert miner["reachable"] is True
    assert miner["identity"]["type"] == "Antminer S9 Hydro"
    statuses = {o["rule"]: o["status"] for o in miner["outcomes"]}
    assert "fail" not in statuses.values() and "error" not in statuses.values()
    assert {rule for rule, s in statuses.items() if s == "warn"} == {"security.default_password"}
    for outcome in miner["outcomes"]:
        assert set(outcome) == {
            "rule", "item", "section", "title", "status", "expected", "observed", "action",
            "guide_ref", "at", "evidence",
        }  # fmt: skip
        assert outcome["item"] and outcome["section"]
    assert SECRET not in done.stdout + done.stderr
    tree = ET.parse(junit)
    assert tree.getroot().get("failures") == "0"
    assert SECRET not in junit.read_text()


def test_table_output_and_failure_exit_code() -> None:
    done = commission("--verify", "--simulate", "chain-missing:7,fan-stalled:3")
    assert done.returncode == ExitCode.CHECK_FAILED, done.stderr
    out = done.stdout
    for fragment in ("All 12 chains", "FAIL", "PCIe-B4.2", "FAN3", "Monitoring", "exit 1"):
        assert fragment in out, fragment
    assert "Traceback" not in done.stderr


def test_strict_makes_warnings_fail() -> None:
    assert commission("--verify", "--simulate", "--strict").returncode == ExitCode.CHECK_FAILED


def test_unreachable_miner_exits_3_with_json(tmp_path: Path) -> None:
    junit = tmp_path / "out.xml"
    done = commission("--verify", "--simulate", "api-down", "--json", "--junit", str(junit))
    assert done.returncode == ExitCode.UNREACHABLE, done.stderr
    document = json.loads(done.stdout)
    assert document["exit_code"] == 3
    assert document["miners"][0]["reachable"] is False
    root = ET.parse(junit).getroot()
    # One finding (the miner did not answer), not a copy of the same error for every check.
    assert int(root.get("failures", "0")) == 1
    assert int(root.get("errors", "0")) == 0


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--verify", "10.0.0.1:99999"], "port '99999'"),
        (["--verify", "10.0.0.1", "--soak", "0"], "--soak must be a positive"),
        (["--verify", "10.0.0.1", "--timeout", "-1"], "--timeout must be a positive"),
        (["--verify", "a", "b", "--console", "/dev/null"], "only one HOST"),
        (["--verify", "--simulate", "no-such-fault"], "unknown scenario 'no-such-fault'"),
        (["--verify", "--simulate", "--console", "/nonexistent/tty"], "cannot open serial"),
        (["--verify", "10.0.0.1", "--console", "sim"], "only works with --simulate"),
    ],
)
def test_user_errors_exit_2_without_traceback(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert fragment in err
    assert "Traceback" not in err


def test_junit_to_an_unwritable_place_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["--verify", "--simulate", "--junit", "/nonexistent-dir/x.xml"])
    assert code == ExitCode.USAGE
    assert "cannot write the JUnit file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("10.0.0.7", Target("10.0.0.7")),
        ("miner-7.local:4029", Target("miner-7.local", 4029)),
        ("[::1]:4028", Target("::1", 4028)),
        ("[fe80::1]", Target("fe80::1")),
    ],
)
def test_parse_target(text: str, target: Target) -> None:
    assert parse_target(text) == target


@pytest.mark.parametrize("text", ["", "host:", "host:x", "::1", "[::1", "[nope]:1", "a b"])
def test_parse_target_rejects(text: str) -> None:
    with pytest.raises(UsageError):
        parse_target(text)


def test_password_comes_from_the_environment_only() -> None:
    _, args = cli.parse(["--verify", "10.0.0.1"])
    options = options_from(args, {ENV_WEB_PASSWORD: SECRET})
    assert options.web_password is not None
    assert options.web_password.get_secret_value() == SECRET
    assert SECRET not in repr(options)
    assert options_from(args, {}).web_password is None


def test_a_quiet_console_is_skipped_not_passed() -> None:
    # pyserial drops what the board printed before the port was opened (as on a real UART), so
    # a healthy simulated miner that prints nothing while we verify gives no console verdict.
    done = commission("--verify", "--simulate", "healthy", "--console", "sim", "--json")
    assert done.returncode == 0, done.stderr
    (miner,) = json.loads(done.stdout)["miners"]
    console = next(o for o in miner["outcomes"] if o["rule"] == "console.fatal")
    assert console["status"] in {"skipped", "pass"}
    if console["status"] == "skipped":
        assert "power-cycle" in console["action"]


async def test_console_sees_chain_detection_when_the_miner_boots_while_read() -> None:
    async with SimulatedMiner(scenarios="chain-missing:7", reboot_seconds=0.2) as miner:
        assert miner.console_path is not None
        reader = ConsoleReader(miner.console_path)
        reader.start()
        try:
            miner.reboot()
            await asyncio.sleep(0.5)
            await console_quiet(reader)
            client = StockMinerClient(
                "127.0.0.1", api_port=miner.api_address[1], web_port=miner.web_address[1]
            )
            report = await Verifier().verify(client, console=reader)
            await client.aclose()
        finally:
            reader.stop()
    console = next(o for o in report.outcomes if o.rule_id == "console.fatal")
    assert console.status is Status.FAIL, console.observed
    assert "PCIe-B4.2" in console.action
    assert any(e.label == "chain 7" and e.value == "0 ASICs" for e in console.evidence)


def test_console_reports_the_fatal_line_of_a_tripped_miner() -> None:
    done = commission("--verify", "--simulate", "pump-stopped", "--console", "sim", "--json")
    assert done.returncode == 1
    (miner,) = json.loads(done.stdout)["miners"]
    console = next(o for o in miner["outcomes"] if o["rule"] == "console.fatal")
    assert console["status"] == "fail"
    assert "pump" in console["action"]


def test_short_soak_through_the_cli_keeps_the_series() -> None:
    # The simulated miner's time moves with the soak, so a 2-minute soak ends at once.
    done = commission("--verify", "--simulate", "healthy", "--soak", "2", "--json")
    assert done.returncode == 0, done.stderr
    (miner,) = json.loads(done.stdout)["miners"]
    assert miner["soak"]["minutes"] == 2
    assert len(miner["soak"]["samples"]) == 25
    soak = next(o for o in miner["outcomes"] if o["rule"] == "soak.stability")
    assert soak["status"] == "pass"


async def test_several_hosts_are_verified_concurrently_in_order() -> None:
    async with (
        SimulatedMiner(seed=1, console=False) as first,
        SimulatedMiner(seed=2, scenarios="chain-missing:4", console=False) as second,
    ):
        hosts = [f"127.0.0.1:{first.api_address[1]}", f"127.0.0.1:{second.api_address[1]}"]
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "commission", "--verify", *hosts, "--json", "--timeout", "2",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=REPO,
        )  # fmt: skip
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    document: dict[str, Any] = json.loads(stdout)
    assert [m["host"] for m in document["miners"]] == ["127.0.0.1", "127.0.0.1"]
    first_report, second_report = document["miners"]
    assert (
        first_report["identity"]["type"]
        == second_report["identity"]["type"]
        == ("Antminer S9 Hydro")
    )
    rpc_rules = ("chains.present", "fans.reporting", "pools.configured")
    one = {o["rule"]: o["status"] for o in first_report["outcomes"]}
    two = {o["rule"]: o["status"] for o in second_report["outcomes"]}
    assert all(one[rule] == "pass" for rule in rpc_rules)
    assert two["chains.present"] == "fail"
    # only the RPC port was given, so the web UI (port 80) is not there: errors, never passes
    assert one["log.fatal"] == "error"
    assert process.returncode == ExitCode.CHECK_FAILED, stderr.decode()


def test_help_mentions_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    assert "3  a miner could not be reached" in capsys.readouterr().out


def test_namespace_fields_match_the_cli() -> None:
    _, args = cli.parse(["--verify", "--simulate", "healthy"])
    assert isinstance(args, argparse.Namespace)
    options = options_from(args, {})
    assert options.simulate == "healthy" and options.targets == ()
