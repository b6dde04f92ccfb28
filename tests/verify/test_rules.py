"""Each rule on hand-built snapshots: healthy passes, each fault fails with the physical action."""

from __future__ import annotations

from datetime import datetime

import pytest

from commission.checklist import RULE_IDS
from commission.miner.layout import CHAINS
from commission.miner.models import FanReading, MinerSnapshot, PoolReading, Problem, Totals
from commission.results import Status
from commission.verify.bindings import default_bindings
from commission.verify.limits import DEFAULT_LIMITS
from commission.verify.rules import (
    RULES,
    SNAPSHOT_RULES,
    Finding,
    apply_rule,
    check_console,
    check_snapshot,
    stratum_url_problem,
)
from tests.verify.snapshots import chain, healthy, missing_chain, with_chains


def run(rule_id: str, snapshot: MinerSnapshot) -> Finding:
    return apply_rule(RULES[rule_id], snapshot, DEFAULT_LIMITS)


def test_registry_has_exactly_the_checklists_rule_ids_in_order() -> None:
    # tests/checklist/test_models.py pins the literal list; here the registry must match it.
    assert tuple(RULES) == RULE_IDS
    assert set(default_bindings()) == set(RULES)


def test_healthy_snapshot_passes_everything_but_the_default_password() -> None:
    results = {rule.rule_id: finding for rule, finding in check_snapshot(healthy())}
    assert results["security.default_password"].status is Status.WARN
    assert "8.3" in results["security.default_password"].action
    others = {k: v.status for k, v in results.items() if k != "security.default_password"}
    assert set(others.values()) == {Status.PASS}, others
    for finding in results.values():
        assert finding.evidence, "every finding carries evidence"


def test_password_changed_passes() -> None:
    assert run("security.default_password", healthy(default_password_active=False)).status is (
        Status.PASS
    )


def test_wrong_model_fails() -> None:
    snapshot = healthy()
    assert snapshot.identity is not None
    other = snapshot.identity.model_copy(update={"miner_type": "Antminer S9"})
    finding = run("identity.model", healthy(identity=other))
    assert finding.status is Status.FAIL
    assert "Antminer S9" in finding.observed
    assert "IP Report" in finding.action


def test_old_firmware_warns_with_upgrade_section() -> None:
    snapshot = healthy()
    assert snapshot.identity is not None
    old = snapshot.identity.model_copy(
        update={
            "compile_time": "Fri Nov 17 17:37:49 CST 2017",
            "firmware_date": datetime(2017, 11, 17),
        }
    )
    finding = run("identity.firmware", healthy(identity=old))
    assert finding.status is Status.WARN
    assert "2017-11-17" in finding.observed
    assert "8.2" in finding.action


def test_unparsed_firmware_date_warns_showing_the_stamp() -> None:
    snapshot = healthy()
    assert snapshot.identity is not None
    odd = snapshot.identity.model_copy(update={"compile_time": "sometime", "firmware_date": None})
    finding = run("identity.firmware", healthy(identity=odd))
    assert finding.status is Status.WARN
    assert "sometime" in finding.observed


def test_missing_chain_names_board_connector_and_ribbon() -> None:
    finding = run("chains.present", with_chains(healthy(), c7=missing_chain(7)))
    assert finding.status is Status.FAIL
    assert "missing: 7" in finding.observed
    assert "hash board 4" in finding.action
    assert "PCIe-B4.2" in finding.action
    assert "ribbon cable" in finding.action
    assert any(e.source == "rpc stats chain_acn7" and e.value == "0" for e in finding.evidence)


def test_missing_board_names_all_three_connectors() -> None:
    snapshot = with_chains(
        healthy(), c3=missing_chain(3), c11=missing_chain(11), c12=missing_chain(12)
    )
    finding = run("chains.present", snapshot)
    assert finding.status is Status.FAIL
    assert "hash board 2 is not detected" in finding.action
    for connector in ("PCIe-B2.1", "PCIe-B2.2", "PCIe-B2.3"):
        assert connector in finding.action


def test_short_chain_fails_with_count() -> None:
    finding = run("chains.present", with_chains(healthy(), c9=chain(9, asics=15)))
    assert finding.status is Status.FAIL
    assert "chain 9 has 15 of 18 ASICs" in finding.observed
    assert "PCIe-B1.2" in finding.action


def test_asic_in_error_names_chain_board_and_position() -> None:
    snapshot = with_chains(healthy(), c13=chain(13, asic_status=" ooxooooo oooooooo oo"))
    finding = run("chains.asic_status", snapshot)
    assert finding.status is Status.FAIL
    assert "chain 13" in finding.action and "hash board 3" in finding.action
    assert "positions 3" in finding.action


