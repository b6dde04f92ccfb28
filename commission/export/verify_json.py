"""The verification result as JSON with a stable, versioned schema (``commission.verify/1``).

Scripts and fleet dashboards read this, so the document is built field by field here rather than
dumped from the models: renaming a model attribute cannot silently change the schema. Adding a
field is compatible; renaming or removing one needs ``commission.verify/2``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from commission import __version__
from commission.miner.models import Identity
from commission.results import Outcome, Status
from commission.verify.report import MinerReport, SoakSeries

SCHEMA: Final = "commission.verify/1"


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    """One outcome as a JSON object."""
    return {
        "rule": outcome.rule_id,
        "item": outcome.item_id,
        "section": outcome.section,
        "title": outcome.title,
        "status": outcome.status.value,
        "expected": outcome.expected,
        "observed": outcome.observed,
        "action": outcome.action,
        "guide_ref": outcome.guide_ref,
        "at": _time(outcome.at),
        "evidence": [
            {"label": e.label, "value": e.value, "source": e.source} for e in outcome.evidence
        ],
    }


def _identity_json(identity: Identity | None) -> dict[str, Any] | None:
    if identity is None:
        return None
    return {
        "type": identity.miner_type,
        "compile_time": identity.compile_time,
        "firmware_date": _time(identity.firmware_date),
        "mac": identity.mac,
        "hostname": identity.hostname,
        "ip_address": identity.ip_address,
    }


def _soak_json(series: SoakSeries | None) -> dict[str, Any] | None:
    if series is None:
        return None
    return {
        "minutes": series.minutes,
        "interval_s": series.interval_s,
        "samples": [
            {
                "offset_s": s.offset_s,
                "elapsed_s": s.elapsed_s,
                "ghs_5s": s.ghs_5s,
                "pcb_c": {str(board): t for board, t in sorted(s.pcb_c.items())},
                "chip_max_c": s.chip_max_c,
                "fans_turning": s.fans_turning,
                "error": s.error,
            }
            for s in series.samples
        ],
    }


def report_json(report: MinerReport) -> dict[str, Any]:
    """One miner's report as a JSON object."""
    return {
        "host": report.host,
        "reachable": report.reachable,
        "status": report.status.value,
        "started_at": _time(report.started_at),
        "finished_at": _time(report.finished_at),
        "identity": _identity_json(report.identity),
        "counts": report.counts(),
        "outcomes": [outcome_json(outcome) for outcome in report.outcomes],
        "soak": _soak_json(report.soak),
    }


def verify_document(
    reports: Sequence[MinerReport],
    *,
    exit_code: int,
    strict: bool,
    sections: Mapping[str, str],
    generated_at: datetime | None = None,
) -> dict[str, Any]:
    """The whole ``commission.verify/1`` document.

    Args:
        reports: one per miner, in the order given on the command line.
        exit_code: the exit code the run ends with.
        strict: whether warnings counted as failures.
        sections: section id -> title, in checklist order.
        generated_at: when the document was made (default: now).
    """
    miners_by_status = {status.value: 0 for status in Status}
    for report in reports:
        miners_by_status[report.status.value] += 1
    return {
        "schema": SCHEMA,
        "tool": {"name": "commission", "version": __version__},
        "generated_at": _time(generated_at or datetime.now(UTC)),
        "strict": strict,
        "exit_code": int(exit_code),
        "sections": [{"id": key, "title": title} for key, title in sections.items()],
        "summary": {"miners": len(reports), "by_status": miners_by_status},
        "miners": [report_json(report) for report in reports],
    }


def dumps(document: Mapping[str, Any]) -> str:
    """The document as indented JSON text (UTF-8 safe, keys in schema order)."""
    return json.dumps(document, indent=2, ensure_ascii=False)
