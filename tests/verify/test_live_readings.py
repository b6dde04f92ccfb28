"""The miner readings that checklist answers are compared with (the typed firmware date)."""

from __future__ import annotations

from commission.checklist import AnswerContext, TextItem, VerdictStatus, evaluate_text, load_builtin
from commission.checklist.models import LIVE_READINGS
from commission.verify.bindings import live_readings
from tests.verify.snapshots import healthy


def test_the_firmware_date_is_read_as_the_guide_writes_it() -> None:
    readings = live_readings(healthy())
    assert readings == {"firmware-date": "20180820"}
    assert set(readings) <= set(LIVE_READINGS)


def test_nothing_is_offered_without_a_snapshot_or_a_date() -> None:
    assert live_readings(None) == {}
    snapshot = healthy()
    assert snapshot.identity is not None
    undated = snapshot.model_copy(
        update={"identity": snapshot.identity.model_copy(update={"firmware_date": None})}
    )
    assert live_readings(undated) == {}


def test_the_typed_date_is_judged_against_the_snapshot() -> None:
    item = load_builtin().item("admin.firmware-version")
    assert isinstance(item, TextItem)
    context = AnswerContext(live=live_readings(healthy()))
    assert evaluate_text(item, "20180820", context).status is VerdictStatus.PASS
    assert evaluate_text(item, "20180821", context).status is VerdictStatus.FAIL
