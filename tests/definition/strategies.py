"""Hypothesis strategies: random valid procedures, as dicts ready for YAML.

A generated procedure is a chain of agency segments. It starts at a
reception step of the desk agency, runs through review/processing/approval
steps of one or more agencies, with a hand-off step wherever the dossier
changes agency, and ends at a return step of the desk that leads to
``returned``. On top of the chain: refusals, applicant loops (supplement
and resubmit), and conditional forward branches. The statutory total is at
least the sum of the step times, so a generated procedure is valid by
construction: it must load with no error.
"""

from __future__ import annotations

import math
from typing import Any

import yaml
from hypothesis import strategies as st

from procflow.checks.graph import working_day_hours
from procflow.definition.model import RESERVED_TRIGGERS

VI_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐƯ"
)
ID_POOL = ["no", "on", "off", "yes", "y", "n", "true", "null", "desk", "police", "tax", "x1"]

vi_text = st.builds(
    lambda first, rest: (first + rest).strip(),
    st.sampled_from(list(VI_LETTERS)),
    st.text(alphabet=VI_LETTERS + " ,-()", max_size=40),
)
identifier = st.one_of(
    st.sampled_from(ID_POOL),
    st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True),
)
trigger_name = st.one_of(
    st.sampled_from(["no", "on", "off", "yes", "approve", "forward", "send"]),
    # 'withdraw' and 'stop' are the engine's own (trigger-reserved)
    st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(
        lambda name: name not in RESERVED_TRIGGERS
    ),
)


def _duration(hours: int, style: int) -> Any:
    """A duration of ``hours`` working hours, written in one of several forms."""
    if style == 0:
        return f"{hours} working hours"
    if style == 1:
        days = hours / 8
        return f"{days:g} working days"
    return {"value": hours, "unit": "working_hours"}


@st.composite
def valid_procedures(draw: st.DrawFn) -> dict[str, Any]:
    agency_ids = draw(st.lists(identifier, min_size=1, max_size=4, unique=True))
    desk = agency_ids[0]
    agencies: list[dict[str, Any]] = []
    for aid in agency_ids:
        agency: dict[str, Any] = {"id": aid, "name": draw(vi_text)}
        if draw(st.booleans()):
            agency["name"] = {"vi": agency["name"], "en": "Agency " + aid}
        agency["level"] = draw(st.sampled_from(["commune", "province", "ministry", "other"]))
        agencies.append(agency)
    agencies[0]["desk"] = True

    # The chain of (agency, kind) for the agency steps.
    route = [desk, *draw(st.lists(st.sampled_from(agency_ids), max_size=4))]
    chain: list[tuple[str, str, str | None]] = [(desk, "reception", None)]
    holder = desk
    for aid in [*route[1:], desk]:
        if aid != holder:
            chain.append((holder, "handoff", aid))
            holder = aid
        for _ in range(draw(st.integers(0, 2))):
            kind = draw(st.sampled_from(["review", "processing", "approval"]))
            chain.append((holder, kind, None))
    chain.append((desk, "return", None))

    used_ids: set[str] = set()
    step_ids: list[str] = []
    for index in range(len(chain)):
        base = draw(identifier)
        sid = base if base not in used_ids else f"{base}-{index}"
        while (
            sid in used_ids
            or sid in ("returned", "refused", "withdrawn", "stopped")
            or sid.startswith("supplement")
        ):
            sid = f"s{index}-{sid}"
        used_ids.add(sid)
        step_ids.append(sid)

    style = draw(st.integers(0, 2))
    steps: list[dict[str, Any]] = []
    total_hours = 0
    applicant_steps: list[dict[str, Any]] = []
    for index, (aid, kind, to_agency) in enumerate(chain):
        hours = draw(st.integers(1, 16))
        total_hours += hours
        step: dict[str, Any] = {
            "id": step_ids[index],
            "name": draw(vi_text),
            "kind": kind,
            "agency": aid,
            "time": _duration(hours, style),
        }
        if to_agency is not None:
            step["to_agency"] = to_agency
        nxt = step_ids[index + 1] if index + 1 < len(chain) else "returned"
        outcomes: dict[str, Any] = {}
        main = draw(trigger_name)
        outcomes[main] = nxt
        if kind in ("review", "processing", "approval") and index + 2 < len(chain):
            later = draw(st.integers(index + 1, len(chain) - 1))
            if draw(st.booleans()):
                # a conditional forward branch before the default
                outcomes[main] = [
                    {"to": step_ids[later], "when": draw(identifier)},
                    {"to": nxt},
                ]
        if kind in ("review", "processing", "approval") and draw(st.booleans()):
            outcomes.setdefault("refuse", "refused")
        if kind in ("reception", "review", "processing") and draw(st.booleans()):
            sup_id = f"supplement-{index}"
            outcomes.setdefault("request_supplement", sup_id)
            if outcomes["request_supplement"] == sup_id:
                applicant: dict[str, Any] = {
                    "id": sup_id,
                    "name": draw(vi_text),
                    "kind": "applicant",
                    "agency": aid,
                    "outcomes": {"resubmit": step_ids[index], "give_up": "withdrawn"},
                }
                if draw(st.booleans()):
                    applicant["clock"] = draw(st.sampled_from(["pause", "restart"]))
                applicant_steps.append(applicant)
        step["outcomes"] = outcomes
        steps.append(step)

    # The checks count working hours on the calendar's working day (7.5 h on
    # the standard calendar); style 1 writes each step as hours / 8 days.
    needed = total_hours / 8 if style == 1 else total_hours / working_day_hours()
    total_days = math.ceil(needed - 1e-9) + draw(st.integers(0, 3))
    proc: dict[str, Any] = {
        "procflow": 1,
        "id": "test." + draw(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)),
        "version": draw(st.sampled_from(["2025-07", "1", "v2", "2024-06-10"])),
        "name": {"vi": draw(vi_text), "en": "Generated procedure"},
        "legal_basis": [{"number": "01/2025/NĐ-CP", "date": "2025-01-01"}],
        "effective_from": "2025-07-01",
        "time_limit": f"{total_days} working days",
        "agencies": agencies,
        "steps": steps + applicant_steps,
    }
    if draw(st.booleans()):
        proc["code"] = draw(st.from_regex(r"[0-9]\.[0-9]{6}", fullmatch=True))
    if draw(st.booleans()):
        proc["fees"] = [{"name": draw(vi_text), "amount": draw(st.integers(0, 10**6))}]
    return proc


class _NoAliasDumper(yaml.SafeDumper):
    """Write shared objects out in full: procedure files may not use aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def to_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False)
