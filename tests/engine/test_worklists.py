"""Issue 22, part 1: worklists, on every store, equal to the reference
(:func:`procflow.model.worklist.page_of` over every open record) whatever
the dossiers did, and paged without gaps or repeats.

The child-under-6 liên thông bundle, received from Tuesday 3 March 2026:
the commune People's Committee's desk, the commune police and social
insurance hold its steps in turn.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from enginetest import BHXH, CHILD, DESK, PC, POLICE, VN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procflow.engine import Engine
from procflow.errors import NotPermitted, ProcflowError
from procflow.model.worklist import WorkQuery, page_of
from procflow.store.schema import latest_version

ACTORS = {"commune-pc": PC, "commune-police": POLICE, "social-insurance": BHXH}


def populate(engine: Engine, seed: int, n: int = 30) -> list[str]:
    """``n`` dossiers moved at random: some forwarded, paused, handed off,
    assigned, returned; the sweep run now and then."""
    rng = random.Random(seed)
    clock = engine.clock
    codes = []
    for _ in range(n):
        codes.append(engine.receive(CHILD, actor=DESK).code)
        clock.advance(timedelta(minutes=rng.randint(1, 90)))  # type: ignore[attr-defined]
    for _ in range(n * 3):
        code = rng.choice(codes)
        dossier = engine.get(code)
        if not dossier.is_open:
            continue
        holder = dossier.holder or "commune-pc"
        actor = DESK if dossier.state == "reception" else ACTORS.get(holder, PC)
        moves = engine.available(code, actor)
        choice = rng.random()
        try:
            if choice < 0.15:
                engine.assign(code, actor, officer=rng.choice(["lan", "hoa", "binh"]))
            elif choice < 0.2:
                engine.assign(code, actor, role="leader")
            elif moves:
                trigger = rng.choice([m for m in moves if m not in ("withdraw", "stop")] or moves)
                engine.fire(code, trigger, actor, missing=["giấy tờ"])
        except ProcflowError:
            pass
        clock.advance(timedelta(hours=rng.randint(0, 20)))  # type: ignore[attr-defined]
        if rng.random() < 0.1:
            engine.sweep()
    return codes


def reference(engine: Engine, codes: list[str], query: WorkQuery) -> list[str]:
    tz = engine.calendar.tz
    records = [engine.store.record(c, tz) for c in codes]
    return [i.code for i in page_of(query, [r for r in records if r is not None], tz)]


def test_worklists_equal_the_reference_on_every_store(engine: Engine) -> None:
    codes = populate(engine, seed=7)
    now = engine.clock.now()
    asked = [
        {"agency": "commune-pc"},
        {"agency": "commune-police"},
        {"agency": "social-insurance", "overdue": True},
        {"agency": "commune-pc", "paused": True},
        {"agency": "commune-pc", "warned": True},
        {"officer": "lan"},
        {"role": "leader"},
        {"agency": "commune-pc", "step": "review", "overdue": False},
        {"agency": "commune-pc", "procedure": CHILD, "paused": False},
    ]
    seen_any = 0
    for kwargs in asked:
        got = [i.code for i in engine.worklist(limit=500, now=now, **kwargs)]  # type: ignore[arg-type]
        steps = None
        if "role" in kwargs:
            steps = frozenset(
                (p.id, s.id)
                for p in engine.catalogue
                for s in p.states.values()
                if s.role == "leader"
            )
        query = WorkQuery(
            now=now.timestamp(),
            agency=kwargs.get("agency"),  # type: ignore[arg-type]
            officer=kwargs.get("officer"),  # type: ignore[arg-type]
            assigned_role=kwargs.get("role"),  # type: ignore[arg-type]
            steps=steps,
            procedure_id=kwargs.get("procedure"),  # type: ignore[arg-type]
            step=kwargs.get("step"),  # type: ignore[arg-type]
            warned=kwargs.get("warned"),  # type: ignore[arg-type]
            overdue=kwargs.get("overdue"),  # type: ignore[arg-type]
            paused=kwargs.get("paused"),  # type: ignore[arg-type]
            limit=500,
        )
        assert got == reference(engine, codes, query), kwargs
        seen_any += bool(got)
    assert seen_any >= 5  # the random run put dossiers on most lists


def test_pages_cover_the_list_once_in_order(engine: Engine) -> None:
    codes = populate(engine, seed=11, n=25)
    now = engine.clock.now()
    whole = [i.code for i in engine.worklist(agency="commune-pc", limit=500, now=now)]
    paged: list[str] = []
    after = None
    while True:
        page = engine.worklist(agency="commune-pc", limit=4, after=after, now=now)
        paged += [i.code for i in page]
        if len(page) < 4:
            break
        after = page[-1].cursor
    assert paged == whole
    assert len(set(paged)) == len(paged)
    deadlines = [i.deadline for i in engine.worklist(agency="commune-pc", limit=500, now=now)]
    assert deadlines == sorted(deadlines)  # type: ignore[type-var]
    assert set(whole) <= set(codes)


def test_a_worklist_is_someones(engine: Engine) -> None:
    with pytest.raises(ProcflowError, match="an agency, a role or an officer"):
        engine.worklist()
    with pytest.raises(ProcflowError, match="1 to 500"):
        engine.worklist(agency="commune-pc", limit=0)


def test_assignment_shows_on_the_officers_list_and_goes_with_the_move(engine: Engine) -> None:
    code = engine.receive(CHILD, actor=DESK).code
    engine.fire(code, "forward", DESK)
    holder = engine.get(code).holder
    assert holder == "commune-pc"
    engine.assign(code, PC, officer="hoa")
    assert [i.code for i in engine.worklist(officer="hoa")] == [code]
    item = engine.worklist(officer="hoa")[0]
    assert item.assignee == "hoa" and item.holder == "commune-pc"
    with pytest.raises(NotPermitted):
        engine.assign(code, POLICE, officer="binh")  # not the holder
    for trigger in engine.available(code, PC):
        if trigger not in ("withdraw", "stop", "request_supplement", "refuse"):
            engine.fire(code, trigger, PC)
            break
    assert engine.worklist(officer="hoa") == []


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000))
def test_overdue_is_judged_at_the_instant_asked(engine: Engine, seed: int) -> None:
    populate(engine, seed=seed, n=8)
    codes = list(engine.store.codes(open_only=True))  # the earlier examples' too
    for hours in (0, 30, 300):
        now = engine.clock.now() + timedelta(hours=hours)
        got = {
            i.code for i in engine.worklist(agency="commune-pc", overdue=True, now=now, limit=500)
        }
        query = WorkQuery(now=now.timestamp(), agency="commune-pc", overdue=True, limit=500)
        assert got == set(reference(engine, codes, query))


def test_the_cli_pages_with_a_cursor(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from enginetest import ROOT, procflow

    db = tmp_path / "desk.db"
    for i in range(3):
        r = procflow(
            "dossier", "receive", str(db), CHILD, "--actor", "lan", "--agency", "commune-pc",
            "--role", "desk-officer", "--at", f"2026-03-03T08:0{i}", "--procedures",
            str(ROOT / "procedures"), cwd=tmp_path,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
    args = ["worklist", str(db), "--agency", "commune-pc", "--limit", "2", "--format", "json",
            "--procedures", str(ROOT / "procedures"), "--at", "2026-03-03T09:00"]  # fmt: skip
    first = json.loads(procflow(*args, cwd=tmp_path).stdout)
    assert len(first["items"]) == 2 and first["next"]
    second = json.loads(procflow(*args, "--after", first["next"], cwd=tmp_path).stdout)
    codes = [i["code"] for i in first["items"] + second["items"]]
    assert len(codes) == 3 == len(set(codes))
    assert first["items"][0]["deadline"] <= first["items"][1]["deadline"]
    assert first["items"][0]["overdue"] is False
    _ = datetime.now(VN)


WORK_COLUMNS = ("holder", "assignee", "assigned_role", "deadline_at", "paused", "warned")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_database_from_before_worklists_gets_them_on_opening(
    backend: str,
    tmp_path,
    request: pytest.FixtureRequest,
    catalogue,
    calendar,  # type: ignore[no-untyped-def]
) -> None:
    """A database written before migration 5 (no worklist columns) opens,
    gains them, and its open dossiers are on the right worklists at once."""
    from procflow.engine import Engine, VirtualClock
    from procflow.store import SQLiteStore

    if backend == "sqlite":
        path = tmp_path / "old.db"

        def opener():  # type: ignore[no-untyped-def]
            return SQLiteStore(path)
    else:
        from store_postgres import PostgresSchema, postgres_url

        schema = PostgresSchema(postgres_url())
        request.addfinalizer(schema.drop)
        opener = schema.open
    store = opener()
    engine = Engine(store, catalogue, calendar, VirtualClock(datetime(2026, 3, 3, 8, tzinfo=VN)))
    codes = populate(engine, seed=3, n=12)
    now = engine.clock.now()
    before = {
        kind: [i.code for i in engine.worklist(limit=500, now=now, **{kind: value})]  # type: ignore[arg-type]
        for kind, value in (("agency", "commune-pc"), ("officer", "hoa"), ("role", "leader"))
    }
    store.close()
    # Back to schema 4: the columns, their indexes and the version row go.
    if backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(path)
        for index in ("holder", "assignee", "role", "step"):
            conn.execute(f"DROP INDEX dossiers_work_{index}")
        for column in WORK_COLUMNS:
            conn.execute(f"ALTER TABLE dossiers DROP COLUMN {column}")
        conn.execute("DELETE FROM schema_version WHERE version >= 5")
        conn.commit()
        conn.close()
    else:
        with schema.connect() as conn:
            for column in WORK_COLUMNS:
                conn.execute(f"ALTER TABLE dossiers DROP COLUMN {column}")
            conn.execute("DELETE FROM schema_version WHERE version >= 5")
    reopened = opener()
    assert reopened.schema_version() == latest_version()
    engine = Engine(reopened, catalogue, calendar, VirtualClock(now))
    for kind, value in (("agency", "commune-pc"), ("officer", "hoa"), ("role", "leader")):
        got = [i.code for i in engine.worklist(limit=500, now=now, **{kind: value})]  # type: ignore[arg-type]
        assert got == before[kind], kind
    assert before["agency"] and set(before["agency"]) <= set(codes)
    reopened.close()
