"""Exception hierarchy and exit codes shared by every layer.

Every failure the user can cause or meet (bad input, a broken file, a dead miner) is one of these
exceptions, so the front ends can turn it into a clear message and a fixed exit code instead of a
traceback.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of every ``commission`` command (stable; scripts depend on them)."""

    OK = 0
    """Everything checked passed (warnings allowed unless ``--strict``)."""
    CHECK_FAILED = 1
    """At least one check failed, or a self-test vector did not match."""
    USAGE = 2
    """Bad arguments, a broken file, or a command that is not available."""
    UNREACHABLE = 3
    """The miner could not be reached at all."""
    INTERRUPTED = 130
    """The user pressed Ctrl+C."""


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


class MinerCommandError(MinerError):
    """The miner understood the request and refused it (a STATUS E reply, an HTTP error)."""


class MinerAuthError(MinerError):
    """The web interface refused the credentials."""


class HashInputError(CommissionError, ValueError):
    """A hash engine argument is out of range (header length, nonce range, target)."""
