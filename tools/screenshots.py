"""Regenerate screenshots/*.svg by driving the real app against the built-in simulator.

Run from the repository root: ``python tools/screenshots.py`` (add ``--only NAME`` for one). Each
picture is the real TUI, on a simulated S9 Hydro on loopback, driven with Textual's Pilot the same
way the tests drive it (tests/tui/driving.py), then exported with ``App.export_screenshot``.
Nothing is drawn by hand. The miner's clock is a manual one, so numbers are the same every run,
except the hash self-test's speed, which is measured on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from textual.pilot import Pilot  # noqa: E402

from commission.job import RecentJobs  # noqa: E402
from commission.tui.app import CommissionApp  # noqa: E402
from tests.tui.driving import (  # noqa: E402
    StepClock,
    go_to_step,
    start_job,
    type_into,
    wait_for,
    warm_opener,
)

OUT = REPO / "screenshots"
POOLS = (
    ("stratum+tcp://pool.example.org:3333", "farm1.hydro42", "x"),
    ("stratum+tcp://backup.example.org:443", "farm1.hydro42", "x"),
    ("stratum+tcp://last.example.org:25", "farm1.hydro42", "x"),
)

Drive = Callable[[Pilot[object]], Awaitable[None]]
CLOCK = StepClock()
"""The simulated miner's clock (a fresh one per screenshot); some shots move it forward."""


@dataclass(frozen=True)
class Shot:
    """One screenshot: file name, terminal size, fault scenario, and how to get there."""

    name: str
    title: str
    size: tuple[int, int]
    scenario: str
    drive: Drive


async def settle(pilot: Pilot[object]) -> None:
    """Wait for live data and drop the toasts."""
    app = pilot.app
    assert isinstance(app, CommissionApp)
    await wait_for(pilot, lambda: app.snapshot is not None)
    await pilot.pause(0.3)
    app.clear_notifications()
    await pilot.pause()


async def step(pilot: Pilot[object], step_id: str, *typed: tuple[str, str]) -> None:
    """Open a walkthrough step and type answers."""
    await go_to_step(pilot, step_id)
    for item_id, text in typed:
        await type_into(pilot, item_id, text)
    await settle(pilot)
    pilot.app.screen.refresh_live()  # type: ignore[attr-defined]
    await pilot.pause()


async def start(pilot: Pilot[object]) -> None:
    await settle(pilot)


async def measurement(pilot: Pilot[object]) -> None:
    await start_job(pilot)
    await step(pilot, "psu.rating", ("psu.output-voltage", "12,6 V"), ("psu.rated-current", "180"))


async def wiring(pilot: Pilot[object]) -> None:
    await start_job(pilot)
    await step(pilot, "psu.pcie")
    for plug in ("pcie-b1-1", "pcie-b1-2", "pcie-b1-3", "pcie-b2-1", "pcie-b4-2"):
        await pilot.click(f"#plug-{plug} Checkbox")
    await pilot.pause()


async def dew_point(pilot: Pilot[object]) -> None:
    await start_job(pilot)
    await step(
        pilot, "site.room", ("site.ambient-temperature", "25"), ("site.relative-humidity", "60")
    )
    await step(pilot, "water.readings", ("water.inlet-temperature", "18"))


async def ip_report(pilot: Pilot[object]) -> None:
    await start_job(pilot)
    await step(pilot, "network.ip-report")
    app = pilot.app
    assert isinstance(app, CommissionApp)
    await wait_for(pilot, lambda: "listening" in str(app.screen.query_one("#ip-status").render()))
    await pilot.click("#ip-press")
    await wait_for(pilot, lambda: app.job_file is not None and app.job_file.job.miner_mac != "")
    await pilot.pause(0.3)
    app.clear_notifications()


async def pools(pilot: Pilot[object]) -> None:
    await start_job(pilot)
    for number, (url, worker, password) in enumerate(POOLS, start=1):
        await go_to_step(pilot, f"pools.{number}")
        await type_into(pilot, f"pools.{number}.url", url)
        await type_into(pilot, f"pools.{number}.worker", worker)
        await type_into(pilot, f"pools.{number}.password", password)
    await step(pilot, "pools.check")
    await pilot.click("#pools-apply")
    await pilot.pause()


