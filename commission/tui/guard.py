"""Unexpected errors in the TUI: shown, logged and survived, with the job saved.

A technician in a hurry must never lose the app (or the job) to a bug. Textual's default is to end
the app on the first exception in a handler, timer or worker, and to stop the message loop of the
widget that raised. :class:`Guarded` wraps the dispatch of every message of the app, its screens
and its own widgets, so an exception in a handler becomes a report and the widget keeps working;
the app's fallback (:meth:`commission.tui.app.CommissionApp._handle_exception`) does the same for
workers and anything else that still reaches Textual. Each report goes to
:func:`report_unexpected`: logged with its traceback, shown as an error notification, and the
pending answers saved.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from textual.message import Message

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    _Base = MessagePump
else:
    _Base = object

log = logging.getLogger("commission.tui")


@dataclass(frozen=True)
class UnexpectedError:
    """One unexpected exception: where it happened and what it was (kept for tests and logs)."""

    where: str
    error: BaseException

    def describe(self) -> str:
        """One line: the kind of error, its message and where it happened."""
        return f"{type(self.error).__name__}: {self.error} (in {self.where})"


class Reporter(Protocol):
    """What the app offers for unexpected errors (the app implements it)."""

    def report_unexpected(self, where: str, error: BaseException) -> None:
        """Log ``error``, show it, save the job and keep running."""


def format_report(report: UnexpectedError) -> str:
    """The report with its traceback, for the log file."""
    lines = traceback.format_exception(report.error)
    return f"unexpected error in {report.where}\n{''.join(lines)}"


class Guarded(_Base):
    """Mix-in for a message pump: an exception in a handler is reported instead of fatal."""

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)
        except Exception as error:
            app = self.app
            where = f"{type(self).__name__} handling {type(message).__name__}"
            if hasattr(app, "report_unexpected"):
                app.report_unexpected(where, error)
            else:  # not our app (a widget tested alone): let Textual end it as usual
                raise
