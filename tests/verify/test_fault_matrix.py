"""The fault matrix is generated from the scenarios, and every faulty scenario fails the soak.

``docs/fault-matrix.md`` is what :func:`tests.verify.fault_matrix.render` makes of the scenario
runs; this test regenerates it and fails, naming the command that refreshes it, when the committed
file is stale. The soak tests read the same runs: the healthy miners' soaks pass on their merits and
every faulty one is caught.
"""

from __future__ import annotations

import difflib
import os
from typing import Final

import pytest

from commission.errors import ExitCode
from commission.results import Status
from commission.verify.report import miner_exit_code
from tests.conftest import REPO
from tests.verify.fault_matrix import REFRESH, render
from tests.verify.scenario_runs import SCENARIO_RUNS, ScenarioRun, scenario_runs

MATRIX = REPO / "docs" / "fault-matrix.md"

HEALTHY: Final = ("healthy", "password-changed", "split-replies", "fresh-boot")
"""Nothing wrong (``fresh-boot`` only needs its warm-up, which the soak gives it)."""
UNREACHABLE: Final = ("api-down", "slow-replies")
"""No soak: the miner cannot be read at all (exit 3)."""
SOAK_VERDICT: Final[dict[str, Status]] = {
    "pool-dead": Status.WARN,
    "one-pool": Status.WARN,
    "sensor-faulty:7": Status.WARN,
    "old-firmware": Status.PASS,
}
"""Faults the soak does not fail: warnings (mining on a backup pool, no backup pool, one broken
sensor) and an old firmware, which is no stability fault (``identity.firmware`` warns, so the run
fails with ``--strict``). Every other faulty scenario FAILS the soak."""


@pytest.fixture(scope="module")
def runs() -> dict[str, ScenarioRun]:
    return scenario_runs()


def test_the_committed_fault_matrix_is_current(runs: dict[str, ScenarioRun]) -> None:
    fresh = render(runs)
    if os.environ.get("COMMISSION_UPDATE_FAULT_MATRIX") == "1":
        MATRIX.parent.mkdir(exist_ok=True)
        MATRIX.write_text(fresh, encoding="utf-8")
    committed = MATRIX.read_text(encoding="utf-8") if MATRIX.exists() else ""
    if committed != fresh:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    fresh.splitlines(keepends=True),
                    "docs/fault-matrix.md (committed)",
                    "docs/fault-matrix.md (from the scenarios)",
                )
            )[:60]
        )
        pytest.fail(f"docs/fault-matrix.md is stale: refresh it with\n    {REFRESH}\n\n{diff}")


def test_the_matrix_names_every_scenario_and_what_cannot_be_detected() -> None:
    text = MATRIX.read_text(encoding="utf-8")
    for scenario in SCENARIO_RUNS:
        assert f"| `{scenario}` |" in text, scenario
    assert "## What the tool cannot detect" in text


@pytest.mark.parametrize("scenario", HEALTHY)
def test_healthy_soaks_pass_on_their_merits(runs: dict[str, ScenarioRun], scenario: str) -> None:
    report = runs[scenario].soak
    assert report is not None
    soak = next(o for o in report.outcomes if o.rule_id == "soak.stability")
    assert soak.status is Status.PASS, soak.observed
    assert "settled" in soak.observed and "100% in band" in soak.observed
    assert miner_exit_code(report) is ExitCode.OK


@pytest.mark.parametrize("scenario", [s for s in SCENARIO_RUNS if s not in HEALTHY + UNREACHABLE])
def test_every_faulty_scenario_is_caught_by_the_soak(
    runs: dict[str, ScenarioRun], scenario: str
) -> None:
    report = runs[scenario].soak
    assert report is not None
    soak = next(o for o in report.outcomes if o.rule_id == "soak.stability")
    expected = SOAK_VERDICT.get(scenario, Status.FAIL)
    assert soak.status is expected, soak.observed
    if expected is not Status.PASS:
        assert soak.action and soak.evidence
    assert miner_exit_code(report, strict=True) is not ExitCode.OK


@pytest.mark.parametrize("scenario", UNREACHABLE)
def test_an_unreachable_miner_is_not_soaked(runs: dict[str, ScenarioRun], scenario: str) -> None:
    run = runs[scenario]
    assert run.soak is None
    assert miner_exit_code(run.verify) is ExitCode.UNREACHABLE
