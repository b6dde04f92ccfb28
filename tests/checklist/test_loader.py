"""The loader: the built-in file, and a message for every kind of mistake (file, line or key, id)."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from commission.checklist import load_builtin, load_checklist, validate_file
from commission.checklist.loader import BUILTIN_FILE, BUILTIN_PACKAGE, builtin_text
from commission.errors import ChecklistError, ExitCode
from tests.conftest import REPO

BUILTIN = REPO / "checklists" / "s9-hydro.toml"


def _broken(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    """A copy of the built-in checklist with ``old`` replaced by ``new`` (which must occur)."""
    text = BUILTIN.read_text("utf-8")
    assert text.count(old) >= count, f"fixture text {old!r} not found"
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, count), "utf-8")
    return path


def test_the_packaged_file_is_the_top_level_file() -> None:
    packaged = resources.files(BUILTIN_PACKAGE).joinpath(BUILTIN_FILE)
    assert packaged.read_text("utf-8") == BUILTIN.read_text("utf-8")
    assert builtin_text() == BUILTIN.read_text("utf-8")


def test_the_top_level_folder_ships_as_package_data() -> None:
    # setup.py maps checklists/ onto the package (no symlink), and pyproject.toml declares its TOML
    # files as package data, so `pip install .` and every wheel carry the built-in checklist.
    packaged = Path(str(resources.files(BUILTIN_PACKAGE)))
    assert packaged.resolve() == BUILTIN.parent.resolve() or (packaged / BUILTIN_FILE).is_file()
    assert 'package_dir={CHECKLISTS_PACKAGE: "checklists"}' in (REPO / "setup.py").read_text()
    with (REPO / "pyproject.toml").open("rb") as stream:
        package_data = tomllib.load(stream)["tool"]["setuptools"]["package-data"]
    assert package_data[BUILTIN_PACKAGE] == ["*.toml"]


def test_builtin_loads_and_validates(tmp_path: Path) -> None:
    checklist = load_builtin()
    assert checklist.id == "s9-hydro"
    assert load_checklist(BUILTIN) == checklist
    assert validate_file(BUILTIN) == (checklist, [])


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'id = "psu.ripple"', 'id = "psu.ripple')
    line = next(
        number
        for number, text in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if text == 'id = "psu.ripple'
    )
    with pytest.raises(ChecklistError) as caught:
        load_checklist(path)
    message = str(caught.value)
    assert f"{path}: line {line}: TOML syntax error" in message
    assert caught.value.exit_code is ExitCode.USAGE


def _single_problem(path: Path) -> str:
    checklist, problems = validate_file(path)
    assert checklist is None
    assert len(problems) == 1, problems
    return problems[0]


def _item_path(item_id: str) -> str:
    """The key path of a built-in item, e.g. sections[1].steps[0].items[3]."""
    checklist = load_builtin()
    for s, section in enumerate(checklist.sections):
        for t, step in enumerate(section.steps):
            for i, item in enumerate(step.items):
                if item.id == item_id:
                    return f"sections[{s}].steps[{t}].items[{i}]"
    raise AssertionError(item_id)


def test_schema_error_names_key_path_and_item(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'id = "psu.rated-current"', 'id = "psu.rated-current"\nmax = "lots"')
    problem = _single_problem(path)
    assert problem.startswith(
        f"{path}: {_item_path('psu.rated-current')}.max: item psu.rated-current: "
    )
    assert "valid number" in problem


def test_limits_in_the_wrong_order(tmp_path: Path) -> None:
    path = _broken(tmp_path, "min = 5\nmax = 95", "min = 95\nmax = 5")
    problem = _single_problem(path)
    assert f"{_item_path('site.relative-humidity')}: item site.relative-humidity: " in problem
    assert problem.endswith("min 95 is greater than max 5")


def test_unknown_rule(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'rule = "temps.spread"', 'rule = "temps.sprad"')
    problem = _single_problem(path)
    assert f"{_item_path('monitoring.temps-spread')}.rule: item monitoring.temps-spread:" in problem
    assert "unknown verification rule 'temps.sprad'" in problem


def test_unknown_and_missing_kind(tmp_path: Path) -> None:
    path = _broken(
        tmp_path, 'id = "psu.ground"\nkind = "confirm"', 'id = "psu.ground"\nkind = "tick"'
    )
    problem = _single_problem(path)
    assert f"{_item_path('psu.ground')}: item psu.ground: unknown kind 'tick'" in problem
    path = _broken(tmp_path, 'id = "psu.ground"\nkind = "confirm"', 'id = "psu.ground"')
    problem = _single_problem(path)
    assert f"{_item_path('psu.ground')}: item psu.ground: item has no kind" in problem


def test_misspelt_key(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        'id = "water.ph"\nkind = "measurement"',
        'id = "water.ph"\nkind = "measurement"\nmaxx = 9',
    )
    problem = _single_problem(path)
    assert f"{_item_path('water.ph')}.maxx: item water.ph: unknown key (a typo?)" in problem


def test_missing_required_key_without_item_id(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'id = "s9-hydro"\n', "")
    problem = _single_problem(path)
    assert problem == f"{path}: id: Field required"


def test_duplicate_item_id(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'id = "water.turbidity"', 'id = "water.microbes"')
    problem = _single_problem(path)
    first, second = _item_path("water.microbes"), _item_path("water.turbidity")
    assert problem == (
        f"{path}: {second}.id: item water.microbes: item id 'water.microbes' is already used at {first}"
    )


def test_derived_input_must_exist(tmp_path: Path) -> None:
    path = _broken(
        tmp_path, 'hashrate_ths = "monitoring.hashrate"', 'hashrate_ths = "monitoring.hashrat"'
    )
    problem = _single_problem(path)
    assert (
        f"{_item_path('monitoring.efficiency')}.inputs.hashrate_ths: item monitoring.efficiency:"
        in problem
    )
    assert "input 'monitoring.hashrat' is not an item of this checklist" in problem


def test_every_mistake_is_listed_in_one_pass(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'id = "water.turbidity"', 'id = "water.microbes"')
    text = path.read_text("utf-8")
    text = text.replace('rule = "temps.spread"', 'rule = "temps.sprad"')
    text = text.replace("min = 5\nmax = 95", "min = 95\nmax = 5")
    path.write_text(text, "utf-8")
    checklist, problems = validate_file(path)
    assert checklist is None
    assert len(problems) == 3, problems
    joined = "\n".join(problems)
    for fragment in ("already used", "temps.sprad", "greater than max"):
        assert fragment in joined
    with pytest.raises(
        ChecklistError, match=re.escape(f"{path} is not a valid checklist (3 problems)")
    ):
        load_checklist(path)


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        ("missing", "no such checklist file"),
        ("folder", "is a folder, not a checklist file"),
        ("binary", "not UTF-8 text"),
    ],
)
def test_unreadable_files(tmp_path: Path, setup: str, fragment: str) -> None:
    path = tmp_path / "c.toml"
    if setup == "folder":
        path.mkdir()
    elif setup == "binary":
        path.write_bytes(b"id = \xff\xfe\n")
    with pytest.raises(ChecklistError, match=re.escape(f"{path}: {fragment}")):
        load_checklist(path)
    checklist, problems = validate_file(path)
    assert checklist is None and fragment in problems[0]


@pytest.mark.parametrize(
    ("old", "new", "item_id", "where", "fragment"),
    [
        (
            'allowance = { when = "water.source"',
            'allowance = { when = "water.sorce"',
            "water.flow",
            ".allowance.when",
            "'water.sorce' is not an item of this checklist",
        ),
        (
            'answer = "external cold-water source", min = 2',
            'answer = "a river", min = 2',
            "water.flow",
            ".allowance.when",
            "answer 'a river' is not one of the options of 'water.source'",
        ),
        (
            'allowance = { when = "water.source"',
            'allowance = { when = "water.inlet-temperature"',
            "water.flow",
            ".allowance.when",
            "is a measurement item; an allowance follows a confirm or choice item",
        ),
        (
            'answer = "external cold-water source", min = 2',
            'answer = "external cold-water source", min = 6',
            "water.flow",
            "",
            "allowance.min must be below the item's min",
        ),
        (
            'max_from = { input = "site.ambient-temperature"',
            'max_from = { input = "site.ambient"',
            "monitoring.efficiency",
            ".max_from.input",
            "'site.ambient' is not an item of this checklist",
        ),
        (
            "points = [[25, 102.7], [40, 110.4]]",
            "points = [[40, 110.4], [25, 102.7]]",
            "monitoring.efficiency",
            ".max_from.points",
            "points must be in rising order",
        ),
        (
            'live_reading = "firmware-date"',
            'live_reading = "firmware-day"',
            "admin.firmware-version",
            ".live_reading",
            "unknown live reading 'firmware-day'; known readings: firmware-date",
        ),
        (
            "warn_below = 20\nwarn_above = 90\n",
            "warn_below = 2\nwarn_above = 90\n",
            "site.relative-humidity",
            "",
            "warn_below 2 is below min 5",
        ),
    ],
)
def test_limit_features_are_checked_with_their_place(
    tmp_path: Path, old: str, new: str, item_id: str, where: str, fragment: str
) -> None:
    path = _broken(tmp_path, old, new)
    problem = _single_problem(path)
    assert f"{_item_path(item_id)}{where}: item {item_id}: " in problem
    assert fragment in problem


def test_an_advisory_band_needs_its_reason(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'warn_reason = "the PSU table (guide 2) rates the APW5', "# ")
    problem = _single_problem(path)
    assert "warn_below or warn_above needs a warn_reason saying why" in problem
