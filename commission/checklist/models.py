"""The checklist vocabulary: sections, steps and the kinds of item a technician works through.

These pydantic models are the schema of ``checklists/*.toml``. An item's ``id`` never changes
between versions (jobs store answers under it), ``guide`` names the section of the vendor guide it
comes from, and ``severity`` lets cautions stand out. Cross-references (unique ids, the inputs of a
derived item) are checked here so that a checklist built in code is held to the same rules as one
loaded from a file.
"""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from commission.checklist import calc

RULE_IDS: Final = (
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
"""Ids of the live verification rules; a live item must name one of these."""

LIVE_READINGS: Final = {
    "firmware-date": "its firmware build date",
}
"""Values read from the running miner that a text item can be compared with (``live_reading``),
with what they are ("the miner reports 20180820 as its firmware build date"). The front end that
holds the miner's snapshot supplies them (:func:`commission.verify.bindings.live_readings`); the
firmware date is given as ``YYYYMMDD``."""

ID_PATTERN: Final = r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$"
"""Lower-case words joined by dots or hyphens, e.g. ``psu.pcie.b1-1``."""
GUIDE_PATTERN: Final = r"^[1-8](?:\.[1-9])?$"
"""A section number of the S9 Hydro installation guide, e.g. ``2`` or ``8.3``."""

Identifier = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=80)]
GuideSection = Annotated[str, Field(pattern=GUIDE_PATTERN)]
Label = Annotated[str, Field(min_length=1)]


class Severity(StrEnum):
    """How much harm ignoring an item can do; the front ends make caution and danger stand out."""

    INFO = "info"
    NORMAL = "normal"
    CAUTION = "caution"
    """Getting it wrong costs lifetime, efficiency or a failed run."""
    DANGER = "danger"
    """Getting it wrong can damage hardware or hurt someone."""


class Bound(StrEnum):
    """Whether a limit value itself is allowed (``at least 170 A``) or not (``below 1 %``)."""

    INCLUSIVE = "inclusive"
    STRICT = "strict"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Figure(_Model):
    """A reference number with its unit, shown beside an item (``hold for 10 s``)."""

    label: Label
    value: float
    unit: str = ""


class _Item(_Model):
    id: Identifier
    title: Label
    """A short label for lists and reports."""
    text: str = ""
    """The instruction, in this project's own words."""
    guide: GuideSection
    severity: Severity = Severity.NORMAL
    required: bool = True
    """False for optional steps (a static address, for example)."""
    figures: tuple[Figure, ...] = ()
    board: int | None = Field(default=None, ge=1, le=4)
    """Hash board 1-4 this item concerns, so a view can tie it to live chain data."""
    chains: tuple[int, ...] = ()
    """API chain numbers on ``board``."""
    connector: str | None = None
    """A PCIe power connector name from the layout table, e.g. ``PCIe-B2.3``."""
    header: str | None = None
    """A control-board header name from the layout table, e.g. ``FAN3``."""

    @model_validator(mode="after")
    def _chains_need_a_board(self) -> _Item:
        if self.chains and self.board is None:
            raise ValueError("chains are given but board is not; name the hash board they sit on")
        return self


class Allowance(_Model):
    """Wider limits that apply when another item was answered a certain way; inside them but
    outside the item's own limits a value warns instead of failing.

    The guide's footnote 5-2, for example: with an external cold-water source the flow may drop
    to 2 L/min, below the 5 L/min a standard loop needs.
    """

    when: Identifier
    """The confirm or choice item that grants the allowance."""
    answer: str = "yes"
    """The answer of ``when`` that grants it: ``yes`` for a confirmation, else an option."""
    min: float | None = None
    max: float | None = None
    reason: Label
    """Why the wider limits are allowed, with the guide reference, in our own words."""


