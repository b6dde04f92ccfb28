"""Known answers on every tier: the genesis block and block 125552, digest and nonce scan."""

from __future__ import annotations

import pytest

from commission import hashing
from commission.hashing.header import DIFF1_TARGET
from commission.hashing.vectors import BLOCK_125552, GENESIS, KNOWN_ANSWERS, KnownAnswer

GENESIS_HASH = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
GENESIS_NONCE = 2083236893
BLOCK_125552_HASH = "00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d"


def test_vectors_carry_the_published_values() -> None:
    assert GENESIS.block_hash == GENESIS_HASH
    assert GENESIS.nonce == GENESIS_NONCE
    assert GENESIS.target == DIFF1_TARGET
    assert BLOCK_125552.block_hash == BLOCK_125552_HASH
    assert BLOCK_125552.nonce == 0x9546A142


def test_genesis_digest(tier: str) -> None:
    assert hashing.sha256d(GENESIS.header, tier=tier)[::-1].hex() == GENESIS_HASH


def test_block_125552_digest(tier: str) -> None:
    assert hashing.sha256d(BLOCK_125552.header, tier=tier)[::-1].hex() == BLOCK_125552_HASH


def test_scan_around_genesis_finds_exactly_its_nonce(tier: str) -> None:
    width = 4000 if tier == "python" else 200_000
    scanner = hashing.Scanner(GENESIS.prefix, DIFF1_TARGET, tier=tier)
    assert scanner.scan(GENESIS_NONCE - width // 2, width) == [GENESIS_NONCE]


@pytest.mark.parametrize("answer", KNOWN_ANSWERS, ids=lambda answer: answer.name)
def test_scan_with_the_block_target_finds_the_block_nonce(tier: str, answer: KnownAnswer) -> None:
    scanner = hashing.Scanner(answer.prefix, answer.target, tier=tier)
    assert scanner.scan(answer.nonce - 100, 300) == [answer.nonce]
    assert scanner.scan(answer.nonce + 1, 200) == []


def test_a_target_just_below_the_hash_rejects_it(tier: str) -> None:
    value = int.from_bytes(GENESIS.digest, "little")
    assert hashing.Scanner(GENESIS.prefix, value, tier=tier).scan(GENESIS_NONCE, 1) == [
        GENESIS_NONCE
    ]
    assert hashing.Scanner(GENESIS.prefix, value - 1, tier=tier).scan(GENESIS_NONCE, 1) == []
