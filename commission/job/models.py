"""The job record: who commissions which miner where, every answer with its history, and results.

A job is one JSON document (see :mod:`commission.job.files` for how it is saved). Answers are kept
per checklist item id as a list of entries, oldest first, so a corrected reading keeps the reading
it replaced; the last entry is the current answer. Secrets never enter the model: an entry for a
password records only that it was set.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from commission.results import Outcome

JOB_SCHEMA: Final = "commission.job/1"
SECRET_MARK: Final = "(set)"
"""What an entry for a secret item holds instead of the value."""
MAC_PATTERN: Final = r"^(?:[0-9A-F]{2}(?::[0-9A-F]{2}){5})?$"


def utc_now() -> datetime:
    """The current time in UTC (the default clock of jobs)."""
    return datetime.now(UTC)


class Location(BaseModel):
    """Where the miner stands, in the IP Reporter's shelf / step / position terms."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    shelf: str = ""
    step: str = ""
    position: str = ""

    def label(self) -> str:
        """``shelf 3 / step 2 / position 14``, or empty when nothing is set."""
        parts = [
            f"{name} {value}"
            for name, value in (
                ("shelf", self.shelf),
                ("step", self.step),
                ("position", self.position),
            )
            if value
        ]
        return " / ".join(parts)


class Position(BaseModel):
    """Where in the checklist the technician is: a section and a step within it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    section: str
    step: str


class Entry(BaseModel):
    """One answer to one item at one moment.

    ``value`` is what was typed or chosen (``yes`` for a confirmation, :data:`SECRET_MARK` for a
    secret). For measurements and derived values ``number`` and ``unit`` hold the parsed value;
    ``status`` and ``reason`` hold the verdict when the item was judged.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str
    at: datetime
    number: float | None = None
    unit: str = ""
    status: str = ""
    """``pass``, ``fail``, ``invalid``, ``incomplete``, or empty when not judged."""
    reason: str = ""
    secret: bool = False
    """True when the item is a secret: ``value`` is then :data:`SECRET_MARK`, never the secret."""
    note: str = ""

    @model_validator(mode="after")
    def _secret_holds_no_value(self) -> Entry:
        if self.secret and self.value != SECRET_MARK:
            raise ValueError(f"an entry for a secret may only hold {SECRET_MARK!r}, not a value")
        return self


class Job(BaseModel):
    """One commissioning job, from the first answer to the last verification result."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    schema_: Literal["commission.job/1"] = Field(default=JOB_SCHEMA, alias="schema")
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    technician: str = Field(min_length=1)
    site: str = Field(min_length=1)
    miner_serial: str = ""
    miner_mac: str = Field(default="", pattern=MAC_PATTERN)
    """Upper-case ``XX:XX:XX:XX:XX:XX``, or empty until known."""
    miner_host: str = ""
    """The miner's address once found (IP Report or typed in)."""
    location: Location = Location()
    checklist_id: str
    checklist_version: int = Field(ge=1)
    answers: dict[str, list[Entry]] = {}
    """Per item id, every answer in the order given; the last one is current."""
    position: Position | None = None
    """The step to reopen at; None before the walkthrough starts."""
    results: list[Outcome] = []
    created: datetime = Field(default_factory=utc_now)
    updated: datetime = Field(default_factory=utc_now)

    @field_validator("miner_mac", mode="before")
    @classmethod
    def _normal_mac(cls, mac: object) -> object:
        return mac.strip().upper().replace("-", ":") if isinstance(mac, str) else mac

    @field_validator("answers")
    @classmethod
    def _no_empty_histories(cls, answers: dict[str, list[Entry]]) -> dict[str, list[Entry]]:
        empty = [item_id for item_id, history in answers.items() if not history]
        if empty:
            raise ValueError(f"items {empty} have an empty answer history")
        return answers

    def current(self, item_id: str) -> Entry | None:
        """The latest answer to ``item_id``, or None when it has none."""
        history = self.answers.get(item_id)
        return history[-1] if history else None

    def history(self, item_id: str) -> list[Entry]:
        """Every answer to ``item_id``, oldest first."""
        return list(self.answers.get(item_id, ()))

    def numbers(self) -> dict[str, float | None]:
        """Current numeric value per item id (the inputs derived items are computed from)."""
        return {item_id: history[-1].number for item_id, history in self.answers.items()}

    def to_json(self) -> str:
        """The job as the JSON text stored in a job file."""
        return self.model_dump_json(by_alias=True, indent=2) + "\n"
