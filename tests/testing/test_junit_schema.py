"""JUnit XML from ``procflow test`` and from the pytest plugin validates against
Jenkins' JUnit schema (issue 21), in both of pytest's flavours.

The schema is a transcription of ``junit-10.xsd`` (see schemas/README.md). The
``xunit1`` flavour adds the legacy ``file``/``line`` attributes (and pytest puts
properties on test cases): it is checked against the same schema with exactly
those additions, built here from the transcription, and shown to fail the strict
schema only for them.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
import xmlschema
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from scenariotest import FRIDAY_13, WRONG_DUE, write

from procflow import __version__
from procflow.cli.testing import register
from procflow.findings import Finding, Severity
from procflow.testing.report import JUNIT_FAMILIES, to_junit
from procflow.testing.result import Failure, ScenarioResult, Status

HERE = Path(__file__).resolve().parent
JUNIT_SCHEMA = HERE / "schemas" / "junit-10.transcription.xsd"
XS = "http://www.w3.org/2001/XMLSchema"


@functools.cache
def _strict_schema() -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(JUNIT_SCHEMA))


@functools.cache
def _xunit1_schema() -> xmlschema.XMLSchema10:
    """The transcription with what xunit1 adds to a test case: ``file``, ``line``
    and ``url`` attributes and a ``properties`` child (pytest's legacy family)."""
    tree = ET.parse(JUNIT_SCHEMA)
    case = tree.getroot().find(f"{{{XS}}}element[@name='testcase']/{{{XS}}}complexType")
    assert case is not None
    choice = case.find(f"{{{XS}}}sequence/{{{XS}}}choice")
    assert choice is not None
    ET.SubElement(choice, f"{{{XS}}}element", ref="properties")
    for name in ("file", "line", "url"):
        ET.SubElement(case, f"{{{XS}}}attribute", name=name, type="xs:string")
    return xmlschema.XMLSchema10(ET.tostring(tree.getroot(), encoding="unicode"))


@pytest.fixture
def strict() -> xmlschema.XMLSchema10:
    return _strict_schema()


@pytest.fixture
def xunit1() -> xmlschema.XMLSchema10:
    return _xunit1_schema()


@pytest.fixture
def cli() -> click.Group:
    group = click.Group()
    register(group)
    return group


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A passing scenario, a failing one, and one that cannot run."""
    write(tmp_path, "a-friday.yaml", FRIDAY_13)
    write(tmp_path, "b-wrong.yaml", WRONG_DUE)
    write(tmp_path, "c-broken.yaml", "scenario: x\nprocedure: p.yaml\nstart: soon\nsteps: []\n")
    return tmp_path


def _errors(schema: xmlschema.XMLSchema10, text: str) -> list[str]:
    return [str(e.reason) for e in schema.iter_errors(text)]


def _report(cli: click.Group, folder: Path, tmp_path: Path, *extra: str) -> str:
    target = tmp_path / "junit.xml"
    args = ["test", str(folder), "--format", "junit", "-o", str(target), *extra]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    return target.read_text(encoding="utf-8")


def test_procflow_test_writes_xunit2_that_validates(
    cli: click.Group, folder: Path, tmp_path: Path, strict: xmlschema.XMLSchema10
) -> None:
    text = _report(cli, folder, tmp_path)
    assert _errors(strict, text) == []
    root = ET.fromstring(text)
    suite = root.find("testsuite")
    assert suite is not None
    counts = (suite.get("tests"), suite.get("failures"), suite.get("errors"))
    assert counts == ("3", "1", "1")
    assert root.get("tests") == "3" and root.get("skipped") is None
    cases = suite.findall("testcase")
    assert len(cases) == 3
    assert all(c.get("file") is None and c.get("line") is None for c in cases)
    assert [p.attrib for p in suite.findall("properties/property")] == [
        {"name": "procflow", "value": __version__}
    ]
    failure = suite.find("testcase/failure")
    assert failure is not None and "b-wrong.yaml:8" in (failure.get("message") or "")
    error = suite.find("testcase/error")
    assert error is not None and "c-broken.yaml:3" in (error.get("message") or "")


def test_xunit1_adds_file_and_line_and_nothing_else(
    cli: click.Group,
    folder: Path,
    tmp_path: Path,
    strict: xmlschema.XMLSchema10,
    xunit1: xmlschema.XMLSchema10,
) -> None:
    text = _report(cli, folder, tmp_path, "--junit-family", "xunit1")
    assert _errors(xunit1, text) == []
    cases = ET.fromstring(text).findall("testsuite/testcase")
    lines = {Path(c.get("file") or "").name: c.get("line") for c in cases}
    assert lines == {"a-friday.yaml": "1", "b-wrong.yaml": "1", "c-broken.yaml": "1"}
    # Against the strict schema, the legacy attributes are the only objection.
    objections = _errors(strict, text)
    assert objections
    assert all("'file'" in e or "'line'" in e for e in objections), objections


def test_unknown_family_is_refused(cli: click.Group, folder: Path) -> None:
    args = ["test", str(folder), "--format", "junit", "--junit-family", "xunit3"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "xunit3" in result.output
    with pytest.raises(ValueError, match="xunit1, xunit2"):
        to_junit([], family="xunit3")  # type: ignore[arg-type]


_text = st.text(st.characters(codec="utf-8"), max_size=40)


@st.composite
def _results(draw: st.DrawFn) -> ScenarioResult:
    status = draw(st.sampled_from(list(Status)))
    name, file, detail = draw(_text), draw(_text) or "x.yaml", draw(_text)
    failures: list[Failure] = []
    findings: list[Finding] = []
    if status is Status.FAILED:
        failures.append(Failure(file, draw(st.integers(1, 999)), detail, name, detail, detail))
    elif status is Status.ERROR:
        findings.append(Finding(Severity.ERROR, "invalid-value", detail or "bad", file=file))
    return ScenarioResult(
        file,
        name,
        status,
        failures=failures,
        findings=findings,
        duration=draw(st.floats(0, 1e5)),
        line=draw(st.integers(1, 10**6)),
    )


@pytest.mark.parametrize(
    ("file", "classname"),
    [
        (
            "procedures/land/tests/transfer-2025-sweep.yaml",
            "procedures.land.tests.transfer-2025-sweep",
        ),
        ("/abs/a/b/c/d/e.yaml", "b.c.d.e"),
        ("/", ""),
        ("..", ""),
        (".", ""),
        ("../x.yaml", "x"),
    ],
)
def test_a_scenario_file_is_a_classname(file: str, classname: str) -> None:
    """Any path a result can carry gives a classname, even one with no file
    name in it (hypothesis found ``/`` raising a ValueError)."""
    result = ScenarioResult(file=file, name="n", status=Status.PASSED)
    case = ET.fromstring(to_junit([result], suite="s")).find("testsuite/testcase")
    assert case is not None and case.get("classname") == classname


@given(st.lists(_results(), max_size=6), _text, st.sampled_from(JUNIT_FAMILIES))
def test_any_results_give_valid_xml(results: list[ScenarioResult], suite: str, family: str) -> None:
    """Titles, files and messages with any characters (controls included) still
    give a report every XML parser reads and the schema accepts."""
    text = to_junit(results, suite=suite, family=family, properties={"k": suite})  # type: ignore[arg-type]
    schema = _strict_schema() if family == "xunit2" else _xunit1_schema()
    assert _errors(schema, text) == []
    suite_node = ET.fromstring(text).find("testsuite")
    assert suite_node is not None
    assert suite_node.get("tests") == str(len(results))
    assert suite_node.get("failures") == str(sum(r.status is Status.FAILED for r in results))
    assert len(suite_node.findall("testcase/error")) == sum(
        r.status is Status.ERROR for r in results
    )


# --- the pytest plugin ------------------------------------------------------------------


def _pytest_junit(folder: Path, *extra: str) -> str:
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    target = folder / "report.xml"
    code = pytest.main(
        [
            str(folder),
            "-p",
            "no:cacheprovider",
            "-q",
            "--rootdir",
            str(folder),
            f"--junitxml={target}",
            *extra,
        ]
    )
    assert int(code) == 1  # b-wrong fails
    return target.read_text(encoding="utf-8")


def test_pytest_plugin_junitxml_validates_in_xunit2(
    tmp_path: Path, strict: xmlschema.XMLSchema10
) -> None:
    write(tmp_path, "a-friday.yaml", FRIDAY_13)
    write(tmp_path, "b-wrong.yaml", WRONG_DUE)
    text = _pytest_junit(tmp_path, "-o", "junit_family=xunit2")
    assert _errors(strict, text) == []
    cases = ET.fromstring(text).findall("testsuite/testcase")
    assert sorted(c.get("name") or "" for c in cases) == ["a-friday", "b-wrong"]
    assert not ET.fromstring(text).findall(".//testcase/properties")


def test_pytest_plugin_keeps_the_title_property_in_xunit1(
    tmp_path: Path, xunit1: xmlschema.XMLSchema10
) -> None:
    write(tmp_path, "a-friday.yaml", FRIDAY_13)
    write(tmp_path, "b-wrong.yaml", WRONG_DUE)
    text = _pytest_junit(tmp_path, "-o", "junit_family=xunit1")
    assert _errors(xunit1, text) == []
    titles = [
        p.get("value")
        for p in ET.fromstring(text).findall(".//testcase/properties/property")
        if p.get("name") == "scenario"
    ]
    assert len(titles) == 2 and all(titles)