class LimitCurve(_Model):
    """An upper limit that depends on another item's value, interpolated between points.

    The guide gives the efficiency at two room temperatures (102.7 J/TH at 25 °C, 110.4 at
    40 °C); between them the limit is linear, outside them it stays at the nearest point.
    """

    input: Identifier
    """The measurement item whose value chooses the limit (e.g. the room temperature)."""
    input_unit: str = ""
    """The unit of that item, to print the value that chose the limit."""
    points: tuple[tuple[float, float], ...] = Field(min_length=1)
    """``(input value, limit)`` pairs in rising order of the input value."""
    reason: Label
    """Where the points come from and how the limit is chosen, in our own words."""

    @field_validator("points")
    @classmethod
    def _points_rise(
        cls, points: tuple[tuple[float, float], ...]
    ) -> tuple[tuple[float, float], ...]:
        xs = [x for x, _ in points]
        if any(b <= a for a, b in itertools.pairwise(xs)):
            raise ValueError("points must be in rising order of the input value, without repeats")
        return points

    def limit_at(self, x: float) -> float:
        """The limit for input value ``x``: linear between points, flat beyond the ends."""
        (x0, y0), *rest = self.points
        if x <= x0 or not rest:
            return y0
        for x1, y1 in rest:
            if x <= x1:
                return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
            x0, y0 = x1, y1
        return y0


class _Limited(_Item):
    """Limits shared by measured and derived values."""

    unit: str
    min: float | None = None
    max: float | None = None
    typical: float | None = None
    min_bound: Bound = Bound.INCLUSIVE
    max_bound: Bound = Bound.INCLUSIVE
    warn_below: float | None = None
    """Inside the limits but below this, the value warns (``warn_reason`` says why)."""
    warn_above: float | None = None
    """Inside the limits but above this, the value warns."""
    warn_reason: str = ""
    limit_note: str = ""
    """Where the limits come from (guide section, table, footnote) or that the project chose
    them, shown with the limits wherever they are printed."""

    @model_validator(mode="after")
    def _limits_make_sense(self) -> _Limited:
        check_limits(self.min, self.max, self.typical)
        for name in ("warn_below", "warn_above"):
            value = getattr(self, name)
            if value is not None:
                check_limits(self.min, self.max, value, name)
        if (self.warn_below is not None or self.warn_above is not None) and not self.warn_reason:
            raise ValueError("warn_below or warn_above needs a warn_reason saying why")
        return self

    @property
    def limit_text(self) -> str:
        """The limits in words, e.g. ``11.88–12.12 V`` or ``< 1 %``."""
        return describe_limits(self.min, self.max, self.unit, self.min_bound, self.max_bound)


class ConfirmItem(_Item):
    """The technician confirms that something was done or is true."""

    kind: Literal["confirm"]


class MeasurementItem(_Limited):
    """A number the technician reads off a meter, a label or a status page, checked against limits.

    ``unit`` is the unit the value is entered in (empty for a plain ratio such as a power
    factor); :mod:`commission.checklist.numbers` converts other units of the same quantity.
    """

    kind: Literal["measurement"]
    allowance: Allowance | None = None

    @model_validator(mode="after")
    def _allowance_widens(self) -> MeasurementItem:
        allowance = self.allowance
        if allowance is None:
            return self
        if allowance.min is None and allowance.max is None:
            raise ValueError("an allowance needs a min or a max")
        if allowance.min is not None and (self.min is None or allowance.min >= self.min):
            raise ValueError("allowance.min must be below the item's min")
        if allowance.max is not None and (self.max is None or allowance.max <= self.max):
            raise ValueError("allowance.max must be above the item's max")
        return self


class ChoiceItem(_Item):
    """One answer out of a fixed list; ``accepted`` lists the answers that pass."""

    kind: Literal["choice"]
    options: tuple[Label, ...] = Field(min_length=2)
    accepted: tuple[Label, ...] = ()
    """Answers that pass; empty means every answer is fine (the choice is only recorded)."""

    @model_validator(mode="after")
    def _accepted_are_options(self) -> ChoiceItem:
        if len(set(self.options)) != len(self.options):
            raise ValueError("options must not repeat")
        unknown = [answer for answer in self.accepted if answer not in self.options]
        if unknown:
            raise ValueError(f"accepted answers {unknown} are not among the options")
        return self


