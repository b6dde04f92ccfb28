"""Benchmark of the SHA-256d engine: every tier against the naive hashlib loop, and threads.

Prints millions of nonces per second (MH/s) for the naive hashlib loop, each tier on one thread
(with its ratio to the naive loop, measured in the same run), the SHA-NI variant with two nonces
in flight instead of four, and 2 threads against 1 on the fastest tier. Each figure is the best
of a few rounds, so a briefly busy machine does not drag it down; on a machine that other work
keeps busy the thread ratio says more about that work than about the engine.

    python bench/bench_hash.py [--seconds 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from commission import hashing
from commission.hashing import _python
from commission.hashing.header import DIFF1_TARGET
from commission.hashing.selftest import measure
from commission.hashing.vectors import GENESIS

PREFIX, TARGET = GENESIS.prefix, DIFF1_TARGET


def best_mhs(label: str, scan: Callable[[int, int], object], seconds: float, rounds: int) -> float:
    """The best MH/s of ``rounds`` measurements of ``seconds`` each."""
    return max(measure(label, scan, seconds).mhs for _ in range(rounds))


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per figure (best)")
    args = parser.parse_args()
    seconds, rounds = args.seconds, args.rounds

    print(f"engine: {'compiled' if hashing.compiled else 'pure-Python twin'}", end="")
    print(f" ({hashing.fallback_reason})" if hashing.fallback_reason else "")
    print(f"tiers: {', '.join(hashing.tiers_available())}; CPUs: {os.cpu_count()}")
    print(f"each figure: best of {rounds} x {seconds:g} s")

    def naive(start: int, count: int) -> object:
        return _python.naive_scan(PREFIX, TARGET, start, count)

    naive_mhs = best_mhs("naive", naive, seconds, rounds)
    print(f"{'naive hashlib loop':<28} {naive_mhs:8.2f} MH/s")

    variants: list[tuple[str, Callable[[int, int], object]]] = []
    for tier in hashing.tiers_available():
        variants.append((tier, hashing.Scanner(PREFIX, TARGET, tier=tier).scan))
        if tier == "sha-ni":
            from commission.hashing import _sha256d

            two = _sha256d.Scanner(PREFIX, TARGET.to_bytes(32, "little"), "sha-ni-x2")
            variants.append(("sha-ni, 2 nonces in flight", two.scan))
    for label, scan in variants:
        mhs = best_mhs(label, scan, seconds, rounds)
        print(f"{label:<28} {mhs:8.2f} MH/s  {mhs / naive_mhs:6.1f}x naive")

    tier = hashing.implementation
    scanner = hashing.Scanner(PREFIX, TARGET, tier=tier)

    def two_threads(start: int, count: int) -> object:
        return hashing.scan_parallel(PREFIX, TARGET, start, count, 2, tier=tier)

    # Alternate the two so that load from elsewhere hits both alike; keep the best of each.
    one = two_mhs = 0.0
    for _ in range(rounds):
        one = max(one, measure("1 thread", scanner.scan, seconds).mhs)
        two_mhs = max(two_mhs, measure("2 threads", two_threads, seconds, threads=2).mhs)
    print(f"{tier + ', 1 thread':<28} {one:8.2f} MH/s")
    print(f"{tier + ', 2 threads':<28} {two_mhs:8.2f} MH/s  {two_mhs / one:6.2f}x one thread")


if __name__ == "__main__":
    main()
