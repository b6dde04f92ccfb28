"""Hostile miners in bulk: thousands of mutated replies through the real parsers, rules and client.

Run: ``python bench/bench_hostile.py [--cases N] [--loopback M] [--seed S]`` (prints figures;
nothing is asserted). Loopback only. The cases come from the harness in ``tests/hostile`` (real
captured replies and the simulator's, spoiled field by field or whole, with the oracle that says
which checks read what each case spoiled).

1. In-process, RPC only: the stock client's RPC path fed straight from the case, then every rule
   (the bulk of the cases: mutations of what the RPC replies say).
2. In-process with the web UI: the whole stock client (RPC plus the Digest web UI through an httpx
   mock transport), then the verifier (mutations of the web pages, the challenge, the kernel log).
3. Loopback: a fake miner on real 127.0.0.1 sockets with wire faults (dripping, silent, cut,
   refused) on top of a random mutation.

For each: tried, crashed (an exception past the client, or a parser that met a reply shape it did
not foresee), hung (a verify past its deadline), false passes (a check the case spoiled that said
PASS or SKIPPED), and the process's peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.append(str(REPO))  # the harness lives in tests/hostile

from commission.miner.client import PARSER_FAILED  # noqa: E402
from commission.verify.runner import Verifier  # noqa: E402
from tests.hostile import fake, menu  # noqa: E402

RPC_ONLY = tuple(m for m in menu.MENU if m.touches <= set(menu.COMMANDS))
WITH_WEB = tuple(m for m in menu.MENU if "web" in m.touches)
WEB_SHARE = 0.1
"""Share of the in-process cases that go through the web UI too (slower: httpx and Digest)."""


@dataclass
class Tally:
    """Figures of one part of the run."""

    tried: int = 0
    crashed: int = 0
    hung: int = 0
    false_passes: int = 0
    seconds: float = 0.0
    examples: Counter[str] = field(default_factory=Counter)

    def line(self, label: str) -> str:
        rate = self.tried / self.seconds if self.seconds else 0.0
        return (
            f"  {label:<28} tried {self.tried:>6}  crashed {self.crashed}  hung {self.hung}  "
            f"false passes {self.false_passes}  ({self.seconds:6.1f} s, {rate:6.0f} cases/s)"
        )


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def draw(rng: random.Random, mutations: tuple[menu.Mutation, ...]) -> menu.Case:
    """One random case: a base and one or two mutations (the first alone if they clash)."""
    base_name = rng.choice(menu.BASE_NAMES)
    chosen = tuple(
        (rng.choice(mutations), rng.randrange(10_000)) for _ in range(rng.choice((1, 1, 2)))
    )
    case = menu.build(base_name, chosen) or menu.build("simulator", chosen[:1])
    assert case is not None, chosen
    return case


def note(tally: Tally, case: menu.Case, report: fake.MinerReport) -> None:
    wrong = fake.false_passes(report, case)
    if wrong:
        tally.false_passes += 1
        tally.examples[f"false pass: {case.name}: {wrong[0]}"] += 1
    parser_failures = [
        outcome
        for outcome in report.outcomes
        for evidence in outcome.evidence
        if PARSER_FAILED in evidence.value
    ]
    if parser_failures:
        tally.crashed += 1
        tally.examples[f"parser failed: {case.name}"] += 1


async def rpc_only(cases: int, rng: random.Random) -> Tally:
    """Mutated RPC replies through the stock client's RPC path and every rule (no web UI)."""
    tally = Tally()
    verifier = Verifier()
    client = fake.in_process_client(menu.base("simulator"))
    started = time.perf_counter()
    for _ in range(cases):
        case = draw(rng, RPC_ONLY)
        tally.tried += 1
        client.rpc = fake.InProcessRpc(case.replies)
        try:
            async with asyncio.timeout(fake.VERIFY_DEADLINE_S):
                snapshot = await client.snapshot(web=False)
        except TimeoutError:
            tally.hung += 1
            continue
        except Exception as error:  # noqa: BLE001 - counted and shown: that is the measurement
            tally.crashed += 1
            tally.examples[f"raised {type(error).__name__}: {case.name}"] += 1
            continue
        report = fake.MinerReport(
            host=snapshot.host,
            started_at=snapshot.taken_at,
            finished_at=snapshot.taken_at,
            reachable=True,
            outcomes=tuple(verifier.judge(snapshot)),
        )
        # Without the web UI the web checks are SKIPPED by design: judge only what RPC spoiled.
        rpc_case = menu.Case(case.name, case.replies, case.tainted - menu.WEB_LOGIN)
        note(tally, rpc_case, report)
    tally.seconds = time.perf_counter() - started
    await client.aclose()
    return tally


async def whole_client(cases: int, rng: random.Random, *, loopback: bool) -> Tally:
    """Whole verifies: in-process (web mutations) or on loopback sockets (plus a wire fault)."""
    tally = Tally()
    started = time.perf_counter()
    for _ in range(cases):
        if loopback:
            wire = rng.choice(menu.WIRE_MENU)
            chosen = ((rng.choice(menu.MENU), rng.randrange(10_000)), (wire, 0))
            case = menu.build(rng.choice(menu.BASE_NAMES), chosen) or menu.build(
                "simulator", ((wire, 0),)
            )
            assert case is not None
        else:
            case = draw(rng, WITH_WEB)
        tally.tried += 1
        try:
            if loopback:
                report = await fake.verify_on_loopback(case)
            else:
                report = await fake.verify_in_process(case)
        except TimeoutError:
            tally.hung += 1
            tally.examples[f"hung: {case.name}"] += 1
            continue
        except Exception as error:  # noqa: BLE001 - counted and shown: that is the measurement
            tally.crashed += 1
            tally.examples[f"raised {type(error).__name__}: {case.name}"] += 1
            continue
        note(tally, case, report)
    tally.seconds = time.perf_counter() - started
    return tally


async def main(cases: int, loopback: int, seed: int) -> None:
    rng = random.Random(seed)
    print(f"hostile cases: {cases} in-process, {loopback} on loopback, seed {seed}")
    for name in menu.BASE_NAMES:
        menu.base(name)  # build the bases once, outside the timings
    print(f"  peak memory before the cases: {peak_rss_mb():.0f} MB")
    web_cases = int(cases * WEB_SHARE)
    parts = [
        ("in-process, RPC only", await rpc_only(cases - web_cases, rng)),
        ("in-process, with web UI", await whole_client(web_cases, rng, loopback=False)),
        ("loopback sockets", await whole_client(loopback, rng, loopback=True)),
    ]
    total = Tally()
    for label, tally in parts:
        print(tally.line(label))
        for attribute in ("tried", "crashed", "hung", "false_passes", "seconds"):
            setattr(total, attribute, getattr(total, attribute) + getattr(tally, attribute))
        total.examples.update(tally.examples)
    print(total.line("all"))
    print(f"  peak memory: {peak_rss_mb():.0f} MB")
    for example, count in total.examples.most_common(10):
        print(f"    {count:>4} x {example}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="in-process cases")
    parser.add_argument("--loopback", type=int, default=60, help="cases on loopback sockets")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    asyncio.run(main(options.cases, options.loopback, options.seed))
