"""Rich renderables for verification outcomes: the table grouped by checklist section, a miner's
header line, and the soak progress bar.

The headless front end prints these, the exports record them with ``Console(record=True)``, and the
TUI shows the same table, so the three always agree. Every status carries a glyph and a word, never
colour alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType

from rich.console import Console, Group
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from commission.results import Outcome, Status
from commission.verify.bindings import Binding, default_bindings
from commission.verify.report import MinerReport, run_explanation
from commission.verify.runner import WaitProgress
from commission.verify.soak import SoakProgress

STATUS_STYLE: dict[Status, str] = {
    Status.PASS: "green",
    Status.SKIPPED: "dim",
    Status.WARN: "yellow",
    Status.UNJUDGED: "bold yellow",
    Status.FAIL: "bold red",
    Status.ERROR: "bold magenta",
}
"""Terminal style of each status (the glyph and word carry the meaning without colour)."""

EVIDENCE_SHOWN = 4
"""Evidence lines shown under a non-passing outcome in the table (all of them go to JSON)."""


def status_text(status: Status) -> Text:
    """``✘ FAIL`` in the status's style."""
    return Text(f"{status.glyph} {status.word}", style=STATUS_STYLE[status])


def section_titles(bindings: Mapping[str, Binding] | None = None) -> dict[str, str]:
    """Section id -> title, in checklist order, from the rule bindings."""
    titles: dict[str, str] = {}
    for binding in (default_bindings() if bindings is None else bindings).values():
        titles.setdefault(binding.section, binding.section_title)
    return titles


def group_by_section(
    outcomes: Iterable[Outcome], titles: Mapping[str, str]
) -> list[tuple[str, list[Outcome]]]:
    """Outcomes grouped by section in ``titles`` order (unknown sections last), rule order kept."""
    groups: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        groups.setdefault(outcome.section, []).append(outcome)
    order = [s for s in titles if s in groups] + [s for s in groups if s not in titles]
    return [(section, groups[section]) for section in order]


def _detail(outcome: Outcome) -> Text:
    text = Text(outcome.observed)
    if outcome.status is not Status.PASS:
        text.append(f"\nexpected: {outcome.expected}", style="dim")
        for evidence in outcome.evidence[:EVIDENCE_SHOWN]:
            where = f" ({evidence.source})" if evidence.source else ""
            text.append(f"\n· {evidence.label}: {evidence.value}{where}", style="dim")
        hidden = len(outcome.evidence) - EVIDENCE_SHOWN
        if hidden > 0:
            text.append(f"\n· … {hidden} more in --json", style="dim")
    return text


def outcome_table(
    outcomes: Sequence[Outcome], titles: Mapping[str, str] | None = None, *, title: str = ""
) -> Table:
    """A table of outcomes grouped by checklist section: status, check, what was seen, action.

    Args:
        outcomes: the outcomes to show.
        titles: section id -> title (default: from the rule bindings).
        title: the table's caption line.
    """
    titles = section_titles() if titles is None else titles
    table = Table(title=title or None, title_justify="left", expand=True, show_lines=False)
    table.add_column("status", no_wrap=True, width=9)
    table.add_column("check", ratio=2)
    table.add_column("observed", ratio=4)
    table.add_column("what to do", ratio=4)
    groups = group_by_section(outcomes, titles)
    for index, (section, members) in enumerate(groups):
        table.add_row("", Text(titles.get(section, section or "other"), style="bold underline"))
        for outcome in members:
            check = Text(outcome.title)
            check.append(f"\n{outcome.rule_id}", style="dim")
            if outcome.guide_ref:
                check.append(f" · guide {outcome.guide_ref}", style="dim")
            table.add_row(
                status_text(outcome.status),
                check,
                _detail(outcome),
                Text(outcome.action),
                end_section=index < len(groups) - 1 and outcome is members[-1],
            )
    return table


