"""Every tier agrees with a plain hashlib loop: random prefixes, easy targets, edge ranges."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission import hashing
from tests.hashing.conftest import reference_scan

NONCE_LIMIT = 1 << 32
PREFIXES = st.binary(min_size=76, max_size=76)
# Easy targets: from "almost every hash" down to "about one in 4096" (and the extremes).
TARGETS = st.one_of(
    st.integers(min_value=244, max_value=256).map(lambda bits: (1 << bits) - 1),
    st.integers(min_value=0, max_value=(1 << 256) - 1).map(lambda t: t | (1 << 250)),
    st.just(0),
)
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(data=st.binary(max_size=300))
def test_sha256d_matches_hashlib(tier: str, data: bytes) -> None:
    expected = hashlib.sha256(hashlib.sha256(data).digest()).digest()
    assert hashing.sha256d(data, tier=tier) == expected


@pytest.mark.parametrize("length", [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 100_000])
def test_sha256d_padding_boundaries(tier: str, length: int) -> None:
    data = bytes(range(256)) * (length // 256 + 1)
    data = data[:length]
    assert (
        hashing.sha256d(data, tier=tier) == hashlib.sha256(hashlib.sha256(data).digest()).digest()
    )


@SLOW
@given(
    prefix=PREFIXES,
    target=TARGETS,
    start=st.integers(min_value=0, max_value=NONCE_LIMIT - 1),
    count=st.integers(min_value=0, max_value=67),
)
def test_scan_matches_reference(
    tier: str, prefix: bytes, target: int, start: int, count: int
) -> None:
    count = min(count, NONCE_LIMIT - start)
    assert hashing.Scanner(prefix, target, tier=tier).scan(start, count) == reference_scan(
        prefix, target, start, count
    )


@SLOW
@given(prefix=PREFIXES, target=TARGETS, count=st.integers(min_value=0, max_value=41))
def test_ranges_ending_exactly_at_2_32(tier: str, prefix: bytes, target: int, count: int) -> None:
    start = NONCE_LIMIT - count
    assert hashing.Scanner(prefix, target, tier=tier).scan(start, count) == reference_scan(
        prefix, target, start, count
    )


@pytest.mark.parametrize("start", [NONCE_LIMIT - 1, NONCE_LIMIT - 8, NONCE_LIMIT - 100, 0])
@pytest.mark.parametrize("overshoot", [1, 7, 1000])
def test_ranges_crossing_2_32_are_rejected(tier: str, start: int, overshoot: int) -> None:
    count = NONCE_LIMIT - start + overshoot
    scanner = hashing.Scanner(bytes(76), 1 << 255, tier=tier)
    with pytest.raises(ValueError, match=r"past 2\*\*32"):
        scanner.scan(start, count)


def test_count_zero_returns_nothing(tier: str) -> None:
    scanner = hashing.Scanner(bytes(76), (1 << 256) - 1, tier=tier)
    assert scanner.scan(0, 0) == []
    assert scanner.scan(NONCE_LIMIT - 1, 0) == []
    assert scanner.scan(NONCE_LIMIT, 0) == []


def test_every_nonce_matches_the_largest_target(tier: str) -> None:
    scanner = hashing.Scanner(bytes(range(76)), (1 << 256) - 1, tier=tier)
    assert scanner.scan(NONCE_LIMIT - 21, 21) == list(range(NONCE_LIMIT - 21, NONCE_LIMIT))


def test_lane_tails_and_block_sizes(tier: str) -> None:
    # Counts around the lane widths (2, 4, 8) and a start that makes the last block wrap.
    prefix, target = bytes(range(1, 77)), 1 << 253
    scanner = hashing.Scanner(prefix, target, tier=tier)
    for start in (0, 5, NONCE_LIMIT - 19):
        for count in (1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 19):
            assert scanner.scan(start, count) == reference_scan(prefix, target, start, count), (
                start,
                count,
            )


@SLOW
@given(
    prefix=PREFIXES,
    target=TARGETS,
    start=st.integers(min_value=0, max_value=NONCE_LIMIT - 1),
    count=st.integers(min_value=0, max_value=90),
    threads=st.integers(min_value=1, max_value=5),
)
def test_scan_parallel_matches_scan(
    tier: str, prefix: bytes, target: int, start: int, count: int, threads: int
) -> None:
    count = min(count, NONCE_LIMIT - start)
    expected = reference_scan(prefix, target, start, count)
    assert hashing.scan_parallel(prefix, target, start, count, threads, tier=tier) == expected


def test_accepts_bytearray_and_memoryview(tier: str) -> None:
    prefix = bytes(range(76))
    expected = reference_scan(prefix, 1 << 252, 10, 50)
    assert hashing.Scanner(bytearray(prefix), 1 << 252, tier=tier).scan(10, 50) == expected
    assert hashing.Scanner(memoryview(prefix), 1 << 252, tier=tier).scan(10, 50) == expected
    assert hashing.sha256d(bytearray(b"abc"), tier=tier) == hashing.sha256d(b"abc", tier=tier)