def test_hashrate_not_judged_while_warming_up_and_says_when() -> None:
    totals = Totals(elapsed_s=60, ghs_5s=4000.0, ghs_ideal=18000.0, device_hw_pct=0.0)
    for rule_id in ("hashrate.nominal", "hashrate.ideal", "hashrate.hw_errors"):
        finding = run(rule_id, healthy(totals=totals))
        assert finding.status is Status.UNJUDGED
        assert "warming up" in finding.observed
        assert "judged after 5 min of uptime: in about 4 min" in finding.observed
        assert "--wait-ready" in finding.action


def test_hashrate_judged_when_uptime_not_reported_and_says_so() -> None:
    # No Elapsed in the replies: the rate is still judged, and the evidence says uptime is unknown
    # (never a made-up zero that would read as "warming up" forever).
    totals = Totals(elapsed_s=None, ghs_5s=12000.0, ghs_ideal=18000.0, device_hw_pct=0.0)
    finding = run("hashrate.nominal", healthy(totals=totals))
    assert finding.status is Status.FAIL
    assert any(e.label == "elapsed" and e.value == "not reported" for e in finding.evidence)


@pytest.mark.parametrize(
    ("ghs", "status"), [(17200.0, Status.PASS), (16500.0, Status.WARN), (12000.0, Status.FAIL)]
)
def test_hashrate_bands(ghs: float, status: Status) -> None:
    totals = Totals(elapsed_s=900, ghs_5s=ghs, ghs_ideal=18000.0, device_hw_pct=0.0)
    assert run("hashrate.nominal", healthy(totals=totals)).status is status


def test_low_hashrate_names_weak_chains() -> None:
    chains = tuple(chain(n, rate_ghs=900.0 if n == 11 else 1540.0) for n in CHAINS)
    totals = Totals(elapsed_s=900, ghs_5s=17840.0, ghs_ideal=18000.0, device_hw_pct=0.0)
    finding = run("hashrate.ideal", healthy(chains=chains, totals=totals))
    # 99 % of ideal overall, but chain 11 runs at 60 % of its own ideal: judged per chain.
    assert finding.status is Status.FAIL
    assert "chain 11 60%" in finding.observed
    assert (
        "chain 11 on hash board 2 (PCIe leads PCIe-B2.1, PCIe-B2.2, PCIe-B2.3 and its ribbon "
        "cable)" in finding.action
    )


def test_hw_errors_fail_and_name_the_worst_chain() -> None:
    chains = tuple(chain(n, hw_errors=5000 if n == 4 else 2) for n in CHAINS)
    totals = Totals(
        elapsed_s=900, ghs_5s=18000.0, ghs_ideal=18000.0, hw_errors=5022, device_hw_pct=0.8
    )
    finding = run("hashrate.hw_errors", healthy(chains=chains, totals=totals))
    assert finding.status is Status.FAIL
    assert "chain 4 on hash board 3" in finding.action


def test_stalled_fan_names_its_header() -> None:
    fans = tuple(FanReading(index=i, rpm=0 if i in (3, 7, 8) else 2280) for i in range(1, 9))
    finding = run("fans.reporting", healthy(fans=fans))
    assert finding.status is Status.FAIL
    assert "FAN3" in finding.action
    assert "FAN7" not in finding.observed


def test_slow_but_turning_fans_pass() -> None:
    fans = tuple(FanReading(index=i, rpm=1320 if i <= 6 else 0) for i in range(1, 9))
    assert run("fans.reporting", healthy(fans=fans)).status is Status.PASS


def test_one_hot_board_means_trapped_air() -> None:
    chains = tuple(
        chain(n, temps_pcb=(71.0, 70.0, 69.0), temps_chip=(86.0,)) if n in (6, 7, 8) else chain(n)
        for n in CHAINS
    )
    snapshot = healthy(chains=chains)
    spread = run("temps.spread", snapshot)
    assert spread.status is Status.FAIL
    assert "hash board 4" in spread.action and "tilt" in spread.action
    margin = run("temps.margin", snapshot)
    assert margin.status is Status.WARN
    assert "tilt" in margin.action


def test_all_boards_hot_points_at_the_pump() -> None:
    chains = tuple(chain(n, temps_pcb=(76.0, 75.0), temps_chip=(95.0,)) for n in CHAINS)
    snapshot = healthy(chains=chains)
    margin = run("temps.margin", snapshot)
    assert margin.status is Status.FAIL
    assert "pump" in margin.action and "black 4-pin" in margin.action and "inlet" in margin.action
    spread = run("temps.spread", snapshot)
    assert spread.status is Status.FAIL
    assert "pump" in spread.action


def test_pools_need_three_valid_urls_and_workers() -> None:
    snapshot = healthy()
    pools = tuple(pool.model_copy(update={"user": ""}) for pool in snapshot.pools)
    finding = run("pools.configured", healthy(pools=pools))
    assert finding.status is Status.FAIL
    assert "pool 1: no worker" in finding.observed
    assert "General Settings" in finding.action
    two = run("pools.configured", healthy(pools=snapshot.pools[:2]))
    assert two.status is Status.WARN and "2 of 3 recommended pools" in two.observed
    assert "backup" in two.action


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("stratum+tcp://stratum.antpool.com:3333", True),
        ("stratum.antpool.com:443", True),
        ("http://pool:3333", False),
        ("stratum+tcp://pool", False),
        ("stratum+tcp://pool:99999", False),
        ("", False),
    ],
)
def test_stratum_url_validation(url: str, ok: bool) -> None:
    assert (stratum_url_problem(url) is None) is ok


