"""Reading checklist files: TOML syntax, the schema, and messages that point at the mistake.

The built-in S9 Hydro checklist ships inside the package (``commission.checklist.files``, which is
the top-level ``checklists/`` folder) and is read with :mod:`importlib.resources`, so it is found
after a plain ``pip install .`` as well as in a source checkout. Every problem is reported with the
file, the line (syntax errors) or the key path (schema errors), and the item id when known.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from commission.checklist.models import (
    ITEM_KINDS,
    Checklist,
    CrossReferenceError,
    Problem,
    cross_reference_problems,
)
from commission.errors import ChecklistError

BUILTIN_PACKAGE: Final = "commission.checklist.files"
BUILTIN_FILE: Final = "s9-hydro.toml"
BUILTIN_LABEL: Final = f"checklists/{BUILTIN_FILE}"
"""How messages name the built-in file (its place in the source tree)."""

_TOML_POSITION: Final = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)$")


def builtin_text() -> str:
    """The text of the built-in S9 Hydro checklist."""
    try:
        return resources.files(BUILTIN_PACKAGE).joinpath(BUILTIN_FILE).read_text("utf-8")
    except (ModuleNotFoundError, OSError) as error:
        raise ChecklistError(
            f"the built-in checklist {BUILTIN_LABEL} is missing from this installation ({error}); "
            "reinstall the package"
        ) from error


def load_builtin() -> Checklist:
    """The built-in S9 Hydro checklist, validated."""
    return parse_checklist(builtin_text(), BUILTIN_LABEL)


def load_checklist(path: str | Path | None = None) -> Checklist:
    """Load and validate a checklist file; the built-in one when ``path`` is None.

    Raises:
        ChecklistError: naming the file and listing every problem, one per line.
    """
    if path is None:
        return load_builtin()
    return parse_checklist(_read(Path(path)), str(path))


def validate_file(path: str | Path) -> tuple[Checklist | None, list[str]]:
    """Check a checklist file and list every problem as a message, without raising for them.

    Returns:
        ``(checklist, [])`` when the file is valid, else ``(None, messages)``.
    """
    try:
        text = _read(Path(path))
    except ChecklistError as error:
        return None, [str(error)]
    checklist, problems = check_text(text)
    return checklist, [problem.describe(str(path)) for problem in problems]


def parse_checklist(text: str, source: str) -> Checklist:
    """Validate checklist TOML text; ``source`` names the file in messages.

    Raises:
        ChecklistError: listing every problem, each naming ``source`` and where in it.
    """
    checklist, problems = check_text(text)
    if checklist is None:
        lines = [problem.describe(source) for problem in problems]
        count = f"{len(lines)} problem{'s' if len(lines) != 1 else ''}"
        raise ChecklistError(
            f"{source} is not a valid checklist ({count}):\n  " + "\n  ".join(lines)
        )
    return checklist


def check_text(text: str) -> tuple[Checklist | None, list[Problem]]:
    """Parse and validate checklist TOML text into a model or a list of problems."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        line = int(position["line"]) if position else None
        if position:
            message = f"{message[: position.start()]} (column {position['column']})"
        return None, [Problem(path="", line=line, message=f"TOML syntax error: {message}")]
    try:
        return Checklist.model_validate(raw), []
    except ValidationError as error:
        problems, cross_checked = _problems_from(error, raw)
    if not cross_checked:
        # Field errors stop pydantic before the whole-checklist check; run it on the raw data so
        # one pass lists duplicate ids and broken inputs too.
        problems.extend(cross_reference_problems(raw))
    return None, problems


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        raise ChecklistError(f"{path}: no such checklist file") from None
    except IsADirectoryError:
        raise ChecklistError(f"{path}: is a folder, not a checklist file") from None
    except UnicodeDecodeError as error:
        raise ChecklistError(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    except OSError as error:
        raise ChecklistError(f"{path}: cannot be read ({error.strerror})") from None


def _problems_from(error: ValidationError, raw: dict[str, Any]) -> tuple[list[Problem], bool]:
    """The problems in ``error``, and whether the cross-reference check was among them."""
    problems: list[Problem] = []
    cross_checked = False
    for detail in error.errors(include_url=False):
        context = detail.get("ctx") or {}
        cause = context.get("error")
        if isinstance(cause, CrossReferenceError):
            problems.extend(cause.problems)
            cross_checked = True
            continue
        location = _clean_location(detail["loc"])
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "extra_forbidden":
            message = "unknown key (a typo?)"
        elif detail["type"] == "union_tag_invalid":
            message = (
                f"unknown kind {detail['input'].get('kind')!r}; use one of {', '.join(ITEM_KINDS)}"
            )
        elif detail["type"] == "union_tag_not_found":
            message = f"item has no kind; use one of {', '.join(ITEM_KINDS)}"
        problems.append(
            Problem(path=_key_path(location), message=message, item_id=_item_id(raw, location))
        )
    return problems, cross_checked


def _clean_location(location: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """Drop the discriminator tag pydantic inserts after an item index (``items, 3, 'live'``)."""
    cleaned: list[int | str] = []
    for index, part in enumerate(location):
        if (
            index >= 2
            and location[index - 2] == "items"
            and isinstance(location[index - 1], int)
            and part in ITEM_KINDS
        ):
            continue
        cleaned.append(part)
    return tuple(cleaned)


def _key_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _item_id(raw: dict[str, Any], location: tuple[int | str, ...]) -> str | None:
    """The id of the item that ``location`` points into, when it has a readable one."""
    node: Any = raw
    for index, part in enumerate(location):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
        if index >= 1 and location[index - 1] == "items" and isinstance(node, dict):
            item_id = node.get("id")
            return item_id if isinstance(item_id, str) else None
    return None
