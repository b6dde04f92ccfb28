"""The hash self-test: SHA-256d known answers on every tier, then a short speed measurement.

It runs in a thread worker (the compiled tiers release the GIL) and reports with messages; a wrong
answer on any tier is a failure shown in the table, never hidden behind a speed figure. A finished
run is saved to the open job, and the screen opens on the run the job recorded last.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Label, ProgressBar

from commission import hashing
from commission.errors import CommissionError
from commission.hashing.vectors import KNOWN_ANSWERS
from commission.job import SelfTestRun, SelfTestTier
from commission.results import Status
from commission.tui.guard import Guarded
from commission.tui.messages import SelfTestProgressed, SelfTestRow
from commission.tui.widgets.status_style import status_markup, status_text

SPEED_SECONDS = 1.0
"""How long each tier's speed is measured (short: this is a check, not a benchmark)."""
CHUNK = 1 << 14
"""Nonces per scan call while measuring; small enough for a smooth progress bar."""
SEARCH_SPAN = 4096
"""Nonces scanned around each known answer's nonce to prove the scanner finds it."""


class SelfTestScreen(Guarded, Screen[None]):
    """Runs the hash self-test and shows each tier's result."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("t", "run_selftest", "Run self-test")]

    failed = 0
    """Tiers whose known answers did not match in the latest run."""
    speed_seconds = SPEED_SECONDS
    tiers: tuple[str, ...] = ()
    """Tiers to test; empty means every tier this machine has (tests narrow it)."""

    def compose(self) -> ComposeResult:
        """Intro, button, progress and the results table."""
        yield Header()
        with VerticalScroll(id="selftest"):
            reason = f" ({hashing.fallback_reason})" if hashing.fallback_reason else ""
            yield Label(
                f"Engine: [b]{hashing.implementation}[/b]{reason}; tiers on this machine: "
                f"{', '.join(hashing.tiers_available())}",
                id="selftest-engine",
            )
            yield Button("Run self-test (t)", id="selftest-run", variant="primary")
            yield ProgressBar(total=1.0, show_eta=False, id="selftest-progress")
            yield Label("not run yet", id="selftest-status")
            yield DataTable(id="selftest-table", cursor_type="none")
        yield Footer(compact=True)

    rows: tuple[SelfTestTier, ...] = ()
    """The tiers done in the running (or latest) self-test."""

    def on_mount(self) -> None:
        """Title, table columns, and the self-test the job recorded last, if any."""
        self.title = "Hash self-test"
        self.query_one(DataTable).add_columns("Tier", "Known answers", "MH/s")
        job_file = getattr(self.app, "job_file", None)
        run = job_file.job.selftest if job_file is not None else None
        if run is None:
            return
        for tier in run.tiers:
            self._add_row(tier)
        verdict = Status.PASS if run.passed else Status.FAIL
        self.query_one("#selftest-status", Label).update(
            status_markup(
                verdict,
                f"last self-test ({run.at.astimezone(UTC):%Y-%m-%d %H:%M} UTC): "
                f"{len(run.tiers)} tiers, {len(run.failures)} failed",
            )
        )

    @on(Button.Pressed, "#selftest-run")
    def action_run_selftest(self) -> None:
        """Start (or restart) the self-test."""
        self.query_one(DataTable).clear()
        self.failed = 0
        self.rows = ()
        self.query_one("#selftest-status", Label).update("[$primary]◉[/] running…")
        self.selftest()

    @work(thread=True, exclusive=True, group="selftest")
    def selftest(self) -> None:
        """Check every tier against the known answers, then time a scan on each."""
        tiers = self.tiers or hashing.tiers_available()
        steps = len(tiers) * 2
        for index, tier in enumerate(tiers):
            self.post_message(SelfTestProgressed(index * 2 / steps, f"{tier}: known answers"))
            problems = []
            for answer in KNOWN_ANSWERS:
                try:
                    if hashing.sha256d(answer.header, tier=tier) != answer.digest:
                        problems.append(f"{answer.name}: wrong hash")
                    start = max(0, answer.nonce - SEARCH_SPAN // 2)
                    found = hashing.Scanner(answer.prefix, answer.target, tier=tier).scan(
                        start, SEARCH_SPAN
                    )
                    if answer.nonce not in found:
                        problems.append(f"{answer.name}: scan missed nonce {answer.nonce}")
                except CommissionError as error:
                    problems.append(f"{answer.name}: {error}")
            self.post_message(SelfTestProgressed((index * 2 + 1) / steps, f"{tier}: speed"))
            mhs = None if problems else self._speed(tier)
            detail = "; ".join(problems) or f"{len(KNOWN_ANSWERS)} of {len(KNOWN_ANSWERS)} match"
            self.post_message(SelfTestRow(tier, not problems, detail, mhs))
        self.post_message(SelfTestProgressed(1.0, "done"))

    @staticmethod
    def _speed(tier: str) -> float:
        scanner = hashing.Scanner(bytes(76), 0, tier=tier)
        done = 0
        started = time.perf_counter()
        chunk = CHUNK if tier != "python" else CHUNK // 16
        while time.perf_counter() - started < SelfTestScreen.speed_seconds:
            scanner.scan(done, chunk)
            done += chunk
        return done / (time.perf_counter() - started) / 1e6

    @on(SelfTestProgressed)
    def _progressed(self, message: SelfTestProgressed) -> None:
        self.query_one(ProgressBar).update(progress=message.fraction)
        if message.doing == "done":
            self._record()
            table = self.query_one(DataTable)
            verdict = Status.FAIL if self.failed else Status.PASS
            self.query_one("#selftest-status", Label).update(
                status_markup(
                    verdict, f"self-test finished: {table.row_count} tiers, {self.failed} failed"
                )
            )
        else:
            self.query_one("#selftest-status", Label).update(f"[$primary]◉[/] {message.doing}")

    def _record(self) -> None:
        """Save the finished run in the job (when one is open)."""
        record = getattr(self.app, "record_selftest", None)
        if record is None or not self.rows:
            return
        record(
            SelfTestRun(
                at=datetime.now(UTC), implementation=hashing.implementation, tiers=self.rows
            )
        )

    def _add_row(self, tier: SelfTestTier) -> None:
        status = Status.PASS if tier.passed else Status.FAIL
        speed = "—" if tier.mhs is None else f"{tier.mhs:,.2f}"
        self.query_one(DataTable).add_row(
            tier.tier, status_text(self.app, status, tier.detail), speed
        )

    @on(SelfTestRow)
    def _row(self, message: SelfTestRow) -> None:
        tier = SelfTestTier(
            tier=message.tier, passed=message.vectors_ok, detail=message.detail, mhs=message.mhs
        )
        self.rows = (*self.rows, tier)
        self._add_row(tier)
        if not message.vectors_ok:
            self.failed += 1
            self.notify(f"{message.tier}: {message.detail}", title="Self-test", severity="error")
