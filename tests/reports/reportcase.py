"""The small hand-computed case every report test checks against.

Nine dossiers run through the real engine on a virtual clock, on an SQLite
store. Office hours 07:30-11:30 and 13:30-17:00 (a working day is 27,000 s).
The lien-thong procedure takes 3 working days; its steps are allotted
reception 0.25 d, birth-registration 0.5 d, to-police 0.25 d, residence
0.75 d, to-insurance 0.25 d, insurance-card 0.75 d, return-to-desk 0.25 d.

D1 supplement   received Tue 03/03 08:00, due Fri 06/03; paused Tue 09:30 ->
                Wed 09:30 (27,000 s), due moves to Mon 09/03; returned Thu
                05/03 08:00: EARLY.
D2 Tết          received Thu 12/02 10:00; Tết off 14-22/02, due Tue 24/02;
                birth-registration left Fri 13/02 08:30 (late 6,300 s),
                to-police left Mon 23/02 08:00 (late 18,450 s: a late
                hand-off by commune-pc); back at the desk Mon 23/02 11:30,
                collected Tue 24/02 09:00: EARLY (a result counts when ready).
D3 apology      received Mon 09/03 08:00, due Thu 12/03; the police apologise
                Tue 10/03 (new appointment Mon 16/03) and hold residence until
                Fri 13/03 09:00 (late 82,350 s); returned Mon 16/03: LATE.
D4 guided at reception (Wed 04/03); D5 refused at reception (Wed 04/03).
D6 open         received Wed 11/03, due Mon 16/03: overdue at 01/04.
D7 open         received Tue 31/03, due Fri 03/04: within time at 01/04.
D8 same day     birth registration received Wed 04/03 08:00, refused 09:00
                the same day: refused, ON TIME.
D9 withdrawn    received Thu 05/03 08:00, withdrawn 09:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.definition.model import Procedure
from procflow.engine import Actor, Engine, VirtualClock
from procflow.reports import ReportQuery
from procflow.store.base import Store

ROOT = Path(__file__).resolve().parents[2]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
CHILD = "vn.lien-thong.child-under-6"
BIRTH = "vn.civil-status.birth-registration"

DESK = Actor("lan", "commune-pc", "desk-officer")
PC = Actor("hoa", "commune-pc", "justice-officer")
POLICE = Actor("binh", "commune-police", "residence-officer")
POLICE_HEAD = Actor("tuan", "commune-police", "leader")
BHXH = Actor("an", "social-insurance", "card-officer")
CIVIL = Actor("mai", "commune-pc", "civil-status-officer")

QUERY = ReportQuery(start=date(2026, 2, 1), end=date(2026, 3, 31))
"""February and March 2026; in progress judged at 2026-04-01 00:00."""


def at(month: int, day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, month, day, hh, mm, tzinfo=VN)


def _load(rel: str) -> Procedure:
    return Procedure.model_validate(yaml.safe_load((ROOT / rel).read_text("utf-8")))


@dataclass
class Case:
    engine: Engine
    store: Store
    codes: dict[str, str]
    url: str = ""
    """What the CLI is given to open the same store (a file path or a URL)."""


def build(store: Store, url: str) -> Case:
    catalogue = Catalogue(
        [
            compile_procedure(_load("procedures/lien-thong/child-under-6.yaml")),
            compile_procedure(_load("procedures/civil-status/birth-registration.yaml")),
        ]
    )
    clock = VirtualClock(at(2, 12, 10))
    engine = Engine(store, catalogue, WorkCalendar.vietnam(), clock)
    codes: dict[str, str] = {}

    def fire(code: str, when: datetime, trigger: str, actor: Actor) -> None:
        engine.clock.set(when)  # type: ignore[attr-defined]
        engine.fire(code, trigger, actor)

    def story(start: datetime) -> VirtualClock:
        # Each dossier's story runs on its own virtual clock (stories overlap in time).
        engine.clock = VirtualClock(start)
        return engine.clock

    # D2: across Tết.
    clock = story(at(2, 12, 10))
    d2 = codes["D2"] = engine.receive(CHILD, actor=DESK, applicant={"name": "Trần Tết"}).code
    fire(d2, at(2, 12, 10, 30), "forward", DESK)
    fire(d2, at(2, 13, 8, 30), "register", PC)
    fire(d2, at(2, 23, 8, 0), "send", PC)
    fire(d2, at(2, 23, 10, 0), "register", POLICE)
    fire(d2, at(2, 23, 10, 30), "send", POLICE)
    fire(d2, at(2, 23, 11, 0), "issue", BHXH)
    fire(d2, at(2, 23, 11, 30), "send", BHXH)
    fire(d2, at(2, 24, 9, 0), "hand_over", DESK)

    # D1: paused for a supplement.
    clock = story(at(3, 3, 8))
    d1 = codes["D1"] = engine.receive(CHILD, actor=DESK, applicant={"name": "Lê Bổ Sung"}).code
    fire(d1, at(3, 3, 8, 30), "forward", DESK)
    clock.set(at(3, 3, 9, 30))
    engine.fire(d1, "request_supplement", PC, missing=["Giấy chứng sinh"])
    fire(d1, at(3, 4, 9, 30), "resubmit", PC)
    fire(d1, at(3, 4, 10, 30), "register", PC)
    fire(d1, at(3, 4, 11, 0), "send", PC)
    fire(d1, at(3, 4, 14, 0), "register", POLICE)
    fire(d1, at(3, 4, 14, 30), "send", POLICE)
    fire(d1, at(3, 4, 15, 30), "issue", BHXH)
    fire(d1, at(3, 4, 16, 0), "send", BHXH)
    fire(d1, at(3, 5, 8, 0), "hand_over", DESK)

    # D8: same-day birth registration, refused.
    clock = story(at(3, 4, 8))
    d8 = codes["D8"] = engine.receive(BIRTH, actor=DESK, applicant={"name": "Phạm Từ Chối"}).code
    fire(d8, at(3, 4, 8, 30), "forward", DESK)
    fire(d8, at(3, 4, 9, 0), "refuse", CIVIL)

    # D4, D5: reception outcomes.
    clock = story(at(3, 4, 10))
    codes["D4"] = engine.guide(CHILD, actor=DESK, missing=["Tờ khai CT01"]).code
    clock.set(at(3, 4, 10, 5))
    codes["D5"] = engine.refuse_at_reception(CHILD, actor=DESK, reason="not resident").code

    # D9: withdrawn.
    clock = story(at(3, 5, 8))
    d9 = codes["D9"] = engine.receive(CHILD, actor=DESK, applicant={"name": "Rút"}).code
    fire(d9, at(3, 5, 9), "withdraw", DESK)

    # D3: apologised for, returned late.
    clock = story(at(3, 9, 8))
    d3 = codes["D3"] = engine.receive(CHILD, actor=DESK, applicant={"name": "Xin Lỗi"}).code
    fire(d3, at(3, 9, 8, 30), "forward", DESK)
    fire(d3, at(3, 9, 10, 0), "register", PC)
    fire(d3, at(3, 9, 10, 30), "send", PC)
    clock.set(at(3, 10, 9))
    engine.apologise(d3, POLICE_HEAD, reason="verification", new_appointment=at(3, 16, 17))
    fire(d3, at(3, 13, 9, 0), "register", POLICE)
    fire(d3, at(3, 13, 9, 30), "send", POLICE)
    fire(d3, at(3, 13, 10, 30), "issue", BHXH)
    fire(d3, at(3, 13, 11, 0), "send", BHXH)
    fire(d3, at(3, 16, 8, 0), "hand_over", DESK)

    # D6, D7: still open.
    clock = story(at(3, 11, 8))
    d6 = codes["D6"] = engine.receive(CHILD, actor=DESK, applicant={"name": "Quá Hạn"}).code
    fire(d6, at(3, 11, 8, 30), "forward", DESK)
    clock = story(at(3, 31, 8))
    codes["D7"] = engine.receive(CHILD, actor=DESK, applicant={"name": "Trong Hạn"}).code
    return Case(engine, store, codes, url)
