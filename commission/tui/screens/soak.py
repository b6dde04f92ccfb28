"""The commissioning soak: the guide's 20-minute run, with progress, plots and the verdict.

The soak runs in a worker through :class:`commission.verify.runner.Verifier` (the same code the
headless ``--soak`` uses), sampling every few seconds; each sample updates the progress bar and the
plots, and the run (its series, its verdict and the outcomes read with it) is saved to the job; a
run stopped early is saved as stopped. The screen opens on the soak the job recorded last.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Label, ProgressBar

from commission.job import SoakReading, SoakRun
from commission.results import Status
from commission.tui.guard import Guarded
from commission.tui.messages import SoakFinished, SoakSampled
from commission.tui.widgets.outcomes import OutcomeList
from commission.tui.widgets.status_style import status_markup
from commission.tui.widgets.telemetry import Trend
from commission.verify.report import SoakSample
from commission.verify.soak import SoakProgress

if TYPE_CHECKING:
    from commission.tui.app import CommissionApp


class SoakScreen(Guarded, Screen[None]):
    """Start the soak, watch it, read its verdict."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start_soak", "Start soak"),
        Binding("x", "stop_soak", "Stop soak"),
    ]

    @property
    def commission_app(self) -> CommissionApp:
        """The app, typed."""
        from commission.tui.app import CommissionApp

        assert isinstance(self.app, CommissionApp)
        return self.app

    def compose(self) -> ComposeResult:
        """Explanation, controls, progress, plots and the outcome."""
        minutes = self.commission_app.verifier.limits.soak_minutes
        yield Header()
        with VerticalScroll(id="soak"):
            yield Label(
                f"The guide asks for a commissioning run of about {minutes:g} minutes once the "
                "water loop runs: hash rate must hold, temperatures must settle, and no fatal "
                "line may appear. Keep an eye on the loop for leaks meanwhile.",
                id="soak-intro",
            )
            with Horizontal(id="soak-controls"):
                yield Button("Start soak (s)", id="soak-start", variant="primary")
                yield Button("Stop (x)", id="soak-stop", disabled=True)
            yield ProgressBar(total=minutes * 60, show_eta=False, id="soak-progress")
            yield Label("not started", id="soak-status")
            yield Trend("Hash rate", "TH/s", id="soak-hashrate")
            yield Trend("Hottest PCB", "°C", id="soak-pcb")
            yield Trend("Hottest chip", "°C", id="soak-chip")
            yield OutcomeList("the verdict appears when the soak ends", id="soak-outcomes")
        yield Footer(compact=True)

    started_at: datetime | None = None
    """When the running soak started (None while none runs)."""
    samples: tuple[SoakSample, ...] = ()
    """The running soak's samples so far (kept for a stopped run's record)."""

    def on_mount(self) -> None:
        """Title the screen and show the soak the job recorded last, if any."""
        self.title = "Commissioning soak"
        job_file = self.commission_app.job_file
        run = job_file.job.soak if job_file is not None else None
        if run is None:
            return
        self._plot(run.samples)
        ended = f"{run.finished_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        if run.outcome is None:
            self.query_one("#soak-status", Label).update(
                status_markup(
                    Status.SKIPPED,
                    f"last soak stopped after {run.ran_s / 60:.1f} of {run.minutes:g} min "
                    f"({ended}): not judged",
                )
            )
            return
        self.query_one("#soak-status", Label).update(
            status_markup(
                run.outcome.status,
                f"last soak ({ended}): {run.minutes:g} min, {len(run.samples)} samples",
            )
        )
        self.query_one("#soak-outcomes", OutcomeList).show([run.outcome])

    @on(Button.Pressed, "#soak-start")
    def action_start_soak(self) -> None:
        """Start the soak (restarts one that is running)."""
        app = self.commission_app
        if app.link is None:
            self.query_one("#soak-status", Label).update(
                status_markup(Status.ERROR, "no miner connected")
            )
            return
        self.query_one("#soak-start", Button).disabled = True
        self.query_one("#soak-stop", Button).disabled = False
        self.query_one("#soak-status", Label).update("[$primary]◉[/] soaking…")
        self.started_at = datetime.now(UTC)
        self.samples = ()
        self.soak()

    @on(Button.Pressed, "#soak-stop")
    def action_stop_soak(self) -> None:
        """Stop a running soak; nothing is judged."""
        self.workers.cancel_group(self, "soak")
        if self.started_at is not None:
            limits = self.commission_app.verifier.limits
            self.commission_app.record_soak(
                SoakRun(
                    started_at=self.started_at,
                    finished_at=datetime.now(UTC),
                    minutes=limits.soak_minutes,
                    interval_s=limits.soak_interval_s,
                    samples=tuple(
                        SoakReading.model_validate(sample, from_attributes=True)
                        for sample in self.samples
                    ),
                    stopped=True,
                )
            )
            self.started_at = None
        self.query_one("#soak-start", Button).disabled = False
        self.query_one("#soak-stop", Button).disabled = True
        self.query_one("#soak-status", Label).update(
            status_markup(Status.SKIPPED, "stopped before the end: not judged")
        )

    @work(exclusive=True, group="soak")
    async def soak(self) -> None:
        """Run the soak and post each sample and the final report."""
        app = self.commission_app
        assert app.link is not None
        samples: list[SoakSample] = []

        def sampled(progress: SoakProgress) -> None:
            samples.append(progress.sample)
            self.post_message(SoakSampled(progress.done_s, progress.total_s, tuple(samples)))

        report = await app.verifier.verify(
            app.link.client, soak_minutes=app.verifier.limits.soak_minutes, on_sample=sampled
        )
        self.post_message(SoakFinished(report))

    @on(SoakSampled)
    def _sampled(self, message: SoakSampled) -> None:
        self.query_one("#soak-progress", ProgressBar).update(
            total=message.total_s, progress=message.done_s
        )
        self.samples = message.samples
        done_min, total_min = message.done_s / 60, message.total_s / 60
        last = message.samples[-1]
        state = status_markup(Status.ERROR, last.error) if last.error else "[$primary]◉[/]"
        self.query_one("#soak-status", Label).update(
            f"{state} {done_min:.1f} of {total_min:g} min · {len(message.samples)} samples"
        )
        self._plot(message.samples)

    def _plot(self, samples: Sequence[SoakSample | SoakReading]) -> None:
        self.query_one("#soak-hashrate", Trend).show(
            [s.ghs_5s / 1000 for s in samples if s.ghs_5s is not None]
        )
        self.query_one("#soak-pcb", Trend).show(
            [s.pcb_max_c for s in samples if s.pcb_max_c is not None]
        )
        self.query_one("#soak-chip", Trend).show(
            [s.chip_max_c for s in samples if s.chip_max_c is not None]
        )

    @on(SoakFinished)
    def _finished(self, message: SoakFinished) -> None:
        app = self.commission_app
        report = message.report
        soak = [o for o in report.outcomes if o.rule_id == "soak.stability"]
        if report.soak is not None and soak:
            started = self.started_at or report.started_at
            run = SoakRun.from_series(
                report.soak, started_at=started, finished_at=report.finished_at, outcome=soak[0]
            )
            app.record_soak(run, report.outcomes)
        else:
            app.record_outcomes(report.outcomes)
        self.started_at = None
        verdict = soak[0].status if soak else report.status
        self.query_one("#soak-status", Label).update(
            status_markup(verdict, f"soak finished: {len(report.outcomes)} checks")
        )
        self.query_one("#soak-outcomes", OutcomeList).show(
            soak + [o for o in report.outcomes if o.rule_id != "soak.stability"]
        )
        self.query_one("#soak-start", Button).disabled = False
        self.query_one("#soak-stop", Button).disabled = True
