"""The TUI keeps the record: every live outcome with its time, the soak, the self-test, the
simulated mark; a resumed job shows what was recorded; a job held elsewhere or a file that is not
a job is refused with a notification, never a hang or a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.widgets import Label

from commission.job import JobFile, read_job
from commission.results import Status
from commission.simulator import ManualClock
from commission.tui.progress import item_state
from commission.tui.screens.selftest import SelfTestScreen
from commission.verify.bindings import bindings_from_checklist
from commission.verify.limits import DEFAULT_LIMITS
from commission.verify.runner import Verifier
from tests.tui.conftest import AppFactory
from tests.tui.driving import StepClock, start_job, wait_for

BIG = (120, 50)


async def test_every_reading_is_recorded_and_a_resume_shows_it(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await start_job(pilot)
        await wait_for(pilot, lambda: app.snapshot is not None)

        def readings() -> int:
            check = app.job_file.job.live.get("chains.present") if app.job_file else None
            return 0 if check is None else check.readings

        for wanted in (1, 2):  # the same status again is recorded again, with its own time
            app.action_refresh_now()
            await wait_for(pilot, lambda n=wanted: readings() >= n, timeout=30)
        await pilot.press("ctrl+q")
    job, _ = read_job(tmp_path / "job.json")
    assert job.live["chains.present"].latest.status is Status.PASS
    assert job.simulated and "healthy" in job.simulated_notice

    resumed = make_app()
    resumed.opener = None  # no miner this time: what shows comes from the record
    async with resumed.run_test(size=BIG) as pilot:
        await wait_for(pilot, lambda: resumed.job_file is not None)
        item = resumed.checklist.item("monitoring.chains-present")
        assert resumed.job_file is not None
        state = item_state(item, resumed.job_file.job, resumed.rule_outcomes)
        assert state.status is Status.PASS, state.detail


async def test_a_finished_soak_is_recorded_and_shown_after_a_resume(
    make_app: AppFactory, tmp_path: Path
) -> None:
    clock = StepClock()
    app = make_app(clock=clock, soak_clock=clock)
    # A two-minute soak: the record is the same as for twenty, and a busy machine runs it fast.
    app.verifier = Verifier(
        clock=clock,
        limits=DEFAULT_LIMITS.model_copy(update={"soak_minutes": 2.0}),
        bindings=bindings_from_checklist(app.checklist),
    )
    async with app.run_test(size=BIG) as pilot:
        await start_job(pilot)
        await wait_for(pilot, lambda: app.snapshot is not None)
        await pilot.press("f4", "s")
        await wait_for(
            pilot,
            lambda: app.job_file is not None and app.job_file.job.soak is not None,
            timeout=60,
        )
        await pilot.press("ctrl+q")
    job, _ = read_job(tmp_path / "job.json")
    assert job.soak is not None and job.soak.outcome is not None
    assert job.soak.outcome.status is Status.PASS
    assert job.soak.minutes == 2.0
    assert len(job.soak.samples) >= 2 and job.soak.samples[-1].offset_s == 120.0  # the whole run

    resumed = make_app(clock=ManualClock())
    resumed.opener = None
    async with resumed.run_test(size=BIG) as pilot:
        await wait_for(pilot, lambda: resumed.job_file is not None)
        await pilot.press("f4")
        await wait_for(pilot, lambda: type(resumed.screen).__name__ == "SoakScreen")
        status = str(resumed.screen.query_one("#soak-status", Label).render())
        assert "last soak" in status and "has not run" not in status
        assert resumed.rule_outcomes["soak.stability"].status is Status.PASS


async def test_the_self_test_result_is_recorded(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SelfTestScreen, "tiers", ("python",))
    monkeypatch.setattr(SelfTestScreen, "speed_seconds", 0.05)
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await start_job(pilot)
        await pilot.press("f5", "t")
        await wait_for(
            pilot,
            lambda: app.job_file is not None and app.job_file.job.selftest is not None,
            timeout=30,
        )
    job, _ = read_job(tmp_path / "job.json")
    assert job.selftest is not None and job.selftest.passed
    assert [tier.tier for tier in job.selftest.tiers] == ["python"]


async def test_a_job_open_elsewhere_is_refused_with_its_holder(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await start_job(pilot)
        await pilot.press("ctrl+q")
    with JobFile.open(tmp_path / "job.json"):
        second = make_app()
        async with second.run_test(size=BIG) as pilot:
            await pilot.pause()
            messages = [n.message for n in second._notifications]
            assert any(f"pid {os.getpid()} on host" in m for m in messages), messages
            assert second.job_file is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "deep", "device"])
async def test_a_job_path_that_is_no_job_is_reported_not_hung(
    make_app: AppFactory, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "job.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000)
    else:
        path.symlink_to("/dev/zero")
    app = make_app(job_path=path)
    app.opener = None
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any(m.startswith(f"{path}: ") for m in messages), messages
        assert app.job_file is None
