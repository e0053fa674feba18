"""Write scenario results: a pytest-like summary, JSON, or JUnit XML for CI systems."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from procflow.testing.result import ScenarioResult, Status

__all__ = ["counts", "summary_line", "to_json", "to_junit", "to_text"]


def counts(results: Sequence[ScenarioResult]) -> dict[str, int]:
    c = Counter(r.status.value for r in results)
    return {s.value: c.get(s.value, 0) for s in Status}


def summary_line(results: Sequence[ScenarioResult]) -> str:
    """``2 failed, 11 passed, 1 error in 0.42s`` (only the non-zero parts)."""
    c = counts(results)
    parts = [
        f"{c['failed']} failed" if c["failed"] else "",
        f"{c['passed']} passed" if c["passed"] else "",
        f"{c['error']} error{'s' if c['error'] != 1 else ''}" if c["error"] else "",
    ]
    text = ", ".join(p for p in parts if p) or "no scenarios ran"
    return f"{text} in {sum(r.duration for r in results):.2f}s"


def _rule(title: str, char: str = "=", width: int = 78) -> str:
    title = f" {title} "
    left = max(3, (width - len(title)) // 2)
    return f"{char * left}{title}{char * max(3, width - left - len(title))}"


def to_text(results: Sequence[ScenarioResult], *, verbose: bool = False) -> str:
    """The summary printed by ``procflow test``: one line per file, then details."""
    lines = [_rule("procflow scenarios")]
    mark = {Status.PASSED: "PASSED", Status.FAILED: "FAILED", Status.ERROR: "ERROR"}
    for r in results:
        if verbose or not r.passed:
            lines.append(f"{r.file}  {mark[r.status]}  {r.name}")
        else:
            lines.append(f"{r.file}  {mark[r.status]}")
    for status, title in ((Status.ERROR, "ERRORS"), (Status.FAILED, "FAILURES")):
        bad = [r for r in results if r.status is status]
        if not bad:
            continue
        lines.append(_rule(title))
        for r in bad:
            lines.append(_rule(f"{r.name}", "_"))
            if status is Status.FAILED:
                lines.append(f"(stopped after step {r.steps_run} of {r.steps_total})")
            lines.append(r.details())
    lines.append(_rule(summary_line(results)))
    return "\n".join(lines) + "\n"


def to_json(results: Sequence[ScenarioResult]) -> str:
    data: dict[str, Any] = {
        "summary": {
            **counts(results),
            "total": len(results),
            "duration": round(sum(r.duration for r in results), 4),
        },
        "scenarios": [r.to_dict() for r in results],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _classname(file: str) -> str:
    path = Path(file)
    parts = [p for p in path.with_suffix("").parts if p not in ("/", "..", ".")]
    return ".".join(parts[-4:])


def to_junit(results: Sequence[ScenarioResult], *, suite: str = "procflow") -> str:
    """JUnit XML (the Jenkins/GitLab/GitHub flavour): one testcase per scenario file."""
    c = counts(results)
    total = sum(r.duration for r in results)
    root = ET.Element("testsuites")
    ts = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(c["failed"]),
        errors=str(c["error"]),
        skipped="0",
        time=f"{total:.3f}",
    )
    for r in results:
        case = ET.SubElement(
            ts,
            "testcase",
            classname=_classname(r.file),
            name=r.name,
            file=r.file,
            line=str(r.line),
            time=f"{r.duration:.3f}",
        )
        if r.status is Status.FAILED:
            first = r.failures[0]
            node = ET.SubElement(
                case,
                "failure",
                message=f"{first.location}: {first.step}: {first.what}",
                type="ScenarioFailure",
            )
            node.text = r.details()
        elif r.status is Status.ERROR:
            errors = [f for f in r.findings if f.is_error] or r.findings
            message = str(errors[0]).splitlines()[0] if errors else "scenario error"
            node = ET.SubElement(case, "error", message=message, type="ScenarioError")
            node.text = r.details()
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
