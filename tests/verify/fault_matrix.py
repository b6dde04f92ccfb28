"""The fault matrix: which check catches each simulated fault, how, and what it tells the technician.

:func:`render` turns the scenario runs of :mod:`tests.verify.scenario_runs` into the Markdown of
``docs/fault-matrix.md``; the test ``tests/verify/test_fault_matrix.py`` compares it with the
committed file (and rewrites it when ``COMMISSION_UPDATE_FAULT_MATRIX=1``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from commission.errors import ExitCode
from commission.results import Outcome, Status
from commission.simulator.scenarios import SCENARIOS
from commission.verify.report import MinerReport, miner_exit_code
from tests.verify.scenario_runs import (
    RUNNING_S,
    SEED,
    SOAK_INTERVAL_S,
    SOAK_MINUTES,
    ScenarioRun,
)

REFRESH: Final = (
    "COMMISSION_UPDATE_FAULT_MATRIX=1 python -m pytest tests/verify/test_fault_matrix.py"
)
ACTION_CHARS: Final = 240
SEEN_CHARS: Final = 300

CANNOT_DETECT: Final = (
    "**The wiring itself.** The firmware reports chains, not connectors. Which physical board is "
    '"hash board 1" and which PCIe lead feeds which chain are not published, so a missing chain '
    "names its board, all three of that board's PCIe leads and its ribbon cable (the order is "
    "assumed), never one connector for certain.",
    "**The PSU under load.** There is no voltage or current telemetry: a PSU that sags or runs hot "
    "shows only indirectly (chains dropping, restarts, a low rate). The PSU's ratings are checked "
    "against what the technician types, not measured.",
    "**Water quality, pressure, flow and leaks.** The miner has no flow, pressure or conductivity "
    "sensor. Flow and pressure are typed by the technician; a stopped pump or a hot loop shows "
    "only through the board temperatures, minutes after the fact. A slow leak is invisible.",
    "**The room.** Ambient temperature, humidity and the dew point margin come from the technician; "
    "condensation on the cold plates cannot be seen.",
    "**Whose worker it is.** The pool checks see that a URL and a worker are set and that shares are "
    "accepted, not that the worker or the wallet behind it belongs to the customer.",
    "**Faults shorter than a sample or later than the run.** A one-verify run is one reading; the "
    "soak samples every few seconds for its length. A fault between two samples that leaves no "
    "trace (no restart, no log line), or one that develops after the soak, is not seen.",
    "**A miner that lies.** Readings are held to plausible ranges and cross-checked, but a firmware "
    "that reports plausible, consistent numbers that are false cannot be told from a healthy one.",
    "**A miner that has not warmed up.** Hash rate, hardware errors and shares are judged only after "
    "5 minutes of uptime: before that the run ends NOT JUDGED (exit 4), never passed; "
    "`--wait-ready` waits for it.",
)
"""What no reading from the miner can show (the section at the end of the matrix)."""


def _cell(text: str, limit: int = 0) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    if limit and len(flat) > limit:
        cut = flat[:limit].rsplit(" ", 1)[0].rstrip(",;:")
        flat = cut + " …"
    return flat or "-"


def _baseline(runs: Mapping[str, ScenarioRun]) -> set[tuple[str, Status]]:
    healthy = runs["healthy"].verify
    return {(o.rule_id, o.status) for o in healthy.outcomes if o.status is not Status.PASS}


def _caught(report: MinerReport, baseline: set[tuple[str, Status]]) -> list[Outcome]:
    """The outcomes that are not a pass and not the baseline (an unreachable miner: only its
    reachability; the others are counted by :func:`_errors`)."""
    return [
        o
        for o in report.outcomes
        if o.status not in (Status.PASS, Status.SKIPPED)
        and (o.rule_id, o.status) not in baseline
        and (report.reachable or o.rule_id == "miner.reachable")
    ]


def _errors(report: MinerReport) -> int:
    if report.reachable:
        return 0
    return sum(
        1 for o in report.outcomes if o.status is Status.ERROR and o.rule_id != "miner.reachable"
    )


def _code(report: MinerReport | None) -> str:
    if report is None:
        return "-"
    code = miner_exit_code(report)
    strict = miner_exit_code(report, strict=True)
    shown = f"{int(code)}"
    if strict is not code:
        shown += f" ({int(strict)} strict)"
    return shown


def _name(scenario: str) -> str:
    return SCENARIOS[scenario.split(":")[0]].description


def render(runs: Mapping[str, ScenarioRun]) -> str:
    """The Markdown of ``docs/fault-matrix.md`` for ``runs``."""
    baseline = _baseline(runs)
    baseline_words = ", ".join(f"`{rule}` {status.word}" for rule, status in sorted(baseline))
    out: list[str] = [
        "# Fault matrix",
        "",
        "What `commission --verify` catches for each fault the simulator can show, which check "
        "catches it, how it ends and what it tells the technician to do; then what the commissioning "
        "soak adds, and what no reading from the miner can show.",
        "",
        f"Generated by `tests/verify/test_fault_matrix.py` from the simulator's scenarios; do not "
        f"edit it by hand. Refresh it with `{REFRESH}` (the test fails, naming this command, when "
        "the file is stale).",
        "",
        "How it is made: each scenario runs on its own simulated S9 Hydro on loopback, read through "
        f"the stock client (seed {SEED}: a particular miner whose boards differ a little and whose "
        "sensors read with noise). *One verify* reads it once after "
        f"{RUNNING_S / 60:g} minutes of running (`fresh-boot`: 3 s after power-on). *The soak* "
        f"watches an identical miner for {SOAK_MINUTES:g} minutes (a sample every "
        f"{SOAK_INTERVAL_S:g} s here, every 5 s in real runs). Exit codes: 0 verified, 1 a check "
        'failed, 3 unreachable, 4 not judged; "strict" is `--strict`, where warnings fail.',
        "",
        f"Every miner here still has the factory web password, so every run also shows "
        f"{baseline_words}; that baseline is left out of the rows below.",
        "",
        "## One verify",
        "",
        "| scenario | the fault | caught by | status | action |",
        "| --- | --- | --- | --- | --- |",
    ]
    for scenario, run in runs.items():
        caught = _caught(run.verify, baseline)
        fault = _cell(_name(scenario))
        if not caught:
            out.append(f"| `{scenario}` | {fault} | nothing: verified | - | - |")
            continue
        for index, outcome in enumerate(caught):
            first = f"`{scenario}` | {fault}" if index == 0 else " | "
            out.append(
                f"| {first} | `{outcome.rule_id}` {_cell(outcome.title)} | "
                f"{outcome.status.word} | {_cell(outcome.action, ACTION_CHARS)} |"
            )
        if errors := _errors(run.verify):
            out.append(
                f"|  |  | {errors} other checks | ERROR | could not be made: the miner did not "
                "answer |"
            )
    out += [
        "",
        "## The soak",
        "",
        "| scenario | soak | what the soak saw | exit, one verify | exit, with the soak |",
        "| --- | --- | --- | --- | --- |",
    ]
    for scenario, run in runs.items():
        soak = None if run.soak is None else run.soak.outcomes
        outcome = next((o for o in soak or () if o.rule_id == "soak.stability"), None)
        if outcome is None:
            out.append(
                f"| `{scenario}` | - | no soak: the miner could not be reached | "
                f"{_code(run.verify)} | - |"
            )
            continue
        seen = outcome.observed.split(": ", 1)[-1]
        out.append(
            f"| `{scenario}` | {outcome.status.word} | {_cell(seen, SEEN_CHARS)} | "
            f"{_code(run.verify)} | {_code(run.soak)} |"
        )
    out += ["", "## What the tool cannot detect", ""]
    out += [f"- {line}" for line in CANNOT_DETECT]
    codes = sorted({miner_exit_code(r.verify) for r in runs.values()} | {ExitCode.OK})
    out += [
        "",
        "Exit codes met in this matrix: " + ", ".join(f"{int(c)} ({c.name})" for c in codes) + ".",
        "",
    ]
    return "\n".join(out)
