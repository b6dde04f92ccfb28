"""Types of the compiled engine (cython/_sha256d.pyx)."""

from typing import Final

TIER_CODES: Final[dict[str, int]]
BENCH_TIER_CODES: Final[dict[str, int]]
NOGIL_MIN_COUNT: Final[int]

def tiers_available() -> tuple[str, ...]: ...
def sha256d(data: bytes | bytearray | memoryview, tier: str) -> bytes: ...

class Scanner:
    tier: str
    def __init__(self, header76: bytes, target_le: bytes, tier: str) -> None: ...
    def scan(self, start: int, count: int) -> list[int]: ...
