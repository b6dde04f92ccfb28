"""The pure-Python twin of the compiled engine, built on hashlib, and the naive reference loop.

The twin is what runs when the extension is missing or COMMISSION_NO_EXTENSIONS is set: it keeps
the header's midstate as a hashlib object and copies it per nonce. ``naive_scan`` is the plain
loop the self-test and the benchmark compare every tier against. Neither validates its arguments;
the dispatcher in ``commission.hashing`` does that once for every tier.
"""

from __future__ import annotations

import hashlib


def sha256d(data: bytes) -> bytes:
    """SHA256(SHA256(data)).

    Args:
        data: the message, any length.

    Returns:
        The 32-byte digest in the order hashlib gives it.
    """
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


class PythonScanner:
    """Nonce scan over one 76-byte header prefix with hashlib, reusing the prefix's state."""

    def __init__(self, header76: bytes, target: int) -> None:
        self._prefix = hashlib.sha256(header76)
        self._target = target

    def scan(self, start: int, count: int) -> list[int]:
        """Nonces in ``[start, start + count)`` whose sha256d as a little-endian int is <= target."""
        prefix, target, sha256 = self._prefix, self._target, hashlib.sha256
        from_bytes = int.from_bytes
        hits: list[int] = []
        for nonce in range(start, start + count):
            first = prefix.copy()
            first.update(nonce.to_bytes(4, "little"))
            if from_bytes(sha256(first.digest()).digest(), "little") <= target:
                hits.append(nonce)
        return hits


def naive_scan(header76: bytes, target: int, start: int, count: int) -> list[int]:
    """The obvious loop: hash the whole 80-byte header twice per nonce (the speed baseline).

    Args:
        header76: the first 76 header bytes.
        target: the largest accepted sha256d, read as a little-endian integer.
        start: the first nonce.
        count: how many nonces to try.

    Returns:
        The matching nonces, ascending.
    """
    sha256 = hashlib.sha256
    return [
        nonce
        for nonce in range(start, start + count)
        if int.from_bytes(
            sha256(sha256(header76 + nonce.to_bytes(4, "little")).digest()).digest(), "little"
        )
        <= target
    ]