async def dashboard(pilot: Pilot[object]) -> None:
    """The dashboard after 40 readings taken 15 s apart on the miner's clock (10 minutes)."""
    app = pilot.app
    assert isinstance(app, CommissionApp)
    await start_job(pilot)
    await pilot.press("f3")
    await settle(pilot)
    for _ in range(40):
        before = app.snapshot
        CLOCK.advance(15)
        app.action_refresh_now()
        await wait_for(pilot, lambda before=before: app.snapshot is not before)
    await pilot.pause(0.3)
    app.clear_notifications()


async def soak(pilot: Pilot[object]) -> None:
    app = pilot.app
    assert isinstance(app, CommissionApp)
    await start_job(pilot)
    await settle(pilot)
    await pilot.press("f4", "s")
    await wait_for(pilot, lambda: "soak.stability" in app.rule_outcomes, timeout=60)
    await pilot.pause(0.3)
    app.clear_notifications()


async def selftest(pilot: Pilot[object]) -> None:
    await start_job(pilot)
    await settle(pilot)
    await pilot.press("f5", "t")
    status = pilot.app.screen.query_one("#selftest-status")
    await wait_for(pilot, lambda: "finished" in str(status.render()), timeout=120)
    await pilot.pause(0.5)


async def summary(pilot: Pilot[object]) -> None:
    await start_job(pilot)
    await step(pilot, "psu.rating", ("psu.output-voltage", "12.6"), ("psu.rated-current", "180"))
    await pilot.press("f6")
    await pilot.pause(0.3)


SHOTS = (
    Shot("start", "Start or resume a job (80x24)", (80, 24), "healthy", start),
    Shot("walkthrough", "A measurement out of range", (100, 32), "healthy", measurement),
    Shot("wiring", "Wiring view: chain 7 missing", (100, 32), "chain-missing:7", wiring),
    Shot("dew-point", "Inlet temperature against the dew point", (100, 32), "healthy", dew_point),
    Shot("ip-report", "IP Report: address and MAC found", (100, 32), "healthy", ip_report),
    Shot("pools", "Applying the pools, after a confirmation", (100, 32), "healthy", pools),
    Shot("dashboard", "Live dashboard: chain 7 missing", (120, 44), "chain-missing:7", dashboard),
    Shot("soak", "The 20-minute commissioning soak", (100, 36), "healthy", soak),
    Shot("selftest", "Hash self-test", (100, 24), "healthy", selftest),
    Shot("summary", "Summary: outcomes and what remains", (100, 36), "chain-missing:7", summary),
)


async def take(shot: Shot, folder: Path) -> Path:
    """Drive a fresh app to ``shot`` and write its SVG."""
    global CLOCK
    with tempfile.TemporaryDirectory() as home:
        clock = CLOCK = StepClock()
        app = CommissionApp(
            warm_opener(shot.scenario, clock),
            job_path=Path(home) / "job.json",
            recent=RecentJobs(Path(home)),
            jobs_folder=Path(home),
            refresh_seconds=3.0,
            soak_clock=clock,
        )
        async with app.run_test(size=shot.size) as pilot:
            await shot.drive(pilot)
            svg = app.export_screenshot(title=f"commission · {shot.title}")
    path = folder / f"{shot.name}.svg"
    path.write_text(svg, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Write every screenshot (or the ones named with --only)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", metavar="NAME", help="only this screenshot")
    parser.add_argument("--out", type=Path, default=OUT, help="folder (default: screenshots/)")
    args = parser.parse_args(argv)
    wanted = [shot for shot in SHOTS if not args.only or shot.name in args.only]
    unknown = set(args.only or ()) - {shot.name for shot in SHOTS}
    if unknown:
        parser.error(f"unknown screenshot(s) {sorted(unknown)}; known: {[s.name for s in SHOTS]}")
    args.out.mkdir(parents=True, exist_ok=True)
    for shot in wanted:
        print(asyncio.run(take(shot, args.out)).relative_to(REPO))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
