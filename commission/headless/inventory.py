"""The farm inventory: one CSV file that ``discover --scan --save`` writes and ``--listen --label``
appends to, and that ``--verify --hosts-file`` reads back.

A row is one miner as one source saw it: its address (``HOST`` or ``HOST:PORT``), MAC, the
shelf/step/position label given at its button, what the scan made of it (``kind``, model,
firmware) and when. CSV because a farm opens it in a spreadsheet; a fixed header line so a reader
can tell an inventory from a plain hosts file, and so a file of another shape is refused, not
misread. Appending never rewrites earlier rows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

COLUMNS: Final = ("address", "mac", "label", "kind", "model", "firmware", "seen_at", "source")
HEADER: Final = ",".join(COLUMNS)
MAC: Final = re.compile(r"^[0-9A-F]{2}(?::[0-9A-F]{2}){5}$")

KIND_S9_HYDRO: Final = "s9-hydro"
KIND_OTHER_MINER: Final = "other-miner"
KIND_NOT_A_MINER: Final = "not-a-miner"
KIND_SILENT: Final = "silent"
KINDS: Final = (KIND_S9_HYDRO, KIND_OTHER_MINER, KIND_NOT_A_MINER, KIND_SILENT)

SOURCE_SCAN: Final = "scan"
SOURCE_BUTTON: Final = "button"


class InventoryError(ValueError):
    """An inventory that cannot be read or written; the message names the file and line."""


@dataclass(frozen=True)
class InventoryRow:
    """One miner as one source saw it (every value a plain string; empty when not known)."""

    address: str
    mac: str = ""
    label: str = ""
    kind: str = ""
    model: str = ""
    firmware: str = ""
    seen_at: str = ""
    source: str = ""
    line: int = 0
    """Line of the file the row was read from (0 for a row not read from a file)."""

    def values(self) -> list[str]:
        """The row's cells in :data:`COLUMNS` order."""
        return [getattr(self, name) for name in COLUMNS]


def normal_mac(text: str) -> str:
    """``aa-bb-cc-dd-ee-ff`` or ``aa:bb:...`` -> ``AA:BB:CC:DD:EE:FF`` (empty stays empty).

    Raises:
        InventoryError: for text that is not a MAC address.
    """
    mac = text.strip().upper().replace("-", ":")
    if mac and not MAC.match(mac):
        raise InventoryError(f"{text!r} is not a MAC address")
    return mac


def is_inventory(text: str) -> bool:
    """True when the first line that is not blank or a comment is the inventory header."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped.replace(" ", "") == HEADER
    return False


def read_text(text: str, name: str) -> list[InventoryRow]:
    """The rows of an inventory's text; ``name`` is used in messages.

    Raises:
        InventoryError: a row with the wrong number of cells, an empty address, a bad MAC or an
            unknown kind, naming the line.
    """
    rows: list[InventoryRow] = []
    header_seen = False
    problems: list[str] = []
    reader = csv.reader(io.StringIO(text))
    for cells in reader:
        number = reader.line_num
        if not cells or not "".join(cells).strip() or cells[0].lstrip().startswith("#"):
            continue
        if not header_seen:
            if [cell.strip() for cell in cells] != list(COLUMNS):
                raise InventoryError(f"{name} line {number}: the header must be {HEADER!r}")
            header_seen = True
            continue
        if len(cells) != len(COLUMNS):
            problems.append(f"{name} line {number}: {len(cells)} cells, expected {len(COLUMNS)}")
            continue
        values = dict(zip(COLUMNS, (cell.strip() for cell in cells), strict=True))
        if not values["address"]:
            problems.append(f"{name} line {number}: the address is empty")
            continue
        try:
            values["mac"] = normal_mac(values["mac"])
        except InventoryError as error:
            problems.append(f"{name} line {number}: {error}")
            continue
        if values["kind"] and values["kind"] not in KINDS:
            problems.append(
                f"{name} line {number}: kind {values['kind']!r} is not one of {', '.join(KINDS)}"
            )
            continue
        rows.append(InventoryRow(**values, line=number))
    if problems:
        raise InventoryError("\n  ".join(problems))
    return rows


def read(path: str | Path) -> list[InventoryRow]:
    """Read an inventory file.

    Raises:
        InventoryError: the file is missing, unreadable or malformed.
    """
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InventoryError(f"cannot read the inventory {str(target)!r}: {error}") from None
    return read_text(text, str(target))


def _csv_line(values: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(list(values))
    return buffer.getvalue()


def write(path: str | Path, rows: Iterable[InventoryRow]) -> int:
    """Write a new inventory (replacing the file); returns the number of rows written.

    Raises:
        InventoryError: the file cannot be written.
    """
    target = Path(path)
    lines = [HEADER + "\n"] + [_csv_line(row.values()) for row in rows]
    try:
        target.write_text("".join(lines), encoding="utf-8")
    except OSError as error:
        raise InventoryError(
            f"cannot write the inventory {str(target)!r}: {error.strerror}"
        ) from None
    return len(lines) - 1


class Appender:
    """Appends rows to an inventory as they come, flushing each one (a press is never lost).

    A missing or empty file gets the header first; an existing file must start with it.

    Raises:
        InventoryError: the file is not an inventory, or cannot be opened.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            existing = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        except (OSError, UnicodeDecodeError) as error:
            raise InventoryError(f"cannot read the inventory {str(self.path)!r}: {error}") from None
        if existing.strip() and not is_inventory(existing):
            raise InventoryError(
                f"{self.path} is not an inventory (its first line is not {HEADER!r}); "
                "refusing to append to it"
            )
        try:
            self._file = self.path.open("a", encoding="utf-8")
        except OSError as error:
            raise InventoryError(f"cannot open the inventory {str(self.path)!r}: {error}") from None
        if not existing.strip():
            self._file.write(HEADER + "\n")
        elif not existing.endswith("\n"):
            self._file.write("\n")
        self._file.flush()

    def append(self, row: InventoryRow) -> None:
        """Write one row and flush it to the file."""
        self._file.write(_csv_line(row.values()))
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        self._file.close()
