"""Fixtures for the TUI tests: an app on a simulated miner with a fixed clock, in a temp folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from commission.job import RecentJobs
from commission.simulator import ManualClock
from commission.tui.app import CommissionApp
from tests.tui.driving import warm_opener

AppFactory = Callable[..., CommissionApp]


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every text cursor still, so no picture depends on where the blink timer was."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[AppFactory]:
    """Build an app on a simulated miner; keyword arguments override the defaults.

    After the test, no app it built may have met an unexpected error: the app survives them (and
    shows them), so without this check a bug would pass unseen. A test that provokes one on
    purpose clears ``app.unexpected_errors`` once it has checked it.
    """
    built: list[CommissionApp] = []

    def build(
        scenarios: str = "healthy",
        *,
        job_path: Path | None = None,
        clock: ManualClock | None = None,
        refresh_seconds: float = 3600.0,
        soak_clock: ManualClock | None = None,
    ) -> CommissionApp:
        clock = clock if clock is not None else ManualClock()
        app = CommissionApp(
            warm_opener(scenarios, clock),
            job_path=job_path if job_path is not None else tmp_path / "job.json",
            recent=RecentJobs(tmp_path / "home"),
            jobs_folder=tmp_path / "home",
            refresh_seconds=refresh_seconds,
            soak_clock=soak_clock,
            simulated=True,
        )
        built.append(app)
        return app

    yield build
    problems = [report.describe() for app in built for report in app.unexpected_errors]
    assert not problems, f"unexpected errors in the app: {problems}"
