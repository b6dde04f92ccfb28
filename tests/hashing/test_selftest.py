"""The self-test core and ``commission selftest``: vectors, measurement, output, exit codes."""

from __future__ import annotations

import json

import pytest

from commission import hashing
from commission.cli import main
from commission.errors import ExitCode
from commission.hashing import selftest
from commission.hashing.selftest import measure, run_selftest
from commission.hashing.vectors import GENESIS, KnownAnswer


class SteppingClock:
    """A clock that moves ``step`` seconds every time it is read (no real waiting)."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


WRONG = KnownAnswer(name="a deliberately wrong answer", header=GENESIS.header, block_hash="00" * 32)


def test_measure_counts_nonces_and_reports_progress() -> None:
    calls: list[tuple[int, int]] = []
    fractions: list[float] = []
    result = measure(
        "fake",
        lambda start, count: calls.append((start, count)),
        seconds=1.0,
        clock=SteppingClock(0.01),
        on_progress=fractions.append,
    )
    assert result.nonces == sum(count for _, count in calls)
    assert calls[0] == (0, 256)
    # Slices grow while they are short, and follow on from each other.
    assert calls[1] == (256, 512)
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert result.seconds >= 1.0
    assert result.mhs == pytest.approx(result.nonces / result.seconds / 1e6)


def test_measure_wraps_before_2_32() -> None:
    starts: list[int] = []
    measure("fake", lambda s, c: starts.append(s + c), seconds=0.5, clock=SteppingClock(0.0001))
    assert max(starts) <= hashing.NONCE_LIMIT


def test_run_selftest_checks_every_tier_and_measures_one() -> None:
    phases: set[str] = set()
    report = run_selftest(
        seconds=0.02,
        tier="python",
        clock=SteppingClock(0.001),
        progress=lambda phase, fraction: phases.add(phase),
    )
    assert report.passed
    assert report.tiers == hashing.tiers_available()
    assert {c.tier for c in report.checks} == set(hashing.tiers_available())
    assert report.measured.label == "python"
    assert report.naive.nonces > 0 and report.measured.nonces > 0
    assert {"known answers", "naive hashlib loop", "python x1"} <= phases
    dumped = report.as_dict()
    assert dumped["passed"] is True
    assert dumped["speed"]["tier"] == "python"  # type: ignore[index]


def test_a_failing_vector_fails_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selftest, "KNOWN_ANSWERS", (GENESIS, WRONG))
    report = run_selftest(seconds=0.01, tier="python", tiers=["python"], clock=SteppingClock(0.001))
    assert not report.passed
    assert [c.vector for c in report.failures] == [WRONG.name]
    failure = report.failures[0]
    assert failure.observed_hash == GENESIS.block_hash != failure.expected_hash


def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    # Keep the command's measurements short without changing what it does.
    real = selftest.run_selftest

    def quick(**kwargs: object) -> selftest.SelftestReport:
        kwargs["clock"] = SteppingClock(0.002)
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("commission.headless.selftest.run_selftest", quick)


def test_command_prints_vectors_speed_and_ratio(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fast(monkeypatch)
    assert main(["selftest", "--seconds", "0.05"]) == ExitCode.OK
    out = capsys.readouterr().out
    for name in hashing.tiers_available():
        assert f"PASS  {name}" in out
    assert "naive hashlib loop" in out and "MH/s" in out and "x the naive loop" in out
    assert f"default tier {hashing.implementation}" in out


def test_command_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _fast(monkeypatch)
    assert main(["selftest", "--seconds", "0.05", "--json", "--threads", "2"]) == ExitCode.OK
    result = json.loads(capsys.readouterr().out)
    assert result["passed"] is True
    assert result["implementation"] == hashing.implementation
    assert result["speed"]["threads"] == 2
    assert result["speed"]["ratio"] > 0
    assert len(result["vectors"]) == 2 * len(hashing.tiers_available())


def test_command_exits_1_when_a_vector_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fast(monkeypatch)
    monkeypatch.setattr(selftest, "KNOWN_ANSWERS", (WRONG,))
    assert main(["selftest", "--seconds", "0.02", "--tier", "python"]) == ExitCode.CHECK_FAILED
    out = capsys.readouterr().out
    assert "FAIL" in out and "expected hash " + "00" * 32 in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--seconds", "0"], "--seconds must be a positive number"),
        (["--seconds", "nan"], "--seconds must be a positive number"),
        (["--threads", "0"], "--threads must be at least 1"),
        (["--tier", "fast"], "invalid choice"),
    ],
)
def test_command_usage_errors(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["selftest", *argv]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_command_exits_2_for_a_tier_this_machine_lacks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(hashing, "_AVAILABLE", ("portable", "python"))
    assert main(["selftest", "--tier", "sha-ni"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "hash tier 'sha-ni' is not available on this machine (it has: portable, python" in err
