"""The runner and the soak against a scripted fake client and a manual clock."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from commission.errors import MinerError, MinerProtocolError, MinerUnreachable
from commission.miner.layout import CHAINS
from commission.miner.models import MinerSnapshot, Totals
from commission.results import Outcome, Status
from commission.verify.limits import DEFAULT_LIMITS
from commission.verify.report import SoakSample, SoakSeries
from commission.verify.runner import Verifier, verify_many
from commission.verify.soak import SoakProgress, judge_soak, run_soak
from tests.verify.snapshots import chain, healthy, missing_chain


class StepClock:
    """A clock whose sleep moves time forward at once."""

    def __init__(self) -> None:
        self.t = 1000.0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


class ScriptedClient:
    """Answers with ``make(call, now)``; raises what it returns if it is an exception."""

    def __init__(
        self,
        make: Callable[[int, float], MinerSnapshot | MinerError],
        clock: StepClock | None = None,
    ) -> None:
        self.host = "10.0.0.7"
        self.make = make
        self.clock = clock or StepClock()
        self.calls = 0
        self.web_flags: list[bool] = []

    async def snapshot(self, *, web: bool = True) -> MinerSnapshot:
        self.calls += 1
        self.web_flags.append(web)
        result = self.make(self.calls, self.clock.now())
        if isinstance(result, MinerError):
            raise result
        return result


class FakeConsole:
    def __init__(self, lines: list[str], error: str | None = None) -> None:
        self._lines = lines
        self.error = error

    def lines(self) -> list[str]:
        return list(self._lines)


def by_id(outcomes: Iterable[Outcome]) -> dict[str, Outcome]:
    return {o.rule_id: o for o in outcomes}


async def test_healthy_miner_outcomes_are_bound_to_checklist_items() -> None:
    report = await Verifier().verify(ScriptedClient(lambda n, t: healthy()))
    assert report.reachable
    outcomes = by_id(report.outcomes)
    assert outcomes["miner.reachable"].status is Status.PASS
    assert "soak.stability" not in outcomes and "console.fatal" not in outcomes
    for outcome in report.outcomes:
        assert outcome.item_id and outcome.section and outcome.title
        assert outcome.at == healthy().taken_at
    assert report.status is Status.WARN  # only the default password
    assert report.counts()["warn"] == 1


async def test_unreachable_miner_fails_reachability_and_errors_every_rule() -> None:
    report = await Verifier().verify(
        ScriptedClient(lambda n, t: MinerUnreachable("10.0.0.7:4028: connection refused"))
    )
    assert not report.reachable
    outcomes = by_id(report.outcomes)
    assert outcomes["miner.reachable"].status is Status.FAIL
    # One finding carries the error; it is not copied onto every check that needed a reading.
    assert [o.rule_id for o in report.outcomes] == ["miner.reachable"]
    assert "connection refused" in outcomes["miner.reachable"].evidence[0].value


async def test_garbage_reply_is_reachable_but_error() -> None:
    report = await Verifier().verify(
        ScriptedClient(lambda n, t: MinerProtocolError("reply is not JSON at byte 12"))
    )
    assert report.reachable
    assert report.status is Status.ERROR
    assert Status.PASS not in {o.status for o in report.outcomes}


async def test_console_lines_give_a_console_outcome() -> None:
    lines = ["Chain[J7] has 18 asic", "Fatal Error: Fan lost!"]
    report = await Verifier().verify(
        ScriptedClient(lambda n, t: healthy()), console=FakeConsole(lines)
    )
    console = by_id(report.outcomes)["console.fatal"]
    assert console.status is Status.FAIL
    broken = FakeConsole(
        ["Chain[J7] has 18 asic"], error="device reports readiness but returned no data"
    )
    report = await Verifier().verify(ScriptedClient(lambda n, t: healthy()), console=broken)
    outcome = by_id(report.outcomes)["console.fatal"]
    assert outcome.status is Status.ERROR
    assert outcome.evidence[0].value.startswith("device reports")


def warming(elapsed: int, pcb: float = 55.0) -> MinerSnapshot:
    chains = tuple(chain(n, temps_pcb=(pcb,)) for n in CHAINS)
    totals = Totals(elapsed_s=elapsed, ghs_5s=18200.0, ghs_ideal=18000.0, device_hw_pct=0.0)
    return healthy(totals=totals, chains=chains)


async def test_twenty_minute_soak_on_a_manual_clock() -> None:
    clock = StepClock()
    start = clock.t
    client = ScriptedClient(lambda n, t: warming(int(t - start) + 60), clock)
    progress: list[SoakProgress] = []
    verifier = Verifier(clock=clock)
    report = await verifier.verify(client, soak_minutes=20, on_sample=progress.append)
    assert report.soak is not None
    samples = report.soak.samples
    assert len(samples) == 20 * 60 / DEFAULT_LIMITS.soak_interval_s + 1
    assert samples[-1].offset_s == pytest.approx(1200.0)
    assert progress[-1].done_s == progress[-1].total_s == 1200.0
    soak = by_id(report.outcomes)["soak.stability"]
    assert soak.status is Status.PASS, soak.observed
    # warm-up-gated checks are judged on the reading taken after the soak
    assert by_id(report.outcomes)["hashrate.nominal"].status is Status.PASS
    assert client.web_flags[0] and client.web_flags[-1] and not any(client.web_flags[1:-1])


async def test_soak_sees_all_boards_climbing_and_names_the_pump() -> None:
    clock = StepClock()
    start = clock.t
    client = ScriptedClient(lambda n, t: warming(900, pcb=55.0 + (t - start) / 60.0), clock)
    series = await run_soak(client, 20, clock=clock)
    finding = judge_soak(series, kernel_log=(), limits=DEFAULT_LIMITS)
    assert finding.status is Status.FAIL  # reached 75 deg C and still rising
    assert "pump" in finding.action


async def test_soak_one_board_climbing_means_trapped_air() -> None:
    clock = StepClock()
    start = clock.t

    def make(n: int, t: float) -> MinerSnapshot:
        rise = (t - start) / 120.0
        chains = tuple(
            chain(c, temps_pcb=(55.0 + rise,)) if c in (4, 13, 14) else chain(c, temps_pcb=(55.0,))
            for c in CHAINS
        )
        return warming(900).model_copy(update={"chains": chains})

    series = await run_soak(ScriptedClient(make, clock), 20, clock=clock)
    finding = judge_soak(series, kernel_log=())
    assert finding.status in {Status.WARN, Status.FAIL}
    assert "hash board 3" in finding.action and "tilt" in finding.action


async def test_miner_that_stops_answering_mid_soak_fails() -> None:
    clock = StepClock()
    start = clock.t

    def make(n: int, t: float) -> MinerSnapshot | MinerError:
        if t - start > 300:
            return MinerUnreachable("timed out after 5 s")
        return warming(900)

    report = await Verifier(clock=clock).verify(ScriptedClient(make, clock), soak_minutes=10)
    outcomes = by_id(report.outcomes)
    assert outcomes["soak.stability"].status is Status.FAIL
    assert outcomes["miner.reachable"].status is Status.FAIL
    assert "stopped answering" in outcomes["soak.stability"].observed
    assert any("timed out" in e.value for e in outcomes["soak.stability"].evidence)


def test_soak_fatal_line_fails() -> None:
    series = SoakSeries(minutes=1, interval_s=5, samples=(SoakSample(offset_s=0),))
    finding = judge_soak(series, kernel_log=["Fatal Error: Temperature is too high!"])
    assert finding.status is Status.FAIL
    assert any(e.source == "kernel log line 1" for e in finding.evidence)


def test_empty_soak_is_not_a_pass() -> None:
    finding = judge_soak(SoakSeries(minutes=0, interval_s=5))
    assert finding.status is Status.UNJUDGED


async def test_verify_many_keeps_order_and_bounds_concurrency() -> None:
    clients = [ScriptedClient(lambda n, t: healthy()) for _ in range(5)]
    for index, client in enumerate(clients):
        client.host = f"10.0.0.{index}"
    reports = await verify_many(Verifier(), clients, concurrency=2)
    assert [r.host for r in reports] == [c.host for c in clients]
    with pytest.raises(ValueError, match="concurrency"):
        await verify_many(Verifier(), clients, concurrency=0)


async def soak_of(
    make: Callable[[float], MinerSnapshot | MinerError], minutes: float = 20
) -> SoakSeries:
    """A soak of ``make(seconds since the start)`` on a step clock."""
    clock = StepClock()
    start = clock.t
    client = ScriptedClient(lambda n, t: make(t - start), clock)
    return await run_soak(client, minutes, clock=clock)


async def test_a_steady_warmed_up_soak_passes_on_its_merits() -> None:
    series = await soak_of(lambda s: warming(900 + int(s)))
    finding = judge_soak(series, kernel_log=("boot",))
    assert finding.status is Status.PASS, finding.observed
    assert "settled" in finding.observed and "no fatal line" in finding.observed
    assert all(sample.rules["chains.present"] is Status.PASS for sample in series.samples)


async def test_a_restart_loop_fails_the_soak_and_says_when() -> None:
    series = await soak_of(lambda s: warming(600 + int(s) % 240))
    finding = judge_soak(series, kernel_log=())
    assert finding.status is Status.FAIL
    assert "bmminer restarted or the miner rebooted 5 times" in finding.observed
    assert any(e.source == "soak rpc Elapsed" for e in finding.evidence)


async def test_a_restart_hidden_in_a_gap_of_unanswered_samples_is_seen() -> None:
    def make(s: float) -> MinerSnapshot | MinerError:
        if 300 <= s < 330:
            return MinerUnreachable("connection refused")
        return warming(900 + int(s) if s < 300 else 200 + int(s - 330))

    finding = judge_soak(await soak_of(make), kernel_log=())
    assert finding.status is Status.FAIL
    assert "restarted" in finding.observed and "unanswered" in finding.observed


async def test_a_rate_that_falls_to_zero_fails() -> None:
    def make(s: float) -> MinerSnapshot:
        snapshot = warming(900 + int(s))
        if s >= 600 and snapshot.totals is not None:
            return snapshot.model_copy(
                update={"totals": snapshot.totals.model_copy(update={"ghs_5s": 0.0})}
            )
        return snapshot

    finding = judge_soak(await soak_of(make), kernel_log=())
    assert finding.status is Status.FAIL
    assert "fell to zero 1 time, first at +600 s" in finding.observed


async def test_a_chain_that_drops_out_mid_soak_fails_naming_it() -> None:
    def make(s: float) -> MinerSnapshot:
        snapshot = warming(900 + int(s))
        if s < 400:
            return snapshot
        chains = tuple(c if c.chain != 7 else missing_chain(7) for c in snapshot.chains)
        return snapshot.model_copy(update={"chains": chains})

    finding = judge_soak(await soak_of(make), kernel_log=())
    assert finding.status is Status.FAIL
    assert "lost chain 7 at +400 s" in finding.observed
    assert "chains.present FAIL in" in finding.observed


async def test_a_fan_that_stalls_in_one_sample_fails_the_soak() -> None:
    def make(s: float) -> MinerSnapshot:
        snapshot = warming(900 + int(s))
        if s != 500:
            return snapshot
        fans = tuple(f.model_copy(update={"rpm": 0}) if f.index == 3 else f for f in snapshot.fans)
        return snapshot.model_copy(update={"fans": fans})

    finding = judge_soak(await soak_of(make), kernel_log=())
    assert finding.status is Status.FAIL
    assert "fans.reporting FAIL in 1 of 241 samples (first at +500 s" in finding.observed
    assert "FAN3" in finding.action


async def test_a_board_that_sits_near_the_cut_off_fails() -> None:
    finding = judge_soak(await soak_of(lambda s: warming(900 + int(s), pcb=76.0)), kernel_log=())
    assert finding.status is Status.FAIL
    assert "at the cut-off" in finding.observed


async def test_a_soak_that_never_passes_the_warm_up_is_not_judged() -> None:
    series = await soak_of(lambda s: warming(10 + int(s)), minutes=4)
    finding = judge_soak(series, kernel_log=())
    assert finding.status is Status.UNJUDGED, finding.observed
    assert "hash rate not judged: 0 samples after the 5-min warm-up" in finding.observed
    assert "--wait-ready" in finding.action


async def test_a_soak_that_never_read_the_kernel_log_is_not_judged() -> None:
    series = await soak_of(lambda s: warming(900 + int(s)))
    finding = judge_soak(series, kernel_log=None)
    assert finding.status is Status.UNJUDGED
    assert "the kernel log was never read" in finding.observed


async def test_one_missed_sample_only_warns() -> None:
    def make(s: float) -> MinerSnapshot | MinerError:
        return MinerUnreachable("timed out") if s == 500 else warming(900 + int(s))

    finding = judge_soak(await soak_of(make), kernel_log=())
    assert finding.status is Status.WARN, finding.observed
    assert "1 of 241 samples unanswered" in finding.observed
