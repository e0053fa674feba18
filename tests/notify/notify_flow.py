"""A dossier's life that gives every notice, on the inter-agency bundle for a
child under 6 (procedures/lien-thong/child-under-6.yaml): received, a
supplement request, the result ready at the desk, returned; a second dossier
refused; guidance and a refusal at reception; an apology; an overdue step."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from procflow.engine import Actor, Engine, VirtualClock
from procflow.model.actor import SYSTEM
from procflow.model.events import EventType

ROOT = Path(__file__).resolve().parents[2]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
CHILD = "vn.lien-thong.child-under-6"
CATALOGUE_FILES = [ROOT / "procedures" / "lien-thong" / "child-under-6.yaml"]

DESK = Actor("lan", "commune-pc", "desk-officer")
PC = Actor("hoa", "commune-pc")
POLICE = Actor("binh", "commune-police")
BHXH = Actor("an", "social-insurance")
PC_HEAD = Actor("minh", "commune-pc", "leader")

MAI = {"name": "Nguyễn Thị Mai", "email": "mai@example.vn", "phone": "0912345678"}


def receive(engine: Engine, applicant: dict[str, str] | None = None) -> str:
    return engine.receive(CHILD, actor=DESK, applicant=dict(applicant or MAI)).code


def whole_life(engine: Engine, clock: VirtualClock) -> str:
    """Received, supplement requested and answered, through the three
    agencies to the result at the desk, returned. Returns the code."""
    code = receive(engine)
    clock.advance(timedelta(minutes=30))
    engine.fire(code, "forward", DESK)
    engine.fire(code, "request_supplement", PC, missing=["Giấy chứng sinh"], note="bản sao mờ")
    clock.advance(timedelta(hours=1))
    engine.fire(code, "resubmit", DESK)
    for trigger, actor in [
        ("register", PC),
        ("send", PC),
        ("register", POLICE),
        ("send", POLICE),
        ("issue", BHXH),
        ("send", BHXH),
    ]:
        clock.advance(timedelta(minutes=20))
        engine.fire(code, trigger, actor)
    clock.advance(timedelta(minutes=20))
    engine.fire(code, "hand_over", DESK)
    return code


def every_notice(engine: Engine, clock: VirtualClock) -> list[str]:
    """Dossiers whose events give every notice kind but escalation; returns their
    codes (the late one last)."""
    codes = [whole_life(engine, clock)]
    refused = receive(engine)
    engine.fire(refused, "forward", DESK)
    engine.fire(refused, "refuse", PC, note="không thuộc thẩm quyền")
    codes.append(refused)
    codes.append(engine.guide(CHILD, actor=DESK, missing=["Tờ khai CT01"], applicant=MAI).code)
    codes.append(
        engine.refuse_at_reception(
            CHILD, actor=DESK, reason="trẻ đã quá 6 tuổi", applicant=MAI
        ).code
    )
    late = receive(engine)
    engine.fire(late, "forward", DESK)
    engine.apologise(
        late,
        PC_HEAD,
        reason="chờ xác minh",
        new_appointment=datetime(2026, 3, 12, 17, 0, tzinfo=VN),
    )
    clock.advance(timedelta(days=1))
    engine.sweep()  # its step is overdue
    clock.advance(datetime(2026, 3, 6, 9, 0, tzinfo=VN) - clock.now())
    engine.sweep()  # and the dossier is due at 17:00 today: warned
    codes.append(late)
    return codes


def escalate(engine: Engine, code: str, clock: VirtualClock, roles: list[str]) -> None:
    """The ``escalated`` event the sweep writes for a rule "on overdue, notify
    ROLES" (procflow.engine.sweeping), written through the engine's own path."""
    rec = engine.store.record(code, VN)
    assert rec is not None
    proc = engine.catalogue.get(rec.procedure_id, rec.procedure_version)
    due = "2026-03-03T14:45:00+07:00"
    data = {
        "key": f"escalate:0:overdue:dossier:{due}",
        "alert": f"overdue:dossier:{due}",
        "rule": 0,
        "on": "overdue",
        "state": rec.state,
        "holder": proc.states[rec.state].agency,
        "notify": roles,
        "reassign": None,
        "fire": None,
        "note": "Báo cáo Chủ tịch UBND xã",
    }
    engine._write(proc, rec, EventType.ESCALATED, clock.now(), SYSTEM, data)
