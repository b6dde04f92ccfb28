"""Command-line parsing and dispatch: the only place that turns argv into a running front end.

``commission`` has two shapes. Without a subcommand it is the TUI (``--simulate``, ``--miner``,
``--job``) or, with ``--verify``, the headless verifier that takes hosts as positional arguments.
With a subcommand (``simulate``, ``selftest``, ``discover``, ``export``, ``checklist``) it runs that
tool. Because positional hosts and subcommand names would collide in one argparse parser, the first
word decides which parser runs. Handlers are imported lazily so that the headless path never loads
Textual and start-up stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from commission import __version__
from commission.errors import CommissionError, ExitCode

Handler = Callable[[argparse.Namespace], int]

SUBCOMMANDS: dict[str, str] = {
    "simulate": "run a simulated S9 Hydro (or a fleet) on loopback",
    "selftest": "check and benchmark the SHA-256d hash engine",
    "discover": "find miners: scan addresses (--scan) or listen for IP Report presses (--listen)",
    "export": "write a job as a printable checklist and report",
    "checklist": "print or validate a commissioning checklist",
    "ports": "list the serial ports this computer offers (for --console)",
}

# "module:function" for each entry point; imported only when used.
ENTRY_POINTS: dict[str, str] = {
    "tui": "commission.tui.app:run",
    "verify": "commission.headless.verify:run",
    "simulate": "commission.headless.simulate:run",
    "selftest": "commission.headless.selftest:run",
    "discover": "commission.headless.discover:run",
    "export": "commission.headless.export:run",
    "checklist": "commission.headless.checklist:run",
    "ports": "commission.headless.ports:run",
}

# Entry points whose issue has not landed yet: name -> issue number.
PENDING: dict[str, int] = {}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32)


def _wait_minutes(text: str) -> float:
    """``--wait-ready``'s MINUTES, with a message that says what to do with a host in its place."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of minutes (write hosts before --wait-ready, or "
            "--wait-ready=MINUTES)"
        ) from None


