"""Durations chosen by facts (issue 19, rule 8): the model's ``cases``, their
resolution into a plain procedure, and the checks on them (key paths and
every combination of the facts named)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from procflow.calendar.units import TimeUnit
from procflow.catalogue import Catalogue
from procflow.checks import check_procedure
from procflow.definition.cases import (
    case_key,
    fact_combinations,
    limit_case,
    resolve_durations,
)
from procflow.definition.loader import load_procedure
from procflow.definition.model import Duration, Procedure

from .conftest import ROOT

BASE: dict[str, Any] = {"value": 3, "unit": "working_days", "basis": "Decree 1", "confirmed": True}


def duration(*cases: dict[str, Any], **base: Any) -> Duration:
    return Duration.model_validate({**BASE, **base, "cases": list(cases)})


def proc(
    limit: dict[str, Any] | str = "3 working days",
    review: dict[str, Any] | str = "1 working days",
    share: dict[str, Any] | str | None = None,
) -> Procedure:
    office: dict[str, Any] = {"id": "office", "name": "Phòng"}
    if share is not None:
        office["share"] = share
    return Procedure.model_validate(
        {
            "id": "t.cases",
            "version": "1",
            "name": "Thử",
            "legal_basis": [{"number": "1/2025/NĐ-CP"}],
            "time_limit": limit,
            "agencies": [{"id": "desk", "name": "Một cửa", "desk": True}, office],
            "steps": [
                {
                    "id": "reception",
                    "name": "Tiếp nhận",
                    "kind": "reception",
                    "agency": "desk",
                    "time": "0.5 working days",
                    "outcomes": {"forward": "review"},
                },
                {
                    "id": "review",
                    "name": "Thẩm định",
                    "kind": "review",
                    "agency": "office",
                    "time": review,
                    "outcomes": {"approve": "returned"},
                },
            ],
        }
    )


# --- the model ---------------------------------------------------------------------


def test_the_first_matching_case_gives_the_figure_else_the_base() -> None:
    d = duration(
        {"when": "remote", "value": 5, "basis": "Decree 2, Art. 3", "confirmed": False},
        {"unless": "online", "value": 4},
        {"when": "remote", "value": 9},
    )
    assert d.for_facts({}) == Duration(value=4, unit=TimeUnit.WORKING_DAYS, basis="Decree 1")
    chosen = d.for_facts({"remote": True, "online": True})
    assert (chosen.value, chosen.unit, chosen.basis, chosen.confirmed) == (
        5,
        TimeUnit.WORKING_DAYS,
        "Decree 2, Art. 3",
        False,
    )
    assert chosen.cases == []  # a plain duration
    base = d.for_facts({"online": True})
    assert (base.value, base.basis, base.confirmed, base.cases) == (3, "Decree 1", True, [])
    assert d.case_for({"online": True}) is None and d.case_for({"remote": 1}) == 0
    assert d.facts == frozenset({"remote", "online"})


def test_a_case_may_change_the_unit_and_the_same_day_cutoff_is_not_carried_over() -> None:
    d = duration(
        {"when": "late_in_day", "value": 1, "unit": "working_days"},
        {"when": "early_close", "value": 0, "cutoff": "11:00"},
        value=0,
        unit="same_day",
        cutoff="15:00",
    )
    assert str(d.for_facts({})) == "same day (cut-off 15:00)"
    assert str(d.for_facts({"late_in_day": True})) == "1 working day"
    assert d.for_facts({"late_in_day": True}).cutoff is None
    assert str(d.for_facts({"early_close": True})) == "same day (cut-off 11:00)"


def test_a_duration_without_cases_is_itself() -> None:
    d = Duration.model_validate("3 working days")
    assert d.for_facts({"remote": True}) is d
    assert d.facts == frozenset()


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ({"when": "x", "value": 2600}, "2,600 working days cannot be counted"),
        ({"when": "x", "value": 1, "unit": "working_days", "cutoff": "15:00"}, "cut-off"),
        ({"when": "x", "value": "inf"}, "cannot be counted"),
    ],
)
def test_a_case_is_bounded_like_any_duration(case: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        duration(case)


def test_a_bad_case_is_a_finding_naming_the_key() -> None:
    text = (ROOT / "procedures" / "lien-thong" / "child-under-6.yaml").read_text("utf-8")
    text = text.replace("      value: 5\n", "      value: 5000\n")
    result = load_procedure("child.yaml", text=text)
    assert not result.ok
    (finding,) = [f for f in result.findings if f.is_error]
    assert finding.path[:2] == ("time_limit", "cases")
    assert finding.line is not None and "5,000 working days" in finding.message


# --- resolution --------------------------------------------------------------------


def test_resolve_durations_replaces_every_duration_and_keeps_the_rest() -> None:
    p = proc(
        limit={**BASE, "cases": [{"when": "remote", "value": 5}]},
        review={"value": 1, "unit": "working_days", "cases": [{"when": "remote", "value": 3}]},
        share={"value": 2, "unit": "working_days", "cases": [{"unless": "remote", "value": 1}]},
    )
    assert p.case_facts == ("remote",)
    far = resolve_durations(p, {"remote": True})
    assert (far.time_limit.value, far.step("review").time, far.agency("office").share) == (
        5,
        Duration(value=3, unit=TimeUnit.WORKING_DAYS),
        Duration(value=2, unit=TimeUnit.WORKING_DAYS),
    )
    near = resolve_durations(p, {})
    assert (near.time_limit.value, near.step("review").time.value) == (3, 1)  # type: ignore[union-attr]
    assert near.agency("office").share.value == 1  # type: ignore[union-attr]
    assert far.case_facts == () and near.case_facts == ()
    assert far.steps[0] is p.steps[0]  # a step without cases is shared, not copied
    assert case_key(p, {"remote": "yes"}) == (True,) and case_key(p, {}) == (False,)
    assert list(fact_combinations(p)) == [{"remote": False}, {"remote": True}]
    assert limit_case(p, {"remote": True}) == "remote" and limit_case(p, {}) is None


def test_every_library_procedure_without_cases_resolves_to_itself() -> None:
    catalogue = Catalogue.from_paths([ROOT / "procedures"])
    with_cases = []
    for pid in catalogue.ids():
        for compiled in catalogue.versions(pid):
            p = compiled.procedure
            if p.case_facts:
                with_cases.append(p.key)
            else:
                assert resolve_durations(p, {"needs_verification": True, "remote": True}) is p
    assert with_cases == ["vn.lien-thong.child-under-6@2024-06"]


facts = st.sampled_from(["a", "b", "c"])
cases = st.lists(
    st.fixed_dictionaries(
        {"value": st.integers(0, 40)},
        optional={"when": facts, "unless": facts, "unit": st.sampled_from(["working_hours"])},
    ),
    max_size=5,
)


@given(cases=cases, given_facts=st.dictionaries(facts, st.booleans()))
def test_the_resolved_duration_is_the_first_matching_case_or_the_base(
    cases: list[dict[str, Any]], given_facts: dict[str, bool]
) -> None:
    d = duration(*cases)
    got = d.for_facts(given_facts)
    for case in cases:
        when, unless = case.get("when"), case.get("unless")
        if (when is None or given_facts.get(when)) and (
            unless is None or not given_facts.get(unless)
        ):
            assert (got.value, got.unit.value) == (case["value"], case.get("unit", "working_days"))
            break
    else:
        assert (got.value, got.unit.value) == (3, "working_days")
    assert got.cases == [] and got.basis == "Decree 1"


# --- the checks --------------------------------------------------------------------


def findings(p: Procedure) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for f in check_procedure(p):
        out.setdefault(f.code, []).append(f)
    return out


def test_cases_are_checked_like_branches_with_their_key_paths() -> None:
    p = proc(
        limit={
            **BASE,
            "cases": [
                {"when": "remote", "value": 5},
                {"value": 4},
                {"when": "x", "unless": "x", "value": 4},
                {"when": "remote", "value": 6},
            ],
        },
    )
    found = findings(p)
    (none,) = found["case-no-condition"]
    assert none.is_error and none.path == ("time_limit", "cases", 1)
    (both,) = found["case-contradictory"]
    assert both.is_error and both.path == ("time_limit", "cases", 2, "unless")
    (later,) = found["case-shadowed"]
    assert not later.is_error and later.path == ("time_limit", "cases", 3)
    assert "cases[0]" in later.message


def test_a_clean_procedure_with_cases_has_no_findings() -> None:
    p = proc(
        limit={**BASE, "cases": [{"when": "remote", "value": 5}]},
        review={"value": 1, "unit": "working_days", "cases": [{"when": "remote", "value": 4}]},
    )
    assert check_procedure(p) == []


def test_the_allotments_must_fit_the_limit_the_same_facts_choose() -> None:
    # 0.5 + 1 fits 3 days; with 'fast' the limit is 1 day, and 1.5 does not fit
    p = proc(limit={**BASE, "cases": [{"when": "fast", "value": 1}]})
    (over,) = findings(p)["time-overrun"]
    assert over.path == ("time_limit", "cases", 0)
    assert "over the statutory total of 1 working day" in over.message
    assert over.message.endswith("(for a dossier with fast true)")
    # a longer step where the limit stays: the finding points at the step's case
    p = proc(
        limit={**BASE, "cases": [{"when": "remote", "value": 5}]},
        review={"value": 1, "unit": "working_days", "cases": [{"when": "slow", "value": 3}]},
    )
    (over,) = findings(p)["time-overrun"]
    assert over.path == ("time_limit",)
    assert over.message.endswith("(for a dossier with remote false, slow true)")


def test_a_case_in_another_unit_is_a_unit_mismatch_at_the_case() -> None:
    p = proc(
        review={
            "value": 1,
            "unit": "working_days",
            "cases": [{"when": "far", "value": 2, "unit": "calendar_days"}],
        }
    )
    (bad,) = findings(p)["unit-mismatch"]
    assert bad.path == ("steps", 1, "time", "cases", 0)
    assert bad.message.endswith("(for a dossier with far true)")


def test_the_shares_must_add_up_within_the_limit_of_the_same_facts() -> None:
    p = proc(
        limit={**BASE, "cases": [{"when": "fast", "value": 2}]},
        review="0.5 working days",
        share={"value": 3, "unit": "working_days", "cases": [{"when": "fast", "value": 1}]},
    )
    assert "share-overrun" not in findings(p)  # 3 of 3 days; with fast, 1 of 2
    p = proc(
        limit={**BASE, "cases": [{"when": "fast", "value": 2}]},
        review="0.5 working days",
        share="3 working days",
    )
    (over,) = findings(p)["share-overrun"]
    assert over.message.endswith("(for a dossier with fast true)")


def test_a_finding_of_every_combination_is_reported_once_without_facts() -> None:
    p = proc(
        limit={**BASE, "cases": [{"when": "remote", "value": 5}]},
        review="2 calendar days",
    )
    (bad,) = findings(p)["unit-mismatch"]
    assert bad.path == ("steps", 1, "time") and "for a dossier" not in bad.message


def test_a_version_diff_reports_a_change_of_cases() -> None:
    from procflow.versions.diff import diff_procedures

    old = proc(limit={**BASE, "cases": [{"when": "remote", "value": 5}]})
    new = proc(limit={**BASE, "cases": [{"when": "remote", "value": 6}]})
    changes = [c for c in diff_procedures(old, new).changes if c.subject == "time_limit"]
    assert len(changes) == 1
    assert "5 working days (remote) → 3 working days; 6 working days (remote)" in changes[0].text
    assert not [c for c in diff_procedures(old, old).changes if c.subject == "time_limit"]
