"""Known answers for the hash engine: real block headers with their published hashes.

The self-test checks every tier against these before it measures anything, and the tests use
them too. Block 125552 is assembled from its Stratum fields, so it also checks the header rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from commission.hashing.header import PREFIX_LENGTH, header_from_stratum, target_from_bits


@dataclass(frozen=True)
class KnownAnswer:
    """One block header and the sha256d it is known to have.

    Attributes:
        name: what the header is, for messages.
        header: the 80 header bytes.
        block_hash: the published block hash (big-endian hex, as explorers show it).
    """

    name: str
    header: bytes
    block_hash: str

    @property
    def digest(self) -> bytes:
        """The expected sha256d in hashlib's byte order (the block hash reversed)."""
        return bytes.fromhex(self.block_hash)[::-1]

    @property
    def prefix(self) -> bytes:
        """The 76 bytes before the nonce."""
        return self.header[:PREFIX_LENGTH]

    @property
    def nonce(self) -> int:
        """The winning nonce."""
        return int.from_bytes(self.header[PREFIX_LENGTH:], "little")

    @property
    def target(self) -> int:
        """The target from the header's bits field."""
        return target_from_bits(int.from_bytes(self.header[72:76], "little"))


GENESIS = KnownAnswer(
    name="Bitcoin genesis block",
    header=bytes.fromhex(
        "01000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a"
        "29ab5f49"
        "ffff001d"
        "1dac2b7c"
    ),
    block_hash="000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
)

BLOCK_125552 = KnownAnswer(
    name="block 125552 (from its Stratum fields)",
    header=header_from_stratum(
        version="00000001",
        prevhash="ab02cd818b9e567ee21793cddef299feb29ad444a41b85b8000008a300000000",
        merkle_root=bytes.fromhex(
            "e320b6c2fffc8d750423db8b1eb942ae710e951ed797f7affc8892b0f1fc122b"
        ),
        ntime="4dd7f5c7",
        nbits="1a44b9f2",
        nonce="9546a142",
    ),
    block_hash="00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d",
)

KNOWN_ANSWERS: tuple[KnownAnswer, ...] = (GENESIS, BLOCK_125552)
"""Every known answer, in the order the self-test runs them."""
