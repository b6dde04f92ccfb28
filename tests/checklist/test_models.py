"""The checklist models: the built-in checklist's shape and the rules every item must follow."""

from __future__ import annotations

import re
from typing import Any, get_args

import pytest
from pydantic import BaseModel, ValidationError

from commission.checklist import (
    RULE_IDS,
    Checklist,
    ChoiceItem,
    ConfirmItem,
    DerivedItem,
    LiveItem,
    MeasurementItem,
    Severity,
    TextItem,
    load_builtin,
)
from commission.checklist.describe import place, requirement
from commission.checklist.models import Bound, describe_limits, format_value
from commission.miner import layout


@pytest.fixture(scope="module")
def builtin() -> Checklist:
    return load_builtin()


def test_rule_ids_are_exactly_the_agreed_seventeen() -> None:
    assert RULE_IDS == (
        "miner.reachable",
        "identity.model",
        "identity.firmware",
        "chains.present",
        "chains.asic_status",
        "hashrate.nominal",
        "hashrate.ideal",
        "hashrate.hw_errors",
        "fans.reporting",
        "temps.margin",
        "temps.spread",
        "pools.configured",
        "pools.active",
        "security.default_password",
        "log.fatal",
        "soak.stability",
        "console.fatal",
    )


def test_every_rule_has_exactly_one_live_item(builtin: Checklist) -> None:
    rules = [item.rule for _, _, item in builtin.items() if isinstance(item, LiveItem)]
    assert sorted(rules) == sorted(RULE_IDS)


def test_builtin_covers_every_guide_section(builtin: Checklist) -> None:
    guide_sections = {item.guide for _, _, item in builtin.items()}
    assert {"1.2", "2", "3", "4", "5", "6", "7", "8.1", "8.2", "8.3", "8.4"} <= guide_sections
    assert [section.id for section in builtin.sections] == [
        "site",
        "psu",
        "cooling",
        "water",
        "network",
        "pools",
        "monitoring",
        "admin",
        "maintenance",
    ]


def test_pcie_items_follow_the_layout_table(builtin: Checklist) -> None:
    pcie = [item for _, _, item in builtin.items() if item.id.startswith("psu.pcie.")]
    assert [item.connector for item in pcie] == list(layout.PCIE_CONNECTORS)
    for item in pcie:
        assert item.connector is not None
        if item.connector == layout.CONTROLLER_CONNECTOR:
            assert item.board is None and item.chains == ()
            continue
        assert item.board is not None
        assert item.connector in layout.connectors_of_board(item.board)
        assert item.chains == layout.chains_of_board(item.board)
        assert item.severity is Severity.CAUTION


def test_fan_and_pump_items_name_the_layout_headers(builtin: Checklist) -> None:
    headers = [item.header for _, _, item in builtin.items() if item.header]
    assert headers == [*layout.FAN_HEADERS, layout.PUMP_HEADER]
    pump = builtin.item("cooling.pump-header")
    assert pump.severity is Severity.DANGER


def test_lookups_name_what_is_missing(builtin: Checklist) -> None:
    section, step = builtin.locate("water.dew-point-margin")
    assert (section.id, step.id) == ("water", "water.readings")
    with pytest.raises(KeyError, match="no item 'nope'"):
        builtin.item("nope")
    with pytest.raises(KeyError, match="no section 'nope'"):
        builtin.section("nope")


def _item(kind: str, **fields: Any) -> dict[str, Any]:
    return {"id": "x.y", "kind": kind, "title": "T", "guide": "2", **fields}


def _checklist(*items: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "c",
        "version": 1,
        "title": "T",
        "model": "M",
        "guide": "G",
        "sections": [
            {
                "id": "s",
                "title": "S",
                "guide": "2",
                "steps": [{"id": "t", "title": "T", "items": list(items)}],
            }
        ],
    }