def _main_parser() -> argparse.ArgumentParser:
    commands = "\n".join(f"  {name:<10} {text}" for name, text in SUBCOMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="commission",
        formatter_class=_Formatter,
        description=(
            "Commission an Antminer S9 Hydro: a guided walkthrough of the installation guide,\n"
            "live checks against the miner (or a built-in simulator), and a recorded job."
        ),
        epilog=(
            "other commands (run 'commission COMMAND --help'):\n"
            f"{commands}\n\n"
            "exit codes of --verify:\n"
            "  0  verified: every check that applies was judged and none failed\n"
            "     (warnings allowed unless --strict)\n"
            "  1  a check failed (with --strict: or warned)\n"
            "  2  usage or configuration error\n"
            "  3  a miner could not be reached\n"
            "  4  not verified: nothing failed, but a check that applies could not be judged\n"
            "     (the miner is still warming up, or a reading was missing or implausible)\n"
            "  when miners of one run end differently, the first of 2, 1, 3, 4, 0 wins"
        ),
    )
    parser.add_argument(
        "--version", action=_VersionAction, nargs=0, help="show the version and the hash engine"
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--simulate",
        nargs="?",
        const="healthy",
        metavar="SCENARIO",
        help=(
            "use the built-in simulated miner instead of real hardware; SCENARIO is a fault "
            "scenario or several joined with commas (default: healthy; see "
            "'commission simulate --list')"
        ),
    )
    target.add_argument(
        "--miner",
        metavar="HOST",
        help="address (or HOST:PORT of the API) of the miner to commission",
    )
    parser.add_argument(
        "--job",
        metavar="FILE",
        help="job file to create or resume; every change is saved to it at once",
    )
    headless = parser.add_argument_group("headless verification (no TUI)")
    headless.add_argument(
        "--verify",
        action="store_true",
        help="run the live checks without the TUI and print the outcomes; hosts are positional",
    )
    headless.add_argument(
        "hosts",
        nargs="*",
        metavar="HOST",
        help=(
            "miners to verify with --verify: an address, HOST:PORT of the RPC API, a CIDR block "
            "(10.1.2.0/24) or a range (10.1.2.10-10.1.2.60, 10.1.2.10-60)"
        ),
    )
    headless.add_argument(
        "--hosts-file",
        action="append",
        default=[],
        metavar="FILE",
        help=(
            "more miners to verify: one target per line ('#' comments), or an inventory written "
            "by 'commission discover' (repeatable)"
        ),
    )
    headless.add_argument(
        "--json", action="store_true", help="print the outcomes as JSON (versioned schema)"
    )
    headless.add_argument(
        "--jsonl",
        action="store_true",
        help="stream one JSON object per miner as it finishes, then a summary object",
    )
    headless.add_argument(
        "--junit", metavar="FILE", help="also write the outcomes as JUnit XML (a suite per miner)"
    )
    headless.add_argument(
        "--csv", metavar="FILE", help="also write the fleet summary as CSV, a row per miner"
    )
    headless.add_argument(
        "--jobs-dir",
        metavar="DIR",
        help="also keep one job record per miner in DIR, named by MAC (or by address)",
    )
    headless.add_argument(
        "--technician",
        default="",
        metavar="NAME",
        help="who verifies, for new job records (default: the login name)",
    )
    headless.add_argument(
        "--site", default="", metavar="NAME", help="the site, for new job records"
    )
    headless.add_argument(
        "--details",
        action="store_true",
        help="print each miner's outcome table as it finishes (default with one miner)",
    )
    headless.add_argument(
        "--only-failed",
        action="store_true",
        help="show only miners that did not pass (the totals still count every miner)",
    )
    headless.add_argument(
        "--concurrency",
        type=int,
        default=512,
        metavar="N",
        help="miners read at the same time, each one request at a time (default: 512)",
    )
    headless.add_argument(
        "--deadline",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="the longest one miner may take, all its requests together (default: 60)",
    )
    headless.add_argument(
        "--soak",
        type=float,
        metavar="MINUTES",
        help="after the checks, watch the miner this long and judge stability (the guide: 20)",
    )
    headless.add_argument(
        "--wait-ready",
        nargs="?",
        type=_wait_minutes,
        const=10.0,
        metavar="MINUTES",
        help=(
            "wait until each miner has warmed up (bmminer running 5 min), at most MINUTES "
            "(default 10), then judge; a miner still warming up then ends not judged (exit 4). "
            "Write it after the hosts, or as --wait-ready=MINUTES"
        ),
    )
    headless.add_argument(
        "--strict", action="store_true", help="treat warnings as failures for the exit code"
    )
    headless.add_argument(
        "--console",
        metavar="PORT",
        help=(
            "also read the control board's serial console (device path or pyserial URL; "
            "with --simulate, 'sim' reads the simulated miner's console)"
        ),
    )
    headless.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="connect and read timeout for each request to a miner (default: 5)",
    )
    headless.add_argument(
        "--web-user",
        default="root",
        metavar="USER",
        help="web UI user (default: root); the password is read from $COMMISSION_WEB_PASSWORD",
    )
    return parser


def _simulate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commission simulate",
        formatter_class=_Formatter,
        description=(
            "Run simulated S9 Hydro miners in the foreground, speaking the stock firmware's\n"
            "RPC (TCP 4028), web UI (HTTP Digest), IP Report (UDP) and serial console.\n"
            "They bind loopback only unless --allow-non-loopback is given."
        ),
    )
    parser.add_argument(
        "--scenario",
        action="append",
        metavar="NAME",
        help="fault scenario (repeatable, or comma-separated); default healthy",
    )
    parser.add_argument("--list", action="store_true", help="list the fault scenarios and exit")
    parser.add_argument(
        "--count", type=int, default=1, metavar="N", help="number of miners (default: 1)"
    )
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        metavar="P",
        help="share of a fleet (0-1) given random fault scenarios, chosen by --seed",
    )
    parser.add_argument(
        "--bind",
        metavar="ADDR",
        help="address of the first miner (default 127.0.0.1; a fleet uses 127.0.1.1, 127.0.1.2, ...)",
    )
    parser.add_argument(
        "--allow-non-loopback",
        action="store_true",
        help="permit --bind outside 127.0.0.0/8 (the simulator is for loopback)",
    )
    parser.add_argument(
        "--api-port", type=int, metavar="P", help="RPC port (default 4028; 0 picks a free one)"
    )
    parser.add_argument(
        "--web-port", type=int, metavar="P", help="web UI port (default 80; 0 picks a free one)"
    )
    parser.add_argument(
        "--report-to",
        metavar="ADDR[:PORT]",
        help="where IP Report datagrams go (default 127.0.0.1:14235)",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default: 0)")
    return parser


