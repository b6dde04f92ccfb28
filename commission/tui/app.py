"""The Textual app: composes the screens, runs the telemetry worker and owns the open job.

The app stays thin. Screens own their layout and widgets; device I/O runs in workers that post
messages (:mod:`commission.tui.messages`); every answer goes through :class:`commission.job.JobFile`,
which saves at once. :func:`run` is the ``commission`` entry point: it builds the link opener from
the command line (a real miner or the built-in simulator) and runs the app.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import SecretStr
from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

from commission.checklist import (
    AnswerContext,
    Checklist,
    Item,
    TextItem,
    Verdict,
    evaluate_text,
    load_builtin,
)
from commission.errors import CommissionError, JobFileError
from commission.job import (
    Job,
    JobFile,
    Location,
    RecentJob,
    RecentJobs,
    SelfTestRun,
    SoakRun,
    default_job_path,
)
from commission.miner.layout import FAN_HEADERS, PCIE_CONNECTORS, PUMP_HEADER
from commission.miner.models import MinerSnapshot
from commission.results import Outcome
from commission.settings import ENV_WEB_PASSWORD
from commission.tui.commands import CommissionCommands
from commission.tui.guard import Guarded, UnexpectedError, format_report, log
from commission.tui.history import TelemetryHistory
from commission.tui.link import LinkOpener, MinerLink
from commission.tui.messages import LinkFailed, LinkReady, MinerLost, SnapshotTaken
from commission.tui.screens.dashboard import DashboardScreen
from commission.tui.screens.selftest import SelfTestScreen
from commission.tui.screens.soak import SoakScreen
from commission.tui.screens.start import StartScreen
from commission.tui.screens.summary import SummaryScreen
from commission.tui.screens.walkthrough import WalkthroughScreen
from commission.tui.widgets.miner_actions import PoolDraft
from commission.verify.bindings import bindings_from_checklist, live_readings
from commission.verify.runner import Verifier
from commission.verify.soak import SoakClock, SystemClock

DEFAULT_REFRESH_S = 3.0
"""Seconds between two readings of the miner on the dashboard and live items."""
WIRING_PLUGS = (*PCIE_CONNECTORS, *FAN_HEADERS, PUMP_HEADER)
NEEDS_JOB = {"walkthrough", "summary", "soak"}
SIMULATED_MARK = "SIMULATED MINER (practice)"
"""Shown in the header of every screen while the miner is the built-in simulator."""


class CommissionApp(Guarded, App[int]):
    """The technician's commissioning assistant for the Antminer S9 Hydro."""

    CSS_PATH = "app.tcss"
    TITLE = "commission"
    SUB_TITLE = "Antminer S9 Hydro"
    COMMANDS = App.COMMANDS | {CommissionCommands}
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "start": StartScreen,
        "walkthrough": WalkthroughScreen,
        "dashboard": DashboardScreen,
        "soak": SoakScreen,
        "selftest": SelfTestScreen,
        "summary": SummaryScreen,
    }
    DEFAULT_MODE = "start"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "open('walkthrough')", "Checklist", tooltip="the walkthrough"),
        Binding("f3", "open('dashboard')", "Live", tooltip="the live dashboard"),
        Binding("f4", "open('soak')", "Soak", tooltip="the 20-minute commissioning soak"),
        Binding("f5", "open('selftest')", "Hash test", tooltip="the hash self-test"),
        Binding("f6", "open('summary')", "Summary", tooltip="every outcome and what remains"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    snapshot: reactive[MinerSnapshot | None] = reactive(None, init=False, always_update=True)
    """The latest reading of the miner (None until the first one arrives)."""
    miner_problem: reactive[str] = reactive("", init=False)
    """Why the miner could not be read the last time (empty while it answers)."""
    link_label: reactive[str] = reactive("connecting…")
    job_label: reactive[str] = reactive("no job open")

    def __init__(
        self,
        opener: LinkOpener | None,
        *,
        checklist: Checklist | None = None,
        job_path: Path | None = None,
        recent: RecentJobs | None = None,
        jobs_folder: Path | None = None,
        refresh_seconds: float = DEFAULT_REFRESH_S,
        soak_clock: SoakClock | None = None,
        verifier: Verifier | None = None,
        simulated: bool = False,
    ) -> None:
        super().__init__()
        self.simulated = simulated
        """The miner is the built-in simulator: every screen's header says so."""
        self.opener = opener
        self.checklist = checklist if checklist is not None else load_builtin()
        self.job_path = job_path
        self.recent = recent if recent is not None else RecentJobs()
        self.jobs_folder = jobs_folder
        self.refresh_seconds = refresh_seconds
        self.soak_clock: SoakClock = soak_clock if soak_clock is not None else SystemClock()
        self.verifier = (
            verifier
            if verifier is not None
            else Verifier(clock=self.soak_clock, bindings=bindings_from_checklist(self.checklist))
        )
        self.link: MinerLink | None = None
        self.job_file: JobFile | None = None
        self.history = TelemetryHistory()
        self.live_outcomes: tuple[Outcome, ...] = ()
        self.rule_outcomes: dict[str, Outcome] = {}
        """The latest outcome of every rule that has run (live rules, soak), by rule id."""
        self.walkthrough: WalkthroughScreen | None = None
        """The walkthrough once it was opened (it keeps what was typed but not yet saved)."""
        self.secrets: dict[str, SecretStr] = {}
        """Passwords typed in this session, by item id; never written anywhere."""
        self._wake = asyncio.Event()
        self.unexpected_errors: list[UnexpectedError] = []
        """Every unexpected exception the app survived (shown, logged; tests assert it is empty)."""
        self.log_path: Path | None = None
        """Where unexpected errors are logged with their traceback (set by :func:`run`)."""
        self._survive_errors = False

    # -- unexpected errors --------------------------------------------------------------------

    def report_unexpected(self, where: str, error: BaseException) -> None:
        """Log ``error`` with its traceback, show it, save what was typed, and keep running."""
        report = UnexpectedError(where, error)
        self.unexpected_errors.append(report)
        log.error(format_report(report))
        saved = "the job is saved"
        try:
            self.save_pending()
        except Exception as save_error:  # noqa: BLE001 - shown in the same notification
            log.error(format_report(UnexpectedError("saving after an error", save_error)))
            saved = f"saving what was typed failed too ({save_error})"
        where_logged = f"; details in {self.log_path}" if self.log_path else ""
        self.notify(
            f"{report.describe()}. The app keeps running and {saved}{where_logged}.",
            title="Unexpected error (a bug, please report it)",
            severity="error",
            timeout=30,
            markup=False,
        )

    def _handle_exception(self, error: Exception) -> None:
        """While the app runs, an error from a worker or Textual is reported, not fatal."""
        if not self._survive_errors:
            super()._handle_exception(error)
            return
        cause = error.error if isinstance(error, WorkerFailed) else error
        self.report_unexpected("a background task" if cause is not error else "the app", cause)

    # -- start-up -----------------------------------------------------------------------------

    def show_sub_title(self) -> None:
        """The header's second part: SIMULATED first (it must survive any truncation), the job."""
        job = self.job_label if self.job_file is not None else self.SUB_TITLE
        self.sub_title = f"{SIMULATED_MARK} · {job}" if self.simulated else job

    def on_mount(self) -> None:
        """Open the job given on the command line, and the miner link in a worker."""
        self._survive_errors = True
        self.show_sub_title()
        if self.opener is not None:
            self.open_link()
        else:
            self.link_label = "no miner"
        if self.job_path is not None and self.job_path.exists():
            try:
                self.resume_job(self.job_path)
            except JobFileError as error:
                self.notify(str(error), title="Cannot open the job", severity="error", timeout=20)

    async def on_unmount(self) -> None:
        """Stop the workers that use the miner, then close the link (and the simulator)."""
        self._survive_errors = False
        link, self.link = self.link, None
        running = [
            worker
            for worker in self.workers
            if not worker.is_finished and worker.state is not WorkerState.PENDING
        ]
        self.workers.cancel_all()
        for worker in running:
            try:
                await worker.wait()
            except WorkerCancelled:
                continue  # cancelled on purpose just above
        if link is not None:
            await link.aclose()
        self.close_job()

    # -- navigation ---------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Save whatever was typed but not yet saved, then quit."""
        self.save_pending()
        self.exit(0)

    def save_pending(self) -> None:
        """Save answers still pending in the walkthrough (typed, not yet saved)."""
        if self.walkthrough is not None:
            self.walkthrough.save_pending()

    def action_open(self, mode: str) -> None:
        """Switch to a screen (walkthrough, dashboard, soak, self-test, summary)."""
        if mode in NEEDS_JOB and self.job_file is None:
            self.notify("start or resume a job first", severity="warning")
            return
        self.save_pending()
        self.switch_mode(mode)

    # -- the job ------------------------------------------------------------------------------

    def recent_jobs(self) -> list[RecentJob]:
        """The recent-jobs list, newest first."""
        return self.recent.entries()

    def start_job(
        self, *, technician: str, site: str, miner_serial: str, location: Location
    ) -> None:
        """Create a job file (at ``--job`` or in the data folder) and open the walkthrough."""
        job = Job(
            technician=technician,
            site=site,
            miner_serial=miner_serial,
            location=location,
            checklist_id=self.checklist.id,
            checklist_version=self.checklist.version,
        )
        path = self.job_path or default_job_path(job, self.jobs_folder)
        self._open(JobFile.create(path, job, checklist=self.checklist))

    def resume_job(self, path: str | Path) -> None:
        """Reopen a job file where it stopped (the job already open here is simply shown)."""
        if self.job_file is not None and self.job_file.target == Path(os.path.realpath(path)):
            self._open(self.job_file)
            return
        self._open(JobFile.open(Path(path), checklist=self.checklist))

    def close_job(self) -> None:
        """Let the open job go (its lock is released for other programs); it stays saved."""
        job_file, self.job_file = self.job_file, None
        if job_file is not None:
            job_file.close()

    def _open(self, job_file: JobFile) -> None:
        if self.job_file is not None and self.job_file.target != job_file.target:
            self.close_job()
        self.job_file = job_file
        # The screens show the newest of what the job recorded and what this session has read;
        # readings taken before the job was opened are recorded in it now.
        recorded = job_file.job.latest_by_rule()
        unrecorded = [
            outcome
            for rule_id, outcome in self.rule_outcomes.items()
            if rule_id not in recorded or recorded[rule_id].at < outcome.at
        ]
        self.rule_outcomes = {**recorded, **{o.rule_id: o for o in unrecorded}}
        if unrecorded:
            self._save_to_job(lambda job_file: job_file.record_outcomes(unrecorded))
        try:
            self.recent.remember(job_file)
        except JobFileError as error:
            # The job itself is open and saving; only the list of recent jobs could not be updated.
            self.notify(str(error), title="Recent jobs not updated", severity="warning", timeout=15)
        job = job_file.job
        self.job_label = f"{job.site} · {job.miner_serial or 'no serial'} · {job_file.path.name}"
        self.show_sub_title()
        self.switch_mode("walkthrough")

    def stored_answer(self, item: Item) -> str | None:
        """The current answer to ``item`` as typed (None for secrets: they are never stored)."""
        if self.job_file is None:
            return None
        entry = self.job_file.job.current(item.id)
        if entry is None or entry.secret:
            return None
        return entry.value

    def record_answer(self, item: Item, text: str) -> Verdict | None:
        """Judge and save an answer; a secret's value stays in memory only."""
        if self.job_file is None:
            return None
        if isinstance(item, TextItem) and item.secret:
            self.secrets[item.id] = SecretStr(text)
        try:
            return self.job_file.answer(item, text, live=live_readings(self.snapshot))
        except JobFileError as error:
            self.notify(str(error), title="Not saved", severity="error", timeout=20)
            return None

    def answer_context(self) -> AnswerContext:
        """The other answers and the miner's readings that an answer is judged with."""
        answers: dict[str, str] = {}
        if self.job_file is not None:
            answers = {
                item_id: history[-1].value
                for item_id, history in self.job_file.job.answers.items()
                if history and not history[-1].secret
            }
        return AnswerContext(answers=answers, live=live_readings(self.snapshot))

    def recheck_live_answers(self) -> None:
        """Judge again the answers compared with a miner reading (the typed firmware date)."""
        if self.job_file is None:
            return
        context = self.answer_context()
        for _, _, item in self.checklist.items():
            if not isinstance(item, TextItem) or item.live_reading is None or item.secret:
                continue
            entry = self.job_file.job.current(item.id)
            if entry is None:
                continue
            verdict = evaluate_text(item, entry.value, context)
            if verdict.recordable and (verdict.status, verdict.reason) != (
                entry.status,
                entry.reason,
            ):
                self.record_answer(item, entry.value)

    def save_position(self, section: str, step: str) -> None:
        """Remember the step on screen in the job."""
        if self.job_file is None:
            return
        try:
            self.job_file.move_to(section, step)
        except JobFileError as error:
            self.notify(str(error), title="Not saved", severity="error", timeout=20)

    def record_ip_report(self, ip: str, mac: str) -> None:
        """Fill the miner's address and MAC (from its IP Report) into the job."""
        if self.job_file is None:
            return
        try:
            self.job_file.update_details(miner_host=ip, miner_mac=mac)
        except JobFileError as error:
            self.notify(str(error), title="Not saved", severity="error", timeout=20)
            return
        for item_id, value in (
            ("network.ip-report-pressed", "yes"),
            ("network.address", ip),
            ("network.mac", mac),
        ):
            self.record_answer(self.checklist.item(item_id), value)
        self.notify(f"miner at {ip}, MAC {mac}", title="IP Report")

    def wiring_items(self) -> dict[str, str]:
        """Plug name (PCIe connector, fan or pump header) -> the checklist item that ticks it."""
        found: dict[str, str] = {}
        for _, _, item in self.checklist.items():
            plug = item.connector or item.header
            if item.kind == "confirm" and plug in WIRING_PLUGS and plug not in found:
                found[plug] = item.id
        return found

    def wiring_ticked(self) -> frozenset[str]:
        """The plugs whose item the job has confirmed."""
        if self.job_file is None:
            return frozenset()
        job = self.job_file.job
        return frozenset(
            plug
            for plug, item_id in self.wiring_items().items()
            if (entry := job.current(item_id)) is not None and entry.value == "yes"
        )

    def pool_drafts(self) -> list[PoolDraft]:
        """The three pools as entered in the walkthrough (passwords from memory)."""
        drafts = []
        job = self.job_file.job if self.job_file else None
        for number in (1, 2, 3):
            url = job.current(f"pools.{number}.url") if job else None
            worker = job.current(f"pools.{number}.worker") if job else None
            password = job.current(f"pools.{number}.password") if job else None
            drafts.append(
                PoolDraft(
                    number=number,
                    url=url.value if url else "",
                    worker=worker.value if worker else "",
                    url_ok=url is not None and url.status == "pass",
                    worker_ok=worker is not None and worker.status == "pass",
                    password=self.secrets.get(f"pools.{number}.password"),
                    password_recorded=password is not None,
                )
            )
        return drafts

    def record_outcomes(self, outcomes: list[Outcome] | tuple[Outcome, ...]) -> None:
        """Keep the latest outcome per rule, and record every one in the job with its time."""
        for outcome in outcomes:
            self.rule_outcomes[outcome.rule_id] = outcome
        if outcomes:
            self._save_to_job(lambda job_file: job_file.record_outcomes(outcomes))

    def record_soak(self, run: SoakRun, outcomes: tuple[Outcome, ...] = ()) -> None:
        """Record a soak run (its series, its verdict, the outcomes read with it) in the job."""
        for outcome in (*outcomes, *([run.outcome] if run.outcome else [])):
            self.rule_outcomes[outcome.rule_id] = outcome
        self._save_to_job(lambda job_file: job_file.record_soak(run, outcomes))

    def record_selftest(self, run: SelfTestRun) -> None:
        """Record a hash self-test run in the job (when one is open)."""
        self._save_to_job(lambda job_file: job_file.record_selftest(run))

    def record_miner_write(self, kind: Literal["pools", "web-password"], detail: str) -> None:
        """Record that the pools or the web password were written to the miner (no values)."""
        self._save_to_job(
            lambda job_file: job_file.record_miner_write(kind, ok=True, detail=detail)
        )

    def _save_to_job(self, change: Callable[[JobFile], object]) -> None:
        if self.job_file is None:
            return
        try:
            if self.link is not None:
                # Which miner the results come from; a no-op while it stays the same one.
                self.job_file.note_miner(
                    simulated=self.link.simulated is not None,
                    scenario=self.link.simulated or "",
                    host=self.link.client.host,
                )
            change(self.job_file)
        except JobFileError as error:
            self.notify(str(error), title="Not saved", severity="error", timeout=20)

    # -- the miner ----------------------------------------------------------------------------

    @work(exclusive=True, group="link")
    async def open_link(self) -> None:
        """Open the link, then keep reading the miner every ``refresh_seconds``."""
        assert self.opener is not None
        try:
            link = await self.opener()
        except (CommissionError, OSError) as error:
            self.post_message(LinkFailed(str(error)))
            return
        self.link = link
        self.post_message(LinkReady(link.label))
        self.poll_miner()

    @work(exclusive=True, group="telemetry")
    async def poll_miner(self) -> None:
        """Read a snapshot, run the live rules, post the result; repeat."""
        loop = asyncio.get_running_loop()
        while self.link is not None:
            started = loop.time()
            try:
                snapshot = await self.link.client.snapshot()
            except CommissionError as error:
                self.post_message(MinerLost(str(error)))
            else:
                self.post_message(SnapshotTaken(snapshot, tuple(self.verifier.judge(snapshot))))
            await self._sleep_or_wake(self.refresh_seconds - (loop.time() - started))

    async def _sleep_or_wake(self, seconds: float) -> None:
        """Wait ``seconds`` (the rest of the refresh period), or less when "read now" is pressed."""
        self._wake.clear()
        wake = asyncio.ensure_future(self._wake.wait())
        await asyncio.wait({wake}, timeout=max(seconds, 0.0))
        wake.cancel()

    def action_refresh_now(self) -> None:
        """Read the miner now instead of waiting for the next refresh."""
        self._wake.set()

    @on(LinkReady)
    def _link_ready(self, message: LinkReady) -> None:
        self.link_label = message.label

    @on(LinkFailed)
    def _link_failed(self, message: LinkFailed) -> None:
        self.link_label = "no miner"
        self.miner_problem = f"could not open the miner: {message.reason}"
        self.notify(self.miner_problem, title="Miner", severity="error", timeout=15)

    @on(SnapshotTaken)
    def _snapshot_taken(self, message: SnapshotTaken) -> None:
        if self.miner_problem:
            self.notify("the miner answers again", title="Miner")
        self.miner_problem = ""
        self.history.add(message.snapshot)
        self.live_outcomes = message.outcomes
        self.record_outcomes(message.outcomes)
        self.snapshot = message.snapshot
        self.recheck_live_answers()

    @on(MinerLost)
    def _miner_lost(self, message: MinerLost) -> None:
        if not self.miner_problem:
            self.notify(message.reason, title="Miner not answering", severity="error")
        self.miner_problem = message.reason
        self.snapshot = None


def _log_unexpected_errors() -> Path | None:
    """Send the TUI's error log to a file in the data folder (None when it cannot be opened)."""
    from commission.settings import data_home

    path = data_home() / "commission-tui.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return None  # the error notification then says no more than what happened
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.propagate = False
    return path


def run(args: argparse.Namespace) -> int:
    """Entry point of ``commission`` (the TUI): build the miner opener and run the app.

    With ``--miner HOST`` the app reads that miner; with ``--simulate [SCENARIO]``, or with
    neither, it starts the built-in simulator on loopback so it runs on any laptop.
    """
    from commission.tui.targets import miner_opener, simulator_opener

    if args.miner:
        password = os.environ.get(ENV_WEB_PASSWORD)
        opener = miner_opener(
            args.miner,
            timeout=getattr(args, "timeout", 5.0),
            web_user=getattr(args, "web_user", "root"),
            web_password=SecretStr(password) if password else None,
        )
    else:
        from commission.simulator import parse_scenarios

        scenario = args.simulate or "healthy"
        parse_scenarios(scenario)  # a typo is a usage error before the screen opens
        opener = simulator_opener(scenario)
    job_path = Path(args.job).expanduser() if args.job else None
    if job_path is not None and job_path.is_dir():
        raise JobFileError(f"{job_path}: is a folder; --job takes a job file")
    app = CommissionApp(opener, job_path=job_path, simulated=not args.miner)
    app.log_path = _log_unexpected_errors()
    app.run()
    return app.return_code or 0
