"""Fixtures for the hash engine: every tier, skipped with a reason where this machine lacks it."""

from __future__ import annotations

import hashlib

import pytest

from commission import hashing


def reference_scan(header76: bytes, target: int, start: int, count: int) -> list[int]:
    """The obvious hashlib loop, written here independently of the package."""
    found = []
    for nonce in range(start, start + count):
        header = header76 + nonce.to_bytes(4, "little")
        digest = hashlib.sha256(hashlib.sha256(header).digest()).digest()
        if int.from_bytes(digest, "little") <= target:
            found.append(nonce)
    return found


@pytest.fixture(params=hashing.TIERS, scope="module")
def tier(request: pytest.FixtureRequest) -> str:
    """Each tier in turn; a tier this machine (or this build) lacks is skipped, saying why."""
    name: str = request.param
    if name not in hashing.tiers_available():
        why = hashing.fallback_reason or "this CPU lacks its instructions"
        pytest.skip(f"hash tier {name} is not available here: {why}")
    return name
