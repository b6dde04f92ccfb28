"""A job as JUnit XML: every checklist item and every live check a test case with a stable name.

One ``testsuite`` per checklist section; each test case is named ``<item id>: <title>`` (item ids
never change between checklist versions) with the class name ``<checklist id>.<section id>``, so
a CI system tracks the same case from one run to the next. FAIL is a ``failure``; NOT JUDGED and
ERROR are ``error``; an open item is ``skipped`` with "not done yet" (an open item never passes);
reference items are ``skipped`` with "for reference". WARN passes with its text in
``system-out``. Every suite carries properties for the miner, the verdict and the simulated flag.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Final

from commission.export.document import Document, Row
from commission.results import Status

_FAILURE: Final = {Status.FAIL}
_ERROR: Final = {Status.ERROR, Status.UNJUDGED}


def _body(row: Row) -> str:
    lines = [f"checked: {row.checked}", f"limit: {row.limit}", f"reading: {row.reading}"]
    if row.note:
        lines.append(f"why: {row.note}")
    if row.action:
        lines.append(f"what to do: {row.action}")
    if row.place:
        lines.append(f"where: {row.place}")
    if row.at is not None:
        lines.append(f"at: {row.at.isoformat()}")
    lines.extend(f"reading: {line}" for line in row.evidence)
    lines.extend(f"earlier: {line}" for line in row.earlier)
    return "\n".join(lines)


def _case(suite: ET.Element, classname: str, row: Row) -> str:
    case = ET.SubElement(
        suite, "testcase", classname=classname, name=f"{row.item_id}: {row.title}", time="0"
    )
    status = row.status
    if status is None:
        message = "for reference" if row.kind == "info" else row.note or "not done yet"
        ET.SubElement(case, "skipped", message=message)
        return "skipped"
    summary = row.shown_note or row.reading or row.word
    if status in _FAILURE:
        node = ET.SubElement(case, "failure", message=summary, type=status.value)
        node.text = _body(row)
        return "failures"
    if status in _ERROR:
        node = ET.SubElement(case, "error", message=summary, type=status.value)
        node.text = _body(row)
        return "errors"
    if status is Status.SKIPPED:
        ET.SubElement(case, "skipped", message=row.reading or "does not apply")
        return "skipped"
    if status is Status.WARN:
        ET.SubElement(case, "system-out").text = f"WARN\n{_body(row)}"
    return "passed"


def _properties(suite: ET.Element, document: Document) -> None:
    properties = ET.SubElement(suite, "properties")
    values = dict(document.details)
    for name, label in (
        ("miner_serial", "Miner serial"),
        ("miner_mac", "Miner MAC"),
        ("miner_address", "Miner address"),
        ("technician", "Technician"),
        ("site", "Site"),
    ):
        ET.SubElement(properties, "property", name=name, value=values.get(label, ""))
    ET.SubElement(properties, "property", name="verdict", value=document.verdict.word)
    ET.SubElement(properties, "property", name="verdict_headline", value=document.verdict.headline)
    for number, line in enumerate(document.reason_lines(), start=1):
        ET.SubElement(properties, "property", name=f"verdict_reason_{number}", value=line)
    ET.SubElement(properties, "property", name="simulated", value=str(document.simulated).lower())
    if document.simulated:
        ET.SubElement(properties, "property", name="stamp", value=document.stamp)


def job_junit_xml(document: Document, checklist_id: str) -> str:
    """JUnit XML text for the job whose report is ``document``."""
    serial = dict(document.details).get("Miner serial", "")
    root = ET.Element("testsuites", name=f"commission job {serial}".strip())
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    groups = [
        (section.id, f"{section.number}. {section.title}", section.rows)
        for section in document.sections
    ]
    if document.other_checks:
        groups.append(("other", "Other live checks", document.other_checks))
    for section_id, title, rows in groups:
        suite = ET.SubElement(root, "testsuite", name=title)
        _properties(suite, document)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for row in rows:
            counts["tests"] += 1
            kind = _case(suite, f"{checklist_id}.{section_id}", row)
            if kind in counts:
                counts[kind] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