@pytest.mark.parametrize(
    ("model", "fields", "fragment"),
    [
        (MeasurementItem, {"unit": "V", "min": 13, "max": 12}, "min 13 is greater than max 12"),
        (
            MeasurementItem,
            {"unit": "V", "min": 11, "max": 12, "typical": 20},
            "typical 20 is above max 12",
        ),
        (MeasurementItem, {"unit": "V", "min": 11, "typical": 2}, "typical 2 is below min 11"),
        (MeasurementItem, {"unit": "V", "min_bound": "sometimes"}, "inclusive"),
        (ChoiceItem, {"options": ["a", "b"], "accepted": ["c"]}, "not among the options"),
        (ChoiceItem, {"options": ["a", "a"]}, "must not repeat"),
        (ChoiceItem, {"options": ["a"]}, "at least 2"),
        (TextItem, {"pattern": "("}, "not a valid regular expression"),
        (LiveItem, {"rule": "chains.gone"}, "unknown verification rule 'chains.gone'"),
        (DerivedItem, {"function": "nope", "inputs": {}, "unit": "°C"}, "unknown function 'nope'"),
        (
            DerivedItem,
            {"function": "dew_point_c", "inputs": {"temperature_c": "a.b"}, "unit": "°C"},
            "missing inputs ['relative_humidity_percent']",
        ),
        (
            DerivedItem,
            {
                "function": "joules_per_terahash",
                "inputs": {"wall_power_w": "a", "hashrate_ths": "b", "volts": "c"},
                "unit": "J/TH",
            },
            "unknown inputs ['volts']",
        ),
        (
            DerivedItem,
            {
                "function": "psu_load_percent",
                "inputs": {"load_w": "a", "rated_w": "b"},
                "unit": "W",
            },
            "gives '%'",
        ),
        (ConfirmItem, {"chains": [2, 9, 10]}, "chains are given but board is not"),
        (ConfirmItem, {"board": 5}, "less than or equal to 4"),
        (ConfirmItem, {"guide": "9"}, "should match pattern"),
        (ConfirmItem, {"id": "Bad Id"}, "should match pattern"),
        (ConfirmItem, {"colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_item_rules(model: type[BaseModel], fields: dict[str, Any], fragment: str) -> None:
    (kind,) = get_args(model.model_fields["kind"].annotation)
    with pytest.raises(ValidationError, match=re.escape(fragment)):
        model.model_validate(_item(kind, **fields))


def test_checklist_rejects_duplicate_ids_and_dangling_inputs() -> None:
    data = _checklist(
        _item("confirm", id="a.b"),
        _item("confirm", id="a.b"),
        _item(
            "derived",
            id="c.d",
            function="joules_per_terahash",
            inputs={"wall_power_w": "a.b", "hashrate_ths": "gone.item"},
            unit="J/TH",
        ),
    )
    with pytest.raises(ValidationError) as caught:
        Checklist.model_validate(data)
    text = str(caught.value)
    assert (
        "sections[0].steps[0].items[1].id: item id 'a.b' is already used at sections[0].steps[0].items[0]"
        in text
    )
    assert "items[2].inputs.hashrate_ths: input 'gone.item' is not an item" in text
    assert "input 'a.b' is a confirm item" in text


@pytest.mark.parametrize(
    ("low", "high", "low_bound", "high_bound", "expected"),
    [
        (11.88, 12.12, Bound.INCLUSIVE, Bound.INCLUSIVE, "11.88–12.12 V"),
        (170, None, Bound.INCLUSIVE, Bound.INCLUSIVE, "≥ 170 V"),
        (None, 1, Bound.INCLUSIVE, Bound.STRICT, "< 1 V"),
        (0.99, None, Bound.STRICT, Bound.INCLUSIVE, "> 0.99 V"),
        (1, 2, Bound.STRICT, Bound.INCLUSIVE, "> 1 V and ≤ 2 V"),
        (None, None, Bound.INCLUSIVE, Bound.INCLUSIVE, ""),
    ],
)
def test_describe_limits(
    low: float | None, high: float | None, low_bound: Bound, high_bound: Bound, expected: str
) -> None:
    assert describe_limits(low, high, "V", low_bound, high_bound) == expected


def test_format_value_reads_like_a_person_wrote_it() -> None:
    assert format_value(2040.0, "W") == "2,040 W"
    assert format_value(0.99) == "0.99"
    assert format_value(12.12, "V") == "12.12 V"
    assert format_value(-40, "°C") == "-40 °C"
    assert format_value(0.1 + 0.2) == "0.3"


def test_requirement_and_place_summaries(builtin: Checklist) -> None:
    assert requirement(builtin.item("psu.ripple")) == "< 1 %"
    assert requirement(builtin.item("site.ac-voltage")) == (
        "200–265 V; typical 220 V; warns above 240 V; limits: guide 1.2: the miner takes "
        "200–265 V AC (note 2-1: never below 200 V); guide 2: the PSU itself 200–240 V AC "
        "(above 240 V warns)"
    )
    flow = requirement(builtin.item("water.flow"))
    assert "5–15 L/min" in flow
    assert "2–15 L/min warns instead of failing when water.source is" in flow
    assert requirement(builtin.item("monitoring.chains-present")).startswith("rule chains.present")
    assert requirement(builtin.item("pools.1.password")) == "secret (only recorded as set)"
    assert "inlet_margin_over_dew_point_c(" in requirement(builtin.item("water.dew-point-margin"))
    assert place(builtin.item("psu.pcie.b4-2")) == "PCIe-B4.2 · board 4 · chains 6, 7, 8"
    assert place(builtin.item("cooling.fan.fan3")) == "FAN3"