class TextItem(_Item):
    """Free text (a pool URL, a serial number), optionally checked against a pattern."""

    kind: Literal["text"]
    live_reading: str | None = None
    """A value read from the miner (a key of :data:`LIVE_READINGS`) the answer must match."""
    pattern: str | None = None
    """A regular expression the whole answer must match."""
    example: str = ""
    """What a valid answer looks like, shown when the pattern does not match."""
    secret: bool = False
    """A password: front ends hide it and jobs only record that it was set, never the value."""

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"pattern is not a valid regular expression: {error}") from None
        return pattern

    @field_validator("live_reading")
    @classmethod
    def _reading_exists(cls, reading: str | None) -> str | None:
        if reading is not None and reading not in LIVE_READINGS:
            raise ValueError(
                f"unknown live reading {reading!r}; known readings: {', '.join(LIVE_READINGS)}"
            )
        return reading


class LiveItem(_Item):
    """Checked against the running miner by the verification rule named in ``rule``."""

    kind: Literal["live"]
    rule: str

    @field_validator("rule")
    @classmethod
    def _rule_exists(cls, rule: str) -> str:
        if rule not in RULE_IDS:
            raise ValueError(
                f"unknown verification rule {rule!r}; known rules: {', '.join(RULE_IDS)}"
            )
        return rule


class DerivedItem(_Limited):
    """A value computed from other items by a function in :mod:`commission.checklist.calc`.

    ``inputs`` maps the function's parameter names to the ids of the measurement items that
    supply them; the result is judged against ``min``/``max`` like a measurement, and against
    ``max_from`` when the upper limit depends on another item (efficiency on the room).
    """

    kind: Literal["derived"]
    function: str
    inputs: dict[str, Identifier]
    max_from: LimitCurve | None = None

    @model_validator(mode="after")
    def _function_and_inputs_fit(self) -> DerivedItem:
        calculation = calc.CALCULATIONS.get(self.function)
        if calculation is None:
            raise ValueError(
                f"unknown function {self.function!r}; calc.py offers "
                + ", ".join(sorted(calc.CALCULATIONS))
            )
        parameters = inspect.signature(calculation.function).parameters
        required = {name for name, p in parameters.items() if p.default is inspect.Parameter.empty}
        missing = sorted(required - set(self.inputs))
        unknown = sorted(set(self.inputs) - set(parameters))
        if missing or unknown:
            parts = []
            if missing:
                parts.append(f"missing inputs {missing}")
            if unknown:
                parts.append(f"unknown inputs {unknown}")
            raise ValueError(f"{self.function} takes {list(parameters)}: " + "; ".join(parts))
        if self.unit != calculation.unit:
            raise ValueError(
                f"unit {self.unit!r} does not match {self.function}, which gives {calculation.unit!r}"
            )
        return self

    @property
    def limit_text(self) -> str:
        """The limits in words, e.g. ``≥ 3 °C`` or ``≤ 102.7–110.4 J/TH (by room temperature)``."""
        fixed = describe_limits(self.min, self.max, self.unit, self.min_bound, self.max_bound)
        if self.max_from is None:
            return fixed
        limits = [y for _, y in self.max_from.points]
        low, high = min(limits), max(limits)
        span = (
            format_value(high, self.unit)
            if low == high
            else (f"{format_value(low)}–{format_value(high, self.unit)}")
        )
        curve = f"≤ {span} (by {self.max_from.input})"
        return f"{fixed} and {curve}" if fixed else curve


class InfoItem(_Item):
    """A fact to read (a specification figure, what the firmware does on overheating)."""

    kind: Literal["info"]


Item = Annotated[
    ConfirmItem | MeasurementItem | ChoiceItem | TextItem | LiveItem | DerivedItem | InfoItem,
    Field(discriminator="kind"),
]
ITEM_KINDS: Final = ("confirm", "measurement", "choice", "text", "live", "derived", "info")


class Step(_Model):
    """One thing to do at the miner, with the items that record it."""

    id: Identifier
    title: Label
    text: str = ""
    items: tuple[Item, ...] = Field(min_length=1)


class Section(_Model):
    """A chapter of the walkthrough, following a section of the guide."""

    id: Identifier
    title: Label
    guide: GuideSection
    text: str = ""
    steps: tuple[Step, ...] = Field(min_length=1)