def _selftest_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commission selftest",
        formatter_class=_Formatter,
        description=(
            "Check the SHA-256d engine against known answers on every tier this machine has,\n"
            "then measure the selected tier against a plain hashlib loop in the same run."
        ),
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=3.0,
        metavar="N",
        help="length of each speed measurement (default: 3)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, metavar="N", help="threads for the scan (default: 1)"
    )
    parser.add_argument(
        "--tier",
        choices=("sha-ni", "avx2", "portable", "python"),
        help="measure this tier instead of the fastest one available",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser


def _discover_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commission discover",
        formatter_class=_Formatter,
        description=(
            "Find miners, two ways:\n"
            "  --scan TARGETS  probe TCP 4028 and 80 on every address (CIDR blocks, ranges,\n"
            "                  a --hosts-file), identify what answers and classify each address:\n"
            "                  S9 Hydro, other miner, answering but not a miner, or silent.\n"
            "  --listen        listen on UDP 14235 and print each miner's address and MAC as its\n"
            "                  IP Report button is held (about 5 s, until it beeps); --label asks\n"
            "                  for its shelf/step/position.\n"
            "--save FILE appends what was found to an inventory that --verify --hosts-file reads."
        ),
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--listen", action="store_true", help="listen for IP Report datagrams (button presses)"
    )
    mode.add_argument(
        "--scan",
        nargs="+",
        metavar="TARGET",
        help="addresses to probe: ADDRESS, HOST:PORT, CIDR (10.1.2.0/24), ranges (10.1.2.10-60)",
    )
    parser.add_argument(
        "--hosts-file",
        action="append",
        default=[],
        metavar="FILE",
        help="more addresses to scan, one per line ('#' comments), or an inventory",
    )
    parser.add_argument(
        "--save",
        metavar="FILE",
        help="append the miners found (scan) or each press (listen) to this inventory file",
    )
    parser.add_argument(
        "--bind",
        default="0.0.0.0",
        metavar="ADDR",
        help="--listen: local address to listen on (default: all)",
    )
    parser.add_argument(
        "--port", type=int, default=14235, metavar="P", help="--listen: UDP port (default: 14235)"
    )
    parser.add_argument(
        "--label",
        action="store_true",
        help="--listen: ask for a shelf/step/position label for each miner found",
    )
    parser.add_argument(
        "--count",
        type=int,
        metavar="N",
        help="--listen: stop after N distinct miners (default: run until Ctrl+C)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        metavar="S",
        help="--listen: stop after S seconds (default: no limit)",
    )
    parser.add_argument(
        "--json", action="store_true", help="JSON: one line per miner (listen), a document (scan)"
    )
    parser.add_argument("--csv", action="store_true", help="--scan: print the results as CSV")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1024,
        metavar="N",
        help="--scan: addresses probed at the same time (default: 1024)",
    )
    parser.add_argument(
        "--probe-timeout",
        type=float,
        default=1.0,
        metavar="S",
        help="--scan: seconds a port may take to accept a connection (default: 1)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=1,
        metavar="N",
        help="--scan: probe a silent address this many more times (default: 1)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        metavar="S",
        help="--scan: connect and read timeout of each identification request (default: 5)",
    )
    parser.add_argument(
        "--web-user",
        default="root",
        metavar="USER",
        help="--scan: web UI user (default: root); the password is read from $COMMISSION_WEB_PASSWORD",
    )
    return parser


def _export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commission export",
        formatter_class=_Formatter,
        description=(
            "Write a commissioning job as a report: a signable PDF, a printable web page, plain\n"
            "text, JSON (schema commission.report/2) or JUnit XML."
        ),
    )
    parser.add_argument("job", metavar="JOB_FILE", help="the job file to export")
    parser.add_argument(
        "--format",
        choices=("pdf", "html", "text", "json", "junit"),
        default="text",
        help="output format (default: text)",
    )
    parser.add_argument(
        "--paper", choices=("a4", "letter"), default="a4", help="PDF page size (default: a4)"
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write here instead of standard output"
    )
    parser.add_argument(
        "--checklist",
        metavar="FILE",
        help="the checklist file the job was made with (default: the built-in S9 Hydro checklist)",
    )
    return parser


