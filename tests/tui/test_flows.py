"""Pilot tests of the technician's flows, against the simulator on loopback."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Label

from commission.job import SECRET_MARK, read_job
from commission.results import Status
from commission.simulator import ManualClock
from commission.tui.progress import section_progress
from commission.tui.screens.walkthrough import WalkthroughScreen
from commission.tui.widgets.items import ItemView
from commission.tui.widgets.tickbox import TickBox
from tests.tui.conftest import AppFactory
from tests.tui.driving import go_to_step, start_job, type_into, wait_for

BIG = (160, 60)


def verdict_of(app: object, item_id: str) -> str:
    """The plain text of an item's verdict line."""
    screen = app.screen  # type: ignore[attr-defined]
    view = screen.query_one("#item-" + item_id.replace(".", "_"), ItemView)
    return str(view.query_one(".item--verdict", Label).render())


async def test_out_of_range_measurement_shows_failure_and_why(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await start_job(pilot)
        await go_to_step(pilot, "psu.rating")
        await type_into(pilot, "psu.output-voltage", "12,7 V")
        shown = verdict_of(app, "psu.output-voltage")
        assert "FAIL" in shown and "✘" in shown
        assert "12.7" in shown and "12.6" in shown  # the value read and the limit it broke
        await type_into(pilot, "psu.rated-current", "abc")
        assert "INVALID" in verdict_of(app, "psu.rated-current")
    job, _ = read_job(tmp_path / "job.json")
    entry = job.current("psu.output-voltage")
    assert entry is not None and entry.status == "fail" and entry.number == 12.7
    assert job.current("psu.rated-current") is None  # a typo is shown, never recorded


PSU_VALUES = {
    "psu.output-voltage": "12.05",
    "psu.rated-current": "180 A",
    "psu.rated-power": "2200",
    "psu.ripple": "0.5",
    "psu.line-regulation": "0.5",
    "psu.load-regulation": "0.5",
    "psu.pcie-terminals": "13",
    "psu.power-factor": "0.995",
    "psu.setup-time": "1",
    "psu.short-circuit-time": "20",
    "psu.leakage-current": "1",
    "psu.low-voltage-protection": "85",
    "psu.overcurrent-protection": "190",
    "psu.ac-cable": "1.5",
}


async def test_completing_the_psu_section(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await start_job(pilot)
        screen = app.screen
        assert isinstance(screen, WalkthroughScreen)
        await go_to_step(pilot, "psu.rating", by_keys=True)
        psu = app.checklist.section("psu")
        for step in psu.steps:
            await go_to_step(pilot, step.id, by_keys=True)
            for item in step.items:
                if item.id in PSU_VALUES:
                    await type_into(pilot, item.id, PSU_VALUES[item.id])
                elif item.kind == "confirm" and item.id in app.wiring_items().values():
                    plug = next(p for p, i in app.wiring_items().items() if i == item.id)
                    await pilot.click(f"#plug-{_dom(plug)} Checkbox")
                elif item.kind == "confirm":
                    box = f"#item-{item.id.replace('.', '_')} Checkbox"
                    app.screen.query_one(box).scroll_visible(animate=False)
                    await pilot.pause()
                    await pilot.click(box)
            await pilot.pause()
        assert app.job_file is not None
        progress = {p.section.id: p for p in section_progress(app.checklist, app.job_file.job, {})}
        assert progress["psu"].done == progress["psu"].total > 20
        assert progress["psu"].status is Status.PASS
        assert progress["psu"].glyph == "✔"
    job, _ = read_job(tmp_path / "job.json")
    assert all(job.current(i) is not None for i in PSU_VALUES)
    assert job.current("psu.pcie.b4-3") is not None and job.current("psu.pcie.b4-3").value == "yes"


def _dom(name: str) -> str:
    from commission.tui.widgets.wiring import dom_id

    return dom_id(name).removeprefix("plug-")


async def test_dashboard_and_wiring_show_a_missing_chain(make_app: AppFactory) -> None:
    app = make_app("chain-missing:7")
    async with app.run_test(size=BIG) as pilot:
        await start_job(pilot)
        await wait_for(pilot, lambda: app.snapshot is not None)
        await go_to_step(pilot, "psu.pcie")
        plug = app.screen.query_one("#plug-pcie-b4-2")
        await wait_for(pilot, lambda: plug.has_class("-missing"))
        assert app.screen.query_one("#board-4").has_class("-missing")
        assert not app.screen.query_one("#board-1").has_class("-missing")
        summary = str(app.screen.query_one("#wiring-summary", Label).render())
        assert "PCIe-B4.2 (chain 7)" in summary and "FAIL" in summary
        await pilot.press("f3")
        await pilot.pause()
        from commission.tui.widgets.chain_table import ChainTable

        table = app.screen.query_one(ChainTable)
        await wait_for(pilot, lambda: table.row_count == 13)
        row = [str(cell) for cell in table.get_row("7")]
        assert "✘ 7" in row[0] and "PCIe-B4.2" in row[1] and "0 missing" in row[2]
        chains = app.rule_outcomes["chains.present"]
        assert chains.status is Status.FAIL and "PCIe-B4.2" in chains.action


POOLS = (
    ("stratum+tcp://pool.example.org:3333", "farm1.hydro42", "x1"),
    ("stratum+tcp://backup.example.org:443", "farm1.hydro42", "x2"),
    ("stratum+tcp://last.example.org:25", "farm1.hydro42", "s3cret-pool-pass"),
)


async def test_applying_pools(make_app: AppFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    app = make_app(clock=clock)
    async with app.run_test(size=BIG) as pilot:
        await start_job(pilot)
        for number, (url, worker, password) in enumerate(POOLS, start=1):
            await go_to_step(pilot, f"pools.{number}")
            await type_into(pilot, f"pools.{number}.url", url)
            await type_into(pilot, f"pools.{number}.worker", worker)
            await type_into(pilot, f"pools.{number}.password", password)
        await go_to_step(pilot, "pools.check")
        await pilot.click("#pools-apply")
        await pilot.pause()
        shown = app.export_screenshot()
        assert "s3cret-pool-pass" not in shown and "pool.example.org" in shown
        await pilot.press("y")  # the confirmation dialog
        await wait_for(
            pilot, lambda: "written" in str(app.screen.query_one("#pools-result", Label).render())
        )
        clock.advance(60)  # the miner restarts its mining program after saving the pools

        def alive() -> bool:
            app.action_refresh_now()
            snapshot = app.snapshot
            return snapshot is not None and [p.url for p in snapshot.pools] == [
                url for url, _, _ in POOLS
            ]

        await wait_for(pilot, alive)
        assert app.snapshot is not None
        assert all(pool.user == "farm1.hydro42" for pool in app.snapshot.pools)
    text = (tmp_path / "job.json").read_text()
    for _, _, password in POOLS:
        assert password not in text
    job, _ = read_job(tmp_path / "job.json")
    assert job.current("pools.3.password") is not None
    assert job.current("pools.3.password").value == SECRET_MARK


async def test_ip_report_fills_address_and_mac(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await start_job(pilot)
        await wait_for(pilot, lambda: app.link is not None)
        await go_to_step(pilot, "network.ip-report")
        status = app.screen.query_one("#ip-status", Label)
        await wait_for(pilot, lambda: "listening" in str(status.render()))
        await pilot.click("#ip-press")
        assert app.job_file is not None
        await wait_for(pilot, lambda: app.job_file.job.miner_mac != "")
        address = app.screen.query_one("#input-network_address", Input)
        assert address.value == "127.0.0.1"
        await pilot.pause()
        pressed = app.screen.query_one("#item-network_ip-report-pressed TickBox", TickBox)
        assert pressed.value
    job, _ = read_job(tmp_path / "job.json")
    assert job.miner_host == "127.0.0.1"
    assert job.current("network.mac") is not None
    assert job.current("network.mac").value == job.miner_mac
    assert [entry.value for entry in job.history("network.ip-report-pressed")] == ["yes"]


async def test_resume_after_a_restart_loses_nothing(make_app: AppFactory, tmp_path: Path) -> None:
    first = make_app()
    async with first.run_test(size=BIG) as pilot:
        await start_job(pilot)
        await go_to_step(pilot, "site.room")
        await type_into(pilot, "site.ambient-temperature", "24.5")
        await type_into(pilot, "site.relative-humidity", "55")
        await go_to_step(pilot, "psu.pcie")
        await pilot.click("#plug-pcie-b2-3 Checkbox")
        await go_to_step(pilot, "pools.1")
        await type_into(pilot, "pools.1.password", "abc")
        await go_to_step(pilot, "psu.rating")
        await pilot.click("#input-psu_output-voltage")
        await pilot.press(*"12.0")  # typed, neither submitted nor left: quitting saves it
        await pilot.press("ctrl+q")
    second = make_app(clock=ManualClock())
    async with second.run_test(size=BIG) as pilot:
        await wait_for(pilot, lambda: isinstance(second.screen, WalkthroughScreen))
        screen = second.screen
        assert isinstance(screen, WalkthroughScreen)
        await wait_for(pilot, lambda: screen.built_step == "psu.rating")
        assert screen.query_one("#input-psu_output-voltage", Input).value == "12.0"
        assert "PASS" in verdict_of(second, "psu.output-voltage")
        await go_to_step(pilot, "psu.pcie")
        assert "PCIe-B2.3" in second.wiring_ticked()
        await go_to_step(pilot, "pools.1")
        assert screen.query_one("#input-pools_1_password", Input).value == ""
        assert "set earlier" in verdict_of(second, "pools.1.password")
        assert second.job_file is not None
        job = second.job_file.job
        assert job.current("site.ambient-temperature").value == "24.5"
        dew = job.current("site.dew-point")
        assert dew is not None and dew.number is not None and 14 < dew.number < 16
