"""Write scenario results: a pytest-like summary, JSON, or JUnit XML for CI systems.

The JUnit XML validates against Jenkins' JUnit schema (``junit-10.xsd``; the
tests check it against a transcription in ``tests/testing/schemas/``), in the
two flavours pytest writes (:data:`JUNIT_FAMILIES`).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, get_args

from procflow.testing.result import ScenarioResult, Status

__all__ = [
    "JUNIT_FAMILIES",
    "JunitFamily",
    "counts",
    "summary_line",
    "to_json",
    "to_junit",
    "to_text",
]


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
    """A scenario file's JUnit classname: its last four path parts, dotted, the
    suffix dropped (``procedures/land/tests/transfer.yaml`` gives
    ``procedures.land.tests.transfer``). A path with no name (``/``, ``..``)
    keeps its parts as they are, so it gives the empty string, not an error."""
    path = Path(file)
    if path.name:
        path = path.with_suffix("")
    parts = [p for p in path.parts if p not in ("/", "..", ".")]
    return ".".join(parts[-4:])


JunitFamily = Literal["xunit1", "xunit2"]
JUNIT_FAMILIES: tuple[JunitFamily, ...] = get_args(JunitFamily)
"""The flavours of JUnit XML, named as pytest's ``junit_family`` names them.

``xunit2`` (the default, as in pytest since 6.0) is the strict one: it
validates against Jenkins' JUnit schema (``junit-10.xsd``) that Jenkins'
xUnit plugin checks reports against. ``xunit1`` adds the legacy ``file`` and
``line`` attributes to each test case, which that schema does not allow but
GitLab and older readers use to link a test to its file.
"""

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold written as ``\\xNN``.

    A control character in a scenario's title or a failure message would
    otherwise make the whole report unreadable to every XML parser.
    """
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def to_junit(
    results: Sequence[ScenarioResult],
    *,
    suite: str = "procflow",
    family: JunitFamily = "xunit2",
    properties: Mapping[str, str] | None = None,
) -> str:
    """JUnit XML for CI systems: one test case per scenario file.

    ``family`` picks the flavour (:data:`JUNIT_FAMILIES`); ``properties``
    (name: value) are written once, on the test suite, as xunit2 wants them.
    """
    if family not in JUNIT_FAMILIES:
        raise ValueError(f"no JUnit family {family!r}; choose one of: {', '.join(JUNIT_FAMILIES)}")
    c = counts(results)
    total = f"{sum(r.duration for r in results):.3f}"
    tally = {
        "tests": str(len(results)),
        "failures": str(c["failed"]),
        "errors": str(c["error"]),
    }
    root = ET.Element("testsuites", {"name": _xml_text(suite), **tally, "time": total})
    ts = ET.SubElement(
        root, "testsuite", {"name": _xml_text(suite), **tally, "skipped": "0", "time": total}
    )
    if properties:
        props = ET.SubElement(ts, "properties")
        for name, value in properties.items():
            ET.SubElement(props, "property", name=_xml_text(name), value=_xml_text(value))
    for r in results:
        attrs = {
            "classname": _xml_text(_classname(r.file)),
            "name": _xml_text(r.name),
            "time": f"{r.duration:.3f}",
        }
        if family == "xunit1":
            attrs.update(file=_xml_text(r.file), line=str(r.line))
        case = ET.SubElement(ts, "testcase", attrs)
        if r.status is Status.FAILED:
            first = r.failures[0]
            node = ET.SubElement(
                case,
                "failure",
                message=_xml_text(f"{first.location}: {first.step}: {first.what}"),
                type="ScenarioFailure",
            )
            node.text = _xml_text(r.details())
        elif r.status is Status.ERROR:
            errors = [f for f in r.findings if f.is_error] or r.findings
            message = str(errors[0]).splitlines()[0] if errors else "scenario error"
            node = ET.SubElement(case, "error", message=_xml_text(message), type="ScenarioError")
            node.text = _xml_text(r.details())
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
