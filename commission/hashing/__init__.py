"""SHA-256d for the hash self-test: compiled tiers behind one dispatcher, and a pure-Python twin.

This module is the only way in. It loads the compiled engine (commission.hashing._sha256d, built
from cython/) when it can and picks the fastest tier this CPU runs (sha-ni, avx2, portable); when
the engine is missing, or COMMISSION_NO_EXTENSIONS=1, it runs on the hashlib twin ("python") and
``fallback_reason`` says why. COMMISSION_HASH_TIER forces one tier. Arguments are checked here,
once, for every tier, so bad input is a HashInputError (a ValueError) with a clear message.
"""

from __future__ import annotations

import importlib
import os
import threading
from types import ModuleType
from typing import Final, Protocol

from commission.errors import HashInputError, UsageError
from commission.hashing import _python
from commission.hashing.header import PREFIX_LENGTH, TARGET_LIMIT
from commission.settings import ENV_HASH_TIER, ENV_NO_EXTENSIONS, flag

__all__ = [
    "NONCE_LIMIT",
    "TIERS",
    "BytesLike",
    "Scanner",
    "compiled",
    "describe_engine",
    "fallback_reason",
    "implementation",
    "scan_parallel",
    "sha256d",
    "tiers_available",
]

TIERS: Final = ("sha-ni", "avx2", "portable", "python")
"""Every tier there is, fastest first; ``tiers_available()`` says which this machine has."""
COMPILED_TIERS: Final = ("sha-ni", "avx2", "portable")
"""The tiers that live in the compiled engine."""
NONCE_LIMIT: Final = 1 << 32
"""Nonces are 32-bit: a scan covers part of ``range(0, NONCE_LIMIT)``."""

BytesLike = bytes | bytearray | memoryview
"""What the hash functions accept as a message or header prefix."""


def _load_compiled() -> tuple[ModuleType | None, str | None]:
    if flag(ENV_NO_EXTENSIONS):
        return None, f"{ENV_NO_EXTENSIONS} is set"
    name = f"{__name__}._sha256d"
    try:
        return importlib.import_module(name), None
    except ModuleNotFoundError as error:
        if error.name != name:
            return None, f"the compiled engine did not load: {error}"
        return None, "the compiled engine is not built (no C compiler when it was installed?)"
    except ImportError as error:
        return None, f"the compiled engine did not load: {error}"


_compiled, fallback_reason = _load_compiled()
"""Why the pure-Python twin is in use (None when the compiled engine loaded)."""

compiled: Final = _compiled is not None
"""True when the compiled engine loaded."""

_AVAILABLE: Final[tuple[str, ...]] = (
    (*_compiled.tiers_available(), "python") if _compiled is not None else ("python",)
)


def tiers_available() -> tuple[str, ...]:
    """The tiers this machine can run, fastest first; "python" is always last.

    Returns:
        For example ``("sha-ni", "avx2", "portable", "python")``, or ``("python",)`` without
        the compiled engine.
    """
    return _AVAILABLE


def _select_tier() -> str:
    forced = os.environ.get(ENV_HASH_TIER, "").strip().lower()
    if not forced:
        return _AVAILABLE[0]
    if forced not in TIERS:
        raise UsageError(
            f"{ENV_HASH_TIER}={forced!r} is not a hash tier; use one of {', '.join(TIERS)}"
        )
    if forced not in _AVAILABLE:
        why = f" ({fallback_reason})" if fallback_reason else ""
        raise UsageError(
            f"{ENV_HASH_TIER}={forced} but this machine only has {', '.join(_AVAILABLE)}{why}"
        )
    return forced


implementation: Final = _select_tier()
"""The tier in use: "sha-ni", "avx2", "portable" or "python"."""


def describe_engine() -> str:
    """One line on the hash engine in use, e.g. ``sha-ni (compiled)`` or the twin and why."""
    if _compiled is None:
        return f"python (the pure-Python twin: {fallback_reason})"
    forced = " (forced by " + ENV_HASH_TIER + ")" if os.environ.get(ENV_HASH_TIER) else ""
    return f"{implementation} (compiled; this CPU has {', '.join(_AVAILABLE)}){forced}"


def _tier(tier: str | None) -> str:
    if tier is None:
        return implementation
    if tier not in TIERS:
        raise HashInputError(f"unknown hash tier {tier!r}; use one of {', '.join(TIERS)}")
    if tier not in _AVAILABLE:
        raise HashInputError(
            f"hash tier {tier!r} is not available here; this machine has {', '.join(_AVAILABLE)}"
        )
    return tier


def _buffer(name: str, value: object) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise HashInputError(f"{name} must be bytes, got {type(value).__name__}")
    return bytes(value)


