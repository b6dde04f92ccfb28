"""Pilot tests of the miner-side actions and the screens around the walkthrough."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Label

from commission.cli import main
from commission.errors import MinerUnreachable
from commission.job import RecentJobs, read_job
from commission.results import Status
from commission.tui.app import CommissionApp
from commission.tui.link import MinerLink
from commission.tui.screens.dashboard import DashboardScreen
from commission.tui.screens.selftest import SelfTestScreen
from tests.tui.conftest import AppFactory
from tests.tui.driving import StepClock, go_to_step, start_job, type_into, wait_for

BIG = (160, 60)


async def test_changing_the_web_password(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await start_job(pilot)
        await wait_for(pilot, lambda: "security.default_password" in app.rule_outcomes)
        assert app.rule_outcomes["security.default_password"].status is Status.WARN
        await go_to_step(pilot, "admin.password")
        await type_into(pilot, "admin.new-password", "n3w-Secret!")
        panel = app.screen.query_one("#password-panel")
        panel.query_one("#pw-current", Input).value = "root"
        panel.query_one("#pw-repeat", Input).value = "n3w-Secret!"
        await pilot.pause()
        assert "n3w-Secret!" not in app.export_screenshot()  # masked on screen and in pictures
        await pilot.click("#pw-apply")
        await pilot.pause()
        await pilot.press("y")
        result = panel.query_one("#pw-result", Label)
        await wait_for(pilot, lambda: "changed" in str(result.render()))

        def default_refused() -> bool:
            app.action_refresh_now()
            outcome = app.rule_outcomes["security.default_password"]
            return outcome.status is Status.PASS

        await wait_for(pilot, default_refused)
    text = (tmp_path / "job.json").read_text()
    assert "n3w-Secret!" not in text
    job, _ = read_job(tmp_path / "job.json")
    assert job.current("admin.new-password") is not None
    assert job.current("admin.new-password").secret


async def test_a_wrong_current_password_is_shown_not_swallowed(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await start_job(pilot)
        await go_to_step(pilot, "admin.password")
        await type_into(pilot, "admin.new-password", "n3w-Secret!")
        panel = app.screen.query_one("#password-panel")
        panel.query_one("#pw-current", Input).value = "not-root"
        panel.query_one("#pw-repeat", Input).value = "n3w-Secret!"
        await pilot.click("#pw-apply")
        await pilot.pause()
        await pilot.press("y")
        result = panel.query_one("#pw-result", Label)
        await wait_for(pilot, lambda: "refused" in str(result.render()))
        assert "FAIL" in str(result.render())


async def test_the_soak_runs_twenty_minutes_and_is_judged(
    make_app: AppFactory, tmp_path: Path
) -> None:
    clock = StepClock()
    app = make_app(clock=clock, soak_clock=clock)
    async with app.run_test(size=BIG) as pilot:
        await start_job(pilot)
        await wait_for(pilot, lambda: app.snapshot is not None)
        await pilot.press("f4", "s")
        await wait_for(pilot, lambda: "soak.stability" in app.rule_outcomes, timeout=30)
        soak = app.rule_outcomes["soak.stability"]
        assert soak.status is Status.PASS
        status = str(app.screen.query_one("#soak-status", Label).render())
        assert "soak finished" in status
    job, _ = read_job(tmp_path / "job.json")
    assert any(outcome.rule_id == "soak.stability" for outcome in job.results)


async def test_the_hash_self_test_checks_known_answers(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SelfTestScreen, "tiers", ("python",))
    monkeypatch.setattr(SelfTestScreen, "speed_seconds", 0.05)
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("f5", "t")
        status = app.screen.query_one("#selftest-status", Label)
        await wait_for(pilot, lambda: "finished" in str(status.render()))
        table = app.screen.query_one(DataTable)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[0] == "python" and "2 of 2 match" in row[1]
        assert float(row[2].replace(",", "")) > 0
        assert "0 failed" in str(status.render())


async def test_the_command_palette_opens_the_dashboard(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"live dashboard")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))


async def test_screens_that_need_a_job_say_so(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert app.current_mode == "start"
        assert any("start or resume a job" in n.message for n in app._notifications)


async def test_a_broken_recent_jobs_list_never_blocks_a_job(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    broken = app.recent.path
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text("{ not json")
    async with app.run_test(size=BIG) as pilot:
        await start_job(pilot)
        assert app.job_file is not None and app.job_file.path.exists()
        messages = [n.message for n in app._notifications]
        assert any("recent-jobs list is broken" in message for message in messages)
    assert broken.read_text() == "{ not json"  # reported, never overwritten silently


async def test_an_unreachable_miner_is_reported_and_the_walkthrough_still_works(
    tmp_path: Path,
) -> None:
    async def refuse() -> MinerLink:
        raise MinerUnreachable("127.0.0.9:4028: connection refused")

    app = CommissionApp(
        refuse, job_path=tmp_path / "job.json", recent=RecentJobs(tmp_path), jobs_folder=tmp_path
    )
    async with app.run_test(size=BIG) as pilot:
        await wait_for(pilot, lambda: app.miner_problem != "")
        assert "connection refused" in app.miner_problem
        await start_job(pilot)
        await go_to_step(pilot, "monitoring.chains")
        live = str(app.screen.query_one("#item-monitoring_chains-present .item--outcome").render())
        assert "ERROR" in live and "connection refused" in live
        await go_to_step(pilot, "site.room")
        await type_into(pilot, "site.ambient-temperature", "22")
        assert app.job_file is not None
        assert app.job_file.job.current("site.ambient-temperature") is not None


def test_a_bad_scenario_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--simulate", "no-such-fault"]) == 2
    err = capsys.readouterr().err
    assert "no-such-fault" in err and "Traceback" not in err


def test_a_bad_miner_port_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--miner", "10.0.0.5:http"]) == 2
    assert "is not a TCP port" in capsys.readouterr().err