def _checklist_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commission checklist",
        formatter_class=_Formatter,
        description=(
            "Print the commissioning checklist (sections, steps, items and their limits),\n"
            "or check a checklist file for mistakes."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print the checklist as JSON")
    parser.add_argument(
        "--format",
        choices=("text", "json", "pdf"),
        help="text (default), json, or pdf: the blank checklist to print and fill in by hand",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write here (needed for pdf)")
    parser.add_argument(
        "--paper", choices=("a4", "letter"), default="a4", help="PDF page size (default: a4)"
    )
    parser.add_argument(
        "--validate",
        metavar="FILE",
        help="check FILE and report every mistake with its key path and item id; exit 0 or 2",
    )
    parser.add_argument(
        "--file",
        metavar="FILE",
        help="print this checklist file instead of the built-in S9 Hydro checklist",
    )
    return parser


def _ports_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commission ports",
        formatter_class=_Formatter,
        description=(
            "List the serial ports this computer offers (COM3 on Windows, /dev/cu.usbserial-*\n"
            "on macOS, /dev/ttyUSB0 on Linux), USB adapters first, to pass to --console."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print the ports as JSON")
    return parser


SUBPARSERS: dict[str, Callable[[], argparse.ArgumentParser]] = {
    "simulate": _simulate_parser,
    "selftest": _selftest_parser,
    "discover": _discover_parser,
    "export": _export_parser,
    "checklist": _checklist_parser,
    "ports": _ports_parser,
}


def parse(argv: Sequence[str]) -> tuple[str, argparse.Namespace]:
    """Parse ``argv`` (without the program name) into an entry-point name and its arguments."""
    if argv and argv[0] in SUBPARSERS:
        return argv[0], SUBPARSERS[argv[0]]().parse_args(argv[1:])
    parser = _main_parser()
    args = parser.parse_args(argv)
    if args.verify:
        if not args.hosts and not args.hosts_file and args.simulate is None:
            parser.error("--verify needs at least one HOST, a --hosts-file or --simulate SCENARIO")
        if (args.hosts or args.hosts_file) and args.simulate is not None:
            parser.error("give either HOSTs or --simulate to --verify, not both")
        if args.json and args.jsonl:
            parser.error("give --json (one document) or --jsonl (a stream), not both")
        return "verify", args
    if args.hosts:
        first = args.hosts[0]
        parser.error(
            f"unexpected argument {first!r}: hosts go with --verify; to open one miner in the "
            f"TUI use --miner {first}; commands are {', '.join(SUBCOMMANDS)}"
        )
    for flag in (
        "json",
        "jsonl",
        "junit",
        "csv",
        "jobs_dir",
        "details",
        "only_failed",
        "hosts_file",
        "soak",
        "strict",
        "console",
    ):
        if getattr(args, flag):
            parser.error(f"--{flag.replace('_', '-')} goes with --verify")
    if args.wait_ready is not None:
        parser.error("--wait-ready goes with --verify")
    return "tui", args


class _VersionAction(argparse.Action):
    """``--version``: the version and which hash engine tier this installation runs, and why."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object, **__: object) -> None:
        try:
            from commission import hashing

            engine = hashing.describe_engine()
        except CommissionError as error:  # e.g. COMMISSION_HASH_TIER names a tier it lacks
            engine = f"not usable: {error}"
        print(f"commission {__version__}\nhash engine: {engine}")
        parser.exit()


def _resolve(entry: str) -> Handler:
    module_name, _, function = ENTRY_POINTS[entry].partition(":")
    module = importlib.import_module(module_name)
    handler: Handler = getattr(module, function)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``commission`` and return its exit code (see :class:`commission.errors.ExitCode`)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        entry, args = parse(arguments)
    except SystemExit as exit_:  # argparse: --help, --version, or a usage error
        return int(exit_.code or 0)
    if entry in PENDING:
        label = "the TUI" if entry == "tui" else f"'{entry}'"
        print(
            f"commission: {label} is not available yet (it lands with issue {PENDING[entry]})",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    try:
        return _resolve(entry)(args)
    except CommissionError as error:
        print(f"commission: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("commission: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `commission checklist | head`): stop quietly, as Unix tools do.
        # Point stdout at devnull so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.OK
