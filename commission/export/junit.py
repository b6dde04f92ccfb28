"""The verification result as JUnit XML, so CI systems and fleet tools can show it.

One ``testsuite`` per miner and one ``testcase`` per outcome (class name = checklist section, name =
rule id). FAIL becomes ``failure``, ERROR ``error``, SKIPPED ``skipped``; WARN passes with its text
in ``system-out`` unless ``strict``, where it becomes a failure, matching the exit code.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from commission.errors import UsageError
from commission.results import Outcome, Status
from commission.verify.report import MinerReport


def _body(outcome: Outcome) -> str:
    lines = [
        f"expected: {outcome.expected}",
        f"observed: {outcome.observed}",
    ]
    if outcome.action:
        lines.append(f"action: {outcome.action}")
    lines.extend(
        f"evidence: {e.label} = {e.value}" + (f" ({e.source})" if e.source else "")
        for e in outcome.evidence
    )
    lines.append(f"checklist item: {outcome.item_id}")
    return "\n".join(lines)


def _testcase(suite: ET.Element, report: MinerReport, outcome: Outcome, strict: bool) -> str:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"{report.host}.{outcome.section or 'verify'}",
        name=f"{outcome.rule_id}: {outcome.title}",
        time="0",
    )
    status = outcome.status
    if status is Status.FAIL or (status is Status.WARN and strict):
        node = ET.SubElement(case, "failure", message=outcome.observed, type=status.value)
        node.text = _body(outcome)
        return "failures"
    if status is Status.ERROR or status is Status.UNJUDGED:
        node = ET.SubElement(case, "error", message=outcome.observed, type=status.value)
        node.text = _body(outcome)
        return "errors"
    if status is Status.SKIPPED:
        ET.SubElement(case, "skipped", message=outcome.observed)
        return "skipped"
    if status is Status.WARN:
        ET.SubElement(case, "system-out").text = f"WARN\n{_body(outcome)}"
    return "passed"


def _suite(
    root: ET.Element | None, report: MinerReport, strict: bool
) -> tuple[ET.Element, dict[str, int]]:
    """One miner's ``testsuite`` (under ``root`` when given) and its counts."""
    attributes = {
        "name": f"commission verify {report.host}",
        "hostname": report.host,
        "timestamp": report.started_at.isoformat(),
        "time": f"{(report.finished_at - report.started_at).total_seconds():.3f}",
    }
    suite = (
        ET.Element("testsuite", attributes)
        if root is None
        else ET.SubElement(root, "testsuite", attributes)
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="reachable", value=str(report.reachable).lower())
    if report.identity is not None:
        ET.SubElement(properties, "property", name="miner_type", value=report.identity.miner_type)
        if report.identity.mac:
            ET.SubElement(properties, "property", name="mac", value=report.identity.mac)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for outcome in report.outcomes:
        counts["tests"] += 1
        kind = _testcase(suite, report, outcome, strict)
        if kind in counts:
            counts[kind] += 1
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite, counts


def junit_xml(reports: Sequence[MinerReport], *, strict: bool = False) -> str:
    """JUnit XML text for the reports.

    Args:
        reports: one per miner.
        strict: report warnings as failures.
    """
    root = ET.Element("testsuites", name="commission verify")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in reports:
        _, counts = _suite(root, report, strict)
        for key, value in counts.items():
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


class JUnitStream:
    """Writes JUnit XML one miner at a time, so a fleet's file never has to fit in memory.

    Suites go to a scratch file beside ``path`` as they come; :meth:`close` writes ``path`` with
    the totals on the root element (which must come first) and copies the suites after it.

    Raises:
        UsageError: the file cannot be written (naming it and the reason).
    """

    def __init__(self, path: str | Path, *, strict: bool = False) -> None:
        self.path = Path(path)
        self.strict = strict
        self._scratch = self.path.with_name(f".{self.path.name}.suites.tmp")
        self.totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        try:
            self._file = self._scratch.open("w", encoding="utf-8")
        except OSError as error:
            raise _unwritable(self.path, error) from None

    def add(self, report: MinerReport) -> None:
        """Append one miner's suite."""
        suite, counts = _suite(None, report, self.strict)
        for key, value in counts.items():
            self.totals[key] += value
        ET.indent(suite, level=1)
        self._file.write("  " + ET.tostring(suite, encoding="unicode").rstrip() + "\n")

    def close(self) -> None:
        """Write the finished file and remove the scratch file."""
        self._file.close()
        root = ET.Element("testsuites", name="commission verify")
        for key, value in self.totals.items():
            root.set(key, str(value))
        opening = ET.tostring(root, encoding="unicode").replace(" />", ">")
        try:
            with (
                self.path.open("w", encoding="utf-8") as out,
                self._scratch.open(encoding="utf-8") as suites,
            ):
                out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + opening + "\n")
                shutil.copyfileobj(suites, out)
                out.write("</testsuites>\n")
        except OSError as error:
            raise _unwritable(self.path, error) from None
        finally:
            self._scratch.unlink(missing_ok=True)


def _unwritable(path: Path, error: OSError) -> UsageError:
    return UsageError(f"cannot write the JUnit file {str(path)!r}: {error.strerror or error}")


def write_junit(path: str | Path, reports: Sequence[MinerReport], *, strict: bool = False) -> None:
    """Write :func:`junit_xml` to ``path``.

    Raises:
        UsageError: the file cannot be written (naming the file and the reason).
    """
    target = Path(path)
    try:
        target.write_text(junit_xml(reports, strict=strict), encoding="utf-8")
    except OSError as error:
        raise UsageError(
            f"cannot write the JUnit file {str(target)!r}: {error.strerror or error}"
        ) from None
