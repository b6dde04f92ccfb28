"""Parsers on every real reply in tests/fixtures/samples, plus the Hydro-specific forms."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commission.errors import MinerProtocolError
from commission.miner import parse, transport
from commission.miner.layout import CHAINS
from commission.miner.models import Problem

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def load(name: str) -> dict[str, Any]:
    """A sample as the wire would carry it (trailing NUL), through the transport's repair."""
    return transport.decode((SAMPLES / name).read_bytes() + b"\x00")


def test_every_sample_file_is_covered_by_a_parser_test() -> None:
    covered = {
        "s9-2019-stock-version.json", "s9-2017-stock-version.json", "s9i-2018-version.json",
        "s9-asicseer-version.json", "s9-2019-stock-stats.json", "s9-asicseer-stats.json",
        "s9-2019-stock-pools.json", "s9-asicseer-pools.json", "l3plus-2017-get_system_info.json",
        "antminer-2017-get_network_info.json", "s9-2017-get_miner_conf.txt",
        "s9-2017-bmminer.conf.factory.json", "s9-set_miner_conf-request-body.txt",
        "antminer-http-401-body.html", "set_network_conf-request-body.txt", "SOURCES.md",
    }  # fmt: skip
    assert {path.name for path in SAMPLES.iterdir()} <= covered


@pytest.mark.parametrize(
    ("name", "miner_type", "compile_time", "date", "bmminer", "api", "miner"),
    [
        (
            "s9-2019-stock-version.json", "Antminer S9", "Wed Jul 31 16:18:27 CST 2019",
            datetime(2019, 7, 31, 16, 18, 27), "2.0.0", "3.1", "30.0.1.3",
        ),
        (
            "s9-2017-stock-version.json", "Antminer S9", "Fri Nov 17 17:37:49 CST 2017",
            datetime(2017, 11, 17, 17, 37, 49), "2.0.0", "3.1", "16.8.1.3",
        ),
        (
            "s9i-2018-version.json", "Antminer S9i", "Wed Nov 7 11:19:02 CST 2018",
            datetime(2018, 11, 7, 11, 19, 2), "2.4.2-1.2.2-90ed", "3.1", "30.0.1.3",
        ),
        (
            "s9-asicseer-version.json", "Antminer S9", "Mon Nov 11 17:07:20 CST 2019",
            datetime(2019, 11, 11, 17, 7, 20), "2.4.0-asicseer-1.1.9-f7b7", "3.1", "30.0.1.3",
        ),
    ],
)  # fmt: skip
def test_version_samples(
    name: str,
    miner_type: str,
    compile_time: str,
    date: datetime,
    bmminer: str,
    api: str,
    miner: str,
) -> None:
    identity = parse.parse_version(load(name))
    assert identity.miner_type == miner_type
    assert identity.compile_time == compile_time
    assert identity.firmware_date == date
    assert (identity.bmminer_version, identity.api_version, identity.miner_version) == (
        bmminer,
        api,
        miner,
    )