def report_header(report: MinerReport) -> Text:
    """One line naming the miner and its overall status with counts."""
    text = Text()
    text.append(report.host, style="bold")
    identity = report.identity
    if identity is not None:
        text.append(f" · {identity.miner_type}")
        if identity.mac:
            text.append(f" · MAC {identity.mac}")
        if identity.firmware_date is not None:
            text.append(f" · firmware {identity.firmware_date:%Y-%m-%d}")
    if not report.reachable:
        text.append(" · unreachable", style=STATUS_STYLE[Status.FAIL])
    text.append("  ")
    text.append_text(status_text(report.status))
    counts = ", ".join(f"{n} {status}" for status, n in report.counts().items() if n)
    text.append(f" ({counts})", style="dim")
    return text


def report_renderable(report: MinerReport, titles: Mapping[str, str] | None = None) -> Group:
    """A miner's header line followed by its outcome table."""
    return Group(report_header(report), outcome_table(report.outcomes, titles))


def summary_text(reports: Sequence[MinerReport], exit_code: int, *, strict: bool) -> Text:
    """The closing lines: miners verified, how they ended, the exit code, and in words why the run
    is not verified and what to do (one line per miner that is not)."""
    text = Text(f"{len(reports)} miner{'s' if len(reports) != 1 else ''} verified: ")
    parts: list[Text] = []
    for status in Status:
        n = sum(1 for report in reports if report.status is status)
        if n:
            parts.append(Text(f"{n} {status.word}", style=STATUS_STYLE[status]))
    for index, part in enumerate(parts):
        if index:
            text.append(", ")
        text.append_text(part)
    text.append(
        f" · exit {exit_code}" + (" (strict: warnings fail)" if strict else ""), style="dim"
    )
    headline, *reasons = run_explanation(reports, strict=strict)
    text.append("\n" + headline, style="bold" if reasons else "")
    for reason in reasons:
        text.append("\n  " + reason)
    return text


class SoakProgressBar:
    """Progress bars per miner while runs wait for the warm-up and soak; feed it
    :class:`SoakProgress` updates (:meth:`update`) and
    :class:`~commission.verify.runner.WaitProgress` updates (:meth:`update_wait`).

    One live display serves both (a terminal holds one at a time). The wait bar shows how far the
    miner's warm-up is (its Elapsed against the warm-up) and how long we have waited of the limit.
    Use as a context manager around the run; it draws on ``console`` (stderr in headless runs).
    """

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description} {task.fields[host]}"),
            BarColumn(),
            TextColumn("{task.fields[reading]}"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[tuple[str, str], TaskID] = {}

    def __enter__(self) -> SoakProgressBar:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def _move(self, kind: str, host: str, total: float, done: float, reading: str) -> None:
        task = self._tasks.get((kind, host))
        if task is None:
            task = self._progress.add_task(kind, total=total or 1.0, host=host, reading=reading)
            self._tasks[(kind, host)] = task
        self._progress.update(task, completed=done, reading=reading)

    def update(self, progress: SoakProgress) -> None:
        """Move the miner's soak bar and show its latest reading (or why it has none)."""
        sample = progress.sample
        if sample.error:
            reading = f"no answer: {sample.error}"
        else:
            rate = "-" if sample.ghs_5s is None else f"{sample.ghs_5s / 1000:.2f} TH/s"
            pcb = "-" if sample.pcb_max_c is None else f"{sample.pcb_max_c:.0f} °C"
            reading = f"{rate}, PCB {pcb}"
        self._move("soak", progress.host, progress.total_s, progress.done_s, reading)

    def update_wait(self, progress: WaitProgress) -> None:
        """Move the miner's warm-up bar to its Elapsed; show the reading and the time waited."""
        reading = (
            f"{progress.note} (waited {progress.waited_s / 60:.1f} of "
            f"{progress.limit_s / 60:g} min)"
        )
        self._move(
            "warming up",
            progress.host,
            float(progress.warmup_s),
            float(min(progress.elapsed_s or 0, progress.warmup_s)),
            reading,
        )
