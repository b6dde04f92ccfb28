"""Start a new job or resume a recent one: technician, site, miner serial and location.

The start screen is the only place a job is created. It asks for who, where and which miner (the
location in the IP Reporter's shelf / step / position terms), and lists recent jobs to resume.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, OptionList
from textual.widgets.option_list import Option

from commission.errors import JobFileError
from commission.job import Location, RecentJob
from commission.tui.guard import Guarded

if TYPE_CHECKING:
    from commission.tui.app import CommissionApp

FIELDS = (
    ("technician", "Technician", "your name"),
    ("site", "Site", "farm or address"),
    ("serial", "Miner serial", "from the SN label"),
    ("shelf", "Shelf", "e.g. 3"),
    ("step", "Step", "e.g. 2"),
    ("position", "Position", "e.g. 14"),
)


class StartScreen(Guarded, Screen[None]):
    """New job form and recent jobs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start_job", "Start job"),
        Binding("ctrl+r", "resume_job", "Resume selected"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.recent: list[RecentJob] = []

    @property
    def commission_app(self) -> CommissionApp:
        """The app, typed."""
        from commission.tui.app import CommissionApp

        assert isinstance(self.app, CommissionApp)
        return self.app

    def compose(self) -> ComposeResult:
        """The form beside the recent jobs."""
        yield Header()
        with VerticalScroll(id="start"):
            yield Label("", id="start-miner")
            yield Label(
                "Start a new job, or resume a recent one where it stopped. Every answer is "
                "saved to the job file the moment it is given. Without --miner HOST the built-in "
                "simulator stands in for the miner.",
                id="start-intro",
            )
            with Horizontal(id="start-columns"):
                with Vertical(id="new-job") as new_job:
                    new_job.border_title = "New job"
                    with Grid(id="job-form"):
                        for key, label, hint in FIELDS:
                            yield Label(label)
                            yield Input(placeholder=hint, id=f"job-{key}")
                    yield Label("", id="start-problem")
                    yield Button("Start job (ctrl+s)", id="start-job", variant="primary")
                with Vertical(id="recent-jobs") as recent:
                    recent.border_title = "Recent jobs"
                    yield OptionList(id="recent")
                    yield Button("Resume (ctrl+r)", id="resume-job")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Fill the recent jobs and say which miner is connected."""
        self.title = "Start or resume a job"
        self.watch(self.app, "link_label", self._miner_label)
        options = self.query_one("#recent", OptionList)
        try:
            self.recent = [job for job in self.commission_app.recent_jobs() if job.exists]
        except JobFileError as error:
            self.notify(str(error), title="Recent jobs", severity="error", timeout=15)
            self.recent = []
        for job in self.recent:
            where = f" · {job.location}" if job.location else ""
            serial = job.miner_serial or "no serial"
            options.add_option(
                Option(
                    f"[b]{_escape(job.site)}[/b] · {_escape(serial)}{_escape(where)}\n"
                    f"  [$text-muted]{_escape(job.technician)}, "
                    f"{job.updated:%Y-%m-%d %H:%M} UTC[/]"
                )
            )
        if not self.recent:
            options.add_option(Option("no recent jobs", disabled=True))
        else:
            options.highlighted = 0
        self.query_one("#job-technician", Input).focus()

    def _miner_label(self, label: str) -> None:
        self.query_one("#start-miner", Label).update(f"Miner: [b]{_escape(label)}[/b]")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query("#job-form Input").results(Input))
        index = inputs.index(event.input) if event.input in inputs else -1
        if 0 <= index < len(inputs) - 1:
            inputs[index + 1].focus()
        else:
            self.action_start_job()

    @on(Button.Pressed, "#start-job")
    def action_start_job(self) -> None:
        """Create the job from the form and open the walkthrough."""
        values = {key: self.query_one(f"#job-{key}", Input).value.strip() for key, *_ in FIELDS}
        missing = [label for key, label, _ in FIELDS[:2] if not values[key]]
        problem = self.query_one("#start-problem", Label)
        if missing:
            problem.update(f"[$error]✘ needed: {', '.join(missing)}[/]")
            return
        location = Location(shelf=values["shelf"], step=values["step"], position=values["position"])
        try:
            self.commission_app.start_job(
                technician=values["technician"],
                site=values["site"],
                miner_serial=values["serial"],
                location=location,
            )
        except JobFileError as error:
            problem.update(f"[$error]✘ {_escape(str(error))}[/]")

    @on(OptionList.OptionSelected, "#recent")
    @on(Button.Pressed, "#resume-job")
    def action_resume_job(self) -> None:
        """Reopen the highlighted recent job where it stopped."""
        index = self.query_one("#recent", OptionList).highlighted
        if index is None or index >= len(self.recent):
            self.notify("choose a recent job first", severity="warning")
            return
        try:
            self.commission_app.resume_job(self.recent[index].path)
        except JobFileError as error:
            self.notify(str(error), title="Cannot resume", severity="error", timeout=15)


def _escape(text: str) -> str:
    return text.replace("[", r"\[")
