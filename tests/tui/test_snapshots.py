"""A snapshot of every screen (pytest-textual-snapshot), on frozen, deterministic data.

The miner is the simulator on a manual clock (seed 0, read once after a fixed warm-up), the job
file has a fixed name, and toasts are cleared before the picture is taken, so each SVG is the same
on every run. Update them with ``pytest tests/tui --snapshot-update`` after a deliberate change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from commission.tui.screens.selftest import SelfTestScreen
from commission.tui.screens.walkthrough import WalkthroughScreen
from tests.tui.conftest import AppFactory
from tests.tui.driving import StepClock, go_to_step, start_job, type_into, wait_for
from tests.tui.test_flows import POOLS

SIZE = (100, 32)
SMALL = (80, 24)
Before = Callable[[Pilot[object]], Awaitable[None]]


async def settle(pilot: Pilot[object]) -> None:
    """Wait for the first reading, then clear toasts so the picture does not depend on timing."""
    app = pilot.app
    await wait_for(pilot, lambda: getattr(app, "snapshot", None) is not None)
    await pilot.pause(0.2)
    app.clear_notifications()
    await pilot.pause()


async def open_step(pilot: Pilot[object], step: str, *typed: tuple[str, str]) -> None:
    """Open ``step``, type ``typed`` (item id, text) answers and wait for live data."""
    await go_to_step(pilot, step)
    for item_id, text in typed:
        await type_into(pilot, item_id, text)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WalkthroughScreen)
    screen.refresh_live()
    await pilot.pause()


def at_step(step: str, *typed: tuple[str, str]) -> Before:
    """Start a job, then :func:`open_step`."""

    async def before(pilot: Pilot[object]) -> None:
        await start_job(pilot)
        await open_step(pilot, step, *typed)

    return before


def test_start_screen(snap_compare: Callable[..., bool], make_app: AppFactory) -> None:
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=settle)


def test_walkthrough_measurement_failure(
    snap_compare: Callable[..., bool], make_app: AppFactory
) -> None:
    before = at_step("psu.rating", ("psu.output-voltage", "12,6 V"), ("psu.rated-current", "180"))
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=before)


def test_walkthrough_dew_point_calculator(
    snap_compare: Callable[..., bool], make_app: AppFactory
) -> None:
    async def before(pilot: Pilot[object]) -> None:
        await start_job(pilot)
        await go_to_step(pilot, "site.room")
        await type_into(pilot, "site.ambient-temperature", "25")
        await type_into(pilot, "site.relative-humidity", "60")
        await go_to_step(pilot, "water.readings")
        await type_into(pilot, "water.inlet-temperature", "18")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before)


def test_wiring_view_with_a_missing_chain(
    snap_compare: Callable[..., bool], make_app: AppFactory
) -> None:
    async def before(pilot: Pilot[object]) -> None:
        await at_step("psu.pcie")(pilot)
        for plug in ("pcie-b1-1", "pcie-b1-2", "pcie-b4-2"):
            await pilot.click(f"#plug-{plug} Checkbox")
        await pilot.pause()

    assert snap_compare(make_app("chain-missing:7"), terminal_size=SIZE, run_before=before)


def test_ip_report_step(snap_compare: Callable[..., bool], make_app: AppFactory) -> None:
    async def before(pilot: Pilot[object]) -> None:
        await at_step("network.ip-report")(pilot)
        app = pilot.app
        status = app.screen.query_one("#ip-status")
        await wait_for(pilot, lambda: "listening" in str(status.render()))
        await pilot.click("#ip-press")
        await wait_for(pilot, lambda: app.job_file.job.miner_mac != "")  # type: ignore[attr-defined]
        await pilot.pause(0.2)
        app.clear_notifications()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before)


def pools_typed() -> list[tuple[str, str]]:
    typed = []
    for number, (url, worker, password) in enumerate(POOLS, start=1):
        typed += [
            (f"pools.{number}.url", url),
            (f"pools.{number}.worker", worker),
            (f"pools.{number}.password", password),
        ]
    return typed


def test_pools_step(snap_compare: Callable[..., bool], make_app: AppFactory) -> None:
    async def before(pilot: Pilot[object]) -> None:
        await start_job(pilot)
        for item_id, text in pools_typed():
            await go_to_step(pilot, item_id.rsplit(".", 1)[0])
            await type_into(pilot, item_id, text)
        await open_step(pilot, "pools.check")

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before)


def test_pools_confirmation_dialog(snap_compare: Callable[..., bool], make_app: AppFactory) -> None:
    async def before(pilot: Pilot[object]) -> None:
        await start_job(pilot)
        for item_id, text in pools_typed():
            await go_to_step(pilot, item_id.rsplit(".", 1)[0])
            await type_into(pilot, item_id, text)
        await open_step(pilot, "pools.check")
        await pilot.click("#pools-apply")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before)


def test_password_step(snap_compare: Callable[..., bool], make_app: AppFactory) -> None:
    before = at_step("admin.password", ("admin.new-password", "n3w-Secret!"))
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before)


def test_dashboard(snap_compare: Callable[..., bool], make_app: AppFactory) -> None:
    async def before(pilot: Pilot[object]) -> None:
        await start_job(pilot)
        await pilot.press("f3")
        await settle(pilot)

    assert snap_compare(make_app("chain-missing:7"), terminal_size=(120, 44), run_before=before)


def test_dashboard_small_terminal(snap_compare: Callable[..., bool], make_app: AppFactory) -> None:
    async def before(pilot: Pilot[object]) -> None:
        await start_job(pilot)
        await pilot.press("f3")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SMALL, run_before=before)


def test_soak_finished(snap_compare: Callable[..., bool], make_app: AppFactory) -> None:
    clock = StepClock()

    async def before(pilot: Pilot[object]) -> None:
        await start_job(pilot)
        await settle(pilot)
        await pilot.press("f4")
        await pilot.press("s")
        await wait_for(
            pilot,
            lambda: "soak.stability" in pilot.app.rule_outcomes,
            timeout=30,  # type: ignore[attr-defined]
        )
        await pilot.pause(0.2)
        pilot.app.clear_notifications()

    app = make_app(clock=clock, soak_clock=clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_selftest(
    snap_compare: Callable[..., bool], make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SelfTestScreen, "tiers", ("python",))
    monkeypatch.setattr(SelfTestScreen, "_speed", staticmethod(lambda tier: 1.25))
    # The engine line names this machine's tiers; pin them so the picture is the same everywhere
    # (and with COMMISSION_NO_EXTENSIONS=1, as CI runs the suite a second time).
    monkeypatch.setattr("commission.hashing.implementation", "python")
    monkeypatch.setattr("commission.hashing.fallback_reason", None)
    monkeypatch.setattr("commission.hashing.tiers_available", lambda: ("python",))

    async def before(pilot: Pilot[object]) -> None:
        await start_job(pilot)
        await settle(pilot)
        await pilot.press("f5")
        await pilot.press("t")
        status = pilot.app.screen.query_one("#selftest-status")
        await wait_for(pilot, lambda: "finished" in str(status.render()))

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=before)


def test_summary(snap_compare: Callable[..., bool], make_app: AppFactory, tmp_path: Path) -> None:
    async def before(pilot: Pilot[object]) -> None:
        await start_job(pilot)
        await go_to_step(pilot, "psu.rating")
        await type_into(pilot, "psu.output-voltage", "12.6")
        await type_into(pilot, "psu.rated-current", "180")
        await settle(pilot)
        await pilot.press("f6")
        await pilot.pause()

    assert snap_compare(make_app("chain-missing:7"), terminal_size=SIZE, run_before=before)
