"""A worker process for the durability tests: runs the engine on an SQLite file.

    python engine_worker.py DB PROCEDURES MODE [N]

MODE ``crash``: receive dossiers and move each through the whole bundle,
printing ``ack CODE VERSION`` after every call returns (the acknowledgement),
until killed.
MODE ``race``: fire N times on the dossiers listed on stdin, printing ``won``
or ``conflict`` for each attempt.
MODE ``receive``: receive one dossier, then, once the parent says go (a line
on stdin), N - 1 more, 2 ms apart, printing each code.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from procflow.engine import Actor, VirtualClock
from procflow.errors import ConflictError, InvalidTrigger, NotPermitted
from procflow.runtime import open_engine

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DESK = Actor("lan", "commune-pc", "desk-officer")
SCRIPT = [
    ("forward", Actor("lan", "commune-pc", "desk-officer")),
    ("register", Actor("hoa", "commune-pc")),
    ("send", Actor("hoa", "commune-pc")),
    ("register", Actor("binh", "commune-police")),
    ("send", Actor("binh", "commune-police")),
    ("issue", Actor("an", "social-insurance")),
    ("send", Actor("an", "social-insurance")),
    ("hand_over", Actor("lan", "commune-pc", "desk-officer")),
]


def main() -> None:
    db, procedures, mode = sys.argv[1:4]
    clock = VirtualClock(datetime(2026, 3, 3, 8, 0, tzinfo=VN))
    engine = open_engine(db, procedures=[procedures], clock=clock)
    out = sys.stdout
    if mode == "crash":
        while True:
            code = engine.receive("vn.lien-thong.child-under-6", actor=DESK).code
            print(f"ack {code} 1", file=out, flush=True)
            for version, (trigger, actor) in enumerate(SCRIPT, start=2):
                clock.advance(timedelta(minutes=5))
                engine.fire(code, trigger, actor)
                print(f"ack {code} {version}", file=out, flush=True)
    elif mode == "receive":
        count = int(sys.argv[4])
        # One receipt first, so that both workers are warm when the race starts.
        warm = engine.receive("vn.lien-thong.child-under-6", actor=DESK).code
        print("ready", flush=True)
        sys.stdin.readline()
        print(warm, flush=True)
        for _ in range(count - 1):
            print(engine.receive("vn.lien-thong.child-under-6", actor=DESK).code, flush=True)
            # A desk between two applicants: without a pause, one process
            # re-takes the write lock at once while the other's busy handler
            # sleeps, and the two run one after the other, not together.
            time.sleep(0.002)
    elif mode == "race":
        rounds = int(sys.argv[4])
        print("ready", flush=True)  # the parent starts both workers at once
        codes = sys.stdin.read().split()
        for _ in range(rounds):
            for code in codes:
                dossier = engine.get(code)
                if not dossier.is_open:
                    continue
                trigger, actor = SCRIPT[dossier.version - 1]
                try:
                    engine.fire(code, trigger, actor, expected_version=dossier.version)
                    print(f"won {code} {dossier.version + 1}", flush=True)
                except ConflictError:
                    print(f"conflict {code} {dossier.version + 1}", flush=True)
                except (InvalidTrigger, NotPermitted):
                    # The other process moved it between our read and our fire.
                    print(f"conflict {code} {dossier.version + 1}", flush=True)


if __name__ == "__main__":
    main()
