"""Exception hierarchy and exit codes shared by every layer.

Every failure the user can cause or meet (bad input, a broken file, a dead miner) is one of these
exceptions, so the front ends can turn it into a clear message and a fixed exit code instead of a
traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of every ``commission`` command (stable; scripts depend on them).

    When one run covers several miners that end differently, the code is the first of this
    precedence that applies: USAGE, CHECK_FAILED, UNREACHABLE, NOT_JUDGED, OK (see
    :data:`PRECEDENCE`).
    """

    OK = 0
    """Verified: every check that applies was judged and none failed (warnings allowed unless
    ``--strict``)."""
    CHECK_FAILED = 1
    """At least one check failed, or a self-test vector did not match."""
    USAGE = 2
    """Bad arguments, a broken file, or a command that is not available."""
    UNREACHABLE = 3
    """The miner could not be reached at all."""
    NOT_JUDGED = 4
    """Nothing failed, but at least one check that applies could not be judged: the miner is
    still warming up, or a reading it needs was missing, implausible or contradictory."""
    INTERRUPTED = 130
    """The user pressed Ctrl+C."""


PRECEDENCE: tuple[ExitCode, ...] = (
    ExitCode.INTERRUPTED,
    ExitCode.USAGE,
    ExitCode.CHECK_FAILED,
    ExitCode.UNREACHABLE,
    ExitCode.NOT_JUDGED,
    ExitCode.OK,
)
"""Which exit code wins when several miners of one run end differently (first wins)."""


def combine_exit_codes(codes: Iterable[ExitCode]) -> ExitCode:
    """The exit code of a run made of several parts, by :data:`PRECEDENCE`; OK for none."""
    present = set(codes)
    return next((code for code in PRECEDENCE if code in present), ExitCode.OK)


class CommissionError(Exception):
    """Base of every error this package raises on purpose.

    Attributes:
        exit_code: the exit code a front end should use when this error ends a command.
    """

    exit_code: ExitCode = ExitCode.USAGE


class UsageError(CommissionError):
    """The command line or a configuration value is wrong."""


class ChecklistError(CommissionError):
    """A checklist file is missing, unreadable or invalid; the message names file, key and item."""


class JobFileError(CommissionError):
    """A job file cannot be read or written; the message names the file and what is wrong."""


class MinerError(CommissionError):
    """Base for problems talking to a miner."""

    exit_code = ExitCode.UNREACHABLE


class MinerUnreachable(MinerError):
    """The miner did not accept a connection, or did not answer within the timeout."""


class MinerProtocolError(MinerError):
    """The miner answered, but the reply could not be understood (garbage, truncation, bad JSON)."""


class MinerChallengeError(MinerProtocolError):
    """The web UI asked for a login with a Digest challenge that is missing, malformed or
    unsupported; the message quotes it. Not a refused password: no password was tried."""


class MinerCommandError(MinerError):
    """The miner understood the request and refused it (a STATUS E reply, an HTTP error)."""


class MinerAuthError(MinerError):
    """The web interface refused the credentials."""


class HashInputError(CommissionError, ValueError):
    """A hash engine argument is out of range (header length, nonce range, target)."""
