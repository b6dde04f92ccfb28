"""The whole job record as JSON, under the versioned schema ``commission.report/2``.

Built field by field (never dumped from the models) so renaming an attribute cannot change the
schema silently. Every item carries its words (what was checked, the limit, the reading, the
action) next to the machine fields (ids, numbers, units, statuses, times), and every live check
its latest result and its whole history. docs/report-schema.md describes every field. Adding a
field is compatible; renaming or removing one needs ``commission.report/3``.

Changes from ``commission.report/1``: the verdict, the simulated flag and stamp, per-item words
(``checked``, ``limit``, ``reading``, ``note``, ``action``), the live result per item
(``live.latest`` and ``live.history`` instead of one flat ``outcomes`` list), sources of readings
in words, the soak series and the self-test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from commission import __version__
from commission.checklist.models import Checklist, LiveItem
from commission.export.document import Document, Row, live_histories
from commission.export.verify_json import outcome_json
from commission.export.words import describe_source
from commission.job import Entry, Job
from commission.results import Outcome
from commission.verify.report import SoakSeries

REPORT_SCHEMA: Final = "commission.report/2"


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _entry(entry: Entry) -> dict[str, Any]:
    return {
        "value": entry.value,
        "number": entry.number,
        "unit": entry.unit,
        "status": entry.status or None,
        "reason": entry.reason,
        "secret_set": entry.secret,
        "note": entry.note,
        "at": _time(entry.at),
    }


def _outcome(outcome: Outcome) -> dict[str, Any]:
    document = outcome_json(outcome)
    for evidence, source in zip(document["evidence"], outcome.evidence, strict=True):
        evidence["source_words"] = describe_source(source.source)
    return document


def _soak(series: SoakSeries | None) -> dict[str, Any] | None:
    if series is None:
        return None
    return {
        "minutes": series.minutes,
        "interval_s": series.interval_s,
        "samples": [
            {
                "offset_s": sample.offset_s,
                "elapsed_s": sample.elapsed_s,
                "ghs_5s": sample.ghs_5s,
                "pcb_c": {str(board): value for board, value in sorted(sample.pcb_c.items())},
                "chip_max_c": sample.chip_max_c,
                "fans_turning": sample.fans_turning,
                "error": sample.error,
            }
            for sample in series.samples
        ],
    }


def _row_words(row: Row) -> dict[str, Any]:
    return {
        "status": None if row.status is None else row.status.value,
        "state": row.word,
        "checked": row.checked,
        "limit": row.limit,
        "reading": row.reading,
        "note": row.note,
        "action": row.action,
        "place": row.place,
        "at": _time(row.at),
        "evidence": list(row.evidence),
    }


def report_document(
    job: Job,
    checklist: Checklist,
    document: Document,
    *,
    generated_at: datetime | None = None,
) -> dict[str, Any]:
    """The ``commission.report/2`` document of ``job``.

    Args:
        job: the record.
        checklist: the checklist it was made with.
        document: the report in words built from them (for the verdict and the words).
        generated_at: when the document was made (default: now).
    """
    rows = {row.item_id: row for row in document.rows()}
    histories = live_histories(job)
    items = []
    for section, step, item in checklist.items():
        entry = {
            "id": item.id,
            "section": section.id,
            "step": step.id,
            "title": item.title,
            "kind": item.kind,
            "severity": item.severity.value,
            "required": item.required,
            "guide": item.guide,
            **_row_words(rows[item.id]),
            "answer": None,
            "history": [_entry(old) for old in job.history(item.id)],
            "live": None,
        }
        current = job.current(item.id)
        if current is not None:
            entry["answer"] = _entry(current)
        if isinstance(item, LiveItem):
            history = histories.get(item.id, [])
            entry["live"] = {
                "latest": _outcome(history[-1]) if history else None,
                "history": [_outcome(outcome) for outcome in history],
            }
        items.append(entry)
    known = {item.id for _s, _t, item in checklist.items()}
    other = [
        {
            "item": item_id,
            **_row_words(rows[item_id]),
            "latest": _outcome(outcomes[-1]),
            "history": [_outcome(outcome) for outcome in outcomes],
        }
        for item_id, outcomes in histories.items()
        if item_id not in known
    ]
    verdict = document.verdict
    return {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "commission", "version": __version__},
        "generated_at": _time(generated_at or datetime.now(UTC)),
        "simulated": document.simulated,
        "stamp": document.stamp or None,
        "verdict": {
            "word": verdict.word,
            "summary": verdict.summary,
            "reasons": list(verdict.reasons),
        },
        "job": {
            "id": job.id,
            "technician": job.technician,
            "site": job.site,
            "miner_serial": job.miner_serial,
            "miner_mac": job.miner_mac,
            "miner_host": job.miner_host,
            "location": {
                "shelf": job.location.shelf,
                "step": job.location.step,
                "position": job.location.position,
            },
            "checklist": {
                "id": job.checklist_id,
                "version": job.checklist_version,
                "title": checklist.title,
            },
            "created": _time(job.created),
            "updated": _time(job.updated),
        },
        "counts": dict(document.counts),
        "items": items,
        "other_checks": other,
        "soak": _soak(document.soak),
        "selftest": [{"label": label, "result": value} for label, value in document.selftest],
        "unknown_answers": list(document.unknown_answers),
    }
