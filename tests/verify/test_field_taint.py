"""Hostile values through the real parsers and the rules: a problem taints only what reads it.

Each case starts from a healthy S9 Hydro read as wire replies (the shapes of the real captures in
tests/fixtures/samples, filled for the Hydro's 12 chains), changes one field the way a broken or
hostile miner would, parses and cross-checks it, and runs every rule. The rule that reads the bad
field must not PASS (it is NOT JUDGED and names the field, the value and why), and every other
rule still judges as usual.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission.errors import MinerProtocolError
from commission.miner import fields, parse, transport
from commission.miner.layout import CHAINS, chains_of_board
from commission.results import Status
from commission.verify.rules import RULES, Finding, apply_rule, check_snapshot
from tests.verify.hydro_replies import (
    CHAIN_RATE,
    SAMPLES,
    STATUS_18,
    device,
    hydro_replies,
    snapshot_of,
    summary,
)


def judge(replies: dict[str, Any]) -> dict[str, Finding]:
    return {rule.rule_id: finding for rule, finding in check_snapshot(snapshot_of(replies))}


def statuses(results: dict[str, Finding]) -> dict[str, Status]:
    return {rule_id: finding.status for rule_id, finding in results.items()}


def assert_only(results: dict[str, Finding], expected: dict[str, Status]) -> None:
    """The named rules end as given; every other rule PASSes."""
    wanted = {rule_id: expected.get(rule_id, Status.PASS) for rule_id in results}
    assert statuses(results) == wanted


def test_the_healthy_hydro_replies_pass_every_rule_without_a_problem() -> None:
    snapshot = snapshot_of(hydro_replies())
    assert snapshot.problems == ()
    assert_only(judge(hydro_replies()), {})


def test_one_chip_sensor_at_minus_83_is_one_sensor_warning_and_nothing_else() -> None:
    replies = hydro_replies()
    device(replies)["temp2_7"] = -83
    results = judge(replies)
    assert_only(results, {"temps.margin": Status.WARN})
    margin = results["temps.margin"]
    assert "chain 7 on hash board 4" in margin.observed and "temp2_7" in margin.observed
    assert "-83" in margin.observed
    assert "board numbers are assumed" in margin.action
    assert any(e.source == "rpc stats temp2_7" and "-83" in e.value for e in margin.evidence)
    # Board 4 is still judged from the other sensors of its chains (6, 7's PCB sensor, 8).
    assert any(
        e.label == "hash board 4 PCB / chip" and e.value == "55 / 70 °C" for e in margin.evidence
    )


def test_a_dashed_chip_reading_at_minus_83_is_the_same_sensor_finding() -> None:
    replies = hydro_replies()
    for n in CHAINS:
        device(replies)[fields.TEMP_PCB_DASHED.format(n)] = "55-55-52"
        device(replies)[fields.TEMP_CHIP_DASHED.format(n)] = "70-70-67"
    device(replies)["temp_chip7"] = "70--83-67"
    results = judge(replies)
    assert_only(results, {"temps.margin": Status.WARN})
    assert "temp_chip7" in results["temps.margin"].observed


def test_the_real_2019_capture_judges_its_sensor_fault_as_a_sensor_finding() -> None:
    """The real stock capture (an S9, chain 7's chip sensor at -83): no rule is an ERROR, the
    sensor is named by itself, and the chain, hash-rate and fan rules judge on their merits."""

    def load(name: str) -> dict[str, Any]:
        return transport.decode((SAMPLES / name).read_bytes() + b"\x00")

    pools, _ = parse.parse_pools(load("s9-2019-stock-pools.json"))
    snapshot = parse.assemble(
        "127.0.0.1",
        datetime(2020, 11, 17, 2, 5, 50, tzinfo=UTC),  # the capture's "When"
        identity=parse.parse_version(load("s9-2019-stock-version.json")),
        stats=parse.parse_stats(load("s9-2019-stock-stats.json")),
        pools=pools,
    )
    results = {rule.rule_id: finding for rule, finding in check_snapshot(snapshot)}
    assert Status.ERROR not in statuses(results).values()
    # Judged on their merits: an S9 is not a Hydro, has 3 chains, 13.9 TH/s and two fans.
    assert results["identity.model"].status is Status.FAIL
    assert results["chains.present"].status is Status.FAIL
    assert results["hashrate.nominal"].status is Status.FAIL
    assert results["fans.reporting"].status is Status.FAIL
    assert results["pools.active"].status is Status.PASS
    assert results["pools.configured"].status is Status.WARN  # 2 pools and an empty slot
    # The faulty sensor is named in the temperature rule only, by chain, board and sensor.
    sensor_mentions = [k for k, f in results.items() if "temp2_7" in f.observed]
    assert sensor_mentions == ["temps.margin"]
    assert "chain 7 on hash board 4" in results["temps.margin"].observed
    # Chain 6 reads 75 °C PCB, at the fail level: a failure proven from a usable sensor stands
    # although boards 1-3 report nothing.
    assert results["temps.margin"].status is Status.FAIL
    assert "hottest PCB 75 °C on hash board 4" in results["temps.margin"].observed


def test_missing_chain_acs_is_not_judged_naming_the_chain() -> None:
    replies = hydro_replies()
    del device(replies)["chain_acs7"]
    results = judge(replies)
    assert_only(results, {"chains.asic_status": Status.UNJUDGED})
    observed = results["chains.asic_status"].observed
    assert "chain 7 ASIC status" in observed and "no per-chip status" in observed


def test_missing_chain_acn_is_not_judged_and_not_a_missing_chain() -> None:
    replies = hydro_replies()
    del device(replies)["chain_acn7"]
    results = judge(replies)
    assert results["chains.present"].status is Status.UNJUDGED
    assert "chain 7 ASIC count" in results["chains.present"].observed


def test_temperature_keys_absent_for_three_boards_leave_the_temperature_rules_unjudged() -> None:
    replies = hydro_replies()
    for board in (1, 2, 3):
        for n in chains_of_board(board):
            for key in (f"temp{n}", f"temp2_{n}", f"temp3_{n}"):
                del device(replies)[key]
    results = judge(replies)
    assert_only(results, {"temps.margin": Status.UNJUDGED, "temps.spread": Status.UNJUDGED})
    assert "hash board 1" in results["temps.margin"].observed


def test_fan_num_zero_with_six_fans_turning_is_not_judged() -> None:
    replies = hydro_replies()
    device(replies)["fan_num"] = 0
    results = judge(replies)
    assert_only(results, {"fans.reporting": Status.UNJUDGED})
    assert "number of fans turning" in results["fans.reporting"].observed


def test_fan_num_zero_with_every_fan_stopped_is_a_failure() -> None:
    replies = hydro_replies()
    device(replies)["fan_num"] = 0
    for index in range(1, 9):
        device(replies)[f"fan{index}"] = 0
    assert judge(replies)["fans.reporting"].status is Status.FAIL


def test_a_speed_on_fan_slot_7_contradicts_the_hydro_wiring() -> None:
    replies = hydro_replies()
    device(replies)["fan7"] = 2280
    device(replies)["fan_num"] = 7
    results = judge(replies)
    assert_only(results, {"fans.reporting": Status.UNJUDGED})


def test_chain_acn_100_is_implausible_and_never_passes() -> None:
    replies = hydro_replies()
    device(replies)["chain_acn7"] = 100
    results = judge(replies)
    assert results["chains.present"].status is Status.UNJUDGED
    assert "100" in results["chains.present"].observed
    assert "above the plausible maximum 18" in results["chains.present"].observed
    assert results["chains.asic_status"].status is Status.UNJUDGED  # 18 chips for 100 ASICs


@pytest.mark.parametrize("where", ["summary", "stats"])
def test_ghs_5s_1e308_is_implausible(where: str) -> None:
    replies = hydro_replies()
    target = summary(replies) if where == "summary" else device(replies)
    target["GHS 5s"] = 1e308
    results = judge(replies)
    assert results["hashrate.nominal"].status is Status.UNJUDGED
    assert "1e+308" in results["hashrate.nominal"].observed
    assert results["hashrate.ideal"].status is Status.UNJUDGED


def test_negative_hardware_share_is_not_judged() -> None:
    replies = hydro_replies()
    summary(replies)["Device Hardware%"] = -0.5
    device(replies)["Device Hardware%"] = -0.5
    results = judge(replies)
    assert_only(results, {"hashrate.hw_errors": Status.UNJUDGED})


def test_negative_accepted_shares_on_the_pool_are_not_judged() -> None:
    replies = hydro_replies()
    replies["pools"]["POOLS"][0]["Accepted"] = -5
    results = judge(replies)
    assert_only(results, {"pools.active": Status.UNJUDGED})
    assert "-5" in results["pools.active"].observed


def test_negative_accepted_in_summary_is_recorded_on_its_field() -> None:
    replies = hydro_replies()
    summary(replies)["Accepted"] = -5
    snapshot = snapshot_of(replies)
    assert [(p.field, p.value, p.kind) for p in snapshot.problems] == [
        ("totals.accepted", "-5", "implausible")
    ]


def test_a_firmware_date_in_2099_is_not_judged() -> None:
    replies = hydro_replies()
    replies["version"]["VERSION"][0]["CompileTime"] = "Thu Jan  1 00:00:00 CST 2099"
    results = judge(replies)
    assert_only(results, {"identity.firmware": Status.UNJUDGED})
    assert "2099" in results["identity.firmware"].observed


@pytest.mark.parametrize(
    "page",
    [
        "",
        "\n\n",
        (SAMPLES / "antminer-http-401-body.html").read_text(),
        '<!DOCTYPE html><html><head><title>Login</title></head><body><form action="/">',
    ],
)
def test_an_empty_or_html_kernel_log_is_not_judged(page: str) -> None:
    replies = hydro_replies()
    replies["kernel_log"] = page
    results = judge(replies)
    assert_only(results, {"log.fatal": Status.UNJUDGED})


def test_900_hardware_errors_on_one_chain_fail_that_chain_though_the_total_is_small() -> None:
    replies = hydro_replies()
    device(replies)["chain_hw9"] = 900
    for target in (summary(replies), device(replies)):
        target["Device Hardware%"] = 0.0089  # 904 of ~10 M nonces: below the 0.01 % warn level
    summary(replies)["Hardware Errors"] = 904
    device(replies)["no_matching_work"] = 904
    finding = judge(replies)["hashrate.hw_errors"]
    assert finding.status is Status.FAIL
    assert "chain 9: 900 errors" in finding.observed
    assert "chain 9 on hash board 1" in finding.action
    assert "PCIe-B1.1, PCIe-B1.2, PCIe-B1.3" in finding.action


def test_one_chain_below_its_own_ideal_fails_that_chain() -> None:
    replies = hydro_replies()
    device(replies)["chain_rate11"] = "900.00"
    total = CHAIN_RATE * 11 + 900
    summary(replies)["GHS 5s"] = device(replies)["GHS 5s"] = f"{total:.2f}"
    finding = judge(replies)["hashrate.ideal"]
    assert finding.status is Status.FAIL
    assert "chain 11 60%" in finding.observed


def test_one_pool_is_a_warning_recommending_backups() -> None:
    replies = hydro_replies()
    replies["pools"]["POOLS"] = replies["pools"]["POOLS"][:1]
    results = judge(replies)
    assert_only(results, {"pools.configured": Status.WARN})
    assert "1 of 3 recommended pools" in results["pools.configured"].observed
    assert "backup" in results["pools.configured"].action


def test_a_dead_backup_pool_warns() -> None:
    replies = hydro_replies()
    replies["pools"]["POOLS"][2]["Status"] = "Dead"
    results = judge(replies)
    assert_only(results, {"pools.active": Status.WARN})
    assert "backup pool 3 Dead" in results["pools.active"].observed


def test_no_pool_at_all_fails() -> None:
    replies = hydro_replies()
    for pool in replies["pools"]["POOLS"]:
        pool["URL"] = ""
    assert judge(replies)["pools.configured"].status is Status.FAIL


def test_contradictory_model_type_is_not_judged() -> None:
    replies = hydro_replies()
    replies["system"]["minertype"] = "Antminer S9"
    results = judge(replies)
    assert_only(results, {"identity.model": Status.UNJUDGED})
    observed = results["identity.model"].observed
    assert "'Antminer S9 Hydro'" in observed and "'Antminer S9'" in observed


def test_summary_rate_against_the_sum_of_the_chains() -> None:
    replies = hydro_replies()
    summary(replies)["GHS 5s"] = "9000.00"
    results = judge(replies)
    assert_only(results, {"hashrate.nominal": Status.UNJUDGED, "hashrate.ideal": Status.UNJUDGED})
    assert "chains add up to 18,465.96" in results["hashrate.nominal"].observed


def test_a_tenth_chain_slot_contradicts_the_hydro_layout() -> None:
    replies = hydro_replies()
    device(replies)["chain_acn5"] = 18
    device(replies)["chain_acs5"] = STATUS_18
    device(replies)["chain_rate5"] = "1500"
    results = judge(replies)
    assert results["chains.present"].status is Status.UNJUDGED
    assert "chain slot 5" in results["chains.present"].observed


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("chain_acn4", "lots"),
        ("chain_acn4", -3),
        ("chain_acn4", True),
        ("chain_acs4", 7),
        ("chain_hw4", -1),
        ("chain_rate4", "NaN"),
        ("chain_rate4", 1e9),
        ("fan3", -100),
        ("fan3", 99999),
        ("temp2_4", 999),
        ("total_rateideal", -1),
        ("Elapsed", -5),
        ("Device Hardware%", 250.0),
    ],
)
def test_no_rule_reading_a_garbled_field_passes(key: str, value: object) -> None:
    replies = hydro_replies()
    device(replies)[key] = value
    if key in summary(replies):
        summary(replies)[key] = value
    snapshot = snapshot_of(replies)
    assert snapshot.problems, "the garbled value is recorded"
    spoilt = {p.field for p in snapshot.problems}
    for rule_id, finding in judge(replies).items():
        rule_ = RULES[rule_id]
        touched = snapshot.problems_with(rule_.reads)
        if touched:
            assert finding.status is not Status.PASS, (rule_id, spoilt)
            assert finding.status is not Status.WARN or rule_id == "temps.margin", (rule_id, spoilt)


def test_a_garbled_sensor_is_the_sensor_finding_not_a_pass() -> None:
    replies = hydro_replies()
    device(replies)["temp2_4"] = 999
    finding = apply_rule(RULES["temps.margin"], snapshot_of(replies))
    assert finding.status is Status.WARN and "temp2_4 reads 999" in finding.observed


def test_replies_are_not_changed_by_parsing() -> None:
    replies = hydro_replies()
    before = copy.deepcopy(replies)
    snapshot_of(replies)
    assert replies == before


_DELETE = object()
_HOSTILE = st.one_of(
    st.just(_DELETE),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "NaN", "lots", "-83", "1e308", "<html>", " ooxo", "70--83-67"]),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    target=st.sampled_from(["stats", "summary", "pool"]),
    index=st.integers(min_value=0, max_value=400),
    value=_HOSTILE,
)
def test_no_rule_passes_on_a_tainted_reading_property(target: str, index: int, value: Any) -> None:
    replies = hydro_replies()
    obj = {
        "stats": device(replies),
        "summary": summary(replies),
        "pool": replies["pools"]["POOLS"][0],
    }[target]
    key = sorted(obj)[index % len(obj)]
    if value is _DELETE:
        del obj[key]
    else:
        obj[key] = value
    try:
        snapshot = snapshot_of(replies)
    except MinerProtocolError:
        return  # a reply broken as a whole is the client's whole-read problem
    for rule_, finding in check_snapshot(snapshot):
        reads = rule_.reads if finding.reads is None else (*rule_.reads, *finding.reads)
        if snapshot.problems_with(reads):
            assert finding.status is not Status.PASS, (rule_.rule_id, key, value)
