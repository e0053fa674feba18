"""Dossiers with every paper of the one-stop desk, made by the real engine on a
real store, for the printing tests.

Dates, on the shipped calendar (children-under-6 bundle, 3 working days, the
day of receipt not counted):

* OLD: received Friday 12/09/2025 08:00, before Circular 03/2025/TT-VPCP
  takes effect (15/09/2025): Form 01 of Circular 01/2018/TT-VPCP. Mon 15 (1),
  Tue 16 (2), Wed 17 (3) -> appointment 17:00 17/09/2025. Forwarded at 09:00,
  asked to supplement at 10:00 (the clock stops), resubmitted 14:00 the
  Monday; an apology on 16/09 (its own date is after 15/09: Form 04 of
  Circular 03/2025), then stopped by the head of the commune.
* NEW: received Tuesday 03/03/2026 08:00 under Circular 03/2025: Wed 4 (1),
  Thu 5 (2), Fri 6 (3) -> 17:00 06/03/2026; forwarded, registered, handed
  over to the police, who register residence; still in progress.
* GUIDED and REFUSED: guidance and a refusal at the desk, 03/03/2026.
* WITHDRAWN: received 03/03/2026 15:00 and withdrawn at 16:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Actor, Engine, VirtualClock
from procflow.model.slips import ApologySlip, ReceiptSlip, RefusalSlip, SupplementRequest
from procflow.store.base import Store

ROOT = Path(__file__).resolve().parents[2]

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CHILD = "vn.lien-thong.child-under-6"
DESK = Actor("lan", "commune-pc", "desk-officer")
PC = Actor("hoa", "commune-pc")
POLICE = Actor("binh", "commune-police")
PC_HEAD = Actor("minh", "commune-pc", "leader")

APPLICANT = {
    "name": "Nguyễn Thị Mai",
    "address": "Thôn Đông, xã An Bình",
    "phone": "0912 345 678",
    "email": "mai@example.vn",
}
DOCUMENTS = [
    {"name": "Giấy chứng sinh", "form": "original"},
    {"name": "Tờ khai đăng ký khai sinh"},
    {"name": "Căn cước của cha hoặc mẹ", "form": "copy", "copies": 2},
]


@dataclass
class Desk:
    engine: Engine
    clock: VirtualClock
    old: ReceiptSlip
    new: ReceiptSlip
    guided: SupplementRequest
    refused: RefusalSlip
    withdrawn: ReceiptSlip
    supplement: str
    """The code of the dossier asked to supplement during processing (OLD)."""
    apology: ApologySlip


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def build(store: Store, catalogue: Catalogue, calendar: WorkCalendar) -> Desk:
    clock = VirtualClock(at("2025-09-12T08:00"))
    engine = Engine(store, catalogue, calendar, clock)
    old = engine.receive(CHILD, actor=DESK, applicant=APPLICANT, documents=DOCUMENTS)
    clock.set(at("2025-09-12T09:00"))
    engine.fire(old.code, "forward", DESK)
    clock.set(at("2025-09-12T10:00"))
    engine.fire(
        old.code,
        "request_supplement",
        PC,
        note="tờ khai thiếu chữ ký của người đi khai sinh",
        missing=["Tờ khai có chữ ký", "Bản sao giấy chứng nhận kết hôn"],
    )
    clock.set(at("2025-09-15T14:00"))
    engine.fire(old.code, "resubmit", PC)
    clock.set(at("2025-09-16T08:30"))
    apology = engine.apologise(
        old.code,
        PC_HEAD,
        reason="chờ xác minh nơi cư trú của người mẹ",
        new_appointment=at("2025-09-22T17:00"),
    )
    clock.set(at("2025-09-16T09:00"))
    engine.fire(old.code, "stop", PC_HEAD, note="khai sinh đã được đăng ký tại nơi khác")

    clock.set(at("2026-03-03T08:00"))
    new = engine.receive(CHILD, actor=DESK, applicant=APPLICANT, documents=DOCUMENTS)
    clock.set(at("2026-03-03T08:30"))
    guided = engine.guide(
        CHILD,
        actor=DESK,
        missing=["Giấy chứng sinh"],
        reason="chưa có giấy chứng sinh",
        applicant={"name": "Trần Văn Bình"},
    )
    clock.set(at("2026-03-03T08:45"))
    refused = engine.refuse_at_reception(
        CHILD,
        actor=DESK,
        reason="hồ sơ không thuộc thẩm quyền của xã",
        applicant={"name": "Lê Văn Cường", "address": "Phường 5"},
    )
    clock.set(at("2026-03-03T09:00"))
    engine.fire(new.code, "forward", DESK)
    clock.set(at("2026-03-03T11:00"))
    engine.fire(new.code, "register", PC)
    clock.set(at("2026-03-03T13:30"))
    engine.fire(new.code, "send", PC)
    clock.set(at("2026-03-03T15:00"))
    withdrawn = engine.receive(CHILD, actor=DESK, applicant={"name": "Phạm Thu Hà"})
    clock.set(at("2026-03-03T16:00"))
    engine.fire(withdrawn.code, "withdraw", DESK, note="đơn xin rút hồ sơ của người nộp")
    return Desk(
        engine=engine,
        clock=clock,
        old=old,
        new=new,
        guided=guided,
        refused=refused,
        withdrawn=withdrawn,
        supplement=old.code,
        apology=apology,
    )