def test_version_type_with_raw_newline_keeps_the_first_line() -> None:
    raw = (SAMPLES / "s9-2019-stock-version.json").read_bytes().replace(b"\\n", b"\n")
    assert b"S9\nV1" in raw
    assert parse.parse_version(transport.decode(raw)).miner_type == "Antminer S9"


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("Fri Nov 17 17:37:49 CST 2017", datetime(2017, 11, 17, 17, 37, 49)),
        ("Mon Aug 20 11:12:13 UTC 2018", datetime(2018, 8, 20, 11, 12, 13)),
        ("Mon Aug 20 11:12:13 2018", datetime(2018, 8, 20, 11, 12, 13)),
        ("20180820", datetime(2018, 8, 20)),
        ("2018-08-20", datetime(2018, 8, 20)),
        ("Fri Nov 31 17:37:49 CST 2017", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_firmware_date(stamp: str, expected: datetime | None) -> None:
    assert parse.firmware_date(stamp) == expected


def test_stock_s9_stats_parse_as_three_63_asic_chains_and_nine_missing_hydro_chains() -> None:
    stats = parse.parse_stats(load("s9-2019-stock-stats.json"))
    assert [chain.chain for chain in stats.chains] == list(CHAINS)
    present = {chain.chain: chain for chain in stats.chains if chain.present}
    assert sorted(present) == [6, 7, 8]
    assert all(chain.asics == 63 for chain in present.values())
    assert all(chain.asics == 0 for chain in stats.chains if chain.chain not in present)
    six = present[6]
    assert six.asic_status.count("o") == 63 and six.failed_asics == 0
    assert six.frequency_mhz == pytest.approx(649.10)
    assert six.rate_ideal_ghs == pytest.approx(4620.34)
    assert six.rate_ghs == pytest.approx(4618.85)
    assert six.hw_errors == 3085
    assert six.temps_pcb == (75.0,) and six.temps_chip == (62.0,)
    assert stats.miner_type == "Antminer S9"
    assert stats.compile_time == "Wed Jul 31 16:18:27 CST 2019"
    assert stats.elapsed_s == 293628
    assert stats.ghs_5s == pytest.approx(13883.81)
    assert stats.ghs_avg == pytest.approx(13890.36)
    assert stats.ghs_ideal == pytest.approx(13862.52)
    assert stats.hw_errors == 178540
    assert stats.frequency_mhz == 645
    assert [(fan.index, fan.rpm) for fan in stats.fans if fan.rpm] == [(5, 3720), (6, 2400)]
    assert len(stats.fans) == 8


def test_stock_s9_stats_faulty_sensors_are_dropped_and_recorded() -> None:
    stats = parse.parse_stats(load("s9-2019-stock-stats.json"))
    seven = next(chain for chain in stats.chains if chain.chain == 7)
    assert seven.temps_pcb == () and seven.temps_chip == ()
    sensors = {p.source: p for p in stats.problems if p.field.startswith("chain.7.temp")}
    assert set(sensors) == {"rpc stats temp7", "rpc stats temp2_7"}
    chip = sensors["rpc stats temp2_7"]
    # The problem belongs to the one sensor, with the raw value and the reason.
    assert (chip.field, chip.value, chip.kind) == ("chain.7.temp_chip.1", "-83", "implausible")
    assert "-83" in chip.message and "sensor fault" in chip.message
    # An S9 chain has 63 ASICs: more than a Hydro chain can have, so each count is a problem.
    counts = {p.field: p for p in stats.problems if p.field.endswith(".asics")}
    assert set(counts) == {"chain.6.asics", "chain.7.asics", "chain.8.asics"}
    assert all(p.value == "63" and p.kind == "implausible" for p in counts.values())
    assert len(stats.problems) == 5


def test_asicseer_stats_string_frequency_and_fixed_comma() -> None:
    stats = parse.parse_stats(load("s9-asicseer-stats.json"))
    assert stats.frequency_mhz == 625
    present = [chain for chain in stats.chains if chain.present]
    assert [chain.chain for chain in present] == [6, 7, 8]
    assert [chain.temps_chip for chain in present] == [(87.0,), (74.0,), (86.0,)]
    assert [chain.temps_pcb for chain in present] == [(57.0,), (49.0,), (56.0,)]
    # Only the 63-ASIC counts (an S9, not a Hydro) are problems; every other field is plausible.
    assert {p.field for p in stats.problems} == {"chain.6.asics", "chain.7.asics", "chain.8.asics"}
    absent = next(chain for chain in stats.chains if chain.chain == 2)
    assert absent.rate_ghs is None and absent.temps_pcb == ()


def _hydro_device(**overrides: Any) -> dict[str, Any]:
    device: dict[str, Any] = {"STATS": 0, "ID": "BC50", "Elapsed": 1200, "GHS 5s": "18465.93"}
    for n in range(1, 17):
        on = n in CHAINS
        device[f"chain_acn{n}"] = 18 if on else 0
        device[f"chain_acs{n}"] = " oooooooo oooooooo oo" if on else ""
        device[f"temp{n}"] = 55 if on else 0
        device[f"temp2_{n}"] = 70 if on else 0
        device[f"temp3_{n}"] = 0
        device[f"temp_pcb{n}"] = "55-55-52" if on else "NaN-NaN-NaN"
        device[f"temp_chip{n}"] = "70-70-67" if on else "NaN-NaN-NaN"
        device[f"chain_rate{n}"] = "1538.83" if on else ""
        device[f"chain_rateideal{n}"] = 1500.0 if on else 0.0
        device[f"chain_hw{n}"] = 0
    device.update(overrides)
    return {"STATUS": [{"STATUS": "S"}], "STATS": [{"Type": "Antminer S9 Hydro"}, device]}


def test_hydro_dashed_temperatures_are_preferred() -> None:
    stats = parse.parse_stats(_hydro_device())
    assert all(chain.asics == 18 for chain in stats.chains)
    assert all(chain.temps_pcb == (55.0, 55.0, 52.0) for chain in stats.chains)
    assert all(chain.temps_chip == (70.0, 70.0, 67.0) for chain in stats.chains)
    assert stats.problems == ()
    assert stats.miner_type == "Antminer S9 Hydro"


def test_hydro_dashed_nan_and_negative_on_a_present_chain_are_problems() -> None:
    stats = parse.parse_stats(_hydro_device(temp_pcb3="55-NaN-52", temp_chip3="70--4-0"))
    three = next(chain for chain in stats.chains if chain.chain == 3)
    assert three.temps_pcb == (55.0, 52.0)
    assert three.temps_chip == (70.0,)
    messages = [problem.message for problem in stats.problems]
    assert len(messages) == 3
    assert any("NaN" in m for m in messages) and any("-4" in m for m in messages)


def test_unexpected_chain_slot_with_asics_is_kept() -> None:
    stats = parse.parse_stats(_hydro_device(chain_acn5=18, chain_acn2=0))
    numbers = [chain.chain for chain in stats.chains]
    assert 5 in numbers and 2 in numbers and len(numbers) == 13
    assert next(c for c in stats.chains if c.chain == 2).asics == 0


def test_stats_without_chain_data_is_a_protocol_error() -> None:
    with pytest.raises(MinerProtocolError, match="chain_acn"):
        parse.parse_stats({"STATS": [{"Type": "Antminer S9"}]})


def test_stats_garbled_values_become_problems_not_exceptions() -> None:
    stats = parse.parse_stats(_hydro_device(chain_acn4="lots", **{"GHS 5s": [1]}, fan1={"a": 1}))
    assert next(c for c in stats.chains if c.chain == 4).asics == 0
    assert stats.ghs_5s is None
    assert {p.source for p in stats.problems} >= {"rpc stats chain_acn4", "rpc stats GHS 5s"}


def test_stock_pools_sample() -> None:
    pools, problems = parse.parse_pools(load("s9-2019-stock-pools.json"))
    assert problems == ()
    assert [(p.index, p.url, p.status, p.priority) for p in pools] == [
        (0, "stratum+tcp://ss.antpool.com:3333", "Alive", 0),
        (1, "stratum+tcp://ss.antpool.com:443", "Alive", 1),
        (2, "", "Dead", 2),
    ]
    first = pools[0]
    assert (first.accepted, first.rejected, first.stale) == (22673, 8, 0)
    assert first.stratum_active and first.user == "xxx"
    assert first.last_share_time == "0:00:05" and first.diff == "32.8K"
    assert first.reject_rate == pytest.approx(8 / 22681)


def test_asicseer_pools_sample() -> None:
    pools, problems = parse.parse_pools(load("s9-asicseer-pools.json"))
    assert problems == ()
    assert [p.priority for p in pools] == [3, 4, 5]
    assert all(p.user == "asicseer.dcc9a2" for p in pools)


def test_summary_from_source_layout() -> None:
    reply = {
        "STATUS": [{"STATUS": "S", "Code": 11}],
        "SUMMARY": [
            {"Elapsed": 1200, "GHS 5s": "18465.93", "GHS av": 18012.5, "Accepted": 410,
             "Rejected": 2, "Hardware Errors": 37, "Device Hardware%": 0.0021}
        ],
    }  # fmt: skip
    summary = parse.parse_summary(reply)
    assert summary.elapsed_s == 1200 and summary.ghs_5s == pytest.approx(18465.93)
    assert (summary.accepted, summary.rejected, summary.hw_errors) == (410, 2, 37)


def test_devs_from_source_layout() -> None:
    reply = {
        "STATUS": [{"STATUS": "S"}],
        "DEVS": [{"ASC": 0, "Name": "BC5", "Enabled": "Y", "Status": "Alive", "MHS 5s": 18e6,
                  "MHS av": 17.9e6, "Hardware Errors": 3}],
    }  # fmt: skip
    device = parse.parse_devs(reply)
    assert (device.name, device.enabled, device.status, device.hw_errors) == (
        "BC5",
        True,
        "Alive",
        3,
    )


def test_system_info_sample() -> None:
    info = parse.parse_system_info(
        json.loads((SAMPLES / "l3plus-2017-get_system_info.json").read_text())
    )
    assert info.miner_type == "Antminer L3+"
    assert info.mac == "C4:F3:12:B3:9F:FC"
    assert info.hostname == "antMiner" and info.ip_address == "192.168.1.189"
    assert info.firmware_date == datetime(2017, 8, 25, 17, 28, 57)
    assert info.bmminer_version is None  # an L3+ says cgminer_version
    assert info.problems == ()


def test_network_info_sample() -> None:
    info = parse.parse_network_info(
        json.loads((SAMPLES / "antminer-2017-get_network_info.json").read_text())
    )
    assert (info.mac, info.ip_address, info.hostname) == (
        "C4:F3:12:B3:9F:FC",
        "192.168.1.189",
        "antMiner",
    )


def test_bad_mac_is_a_problem() -> None:
    info = parse.parse_network_info({"macaddr": "not-a-mac"})
    assert info.mac is None and info.problems[0].source.endswith("macaddr")


@pytest.mark.parametrize(
    "name", ["s9-2017-get_miner_conf.txt", "s9-2017-bmminer.conf.factory.json"]
)
def test_miner_conf_samples(name: str) -> None:
    conf = parse.parse_miner_conf(transport.decode((SAMPLES / name).read_bytes()))
    assert len(conf.pools) == 3
    assert conf.pools[0].url == "solo.antpool.com:3333"
    assert conf.pools[0].password.get_secret_value() == "123"
    assert "123" not in repr(conf)
    assert conf.frequency in {"550", "650"}
    assert not conf.fan_ctrl and not conf.nobeeper


def test_miner_conf_with_bad_pools_is_protocol_error() -> None:
    with pytest.raises(MinerProtocolError, match="pools"):
        parse.parse_miner_conf({"pools": "none"})


def test_kernel_log_lines_fatal_and_chain_detection() -> None:
    text = (
        "Chain[J2] has 18 asic\r\nretry Chain[J7] has 0 asic\nChain[J7] has 17 asic\n"
        "Fatal Error: Temperature is too high!\n\x00\n\n"
    )
    lines = parse.parse_kernel_log(text)
    assert lines[-1] == "Fatal Error: Temperature is too high!"
    assert parse.fatal_lines(lines) == [(4, "Fatal Error: Temperature is too high!")]
    assert parse.chain_detections(lines) == {2: 18, 7: 17}


def test_assemble_prefers_summary_and_fills_identity_from_web() -> None:
    stats = parse.parse_stats(load("s9-2019-stock-stats.json"))
    pools, _ = parse.parse_pools(load("s9-2019-stock-pools.json"))
    web = parse.parse_network_info(
        json.loads((SAMPLES / "antminer-2017-get_network_info.json").read_text())
    )
    snapshot = parse.assemble(
        "10.0.0.5",
        NOW,
        identity=parse.parse_version(load("s9-2019-stock-version.json")),
        stats=stats,
        pools=pools,
        web=[web],
        problems=[Problem(source="rpc summary", message="refused")],
    )
    assert snapshot.identity is not None and snapshot.identity.mac == "C4:F3:12:B3:9F:FC"
    assert snapshot.totals is not None
    assert snapshot.totals.ghs_5s == pytest.approx(13883.81)  # from stats: summary missing
    assert snapshot.totals.accepted == 22673  # summed from pools
    assert snapshot.problems[0].source == "rpc summary"
    # plus the two bad sensors, three 63-ASIC counts and no temperature for boards 1-3 (pcb, chip)
    assert len(snapshot.problems) == 1 + 2 + 3 + 6


def test_assemble_takes_identity_from_stats_when_version_failed() -> None:
    stats = parse.parse_stats(load("s9-2019-stock-stats.json"))
    snapshot = parse.assemble("h", NOW, stats=stats)
    assert snapshot.identity is not None
    assert snapshot.identity.miner_type == "Antminer S9"
    assert snapshot.identity.firmware_date == datetime(2019, 7, 31, 16, 18, 27)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3)
    ),
    max_leaves=20,
)
_keys = st.sampled_from(
    ["chain_acn2", "chain_acs2", "temp2", "temp2_2", "temp_pcb2", "temp_chip2", "fan1", "GHS 5s",
     "frequency", "Elapsed", "Type", "URL", "POOL", "Status", "macaddr", "pools", "chain_rate2"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["STATS", "POOLS", "VERSION", "SUMMARY", "DEVS"]),
                       st.lists(st.dictionaries(_keys, _json, max_size=8), max_size=3) | _json,
                       max_size=5))  # fmt: skip
def test_parsers_on_garbage_raise_only_protocol_errors(reply: dict[str, Any]) -> None:
    for parser in (
        parse.parse_version,
        parse.parse_summary,
        parse.parse_stats,
        parse.parse_pools,
        parse.parse_devs,
        parse.parse_system_info,
        parse.parse_network_info,
        parse.parse_miner_conf,
    ):
        try:
            parser(reply)
        except MinerProtocolError:
            continue