def test_failover_to_backup_pool_warns() -> None:
    snapshot = healthy()
    first, second, third = snapshot.pools
    pools = (
        first.model_copy(update={"status": "Dead", "stratum_active": False, "accepted": 0}),
        second.model_copy(update={"stratum_active": True, "accepted": 40}),
        third,
    )
    finding = run("pools.active", healthy(pools=pools))
    assert finding.status is Status.WARN
    assert "pool 1" in finding.action and "Dead" in finding.action


def test_all_pools_dead_fails() -> None:
    pools = tuple(
        p.model_copy(update={"status": "Dead", "stratum_active": False}) for p in healthy().pools
    )
    finding = run("pools.active", healthy(pools=pools))
    assert finding.status is Status.FAIL
    assert "network cable" in finding.action


def test_high_reject_rate_fails() -> None:
    first, *rest = healthy().pools
    pools = (first.model_copy(update={"accepted": 90, "rejected": 10}), *rest)
    assert run("pools.active", healthy(pools=pools)).status is Status.FAIL


def test_no_share_yet_is_not_judged_during_warm_up_and_fails_after() -> None:
    first, *rest = healthy().pools
    pools: tuple[PoolReading, ...] = (first.model_copy(update={"accepted": 0}), *rest)
    young = healthy(pools=pools, totals=Totals(elapsed_s=30))
    assert run("pools.active", young).status is Status.UNJUDGED
    assert run("pools.active", healthy(pools=pools)).status is Status.FAIL


def test_fatal_temperature_line_fails_with_line_number_and_loop_action() -> None:
    log = ("boot", "Chain[J2] has 18 asic", "Fatal Error: Temperature is too high!")
    finding = run("log.fatal", healthy(kernel_log=log))
    assert finding.status is Status.FAIL
    assert finding.evidence[0].source == "kernel log line 3"
    assert "pump" in finding.action


def test_web_not_read_skips_web_rules_without_problems() -> None:
    snapshot = healthy(kernel_log=None, default_password_active=None)
    assert run("log.fatal", snapshot).status is Status.SKIPPED
    assert run("security.default_password", snapshot).status is Status.SKIPPED


def test_problem_a_rule_needs_makes_it_error_never_pass() -> None:
    problem = Problem(source="rpc stats", message="connection reset after 3 bytes")
    results = {r.rule_id: f for r, f in check_snapshot(healthy(problems=(problem,)))}
    for rule_id in ("chains.present", "fans.reporting", "temps.margin", "hashrate.ideal"):
        assert results[rule_id].status is Status.ERROR
        assert any("connection reset" in e.value for e in results[rule_id].evidence)
    assert results["pools.configured"].status is Status.PASS


def test_missing_parts_with_problems_are_errors() -> None:
    problems = (
        Problem(source="web get_kernel_log.cgi", message="timed out"),
        Problem(source="rpc pools", message="timed out"),
    )
    snapshot = healthy(kernel_log=None, pools=(), problems=problems)
    assert run("log.fatal", snapshot).status is Status.ERROR
    assert run("pools.active", snapshot).status is Status.ERROR
    assert run("pools.configured", snapshot).status is Status.ERROR


def test_empty_snapshot_never_passes() -> None:
    empty = MinerSnapshot(host="x", taken_at=healthy().taken_at)
    for rule_ in SNAPSHOT_RULES:
        status = apply_rule(rule_, empty).status
        assert status in {Status.UNJUDGED, Status.SKIPPED}, rule_.rule_id


def test_console_fatal_and_chain_detection() -> None:
    ok = check_console(["Chain[J7] has 18 asic", "FAN PWM: 40"])
    assert ok.status is Status.PASS
    assert any(e.label == "chain 7" for e in ok.evidence)
    bad = check_console(["Chain[J7] has 0 asic", "Fatal Error: Fan lost!"])
    assert bad.status is Status.FAIL
    assert "PCIe-B4.2" in bad.action and "FAN1" in bad.action
    assert bad.evidence[0].source == "console line 2"


@pytest.mark.parametrize(
    ("missing", "words"), [((7,), "chain 7 is missing"), ((7, 8), "chains 7, 8 are missing")]
)
def test_low_hashrate_names_missing_chains_in_plain_words(
    missing: tuple[int, ...], words: str
) -> None:
    chains = tuple(missing_chain(n) if n in missing else chain(n) for n in CHAINS)
    totals = Totals(elapsed_s=900, ghs_5s=15000.0, ghs_ideal=18000.0, device_hw_pct=0.0)
    finding = run("hashrate.nominal", healthy(chains=chains, totals=totals))
    assert words in finding.action
