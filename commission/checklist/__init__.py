"""The commissioning checklist: pydantic models, the TOML loader, answer judging and calculations.

The checklist is data (``checklists/s9-hydro.toml``); this package gives it types, reads it with
messages that point at mistakes, judges answers against its limits, and computes derived values.
It sits low in the layers (L1), so it knows nothing of miners, jobs or front ends.
"""

from commission.checklist.evaluate import (
    NO_CONTEXT,
    AnswerContext,
    Verdict,
    VerdictStatus,
    evaluate_choice,
    evaluate_derived,
    evaluate_measurement,
    evaluate_text,
    parse_number,
)
from commission.checklist.loader import load_builtin, load_checklist, validate_file
from commission.checklist.models import (
    LIVE_READINGS,
    RULE_IDS,
    Allowance,
    Bound,
    Checklist,
    ChoiceItem,
    ConfirmItem,
    DerivedItem,
    Figure,
    InfoItem,
    Item,
    LimitCurve,
    LiveItem,
    MeasurementItem,
    Section,
    Severity,
    Step,
    TextItem,
)
from commission.checklist.numbers import Question, Reading, Rejection, read_quantity

__all__ = [
    "LIVE_READINGS",
    "NO_CONTEXT",
    "RULE_IDS",
    "Allowance",
    "AnswerContext",
    "Bound",
    "Checklist",
    "ChoiceItem",
    "ConfirmItem",
    "DerivedItem",
    "Figure",
    "InfoItem",
    "Item",
    "LimitCurve",
    "LiveItem",
    "MeasurementItem",
    "Question",
    "Reading",
    "Rejection",
    "Section",
    "Severity",
    "Step",
    "TextItem",
    "Verdict",
    "VerdictStatus",
    "evaluate_choice",
    "evaluate_derived",
    "evaluate_measurement",
    "evaluate_text",
    "load_builtin",
    "load_checklist",
    "parse_number",
    "read_quantity",
    "validate_file",
]
