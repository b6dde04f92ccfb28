"""``commission checklist``: the printout, ``--json`` (the issue's acceptance list), ``--validate``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from commission import cli
from commission.errors import ExitCode
from commission.miner import layout
from tests.conftest import REPO

BUILTIN = REPO / "checklists" / "s9-hydro.toml"


@pytest.fixture(scope="module")
def printed_json() -> dict[str, Any]:
    """``commission checklist --json`` run as a process, exactly as a user would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "commission", "checklist", "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    data: dict[str, Any] = json.loads(done.stdout)
    return data


@pytest.fixture(scope="module")
def items(printed_json: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        item["id"]: item
        for section in printed_json["checklist"]["sections"]
        for step in section["steps"]
        for item in step["items"]
    }


def test_json_is_versioned(printed_json: dict[str, Any]) -> None:
    assert printed_json["schema"] == "commission.checklist/1"
    assert printed_json["source"] == "checklists/s9-hydro.toml"
    assert printed_json["checklist"]["id"] == "s9-hydro"


def test_json_lists_the_13_pcie_connector_items(items: dict[str, dict[str, Any]]) -> None:
    pcie = {
        item["connector"]: item for item in items.values() if item["id"].startswith("psu.pcie.")
    }
    assert list(pcie) == list(layout.PCIE_CONNECTORS)
    assert len(pcie) == 13
    for board in layout.BOARDS:
        for connector in layout.connectors_of_board(board):
            assert pcie[connector]["board"] == board
            assert tuple(pcie[connector]["chains"]) == layout.chains_of_board(board)
    assert pcie["PCIe-C"]["board"] is None
    assert items["psu.network-cable"]["kind"] == "confirm"


def test_json_lists_fans_and_pump(items: dict[str, dict[str, Any]]) -> None:
    headers = {item["header"]: item["id"] for item in items.values() if item["header"]}
    assert headers == {
        "FAN1": "cooling.fan.fan1",
        "FAN2": "cooling.fan.fan2",
        "FAN3": "cooling.fan.fan3",
        "FAN4": "cooling.fan.fan4",
        "FAN5": "cooling.fan.fan5",
        "FAN6": "cooling.fan.fan6",
        layout.PUMP_HEADER: "cooling.pump-header",
    }
    assert items["cooling.pump-header"]["severity"] == "danger"


def test_json_lists_the_water_quality_limits(items: dict[str, dict[str, Any]]) -> None:
    quality = {
        item_id: (item["min"], item["max"], item["unit"], item["max_bound"])
        for item_id, item in items.items()
        if item_id in {"water.microbes", "water.turbidity", "water.ph", "water.conductivity"}
    }
    assert quality == {
        "water.microbes": (None, 100000, "CFU/mL", "strict"),
        "water.turbidity": (None, 10, "NTU", "strict"),
        "water.ph": (6, 9, "pH", "inclusive"),
        "water.conductivity": (None, 1, "mS/cm", "strict"),
    }


def test_json_has_the_dew_point_rule(items: dict[str, dict[str, Any]]) -> None:
    rule = items["water.dew-point-margin"]
    assert rule["kind"] == "derived"
    assert rule["function"] == "inlet_margin_over_dew_point_c"
    assert rule["inputs"] == {
        "inlet_c": "water.inlet-temperature",
        "ambient_c": "site.ambient-temperature",
        "relative_humidity_percent": "site.relative-humidity",
    }
    assert (rule["min"], rule["min_bound"], rule["unit"]) == (3, "inclusive", "°C")
    assert rule["severity"] == "danger"


def test_json_has_three_pools(items: dict[str, dict[str, Any]]) -> None:
    for pool in (1, 2, 3):
        assert items[f"pools.{pool}.url"]["kind"] == "text"
        assert items[f"pools.{pool}.worker"]["kind"] == "text"
        assert items[f"pools.{pool}.password"]["secret"] is True
    assert not any(item_id.startswith("pools.4") for item_id in items)


