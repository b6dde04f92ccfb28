"""A list of verification outcomes: verdict, what was expected and seen, the evidence and the action.

Used by live checklist items, the dashboard's findings panel and the summary. Each line carries the
status glyph and word beside its colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import Static

from commission.results import Outcome, Status
from commission.tui.widgets.status_style import status_markup


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


def outcome_markup(outcome: Outcome, *, evidence: bool = True) -> str:
    """Content markup for one outcome: verdict line, expected/observed, action and evidence."""
    lines = [f"{status_markup(outcome.status)}  [b]{_escape(outcome.title)}[/b]"]
    lines.append(f"    expected {_escape(outcome.expected)}; observed {_escape(outcome.observed)}")
    if outcome.action and outcome.status is not Status.PASS:
        lines.append(f"    [$warning]→[/] {_escape(outcome.action)}")
    if evidence:
        for item in outcome.evidence:
            source = f"  [$text-muted]({_escape(item.source)})[/]" if item.source else ""
            lines.append(f"    · {_escape(item.label)} = {_escape(item.value)}{source}")
    return "\n".join(lines)


class OutcomeList(Static):
    """Outcomes, worst first; shows ``empty`` when there are none."""

    DEFAULT_CSS = """
    OutcomeList {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, empty: str = "no checks run yet", *, id: str | None = None) -> None:
        super().__init__(empty, id=id)
        self.empty = empty
        self._markup = empty

    def show(self, outcomes: Sequence[Outcome], *, evidence: bool = True) -> None:
        """Redraw with ``outcomes`` sorted worst first (stable within a status)."""
        if not outcomes:
            self.show_markup(self.empty)
            return
        ordered = sorted(outcomes, key=lambda outcome: -outcome.status.rank)
        self.show_markup(
            "\n".join(outcome_markup(outcome, evidence=evidence) for outcome in ordered)
        )

    def show_markup(self, markup: str) -> None:
        """Redraw only when the text changed (live outcomes repeat every refresh)."""
        if markup != self._markup:
            self._markup = markup
            self.update(markup)
