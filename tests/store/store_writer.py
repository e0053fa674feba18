"""A child process that writes to an SQLite store, for the crash and race tests.

Run as ``python store_writer.py MODE DB ...`` (its directory is then on
``sys.path``, so it can use the tests' record builders). It prints one line
per fact the parent checks, and flushes each line only after the store call
it reports has returned, so a printed ``ack`` is an acknowledged write.

Modes:

``crash DB N``
    Create dossiers HS-000..HS-(N-1) if missing, print ``ready``, then move
    them round-robin forever, printing ``ack CODE SEQ`` after each append.
    The parent kills it with SIGKILL at some moment.
``race DB NAME``
    Obey the parent line by line: ``read CODE`` reads the dossier and prints
    ``read CODE VERSION``; ``go`` appends one event on top of what was read
    and prints ``won CODE SEQ`` or ``lost CODE``; ``quit`` ends. The parent
    sends ``go`` to two such children at once so they race.
``open DB``
    Open the store (creating the file if needed), print ``opened VERSION N``
    with the schema version and a number taken from sequence ``opened``.
``hammer DB NAME COUNT CODE...``
    Make COUNT successful appends to randomly chosen CODEs, re-reading and
    retrying on conflict, printing ``ack CODE SEQ`` for each success, then
    ``done SUCCESSES CONFLICTS``.
"""

from __future__ import annotations

import random
import sys
from datetime import timedelta

from store_testdata import T0, advance, receive

from procflow.errors import ConflictError
from procflow.model.actor import Actor
from procflow.model.dossier import Dossier
from procflow.store.sqlite import SQLiteStore


def say(*parts: object) -> None:
    # One write per line: with PYTHONUNBUFFERED, print() writes each part on its
    # own, and a kill -9 between two of them leaves half a line for the parent.
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def load(store: SQLiteStore, code: str) -> Dossier:
    dossier = store.get(code)
    if dossier is None:
        raise SystemExit(f"{code} is not stored")
    return dossier


def crash(db: str, count: int) -> None:
    store = SQLiteStore(db)
    codes = [f"HS-{i:03}" for i in range(count)]
    for i, code in enumerate(codes):
        if store.get(code) is None:
            dossier, event = receive(code, at=T0 + timedelta(minutes=i))
            store.create(dossier, event, T0 + timedelta(days=1))
            say("ack", code, 1)
    say("ready")
    turn = 0
    while True:
        code = codes[turn % count]
        turn += 1
        dossier = load(store, code)
        after, event = advance(dossier, f"buoc-{dossier.version}")
        store.append(after, event, dossier.version, T0 + timedelta(days=2))
        say("ack", code, event.seq)


def race(db: str, name: str) -> None:
    actor = Actor(name, "ubnd-xa-an-binh")
    read: Dossier | None = None
    with SQLiteStore(db) as store:
        for line in sys.stdin:
            command, *args = line.split()
            if command == "read":
                read = load(store, args[0])
                say("read", read.code, read.version)
            elif command == "go":
                assert read is not None
                after, event = advance(read, f"{name}-{read.version}", actor=actor)
                try:
                    store.append(after, event, read.version, None)
                except ConflictError:
                    say("lost", read.code)
                else:
                    say("won", read.code, event.seq)
            elif command == "quit":
                return


def hammer(db: str, name: str, count: int, codes: list[str]) -> None:
    actor = Actor(name, "ubnd-xa-an-binh")
    rng = random.Random(name)
    successes = conflicts = 0
    with SQLiteStore(db) as store:
        while successes < count:
            dossier = load(store, rng.choice(codes))
            after, event = advance(dossier, f"{name}-{dossier.version}", actor=actor)
            try:
                store.append(after, event, dossier.version, None)
            except ConflictError:
                conflicts += 1
                continue
            successes += 1
            say("ack", dossier.code, event.seq)
    say("done", successes, conflicts)


def open_only(db: str) -> None:
    with SQLiteStore(db) as store:
        say("opened", store.schema_version(), store.next_sequence("opened"))


def main(argv: list[str]) -> None:
    mode, db, *rest = argv
    if mode == "open":
        open_only(db)
    elif mode == "crash":
        crash(db, int(rest[0]))
    elif mode == "race":
        race(db, rest[0])
    elif mode == "hammer":
        hammer(db, rest[0], int(rest[1]), rest[2:])
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