# (item id, key, value, unit, bound): every number the issue lists, as a limit or a figure.
LIMITS = [
    ("site.ambient-temperature", "min", 0, "°C", "inclusive"),
    ("site.ambient-temperature", "max", 40, "°C", "inclusive"),
    ("site.relative-humidity", "min", 5, "%", "inclusive"),
    ("site.relative-humidity", "max", 95, "%", "inclusive"),
    ("site.ac-voltage", "min", 200, "V", "inclusive"),
    ("site.ac-voltage", "max", 265, "V", "inclusive"),
    ("site.ac-frequency", "min", 47, "Hz", "inclusive"),
    ("site.ac-frequency", "max", 63, "Hz", "inclusive"),
    ("monitoring.wall-power", "typical", 1728, "W", None),
    ("monitoring.wall-power", "max", 2031, "W", "inclusive"),
    ("monitoring.hashrate", "typical", 18.0, "TH/s", None),
    ("site.relative-humidity", "warn_below", 20, "%", None),
    ("site.relative-humidity", "warn_above", 90, "%", None),
    ("site.ac-voltage", "warn_above", 240, "V", None),
    ("site.altitude", "max", 2000, "m", "strict"),
    ("monitoring.efficiency", "warn_below", 96, "J/TH", None),
    ("monitoring.efficiency", "typical", 96, "J/TH", None),
    ("psu.output-voltage", "typical", 12, "V", None),
    ("psu.rated-current", "min", 170, "A", "inclusive"),
    ("psu.rated-power", "min", 2040, "W", "inclusive"),
    ("psu.ripple", "max", 1, "%", "strict"),
    ("psu.line-regulation", "max", 1, "%", "strict"),
    ("psu.load-regulation", "max", 1, "%", "strict"),
    ("psu.pcie-terminals", "min", 13, "leads", "inclusive"),
    ("psu.power-factor", "min", 0.99, "", "inclusive"),
    ("psu.power-factor", "max", 1, "", "inclusive"),
    ("psu.output-voltage", "min", 11.4, "V", "inclusive"),
    ("psu.output-voltage", "max", 12.6, "V", "inclusive"),
    ("psu.setup-time", "max", 2, "s", "strict"),
    ("psu.short-circuit-time", "min", 10, "ms", "strict"),
    ("psu.leakage-current", "max", 1.5, "mA", "strict"),
    ("psu.low-voltage-protection", "min", 80, "V", "inclusive"),
    ("psu.low-voltage-protection", "warn_above", 89, "V", None),
    ("psu.overcurrent-protection", "min", 180, "A", "inclusive"),
    ("psu.overcurrent-protection", "warn_above", 200, "A", None),
    ("water.pressure", "typical", 50, "kPa", None),
    ("psu.ac-cable", "min", 1, "mm²", "inclusive"),
    ("monitoring.psu-load", "max", 90, "%", "inclusive"),
    ("cooling.fan-count", "min", 6, "fans", "inclusive"),
    ("cooling.fan-speed", "min", 3500, "r/min", "inclusive"),
    ("cooling.fan-airflow", "min", 124, "CFM", "inclusive"),
    ("cooling.fan-power", "max", 10, "W", "inclusive"),
    ("cooling.pump-power", "max", 40, "W", "inclusive"),
    ("cooling.exchanger-count", "min", 2, "exchangers", "inclusive"),
    ("cooling.exchanger-length", "min", 360, "mm", "inclusive"),
    ("cooling.exchanger-width", "min", 120, "mm", "inclusive"),
    ("cooling.exchanger-thickness", "min", 25, "mm", "inclusive"),
    ("cooling.hose-length", "max", 1, "m", "inclusive"),
    ("water.inlet-temperature", "min", 15, "°C", "inclusive"),
    ("water.inlet-temperature", "max", 55, "°C", "inclusive"),
    ("water.dew-point-margin", "min", 3, "°C", "inclusive"),
    ("water.flow", "min", 5, "L/min", "inclusive"),
    ("water.flow", "max", 15, "L/min", "inclusive"),
    ("water.pressure", "min", 50, "kPa", "inclusive"),
    ("water.pressure", "max", 300, "kPa", "inclusive"),
]

FIGURES = [
    ("spec.power-on-wall", 1728, "W"),
    ("spec.power-on-wall", 2031, "W"),
    ("spec.hashrate", 18.0, "TH/s"),
    ("spec.hashrate", 18.4, "TH/s"),
    ("spec.efficiency", 96, "J/TH"),
    ("spec.efficiency", 110.4, "J/TH"),
    ("spec.hardware", 216, "chips"),
    ("spec.hardware", 4, "boards"),
    ("spec.storage", -40, "°C"),
    ("spec.storage", 85, "°C"),
    ("spec.noise", 45, "dBA"),
    ("spec.noise", 58, "dBA"),
    ("psu.derating", 90, "%"),
    ("psu.derating", 50, "°C"),
    ("psu.low-input", 200, "V"),
    ("psu.low-input", 50, "%"),
    ("cooling.fan-pinout", 12, "V"),
    ("cooling.hoses", 8, "mm"),
    ("water.pump-replug", 2, "times"),
    ("water.pump-replug", 3, "times"),
    ("water.soak", 20, "min"),
    ("water.flow", 2, "L/min"),
    ("network.ip-report-pressed", 5, "s"),
    ("monitoring.temps-margin", 80, "°C"),
    ("admin.reset-procedure", 5, "min"),
    ("admin.reset-procedure", 10, "s"),
    ("admin.reset-procedure", 15, "s"),
    ("maintenance.refill", 2, "months"),
    ("maintenance.refill", 3, "months"),
]


