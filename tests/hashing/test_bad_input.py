"""Bad arguments are a clear ValueError (HashInputError) on every tier, never a wrong answer."""

from __future__ import annotations

import pytest

from commission import hashing
from commission.errors import HashInputError

PREFIX = bytes(76)


@pytest.mark.parametrize("length", [0, 75, 77, 80])
def test_wrong_header_length(tier: str, length: int) -> None:
    with pytest.raises(ValueError, match=rf"76 header bytes before the nonce, got {length} bytes"):
        hashing.Scanner(bytes(length), 1, tier=tier)


@pytest.mark.parametrize("header", ["00" * 76, None, 76, [0] * 76])
def test_header_that_is_not_bytes(tier: str, header: object) -> None:
    with pytest.raises(HashInputError, match="header76 must be bytes"):
        hashing.Scanner(header, 1, tier=tier)  # type: ignore[arg-type]


@pytest.mark.parametrize("target", [-1, 1 << 256, (1 << 300)])
def test_target_out_of_range(tier: str, target: int) -> None:
    with pytest.raises(ValueError, match=r"0 <= target < 2\*\*256"):
        hashing.Scanner(PREFIX, target, tier=tier)


@pytest.mark.parametrize("target", [1.5, "1", True, None])
def test_target_that_is_not_an_integer(tier: str, target: object) -> None:
    with pytest.raises(HashInputError, match="target must be an integer"):
        hashing.Scanner(PREFIX, target, tier=tier)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "count", "fragment"),
    [
        (-1, 10, "start nonce must not be negative"),
        (0, -1, "nonce count must not be negative"),
        (1 << 32, 1, r"past 2\*\*32"),
        ((1 << 32) + 5, 0, r"past 2\*\*32"),
        (0, (1 << 32) + 1, r"past 2\*\*32"),
        (1 << 40, 1 << 40, r"past 2\*\*32"),
    ],
)
def test_bad_ranges(tier: str, start: int, count: int, fragment: str) -> None:
    scanner = hashing.Scanner(PREFIX, 1, tier=tier)
    with pytest.raises(ValueError, match=fragment):
        scanner.scan(start, count)
    with pytest.raises(ValueError, match=fragment):
        hashing.scan_parallel(PREFIX, 1, start, count, 2, tier=tier)


@pytest.mark.parametrize(("start", "count"), [(1.0, 1), (0, 2.0), ("0", 1), (0, None)])
def test_range_that_is_not_integers(tier: str, start: object, count: object) -> None:
    with pytest.raises(HashInputError, match="must be an integer"):
        hashing.Scanner(PREFIX, 1, tier=tier).scan(start, count)  # type: ignore[arg-type]


@pytest.mark.parametrize("threads", [0, -3])
def test_bad_thread_count(threads: int) -> None:
    with pytest.raises(ValueError, match="threads must be at least 1"):
        hashing.scan_parallel(PREFIX, 1, 0, 10, threads)


def test_sha256d_of_a_string_is_refused() -> None:
    with pytest.raises(HashInputError, match="data must be bytes, got str"):
        hashing.sha256d("abc")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["sha512", "SHA-NI", "", "fast"])
def test_unknown_tier(name: str) -> None:
    with pytest.raises(HashInputError, match="unknown hash tier"):
        hashing.Scanner(PREFIX, 1, tier=name)
    with pytest.raises(HashInputError, match="unknown hash tier"):
        hashing.sha256d(b"", tier=name)


def test_a_failure_in_a_helper_thread_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    class FailingOnSecondPart:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def scan(self, start: int, count: int) -> list[int]:
            if start > 0:
                raise MemoryError("part two failed")
            return [start]

    monkeypatch.setattr(hashing, "Scanner", FailingOnSecondPart)
    with pytest.raises(MemoryError, match="part two failed"):
        hashing.scan_parallel(PREFIX, 1, 0, 100, 2)
