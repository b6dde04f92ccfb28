"""The CLI surface: help for every command, usage errors, and commands that have not landed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from commission import cli
from commission.errors import ExitCode


@pytest.mark.parametrize("command", [[], *([name] for name in cli.SUBCOMMANDS)])
def test_every_command_has_help_for_every_option(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: commission")
    parser = cli._main_parser() if not command else cli.SUBPARSERS[command[0]]()
    for action in parser._actions:
        assert action.help, f"option {action.option_strings or action.dest} has no help text"


def test_main_help_lists_subcommands_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["--help"])
    out = capsys.readouterr().out
    for name in cli.SUBCOMMANDS:
        assert name in out
    assert "3  a miner could not be reached" in out and "4  not verified" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--verify"], "needs at least one HOST"),
        (["--verify", "10.0.0.1", "--simulate", "healthy"], "not both"),
        (["somewhere"], "hosts go with --verify"),
        (["--json"], "--json goes with --verify"),
        (["--simulate", "x", "--miner", "y"], "not allowed with"),
    ],
)
def test_usage_errors_exit_2_without_traceback(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert fragment in err
    assert "Traceback" not in err


def test_parse_routes_verify_and_tui() -> None:
    entry, args = cli.parse(["--verify", "127.0.0.1", "127.0.0.2", "--json", "--strict"])
    assert entry == "verify"
    assert args.hosts == ["127.0.0.1", "127.0.0.2"]
    assert args.json and args.strict
    entry, args = cli.parse(["--simulate"])
    assert (entry, args.simulate) == ("tui", "healthy")
    entry, args = cli.parse(["--verify", "--simulate", "pump-stopped,fan-stalled:3"])
    assert (entry, args.simulate) == ("verify", "pump-stopped,fan-stalled:3")


def test_pending_commands_say_so_in_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(cli.PENDING, "export", 99)
    assert cli.main(["export", "job.json"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.strip() == "commission: 'export' is not available yet (it lands with issue 99)"


def test_every_landed_entry_point_resolves() -> None:
    for entry in cli.ENTRY_POINTS:
        if entry not in cli.PENDING:
            assert callable(cli._resolve(entry))


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "commission", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("commission ")


def test_version_says_which_hash_engine_runs_and_why() -> None:
    run = [sys.executable, "-m", "commission", "--version"]
    twin = subprocess.run(
        run,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COMMISSION_NO_EXTENSIONS": "1"},
    )
    assert twin.returncode == 0
    assert (
        "hash engine: python (the pure-Python twin: COMMISSION_NO_EXTENSIONS is set)" in twin.stdout
    )
    wrong = subprocess.run(
        run,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COMMISSION_HASH_TIER": "nope"},
    )
    assert wrong.returncode == 0
    assert "hash engine: not usable: COMMISSION_HASH_TIER='nope' is not a hash tier" in wrong.stdout


def test_a_closed_pipe_ends_quietly_without_traceback() -> None:
    # A handler whose reader went away (`commission ... | head`) must not end in a traceback.
    code = (
        "from commission import cli\n"
        "def handler(args):\n"
        "    raise BrokenPipeError\n"
        "cli._resolve = lambda entry: handler\n"
        "raise SystemExit(cli.main(['checklist']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stderr == ""