@pytest.mark.parametrize(("item_id", "key", "value", "unit", "bound"), LIMITS)
def test_json_has_every_numeric_limit_with_its_unit(
    items: dict[str, dict[str, Any]],
    item_id: str,
    key: str,
    value: float,
    unit: str,
    bound: str | None,
) -> None:
    item = items[item_id]
    assert item[key] == value
    assert item["unit"] == unit
    if bound is not None:
        assert item[f"{key}_bound"] == bound


def test_json_has_the_efficiency_curve_and_the_flow_allowance(
    items: dict[str, dict[str, Any]],
) -> None:
    curve = items["monitoring.efficiency"]["max_from"]
    assert curve["input"] == "site.ambient-temperature"
    assert [list(point) for point in curve["points"]] == [[25, 102.7], [40, 110.4]]
    allowance = items["water.flow"]["allowance"]
    assert (allowance["when"], allowance["min"]) == ("water.source", 2)
    assert "5-2" in allowance["reason"]
    assert "accessory table (guide 3)" in items["water.pressure"]["limit_note"]
    assert items["water.pressure"]["guide"] == "3"


@pytest.mark.parametrize(("item_id", "value", "unit"), FIGURES)
def test_json_has_every_figure_with_its_unit(
    items: dict[str, dict[str, Any]], item_id: str, value: float, unit: str
) -> None:
    assert (value, unit) in {
        (figure["value"], figure["unit"]) for figure in items[item_id]["figures"]
    }


def test_printout_shows_sections_items_and_limits(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["checklist"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "9 sections, 28 steps, 140 items" in out
    for fragment in (
        "2. Power supply (guide 2)",
        "psu.pcie.b3-2",
        "PCIe-B3.2 · board 3 · chains 4, 13, 14",
        "11.4–12.6 V",
        "limits: guide 2 gives a fixed 12 V",
        "2–15 L/min warns instead of failing",
        "< 100,000 CFU/mL",
        "⚠ cooling.pump-header",
        "rule soak.stability",
    ):
        assert fragment in out


def test_validate_a_good_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["checklist", "--validate", str(BUILTIN)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert (
        out.strip()
        == f"{BUILTIN} is a valid checklist: 's9-hydro' version 2, 9 sections, 140 items"
    )


def test_validate_a_broken_file_lists_every_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.toml"
    text = BUILTIN.read_text("utf-8").replace('rule = "temps.spread"', 'rule = "temps.sprad"')
    path.write_text(text.replace('id = "water.turbidity"', 'id = "water.microbes"'), "utf-8")
    assert cli.main(["checklist", "--validate", str(path)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"{path} is not a valid checklist (2 problems):")
    assert "item monitoring.temps-spread: unknown verification rule 'temps.sprad'" in err
    assert "item water.microbes: item id 'water.microbes' is already used" in err
    assert "Traceback" not in err
    assert cli.main(["checklist", "--validate", str(path), "--json"]) == ExitCode.USAGE
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False and len(report["problems"]) == 2


def test_file_prints_another_checklist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "other.toml"
    path.write_text(
        BUILTIN.read_text("utf-8").replace('id = "s9-hydro"', 'id = "s9-hydro-site-b"'), "utf-8"
    )
    assert cli.main(["checklist", "--file", str(path), "--json"]) == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    assert data["source"] == str(path)
    assert data["checklist"]["id"] == "s9-hydro-site-b"


def test_file_errors_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('id = "x\n', "utf-8")
    assert cli.main(["checklist", "--file", str(path)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"commission: {path} is not a valid checklist (1 problem):")
    assert f"{path}: line 1: TOML syntax error" in err
    assert cli.main(["checklist", "--file", str(tmp_path / "none.toml")]) == ExitCode.USAGE
    assert "none.toml: no such checklist file" in capsys.readouterr().err


def test_validate_and_file_together_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["checklist", "--validate", "a", "--file", "b"]) == ExitCode.USAGE
    assert "either --validate FILE or --file FILE" in capsys.readouterr().err