def _integer(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise HashInputError(f"{name} must be an integer, got {type(value).__name__}")
    return value


def _check_range(start: object, count: object) -> tuple[int, int]:
    start, count = _integer("start", start), _integer("count", count)
    if start < 0:
        raise HashInputError(f"start nonce must not be negative, got {start}")
    if count < 0:
        raise HashInputError(f"nonce count must not be negative, got {count}")
    if start + count > NONCE_LIMIT:
        raise HashInputError(
            f"nonce range {start} + {count} ends at {start + count}, past 2**32 = {NONCE_LIMIT}; "
            "nonces are 32-bit"
        )
    return start, count


def sha256d(data: BytesLike, *, tier: str | None = None) -> bytes:
    """SHA256(SHA256(data)), in hashlib's byte order (a block hash is this reversed).

    Args:
        data: the message (bytes, bytearray or memoryview), any length.
        tier: run on this tier instead of ``implementation``.

    Returns:
        The 32-byte digest.

    Raises:
        HashInputError: data is not bytes, or the tier is unknown or not available here.
    """
    message, chosen = _buffer("data", data), _tier(tier)
    if chosen == "python" or _compiled is None:
        return _python.sha256d(message)
    return _compiled.sha256d(message, chosen)


class _Engine(Protocol):
    def scan(self, start: int, count: int) -> list[int]: ...


class Scanner:
    """The midstate of one 76-byte header prefix and a target, ready to scan nonces.

    Attributes:
        tier: the tier this scanner runs on.
        target: the largest accepted sha256d, read as a little-endian integer.
    """

    def __init__(self, header76: BytesLike, target: int, *, tier: str | None = None) -> None:
        """Prepare a scan.

        Args:
            header76: the 76 header bytes before the nonce.
            target: accept hashes <= target (0 <= target < 2**256).
            tier: run on this tier instead of ``implementation``.

        Raises:
            HashInputError: wrong header length or type, target out of range, unknown or
                unavailable tier.
        """
        prefix = _buffer("header76", header76)
        if len(prefix) != PREFIX_LENGTH:
            raise HashInputError(
                f"header76 must be the {PREFIX_LENGTH} header bytes before the nonce, "
                f"got {len(prefix)} bytes"
            )
        target = _integer("target", target)
        if not 0 <= target < TARGET_LIMIT:
            raise HashInputError(f"target must be 0 <= target < 2**256, got {target:#x}")
        self.tier: Final = _tier(tier)
        self.target: Final = target
        self._engine: _Engine
        if self.tier == "python" or _compiled is None:
            self._engine = _python.PythonScanner(prefix, target)
        else:
            self._engine = _compiled.Scanner(prefix, target.to_bytes(32, "little"), self.tier)

    def __repr__(self) -> str:
        return f"Scanner(tier={self.tier!r}, target={self.target:#066x})"

    def scan(self, start: int, count: int) -> list[int]:
        """The nonces in ``[start, start + count)`` whose header meets the target, ascending.

        The header is ``header76 + nonce.to_bytes(4, "little")``. The compiled tiers release the
        GIL for large counts, so several threads can scan parts of one range at once.

        Args:
            start: the first nonce (0 <= start).
            count: how many nonces (0 or more; start + count <= 2**32).

        Returns:
            The matching nonces.

        Raises:
            HashInputError: negative start or count, or a range past 2**32.
        """
        start, count = _check_range(start, count)
        if count == 0:
            return []
        return self._engine.scan(start, count)


def scan_parallel(
    header76: BytesLike,
    target: int,
    start: int,
    count: int,
    threads: int,
    *,
    tier: str | None = None,
) -> list[int]:
    """Scan ``[start, start + count)`` with ``threads`` threads, each on one contiguous part.

    Args:
        header76: the 76 header bytes before the nonce.
        target: accept hashes <= target.
        start: the first nonce.
        count: how many nonces.
        threads: how many threads (1 or more; the "python" tier gains nothing from more).
        tier: run on this tier instead of ``implementation``.

    Returns:
        The matching nonces, ascending (the same list ``Scanner.scan`` gives).

    Raises:
        HashInputError: any bad argument, as for ``Scanner`` and ``Scanner.scan``.
    """
    threads = _integer("threads", threads)
    if threads < 1:
        raise HashInputError(f"threads must be at least 1, got {threads}")
    scanner = Scanner(header76, target, tier=tier)
    start, count = _check_range(start, count)
    parts = min(threads, count)
    if parts <= 1:
        return scanner.scan(start, count)
    size, extra = divmod(count, parts)
    bounds: list[tuple[int, int]] = []
    first = start
    for index in range(parts):
        length = size + (1 if index < extra else 0)
        bounds.append((first, length))
        first += length
    # The calling thread scans the first part itself and only the others get new threads: the
    # scan releases the GIL, and for the short slices of a progress-reporting caller a pool per
    # call costs several per cent of the throughput.
    results: list[list[int]] = [[] for _ in bounds]
    failures: list[BaseException] = []

    def scan_part(index: int) -> None:
        try:
            results[index] = scanner.scan(*bounds[index])
        except BaseException as error:  # noqa: BLE001 - re-raised in the calling thread below
            failures.append(error)

    helpers = [
        threading.Thread(target=scan_part, args=(index,), name=f"sha256d-scan-{index}")
        for index in range(1, parts)
    ]
    for helper in helpers:
        helper.start()
    scan_part(0)
    for helper in helpers:
        helper.join()
    if failures:
        raise failures[0]
    return [nonce for part in results for nonce in part]
