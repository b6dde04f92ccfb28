"""The summary: every item's outcome, grouped by section, and the list of what remains.

It reads the job (answers with verdicts) and the latest live outcomes; nothing here changes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from commission.results import Status
from commission.tui.guard import Guarded
from commission.tui.progress import section_progress, states
from commission.tui.widgets.outcomes import OutcomeList
from commission.tui.widgets.status_style import TOKENS

if TYPE_CHECKING:
    from commission.tui.app import CommissionApp


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


class SummaryScreen(Guarded, Screen[None]):
    """Outcomes per section, then what remains to do."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "refresh_summary", "Refresh")]

    @property
    def commission_app(self) -> CommissionApp:
        """The app, typed."""
        from commission.tui.app import CommissionApp

        assert isinstance(self.app, CommissionApp)
        return self.app

    def compose(self) -> ComposeResult:
        """The summary text and the live findings."""
        yield Header()
        with VerticalScroll(id="summary"):
            yield Static("", id="summary-totals")
            yield Static("", id="summary-sections")
            yield Static("[b]What remains[/b]", classes="section-title")
            yield Static("", id="summary-remaining")
            yield Static("[b]Live findings[/b]", classes="section-title")
            yield OutcomeList("no live checks yet", id="summary-findings")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Fill it in, and again whenever a new reading arrives."""
        self.title = "Summary"
        self.watch(self.app, "snapshot", lambda _: self.action_refresh_summary())

    def on_screen_resume(self) -> None:
        """Show the latest state whenever the screen comes back."""
        self.action_refresh_summary()

    def action_refresh_summary(self) -> None:
        """Recompute from the job and the live outcomes."""
        app = self.commission_app
        if app.job_file is None:
            return
        job = app.job_file.job
        outcomes = app.rule_outcomes
        progress = section_progress(app.checklist, job, outcomes)
        all_states = states(app.checklist, job, outcomes)
        counted = [s for s in all_states if s.item.kind != "info" and s.item.required]
        counts = {status: 0 for status in Status}
        for state in counted:
            if state.status is not None:
                counts[state.status] += 1
        open_count = sum(1 for state in counted if state.status is None)
        totals = "   ".join(
            f"[${TOKENS[status]}]{status.glyph} {counts[status]} {status.word}[/]"
            for status in (Status.PASS, Status.WARN, Status.FAIL, Status.ERROR)
        )
        location = job.location.label()
        self.query_one("#summary-totals", Static).update(
            f"[b]{_escape(job.site)}[/b] · {_escape(job.miner_serial or 'no serial')}"
            f"{' · ' + _escape(location) if location else ''} · technician "
            f"{_escape(job.technician)}\n"
            f"miner {_escape(job.miner_host or 'address not found yet')} "
            f"{_escape(job.miner_mac)}\n\n{totals}   ○ {open_count} OPEN"
        )
        lines = []
        for entry in progress:
            lines.append(
                f"[${entry.token}]{entry.glyph}[/] [b]{_escape(entry.section.title)}[/b]"
                f"  {entry.done}/{entry.total}"
            )
            section_items = {item.id for step in entry.section.steps for item in step.items}
            for state in all_states:
                if state.item.id not in section_items or state.item.kind == "info":
                    continue
                if state.status is None or state.status is Status.PASS:
                    continue
                lines.append(
                    f"    [${TOKENS[state.status]}]{state.status.glyph} {state.status.word}[/] "
                    f"{_escape(state.item.title)}: {_escape(state.detail)}"
                )
        self.query_one("#summary-sections", Static).update("\n".join(lines))
        remaining = [
            f"  ○ {_escape(state.item.title)} [$text-muted]({state.item.id}; {_escape(state.detail)})[/]"
            for state in counted
            if state.status is None
        ]
        self.query_one("#summary-remaining", Static).update(
            "\n".join(remaining) if remaining else "[$success]✔ nothing: every item is done[/]"
        )
        findings = [o for o in outcomes.values() if o.status is not Status.PASS]
        self.query_one("#summary-findings", OutcomeList).show(findings)