class Checklist(_Model):
    """A whole commissioning checklist: identity, version and sections in walkthrough order."""

    id: Identifier
    version: int = Field(ge=1)
    """Bumped when items change; item ids stay stable across versions."""
    title: Label
    model: Label
    """The miner model this checklist is for."""
    guide: Label
    """The document the guide section numbers refer to."""
    sections: tuple[Section, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _cross_references_hold(self) -> Checklist:
        problems = cross_reference_problems(self.model_dump(mode="python"))
        if problems:
            raise CrossReferenceError(problems)
        return self

    def items(self) -> Iterator[tuple[Section, Step, Item]]:
        """Every item in walkthrough order, with its section and step."""
        for section in self.sections:
            for step in section.steps:
                for item in step.items:
                    yield section, step, item

    def item(self, item_id: str) -> Item:
        """The item with ``item_id``; KeyError naming the id when there is none."""
        for _, _, item in self.items():
            if item.id == item_id:
                return item
        raise KeyError(f"checklist {self.id!r} has no item {item_id!r}")

    def locate(self, item_id: str) -> tuple[Section, Step]:
        """The section and step that hold ``item_id``; KeyError when there is none."""
        for section, step, item in self.items():
            if item.id == item_id:
                return section, step
        raise KeyError(f"checklist {self.id!r} has no item {item_id!r}")

    def section(self, section_id: str) -> Section:
        """The section with ``section_id``; KeyError when there is none."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(f"checklist {self.id!r} has no section {section_id!r}")


class Problem(_Model):
    """One mistake in a checklist: where it is and what is wrong."""

    path: str
    """Key path such as ``sections[2].steps[0].items[3].max``; empty for the whole file."""
    message: str
    item_id: str | None = None
    line: int | None = None
    """Line in the file, for syntax errors (TOML has no positions for values)."""

    def describe(self, source: str) -> str:
        """One line naming the file, the place and the item, then the mistake."""
        where = [source]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.path:
            where.append(self.path)
        if self.item_id:
            where.append(f"item {self.item_id}")
        return f"{': '.join(where)}: {self.message}"


class CrossReferenceError(ValueError):
    """Raised by :class:`Checklist` validation with every cross-reference problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = problems


def cross_reference_problems(checklist: Mapping[str, Any]) -> list[Problem]:
    """Duplicate ids and broken derived-item inputs in a checklist given as plain data.

    Works on raw TOML data as well as on a dumped model, skipping parts that are malformed (the
    schema check reports those), so the loader can list these problems together with schema errors.
    """
    problems: list[Problem] = []
    item_places: dict[str, str] = {}
    item_kinds: dict[str, object] = {}
    derived: list[tuple[str, str, Mapping[str, Any]]] = []
    item_options: dict[str, object] = {}
    conditions: list[tuple[str, str, Mapping[str, Any]]] = []
    curves: list[tuple[str, str, object]] = []
    section_places: dict[str, str] = {}
    step_places: dict[str, str] = {}

    def note(places: dict[str, str], what: str, ident: object, path: str) -> None:
        if not isinstance(ident, str):
            return
        if ident in places:
            problems.append(
                Problem(
                    path=f"{path}.id",
                    message=f"{what} id {ident!r} is already used at {places[ident]}",
                    item_id=ident if what == "item" else None,
                )
            )
        else:
            places[ident] = path

    for s, section in _dicts(checklist.get("sections")):
        section_path = f"sections[{s}]"
        note(section_places, "section", section.get("id"), section_path)
        for t, step in _dicts(section.get("steps")):
            step_path = f"{section_path}.steps[{t}]"
            note(step_places, "step", step.get("id"), step_path)
            for i, item in _dicts(step.get("items")):
                item_path = f"{step_path}.items[{i}]"
                note(item_places, "item", item.get("id"), item_path)
                if isinstance(item.get("id"), str):
                    item_kinds.setdefault(item["id"], item.get("kind"))
                    item_options.setdefault(item["id"], item.get("options"))
                if item.get("kind") == "derived" and isinstance(item.get("inputs"), Mapping):
                    derived.append((item_path, str(item.get("id")), item["inputs"]))
                if isinstance(item.get("allowance"), Mapping):
                    conditions.append((item_path, str(item.get("id")), item["allowance"]))
                if isinstance(item.get("max_from"), Mapping):
                    curves.append((item_path, str(item.get("id")), item["max_from"].get("input")))

    for path, item_id, inputs in derived:
        for parameter, source in inputs.items():
            if source not in item_kinds:
                problems.append(
                    Problem(
                        path=f"{path}.inputs.{parameter}",
                        message=f"input {source!r} is not an item of this checklist",
                        item_id=item_id,
                    )
                )
            elif item_kinds[source] not in ("measurement", "derived"):
                problems.append(
                    Problem(
                        path=f"{path}.inputs.{parameter}",
                        message=(
                            f"input {source!r} is a {item_kinds[source]} item; "
                            "inputs must be measurement or derived items"
                        ),
                        item_id=item_id,
                    )
                )
    for path, item_id, curve_input in curves:
        if not isinstance(curve_input, str):
            continue
        kind = item_kinds.get(curve_input)
        if kind not in ("measurement", "derived"):
            found = "is not an item of this checklist" if kind is None else f"is a {kind} item"
            problems.append(
                Problem(
                    path=f"{path}.max_from.input",
                    message=f"{curve_input!r} {found}; the limit must follow a measured value",
                    item_id=item_id,
                )
            )
    for path, item_id, allowance in conditions:
        problems.extend(_condition_problems(path, item_id, allowance, item_kinds, item_options))
    return problems


def _condition_problems(
    path: str,
    item_id: str,
    allowance: Mapping[str, Any],
    item_kinds: Mapping[str, object],
    item_options: Mapping[str, object],
) -> list[Problem]:
    when, answer = allowance.get("when"), allowance.get("answer", "yes")
    if not isinstance(when, str):
        return []
    kind = item_kinds.get(when)
    message = ""
    if kind is None:
        message = f"{when!r} is not an item of this checklist"
    elif kind == "confirm" and answer != "yes":
        message = f"{when!r} is a confirmation; its granting answer must be 'yes'"
    elif kind == "choice":
        options = item_options.get(when)
        if isinstance(options, list | tuple) and answer not in options:
            message = f"answer {answer!r} is not one of the options of {when!r}"
    elif kind != "confirm":
        message = f"{when!r} is a {kind} item; an allowance follows a confirm or choice item"
    if not message:
        return []
    return [Problem(path=f"{path}.allowance.when", message=message, item_id=item_id)]


def _dicts(value: object) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if isinstance(value, list | tuple):
        for index, element in enumerate(value):
            if isinstance(element, Mapping):
                yield index, element


def check_limits(
    low: float | None, high: float | None, typical: float | None, name: str = "typical"
) -> None:
    """ValueError when ``low`` exceeds ``high`` or ``typical`` (or ``name``) lies outside them."""
    if low is not None and high is not None and low > high:
        raise ValueError(f"min {format_value(low)} is greater than max {format_value(high)}")
    if typical is not None:
        if low is not None and typical < low:
            raise ValueError(f"{name} {format_value(typical)} is below min {format_value(low)}")
        if high is not None and typical > high:
            raise ValueError(f"{name} {format_value(typical)} is above max {format_value(high)}")


def format_value(value: float, unit: str = "") -> str:
    """A number as people write it (``2,040``, ``0.99``, ``12.12``), with its unit if any."""
    if value == int(value) and abs(value) < 1e15:
        number = f"{int(value):,}"
    else:
        number = f"{value:,.12g}"
    return f"{number} {unit}" if unit else number


def describe_limits(
    low: float | None,
    high: float | None,
    unit: str,
    low_bound: Bound = Bound.INCLUSIVE,
    high_bound: Bound = Bound.INCLUSIVE,
) -> str:
    """Limits in words: ``11.88–12.12 V``, ``≥ 170 A``, ``< 1 %``; empty when there are none."""
    inclusive = (low_bound, high_bound) == (Bound.INCLUSIVE, Bound.INCLUSIVE)
    if low is not None and high is not None and inclusive:
        return f"{format_value(low)}–{format_value(high, unit)}"
    parts = []
    if low is not None:
        parts.append(f"{'≥' if low_bound is Bound.INCLUSIVE else '>'} {format_value(low, unit)}")
    if high is not None:
        parts.append(f"{'≤' if high_bound is Bound.INCLUSIVE else '<'} {format_value(high, unit)}")
    return " and ".join(parts)
