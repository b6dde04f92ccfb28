"""The whole job record as JSON, under the versioned schema ``commission.report/2``.

Built field by field (never dumped from the models) so renaming an attribute cannot change the
schema silently. Every item carries its words (what was checked, the limit, the reading, the
action) next to the machine fields (ids, numbers, units, statuses, times), and every live check
its latest result and its whole history. docs/report-schema.md describes every field. Adding a
field is compatible; renaming or removing one needs ``commission.report/3``.

Changes from ``commission.report/1``: the verdict with its reasons, the simulated flag and stamp,
the miner sources, per-item words (``checked``, ``limit``, ``reading``, ``note``, ``action``), the
live result per item (``live.latest`` and ``live.history`` instead of one flat ``outcomes``
list), sources of readings in words, the soak runs with their series, the self-tests and what was
written to the miner.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from commission import __version__
from commission.checklist.models import Checklist, LiveItem
from commission.export.document import Document, Row
from commission.export.verify_json import outcome_json
from commission.export.words import source_words
from commission.job import Entry, Job, JobVerdict, LiveCheck, SelfTestRun, SoakRun
from commission.results import Outcome

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
        evidence["source_words"] = source_words(source.source)
    return document


def _soak(run: SoakRun) -> dict[str, Any]:
    return {
        "started_at": _time(run.started_at),
        "finished_at": _time(run.finished_at),
        "minutes": run.minutes,
        "interval_s": run.interval_s,
        "stopped": run.stopped,
        "outcome": None if run.outcome is None else _outcome(run.outcome),
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
            for sample in run.samples
        ],
    }


def _live(check: LiveCheck) -> dict[str, Any]:
    return {
        "rule": check.rule_id,
        "latest": _outcome(check.latest),
        "readings": check.readings,
        "history": [
            {
                "status": span.status.value,
                "first_at": _time(span.first_at),
                "last_at": _time(span.last_at),
                "count": span.count,
                "observed": span.observed,
            }
            for span in check.spans
        ],
        "history_dropped": check.spans_dropped,
    }


def _verdict(verdict: JobVerdict) -> dict[str, Any]:
    return {
        "word": verdict.word,
        "headline": verdict.headline,
        "strict": verdict.strict,
        "reasons": [
            {
                "severity": reason.severity.value,
                "item": reason.item_id,
                "check": reason.check_id or None,
                "title": reason.title,
                "text": reason.text,
                "section": reason.section,
                "status": None if reason.status is None else reason.status.value,
                "at": _time(reason.at),
                "required": reason.required,
            }
            for reason in verdict.reasons
        ],
    }


def _selftest(run: SelfTestRun) -> dict[str, Any]:
    return {
        "at": _time(run.at),
        "implementation": run.implementation,
        "passed": run.passed,
        "tiers": [
            {"tier": tier.tier, "passed": tier.passed, "detail": tier.detail, "mhs": tier.mhs}
            for tier in run.tiers
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
            check = job.live.get(item.rule)
            entry["live"] = None if check is None else _live(check)
        items.append(entry)
    other = [
        {**_row_words(rows[row.item_id]), **_live(job.live[row.item_id])}
        for row in document.other_checks
    ]
    return {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "commission", "version": __version__},
        "generated_at": _time(generated_at or datetime.now(UTC)),
        "simulated": job.simulated,
        "stamp": job.simulated_notice or None,
        "verdict": _verdict(document.verdict),
        "job": {
            "id": job.id,
            "job_schema": job.schema_,
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
        "sources": [
            {
                "simulated": source.simulated,
                "scenario": source.scenario,
                "host": source.host,
                "first_at": _time(source.first_at),
            }
            for source in job.sources
        ],
        "items": items,
        "other_checks": other,
        "soaks": [_soak(run) for run in job.soaks],
        "selftests": [_selftest(run) for run in job.selftests],
        "miner_writes": [
            {"kind": write.kind, "at": _time(write.at), "ok": write.ok, "detail": write.detail}
            for write in job.miner_writes
        ],
        "unknown_answers": list(document.unknown_answers),
    }
