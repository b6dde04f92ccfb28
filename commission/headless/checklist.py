"""``commission checklist``: print a checklist (as tables, JSON or a blank PDF) or validate a file.

Printing uses Rich, which degrades to plain text when the output is not a terminal; ``--json``
prints the validated checklist data under a versioned schema name so scripts can rely on it;
``--format pdf -o FILE`` writes the blank checklist to print for the clipboard.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Final

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from commission.checklist import Checklist, Severity, load_checklist, validate_file
from commission.checklist.describe import place, requirement
from commission.checklist.loader import BUILTIN_LABEL
from commission.errors import ExitCode, UsageError
from commission.export.pdf import blank_checklist_pdf
from commission.job import write_atomically

JSON_SCHEMA: Final = "commission.checklist/1"

_SEVERITY_LOOK: Final = {
    Severity.INFO: ("·", "dim"),
    Severity.NORMAL: (" ", ""),
    Severity.CAUTION: ("▲", "yellow"),
    Severity.DANGER: ("⚠", "bold red"),
}


class _PipeConsole(Console):
    """A console that lets a closed pipe reach the CLI's handler (Rich would exit with 1)."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


def run(args: argparse.Namespace) -> int:
    """Run ``commission checklist`` with parsed arguments; returns the exit code."""
    fmt = getattr(args, "format", None) or ("json" if args.json else "text")
    if args.json and fmt != "json":
        raise UsageError(f"give either --json or --format {fmt}, not both")
    if args.validate and args.file:
        raise UsageError("give either --validate FILE or --file FILE, not both")
    if args.validate:
        return _validate(args.validate, as_json=fmt == "json")
    checklist = load_checklist(args.file)
    source = args.file or BUILTIN_LABEL
    output = getattr(args, "output", None)
    if fmt == "pdf":
        if not output:
            raise UsageError("the blank checklist PDF needs -o FILE (where to write it)")
        target = Path(output).expanduser().absolute()
        try:
            write_atomically(target, blank_checklist_pdf(checklist, args.paper))
        except OSError as error:
            raise UsageError(f"cannot write {output}: {error.strerror or error}") from None
        print(f"wrote the blank {checklist.id} checklist to {target}", file=sys.stderr)
        return ExitCode.OK
    if output:
        raise UsageError("-o FILE is for --format pdf; text and JSON go to standard output")
    if fmt == "json":
        print(json.dumps(to_json(checklist, source), indent=2, ensure_ascii=False))
    else:
        print_checklist(checklist, _PipeConsole(highlight=False, emoji=False))
    sys.stdout.flush()  # a closed pipe surfaces here, inside the CLI's BrokenPipeError handler
    return ExitCode.OK


def to_json(checklist: Checklist, source: str) -> dict[str, object]:
    """The checklist as JSON-ready data under :data:`JSON_SCHEMA`."""
    return {
        "schema": JSON_SCHEMA,
        "source": source,
        "checklist": checklist.model_dump(mode="json"),
    }


def print_checklist(checklist: Checklist, console: Console) -> None:
    """Print sections, steps and items, each item with its kind, limits and units."""
    steps = sum(len(section.steps) for section in checklist.sections)
    items = sum(1 for _ in checklist.items())
    console.print(Text(f"{checklist.title} ({checklist.id}, version {checklist.version})", "bold"))
    console.print(f"From: {checklist.guide}")
    console.print(f"{len(checklist.sections)} sections, {steps} steps, {items} items")
    console.print("Marks: ▲ caution, ⚠ danger, · information")
    for number, section in enumerate(checklist.sections, start=1):
        console.print()
        console.rule(Text(f"{number}. {section.title} (guide {section.guide})", "bold"))
        if section.text:
            console.print(section.text)
        for step in section.steps:
            console.print()
            console.print(Text(step.title, "bold underline"))
            if step.text:
                console.print(Text(step.text, "italic"))
            for item in step.items:
                glyph, style = _SEVERITY_LOOK[item.severity]
                line = Text(f"{glyph} ", style)
                line.append(item.id, "bold")
                line.append(f"  {item.title}", style)
                if not item.required:
                    line.append(" (optional)", "dim")
                console.print(line)
                where = place(item)
                detail = f"{item.kind}: {requirement(item)}" + (f" · {where}" if where else "")
                console.print(Padding(Text(detail), (0, 0, 0, 4), expand=False))


def _validate(path: str, *, as_json: bool) -> int:
    checklist, problems = validate_file(path)
    if as_json:
        print(json.dumps({"file": path, "valid": checklist is not None, "problems": problems}))
        return ExitCode.OK if checklist is not None else ExitCode.USAGE
    if checklist is None:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        print(f"{path} is not a valid checklist ({count}):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return ExitCode.USAGE
    items = sum(1 for _ in checklist.items())
    print(
        f"{path} is a valid checklist: {checklist.id!r} version {checklist.version}, "
        f"{len(checklist.sections)} sections, {items} items"
    )
    return ExitCode.OK
