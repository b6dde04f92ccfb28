"""The command palette's commission commands: the main actions, searchable by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Open the walkthrough", "open('walkthrough')", "the checklist, step by step"),
    ("Open the live dashboard", "open('dashboard')", "the miner's status page, live"),
    ("Start the 20-minute soak", "open('soak')", "the commissioning run with plots"),
    ("Run the hash self-test", "open('selftest')", "SHA-256d known answers and speed"),
    ("Show the summary", "open('summary')", "every outcome and what remains"),
    ("Read the miner now", "refresh_now", "skip the wait for the next refresh"),
)
"""(title, app action, help) of each command."""


class CommissionCommands(Provider):
    """Offers the walkthrough, dashboard, soak, self-test, summary and "read now"."""

    def _runner(self, action: str) -> Callable[[], object]:
        return partial(self.app.run_action, action)

    async def discover(self) -> Hits:
        """Every command, shown when the palette opens."""
        for title, action, text in COMMANDS:
            yield DiscoveryHit(title, self._runner(action), help=text)

    async def search(self, query: str) -> Hits:
        """Commands whose title matches ``query``."""
        matcher = self.matcher(query)
        for title, action, text in COMMANDS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), self._runner(action), help=text)
