"""The independent tester's authority and input findings, each through the API
and, where a command exists, the command line: a built-in move cannot be
redefined, stopping and apologising are the head of the agency's acts, facts
follow the step's role, a version outside its window needs a named ground,
bad applicant data is refused before anything is written, the sweep never
back-dates, and listeners cannot change the log."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from enginetest import CHILD, DESK, PC, PC_HEAD, POLICE_HEAD, ROOT, VN, procflow

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.definition.loader import load_procedure
from procflow.definition.model import Procedure
from procflow.engine import Actor, Engine, EventType, VirtualClock
from procflow.errors import DefinitionError, NotPermitted, RuleViolation
from procflow.store import MemoryStore

CALENDAR = WorkCalendar.vietnam()
CHILD_FILE = ROOT / "procedures" / "lien-thong" / "child-under-6.yaml"
BIRTH = "vn.civil-status.birth-registration"
HOUSEHOLD = "vn.business.household-registration"


def at(day: int, hour: int = 9, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=VN)


def engine_for(*procedures: Procedure | str, start: datetime | None = None) -> Engine:
    compiled = []
    for p in procedures:
        if isinstance(p, str):
            p = load_procedure(ROOT / "procedures" / p).procedure
            assert p is not None
        compiled.append(compile_procedure(p))
    return Engine(MemoryStore(), Catalogue(compiled), CALENDAR, VirtualClock(start or at(3, 8)))


# --- 1. built-in moves are reserved names ---------------------------------------------


@pytest.mark.parametrize("name", ["withdraw", "stop"])
def test_a_procedure_cannot_name_its_own_move_like_a_built_in(tmp_path: Path, name: str) -> None:
    text = CHILD_FILE.read_text("utf-8").replace(
        "      register: to-insurance", f"      {name}: to-insurance"
    )
    assert f"{name}: to-insurance" in text
    bad = tmp_path / "child.yaml"
    bad.write_text(text, "utf-8")
    result = load_procedure(bad)
    codes = {f.code: f for f in result.findings if f.is_error}
    assert "trigger-reserved" in codes, result.findings
    assert codes["trigger-reserved"].line is not None
    # Even built in Python and compiled without checks, it is refused.
    data = json.loads(json.dumps(_raw(CHILD_FILE)))
    police = next(s for s in data["steps"] if s["id"] == "residence")
    police["outcomes"] = {name: police["outcomes"].pop("register")}
    try:
        procedure = Procedure.model_validate(data)
    except ValueError as exc:
        assert "reserved" in str(exc)
    else:
        with pytest.raises(DefinitionError, match=r"reserved|built into every step"):
            compile_procedure(procedure, check=False)
    r = procflow("validate", str(bad), cwd=tmp_path)
    assert r.returncode == 1
    assert "trigger-reserved" in r.stdout + r.stderr
    assert "Traceback" not in r.stderr


def _raw(path: Path) -> dict[str, Any]:
    from procflow.definition.yamlio import read_yaml

    data = read_yaml(path).data
    assert isinstance(data, dict)
    return data


def test_the_desk_cannot_move_a_dossier_out_of_the_polices_step() -> None:
    engine = engine_for("lien-thong/child-under-6.yaml")
    code = engine.receive(CHILD, actor=DESK).code
    for trigger in ("forward", "register", "send"):
        engine.fire(code, trigger, PC)
    assert engine.get(code).state == "residence"
    version = engine.get(code).version
    for trigger in ("register", "stop", "bogus"):
        with pytest.raises(NotPermitted, match="held by 'commune-police'"):
            engine.fire(code, trigger, PC_HEAD)
    assert engine.get(code).version == version


# --- 2. stopping is the head of the holding agency's act ------------------------------------


def test_a_desk_officer_cannot_stop_a_dossier_at_the_leaders_signing_step() -> None:
    engine = engine_for("civil-status/birth-registration.yaml")
    desk = Actor("lan", "commune-pc", "desk-officer")
    clerk = Actor("ha", "commune-pc", "civil-status-officer")
    code = engine.receive(BIRTH, actor=desk).code
    engine.fire(code, "forward", desk)
    engine.fire(code, "propose", clerk)
    assert engine.get(code).state == "signing"
    for who in (desk, clerk, Actor("x", "commune-pc")):
        with pytest.raises(NotPermitted, match=r"rules.authority.stop .* 'leader'"):
            engine.fire(code, "stop", who)
        with pytest.raises(NotPermitted, match="needs the role 'leader'"):
            engine.fire(code, "sign", who)
    assert engine.get(code).state == "signing"
    assert "stop" not in engine.available(code, desk)
    leader = Actor("chu-tich", "commune-pc", "leader")
    assert "stop" in engine.available(code, leader)
    stopped = engine.fire(code, "stop", leader, note="notice to stop processing")
    assert stopped.outcome == "stopped"


def test_the_command_line_refuses_a_stop_by_a_desk_officer(tmp_path: Path) -> None:
    db = str(tmp_path / "desk.db")
    common = ["--procedures", str(ROOT / "procedures")]
    desk = ["--actor", "lan", "--agency", "commune-pc", "--role", "desk-officer"]
    r = procflow(
        "dossier", "receive", db, CHILD, *desk, "--at", "2026-03-03T08:00",
        "--format", "json", *common, cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    code = json.loads(r.stdout)["code"]
    r = procflow(
        "dossier", "fire", db, code, "stop", *desk, "--at", "2026-03-03T09:00", *common,
        cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 1
    assert "rules.authority.stop" in r.stderr and "Traceback" not in r.stderr
    r = procflow(
        "dossier", "fire", db, code, "stop", "--actor", "minh", "--agency", "commune-pc",
        "--role", "leader", "--at", "2026-03-03T09:30", "--format", "json", *common,
        cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["outcome"] == "stopped"


# --- 3. facts and apologies have their rule -------------------------------------------------


def test_facts_follow_the_steps_role_and_apologies_the_head_of_the_agency() -> None:
    engine = engine_for("lien-thong/child-under-6.yaml")
    code = engine.receive(CHILD, actor=DESK).code
    for trigger in ("forward", "register", "send"):
        engine.fire(code, trigger, PC)
    engine.clock.advance(hours=1)  # type: ignore[attr-defined]
    step_role = engine.procedure_of(engine.get(code)).states["residence"].role
    officer = Actor("binh", "commune-police", step_role)
    if step_role is not None:
        with pytest.raises(NotPermitted, match=r"rules\.authority\.set_facts"):
            engine.set_facts(code, {"needs_verification": True}, POLICE_HEAD)
    engine.set_facts(code, {"needs_verification": True}, officer)
    with pytest.raises(NotPermitted, match=r"rules.authority.apologise .* 'leader'"):
        engine.apologise(code, officer, reason="x", new_appointment=at(12, 17))
    with pytest.raises(NotPermitted, match="held by 'commune-police'"):
        engine.apologise(code, PC_HEAD, reason="x", new_appointment=at(12, 17))
    slip = engine.apologise(code, POLICE_HEAD, reason="xác minh", new_appointment=at(12, 17))
    assert slip.signed_by == str(POLICE_HEAD)


def test_a_procedure_declares_who_may_apologise_stop_and_set_facts() -> None:
    data = _raw(CHILD_FILE)
    data.setdefault("rules", {})["authority"] = {
        "apologise": ["deputy-head", "leader"],
        "stop": "any",
        "set_facts": ["verifier"],
    }
    engine = engine_for(Procedure.model_validate(data))
    code = engine.receive(CHILD, actor=DESK).code
    engine.fire(code, "forward", PC)
    with pytest.raises(NotPermitted, match="'verifier'"):
        engine.set_facts(code, {"needs_verification": True}, PC)
    engine.set_facts(code, {"needs_verification": True}, Actor("v", "commune-pc", "verifier"))
    engine.apologise(
        code, Actor("d", "commune-pc", "deputy-head"), reason="x", new_appointment=at(12, 17)
    )
    assert engine.fire(code, "stop", PC).outcome == "stopped"


def test_an_empty_role_list_lets_nobody_stop() -> None:
    data = _raw(CHILD_FILE)
    data.setdefault("rules", {})["authority"] = {"stop": []}
    engine = engine_for(Procedure.model_validate(data))
    code = engine.receive(CHILD, actor=DESK).code
    with pytest.raises(NotPermitted, match="allows no officer"):
        engine.fire(code, "stop", PC_HEAD)


# --- 4. a version outside its window ------------------------------------------------------


def test_an_explicit_version_must_be_in_force_unless_a_ground_is_named() -> None:
    engine = engine_for(
        "business/household-business-2021.yaml",
        "business/household-business-2025.yaml",
        start=at(3, 8),
    )
    desk = Actor("lan", "commune-pc", "desk-officer")
    with pytest.raises(RuleViolation, match=r"2021-01.*2025-06-30.*version_override"):
        engine.receive(
            HOUSEHOLD, actor=Actor("x", "district-pc", "desk-officer"), version="2021-01"
        )
    assert list(engine.store.codes()) == []
    with pytest.raises(RuleViolation, match="name that version"):
        engine.receive(HOUSEHOLD, actor=desk, version_override="court order")
    ground = "Bản án 12/2026/HC-ST: tiếp nhận lại hồ sơ"
    slip = engine.receive(
        HOUSEHOLD,
        actor=Actor("x", "district-pc", "desk-officer"),
        version="2021-01",
        version_override=ground,
    )
    received = engine.history(slip.code)[0]
    assert received.data["version_override"] == ground
    assert engine.get(slip.code).procedure_version == "2021-01"
    # In its window, the version needs no ground and none is recorded.
    current = engine.procedure_of(engine.get(slip.code))
    assert current.version == "2021-01"


# --- 5. bad applicant data through the API -------------------------------------------------


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("applicant", "message"),
    [
        ({1: "x"}, "keys must be strings"),
        ({"name": b"\x00bytes"}, "bytes"),
        ({"id": 2**64}, "outside 64 bits"),
        ({"id": -(2**63) - 1}, "outside 64 bits"),
        ({"born": datetime(2020, 1, 1)}, "datetime"),
        ({"score": float("nan")}, "finite"),
        ({"tags": {1, 2}}, "set"),
        (_nested(300), "nests more than"),
        (_nested(20_000), "nests more than"),
    ],
    ids=["int-key", "bytes", "big-int", "small-int", "datetime", "nan", "set", "300", "20000"],
)
def test_applicant_data_that_cannot_be_stored_is_refused(
    applicant: dict[str, Any], message: str
) -> None:
    engine = engine_for("lien-thong/child-under-6.yaml")
    with pytest.raises(RuleViolation, match=message):
        engine.receive(CHILD, actor=DESK, applicant=applicant)
    with pytest.raises(RuleViolation, match=message):
        engine.receive(CHILD, actor=DESK, facts=applicant)
    assert list(engine.store.codes()) == []
    code = engine.receive(CHILD, actor=DESK, applicant={"name": "Mai", "id": 2**63 - 1}).code
    engine.fire(code, "forward", PC)
    with pytest.raises(RuleViolation, match=message):
        engine.set_facts(code, applicant, PC)
    assert engine.get(code).version == 2


# --- 9. the sweep never back-dates ----------------------------------------------------------


def test_a_sweep_as_of_an_instant_before_the_last_event_writes_nothing(tmp_path: Path) -> None:
    engine = engine_for("lien-thong/child-under-6.yaml")
    code = engine.receive(CHILD, actor=DESK).code
    engine.clock.set(at(10, 9))  # type: ignore[attr-defined]
    engine.fire(code, "forward", PC)  # late, so a sweep now is due at once
    engine.set_facts(code, {"needs_verification": False}, PC)
    events = len(engine.history(code))
    assert engine.sweep(at(9, 9)) == []  # before its last move
    assert engine.sweep(at(10, 9) - timedelta(minutes=1)) == []
    assert len(engine.history(code)) == events
    written = engine.sweep(at(10, 10))
    assert written and all(e.at == at(10, 10) for e in written)
    assert engine.verify().ok

    db = str(tmp_path / "desk.db")
    common = ["--procedures", str(ROOT / "procedures")]
    desk = ["--actor", "lan", "--agency", "commune-pc", "--role", "desk-officer"]
    r = procflow(
        "dossier", "receive", db, CHILD, *desk, "--at", "2026-03-03T08:00", "--format", "json",
        *common, cwd=tmp_path,
    )  # fmt: skip
    cli_code = json.loads(r.stdout)["code"]
    r = procflow(
        "dossier", "fire", db, cli_code, "forward", *desk, "--at", "2026-03-10T09:00", *common,
        cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = procflow("sweep", db, "--at", "2026-03-09T09:00", *common, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = procflow("dossier", "history", db, cli_code, "--format", "json", *common, cwd=tmp_path)
    assert [e["type"] for e in json.loads(r.stdout)] == ["received", "moved"]


# --- 10. listeners get what cannot change the log ----------------------------------------------


def test_a_listener_cannot_edit_the_stored_log() -> None:
    engine = engine_for("lien-thong/child-under-6.yaml")
    seen: list[dict[str, Any]] = []

    def meddle(event: Any, dossier: Any) -> None:
        seen.append(json.loads(json.dumps(event.data)))  # a webhook can serialise it
        dossier.facts["meddled"] = True  # a private copy
        event.data["applicant"] = {"name": "someone else"}

    engine.subscribe(meddle)
    code = engine.receive(CHILD, actor=DESK, applicant={"name": "Mai"}).code
    assert engine.listener_errors == 1  # the TypeError is counted, not raised
    assert seen and seen[0]["applicant"] == {"name": "Mai"}
    assert engine.history(code)[0].data["applicant"] == {"name": "Mai"}
    assert "meddled" not in engine.get(code).facts
    with pytest.raises(TypeError, match="read-only"):
        engine.history(code)[0].data["applicant"]["name"] = "x"
    assert engine.verify().ok


def test_an_interrupt_in_a_listener_says_the_transition_happened() -> None:
    engine = engine_for("lien-thong/child-under-6.yaml")
    code = engine.receive(CHILD, actor=DESK).code
    later: list[str] = []

    def interrupt(event: Any, dossier: Any) -> None:
        raise KeyboardInterrupt

    engine.subscribe(interrupt, types=["moved"])
    engine.subscribe(lambda e, d: later.append(e.type.value))
    with pytest.raises(KeyboardInterrupt) as caught:
        engine.fire(code, "forward", PC)
    event = caught.value.procflow_event  # type: ignore[attr-defined]
    assert (event.code, event.seq, event.type) == (code, 2, EventType.MOVED)
    assert any("was written" in note for note in caught.value.__notes__)
    assert engine.get(code).state == "birth-registration"  # it happened
    assert later == []  # the remaining listeners did not run


def test_the_command_line_names_the_ground_for_an_old_version(tmp_path: Path) -> None:
    db = str(tmp_path / "desk.db")
    common = ["--procedures", str(ROOT / "procedures"), "--at", "2026-03-03T08:00"]
    desk = ["--actor", "lan", "--agency", "district-pc", "--role", "desk-officer"]
    r = procflow(
        "dossier", "receive", db, HOUSEHOLD, *desk, "--version", "2021-01", *common,
        cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 1
    assert "2025-06-30" in r.stderr and "version_override" in r.stderr
    assert "Traceback" not in r.stderr
    assert not Path(db).exists()  # a refused receipt leaves no database behind
    ground = "court judgment 12/2026/HC-ST orders re-receipt"
    r = procflow(
        "dossier", "receive", db, HOUSEHOLD, *desk, "--version", "2021-01",
        "--version-override", ground, "--format", "json", *common, cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    code = json.loads(r.stdout)["code"]
    r = procflow("dossier", "history", db, code, "--format", "json", *common[:2], cwd=tmp_path)
    assert json.loads(r.stdout)[0]["data"]["version_override"] == ground
