"""Messages that workers post to the UI: telemetry, device results and failures.

Device I/O runs in workers; a worker never touches a widget, it posts one of these and the app or a
screen routes it. Telemetry arrives often, so :class:`SnapshotTaken` overrides ``can_replace``: a
newer snapshot replaces an older one still waiting in the queue (as Toolong does for log lines).
"""

from __future__ import annotations

from textual.message import Message

from commission.miner.models import MinerSnapshot
from commission.results import Outcome
from commission.verify.report import MinerReport, SoakSample


class SnapshotTaken(Message):
    """A fresh snapshot of the miner, with the live rules already run on it."""

    def __init__(self, snapshot: MinerSnapshot, outcomes: tuple[Outcome, ...]) -> None:
        self.snapshot = snapshot
        self.outcomes = outcomes
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        """A newer snapshot makes an older queued one worthless."""
        return isinstance(message, SnapshotTaken)


class MinerLost(Message):
    """The miner could not be read; ``reason`` says why (shown, never swallowed)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        """Repeated failures while the miner is down collapse to the latest one."""
        return isinstance(message, MinerLost)


class LinkReady(Message):
    """The miner link (real client or simulator) is open and described by ``label``."""

    def __init__(self, label: str) -> None:
        self.label = label
        super().__init__()


class LinkFailed(Message):
    """Opening the miner link failed; the app keeps running for the paper-only steps."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__()


class SoakSampled(Message):
    """One soak sample was taken; carries the progress and every sample so far (for the plots)."""

    def __init__(self, done_s: float, total_s: float, samples: tuple[SoakSample, ...]) -> None:
        self.done_s = done_s
        self.total_s = total_s
        self.samples = samples
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        """A later sample carries everything an earlier queued one did."""
        return isinstance(message, SoakSampled)


class SoakFinished(Message):
    """The soak ended; ``report`` holds the outcomes, with the soak's own among them."""

    def __init__(self, report: MinerReport) -> None:
        self.report = report
        super().__init__()


class SelfTestProgressed(Message):
    """The hash self-test moved on: ``fraction`` done and a line saying what it is doing."""

    def __init__(self, fraction: float, doing: str) -> None:
        self.fraction = fraction
        self.doing = doing
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        """Only the latest progress matters."""
        return isinstance(message, SelfTestProgressed)


class SelfTestRow(Message):
    """One tier's result: known answers and speed."""

    def __init__(self, tier: str, vectors_ok: bool, detail: str, mhs: float | None) -> None:
        self.tier = tier
        self.vectors_ok = vectors_ok
        self.detail = detail
        self.mhs = mhs
        super().__init__()
