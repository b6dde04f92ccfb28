"""The live dashboard, shaped like the firmware's status page, with plots over time.

It shows whatever the app's telemetry worker last read: totals, the twelve chains, fans, pools,
the findings of the live rules, and trends of hash rate and temperatures. It owns no I/O: it
watches the app's ``snapshot`` reactive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label

from commission.miner.models import MinerSnapshot
from commission.results import Status
from commission.tui.guard import Guarded
from commission.tui.widgets.chain_table import ChainTable
from commission.tui.widgets.outcomes import OutcomeList
from commission.tui.widgets.status_style import status_markup, token_markup
from commission.tui.widgets.telemetry import FanStrip, PoolTable, TotalsLine, Trend

if TYPE_CHECKING:
    from commission.tui.app import CommissionApp


class DashboardScreen(Guarded, Screen[None]):
    """The miner's status page, refreshed by the app's telemetry worker."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.open('walkthrough')", "Back"),
        Binding("r", "app.refresh_now", "Read now"),
    ]

    @property
    def commission_app(self) -> CommissionApp:
        """The app, typed."""
        from commission.tui.app import CommissionApp

        assert isinstance(self.app, CommissionApp)
        return self.app

    def compose(self) -> ComposeResult:
        """Status line, totals, chains, fans, pools, plots and findings."""
        yield Header()
        with VerticalScroll(id="dashboard"):
            yield Label("waiting for the first reading…", id="dashboard-status")
            yield TotalsLine(id="totals")
            yield ChainTable(id="chains")
            yield FanStrip(id="fans")
            yield PoolTable(id="pools")
            with Horizontal(id="trends"):
                yield Trend("Hash rate", "TH/s", id="trend-hashrate")
                with Vertical():
                    yield Trend("Hottest PCB", "°C", id="trend-pcb")
                    yield Trend("Hottest chip", "°C", id="trend-chip")
            yield Label("[b]Findings[/b]", classes="section-title")
            yield OutcomeList("no live checks yet", id="findings")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Follow the app's telemetry."""
        self.title = "Live dashboard"
        self.watch(self.app, "snapshot", self._show_snapshot)
        self.watch(self.app, "miner_problem", self._show_problem)

    def _show_snapshot(self, snapshot: MinerSnapshot | None) -> None:
        if snapshot is None:
            return
        app = self.commission_app
        self.query_one("#dashboard-status", Label).update(
            f"{token_markup('success', '● connected')}  {app.link_label} · "
            f"read at {snapshot.taken_at:%H:%M:%S} · every {app.refresh_seconds:g} s"
        )
        self.query_one(TotalsLine).show(snapshot)
        self.query_one(ChainTable).show(snapshot)
        self.query_one(FanStrip).show(snapshot)
        self.query_one(PoolTable).show(snapshot.pools)
        history = app.history
        self.query_one("#trend-hashrate", Trend).show(history.hashrate_ths)
        self.query_one("#trend-pcb", Trend).show(history.pcb_max_c)
        self.query_one("#trend-chip", Trend).show(history.chip_max_c)
        findings = [outcome for outcome in app.live_outcomes if outcome.status is not Status.PASS]
        passed = len(app.live_outcomes) - len(findings)
        if not findings and app.live_outcomes:
            self.query_one("#findings", OutcomeList).show_markup(
                status_markup(Status.PASS, f"all {passed} live checks pass")
            )
        else:
            self.query_one("#findings", OutcomeList).show(findings, evidence=False)

    def _show_problem(self, problem: str) -> None:
        if problem:
            self.query_one("#dashboard-status", Label).update(status_markup(Status.ERROR, problem))
