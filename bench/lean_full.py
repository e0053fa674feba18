"""(g) ``lean-full``: the leanest CPython engine doing all the work procflow's
hot path does for (a), not only the work the lean-core issue lists.

The lean prototype (f, ``bench_engine.lean_engine``) is the bound for the
work the issue names: the holder's check, the working time used and late,
early / on time / late, the supplement pause, the deadlines, the alert and a
SHA-256 chain. It leaves out what procflow owes its callers on the same path,
so (a)/(f) mixes two things: procflow's design, and the features (f) does not
have. (g) separates them. It is (f) with those features added, each in the
leanest form found, and with procflow's public shape:

- ``receive(procedure_id, actor=..., applicant=...)`` checks the applicant's
  data is flat JSON, finds the version in force on the day and the desk's
  numbering scope (remembered per day), checks the actor is the desk's,
  numbers the dossier in its scope *inside the store* (a durable store must
  number and insert in one transaction), and returns a slip whose fields
  other than the code are made when first read;
- ``fire(code, trigger, actor, note=..., missing=..., expected_version=...)``
  takes the store's act lock (threads may share a memory store), reads the
  record through the store, checks the version asked for and that the
  dossier is open, finds the move on the record's own compiled moves, checks
  agency, roles and assignment, reads the clock, refuses an instant before the
  dossier's last act, counts pauses by reason and the supplement requests
  against the procedure's limit, moves the appointment when the clock moved
  the due date, clears an assignment, asks whether any escalation rule or
  listener is there, hands the store the body, hash and next alert, and
  returns a dossier read when first used;
- the store keeps one record per open dossier, its log, the alert index and
  the sequences, checks each write is of the record it gave at the version
  expected, and compacts closed dossiers' logs with Zstandard as
  ``MemoryStore`` does;
- the clock is a virtual clock of POSIX seconds that a driver advances by a
  ``timedelta`` and that gives a ``datetime`` when asked.

Each event's body is byte for byte the body procflow writes (so the chain's
hashes are procflow's too): ``tests/bench/test_lean_full.py`` checks every
event of the benchmark's dossiers. What (g) does not do is what procflow
does off this path (slips' fields, replay, other stores, other procedures'
features: documents, fees by facts, roles, cases), and procflow's own
structure: its record class, the reducer's rule shared with replay, typed
entries for the stores that read them, named methods per act.

So (a)/(g) is what procflow's design costs, and (g)/(f) what the features
cost in their leanest form.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

import bench_engine as be
import orjson
import zstandard

# a record is one list (the leanest): its slots
STATE, ENTERED, DUE, STEP_DUE, PAUSED_AT, VISITS, LAST_HASH, VERSION = range(8)
BY_DAY, MOVES, UPDATED, PAUSE_REASON, SUPPLEMENTS, ASSIGNEE = range(8, 14)
APPOINTMENTS, PAUSES, CODE, DESK, OUTCOME, TIMELINESS, CLOSED = range(14, 21)
PAUSED_SECONDS, APPLICANT, FACTS, PROCEDURE, RECEIVED, ALERTS = range(21, 27)

_FLAT = (str, int, float, bool, type(None))


class Refused(Exception):
    """A move or receipt (g) refuses: it writes nothing."""


class LeanClock:
    """A virtual clock of POSIX seconds: ``advance`` adds a step's whole
    seconds (remembered per ``timedelta``), ``now`` makes a datetime only when
    asked."""

    __slots__ = ("_steps", "t", "zone")

    def __init__(self, start: datetime) -> None:
        self.t = int(start.timestamp())
        self.zone: tzinfo = start.tzinfo  # type: ignore[assignment]
        self._steps: dict[timedelta, int] = {}

    def now_ts(self) -> int:
        return self.t

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.t, self.zone)

    def advance(self, delta: timedelta) -> None:
        s = self._steps.get(delta)
        if s is None:
            s = self._steps[delta] = int(delta.total_seconds())
        self.t += s

    def set(self, instant: datetime) -> None:
        t = int(instant.timestamp())
        if t < self.t:
            raise Refused("the clock cannot go back")
        self.t = t


class LeanSlip:
    """The receipt slip: the code now, the rest made when first read."""

    __slots__ = ("_fields", "_make", "code")

    def __init__(self, code: str, make: tuple[Any, ...]) -> None:
        self.code = code
        self._make = make
        self._fields: dict[str, Any] | None = None

    def __getattr__(self, name: str) -> Any:  # only for the fields made later
        if self._fields is None:
            _, t, start, due, _, fees = self._make
            self._fields = {"received_at": t, "clock_starts_at": start, "due": due, "fees": fees}
        return self._fields[name]


class LeanDossier:
    """What ``fire`` returns: the dossier at ``version``, read when first used."""

    __slots__ = ("_of",)

    def __init__(self, of: tuple[Any, ...]) -> None:
        self._of = of

    @property
    def outcome(self) -> str | None:
        return self._read()[OUTCOME]

    @property
    def timeliness(self) -> str | None:
        return self._read()[TIMELINESS]

    def _read(self) -> list[Any]:
        store, code, _ = self._of
        return store.read(code)


class LeanStore:
    """One record per open dossier, its log of body + hash, the alert index,
    the sequences per scope; closed dossiers' logs compacted in batches."""

    BATCH = 256

    def __init__(self, on_close: Callable[[list[Any]], None] | None = None) -> None:
        self.act_lock = threading.Lock()
        self._records: dict[str, list[Any]] = {}
        self._logs: dict[str, list[bytes]] = {}
        self._alerts: dict[str, float] = {}
        self._sequences: dict[str, int] = {}
        self._pending: list[tuple[str, bytes]] = []
        self._index: dict[str, tuple[int, int, int]] = {}
        self._batches: list[bytes] = []
        self._squeeze = zstandard.ZstdCompressor(level=1).compress
        self.logs_out: dict[str, list[bytes]] | None = None
        if on_close is not None:
            # A simulator's store: it keeps no logs (each dossier's chain still
            # runs to its last hash), and hands each closed record to on_close.
            self.on_close = on_close
            self.append = self._append_unlogged  # type: ignore[method-assign]

    def record(self, code: str) -> list[Any] | None:
        return self._records.get(code)

    def create_numbered(
        self, scope: str, make: Callable[[int], tuple[list[Any], bytes, float | None]]
    ) -> list[Any]:
        n = self._sequences.get(scope, 0) + 1
        rec, raw, alert = make(n)
        code = rec[CODE]
        if code in self._records or code in self._index:
            raise Refused(f"{code} exists")
        self._sequences[scope] = n
        self._records[code] = rec
        self._logs[code] = [raw]
        if alert is not None:
            self._alerts[code] = alert
        return rec

    def append(
        self, rec: list[Any], raw: bytes, expected_version: int, alert: float | None
    ) -> list[Any]:
        code = rec[CODE]
        if rec[VERSION] != expected_version + 1 or self._records.get(code) is not rec:
            raise Refused(f"{code} changed")
        self._logs[code].append(raw)
        if alert is None:
            self._alerts.pop(code, None)
        else:
            self._alerts[code] = alert
        if rec[OUTCOME] is not None:
            self._shelve(code)
        return rec

    def _append_unlogged(
        self, rec: list[Any], raw: bytes, expected_version: int, alert: float | None
    ) -> list[Any]:
        code = rec[CODE]
        if rec[VERSION] != expected_version + 1 or self._records.get(code) is not rec:
            raise Refused(f"{code} changed")
        alerts = self._alerts
        if rec[OUTCOME] is not None or alert is None:
            alerts.pop(code, None)
            if rec[OUTCOME] is not None:
                del self._records[code], self._logs[code]
                self.on_close(rec)
        else:
            alerts[code] = alert
        return rec

    def _shelve(self, code: str) -> None:
        log = self._logs.pop(code)
        if self.logs_out is not None:
            self.logs_out[code] = log
        del self._records[code]
        pending = self._pending
        pending.append((code, b"\n".join([raw[:-32] for raw in log])))
        if len(pending) >= self.BATCH:
            number, at, parts = len(self._batches), 0, []
            for c, blob in pending:
                self._index[c] = (number, at, at + len(blob))
                parts.append(blob)
                at += len(blob)
            self._batches.append(self._squeeze(b"".join(parts)))
            pending.clear()

    def read(self, code: str) -> list[Any]:
        """The record of an open dossier; of a closed one, its outcome and
        timeliness from its last event (all the benchmark reads)."""
        rec = self._records.get(code)
        if rec is not None:
            return rec
        pending = dict(self._pending)
        blob = pending.get(code)
        if blob is None:
            number, lo, hi = self._index[code]
            blob = zstandard.ZstdDecompressor().decompress(self._batches[number])[lo:hi]
        last = orjson.loads(blob.rsplit(b"\n", 1)[-1])
        out: list[Any] = [None] * 27
        out[OUTCOME], out[TIMELINESS] = last[22], last[23]
        return out


def lean_full_engine(store: LeanStore, clock: LeanClock) -> Any:
    """(g)'s engine for the benchmark's procedure: ``receive`` and ``fire``
    as the module describes, with the listeners' and escalation rules'
    checks (none are there)."""
    import yaml

    from procflow.engine.timing import moved_due_ts

    proc = yaml.safe_load(be.PROCEDURE_YAML)
    cal, wd, off, limit, warn_s, between, limit_due, first_due = be.lean_calendar()
    sha = hashlib.sha256
    dumps = orjson.dumps
    sort = orjson.OPT_SORT_KEYS
    max_supplements = 1  # rules.max_supplement_requests, procflow's default
    warnings: dict[float, float] = {}
    genesis = bytes(32)
    listeners: list[Any] = []
    alerting = False  # the procedure's own margins or step warnings: none
    agencies = {s["id"]: s["agency"] for s in proc["steps"]}
    to_agency = {s["id"]: s.get("to_agency") for s in proc["steps"]}
    # state -> trigger -> plan: (dest, dest agency, holder, roles, next step's
    # deadline, next step by day, kind, event type, assigned only, pause reason)
    moves: dict[str, dict[str, tuple[Any, ...]]] = {}
    for (state, trigger), dest in be.TABLE.items():
        kind = 1 if dest == "supplement" else 2 if state == "supplement" else 0
        kind = 3 if dest == "returned" else kind
        allot = be.ALLOTMENT.get(dest)
        handed = kind == 0 and to_agency[state] is not None
        moves.setdefault(state, {})[trigger] = (
            dest,
            agencies.get(dest),
            be.HOLDER[state],
            None,
            cal.deadline_ts(allot, wd, None) if allot is not None else None,
            allot is not None and float(allot).is_integer(),
            kind,
            "handed_off" if handed else ("moved", "paused", "resumed", "returned")[kind],
            False,
            "supplement" if kind == 1 else None,
        )
    in_force: dict[tuple[Any, ...], tuple[str, str, str, str]] = {}

    def desk_day(procedure_id: str, day: int, version: str | None) -> tuple[str, str, str, str]:
        if procedure_id != proc["id"] or version not in (None, proc["version"]):
            raise Refused(f"no version of {procedure_id} in force")
        local = datetime.fromtimestamp(day * 86400, clock.zone)
        hit = in_force[(procedure_id, day, version)] = (
            proc["id"],
            proc["version"],
            "desk",
            f"DESK-{local:%y%m%d}",
        )
        return hit

    def opened(
        scope: str, t: int, actor: tuple[Any, ...], payload: list[Any], alert: float, n: int
    ) -> tuple[list[Any], bytes, float]:
        code = f"{scope}-{str(n).zfill(5)}"
        body = dumps([2, code, 1, "received", t, off, actor, "R", *payload], option=sort)
        h = sha(genesis + body).digest()
        rec = [
            "reception", t, payload[5], payload[6], None, [], h, 1,
            False, moves, t, None, 0, None, [(payload[5], t, None, "desk", None)], {},
            code, "desk", None, None, None, 0.0, payload[7], payload[8], payload[0], t, (),
        ]  # fmt: skip
        return rec, body + h, alert

    def receive(
        procedure_id: str,
        *,
        actor: tuple[Any, ...],
        applicant: dict[str, Any] | None = None,
        facts: dict[str, Any] | None = None,
        version: str | None = None,
    ) -> LeanSlip:
        if applicant is not None:
            for k, v in applicant.items():
                if type(k) is not str or type(v) not in _FLAT:
                    raise Refused("applicant: not flat JSON")
        t = clock.t
        day = (t + off) // 86400
        dd = in_force.get((procedure_id, day, version))
        if dd is None:
            dd = desk_day(procedure_id, day, version)
        pid, pversion, desk, scope = dd
        if actor[1] != desk:
            raise Refused(f"{actor[0]} is not at the desk")
        start = cal.received_at_ts(t)
        due = limit_due(start)
        step_due = first_due(start)
        payload = [
            pid, pversion, desk, "reception", "desk", due, step_due,
            dict(applicant or {}), dict(facts or {}), [], None,
        ]  # fmt: skip
        warn = warnings.get(due)
        if warn is None:
            warn = warnings[due] = cal.subtract_working_seconds_ts(due, warn_s)
        alert = warn if warn <= step_due else step_due
        lock = store.act_lock
        lock.acquire()
        try:
            rec = store.create_numbered(scope, lambda n: opened(scope, t, actor, payload, alert, n))
        finally:
            lock.release()
        if listeners:
            pass
        return LeanSlip(rec[CODE], (dd, t, start, due, payload, None))

    def fire(
        code: str,
        trigger: str,
        actor: tuple[Any, ...],
        *,
        note: str | None = None,
        missing: Sequence[str] = (),
        expected_version: int | None = None,
    ) -> LeanDossier:
        lock = store.act_lock
        lock.acquire()
        try:
            rec = store.record(code)
            if rec is None:
                raise Refused(f"no dossier {code}")
            version = rec[VERSION]
            if expected_version is not None and version != expected_version:
                raise Refused(f"{code} is at version {version}")
            if rec[OUTCOME] is not None:
                raise Refused(f"{code} is closed")
            state = rec[STATE]
            plan = rec[MOVES][state].get(trigger)
            if plan is None:
                raise Refused(f"{trigger} is not possible from {state}")
            dest, agency, holder, roles, dest_due, dest_by_day, kind, type_, assigned_only, why = (
                plan
            )
            if (
                actor[1] != (holder or rec[DESK])
                or (roles is not None and actor[2] not in roles)
                or (assigned_only and rec[ASSIGNEE] != actor[0])
            ):
                raise Refused(f"{actor[0]} may not move {code} out of {state}")
            t = clock.t
            if t < rec[UPDATED]:
                raise Refused(f"{code} was acted on after that instant")
            entered, due, step_due = rec[ENTERED], rec[DUE], rec[STEP_DUE]
            day_t = (t + off) // 86400
            left = None
            late = 0.0
            used = 0.0
            new_due = paused_s = None
            if kind == 2:  # leaving the applicant: the clock runs again
                paused_s = between(rec[PAUSED_AT], t)
                new_due = moved_due_ts(cal, due, paused_s, limit)
            else:
                used = between(entered, t)
                if step_due is not None:
                    due_day = (step_due + off) // 86400
                    if day_t > due_day or (not rec[BY_DAY] and t > step_due):
                        if kind != 3:  # a result ready at the desk is not judged late
                            left = "late"
                            late = between(step_due, t)
                    else:
                        left = "early" if day_t < due_day else "on_time"
            supplement = paused_at = None
            if kind == 1:
                if why == "supplement":
                    if rec[SUPPLEMENTS] >= max_supplements:
                        raise Refused(f"{code}: no more supplement requests")
                    supplement = True
                paused_at = t
            timeliness = next_due = outcome = None
            if kind == 3:
                outcome = dest
                done_day = (entered + off) // 86400
                due_day = (due + off) // 86400
                timeliness = (
                    "late" if done_day > due_day else "early" if done_day < due_day else "on_time"
                )
            elif dest_due is not None:
                next_due = dest_due(t)
            seq = version + 1
            body = dumps(
                [
                    2, code, seq, type_, t, off, actor, "T", trigger, state, dest, agency,
                    actor[0], note, used, late, left, new_due, paused_s, supplement,
                    list(missing) if missing else None, paused_at, outcome, timeliness,
                    next_due, why,
                ]
            )  # fmt: skip
            prev = rec[LAST_HASH]
            h = sha(prev + body).digest()
            # the record moves
            rec[VISITS].append((state, entered, step_due, t, left, used, late, actor[0]))
            if new_due is not None:
                reason = rec[PAUSE_REASON]
                acc = rec[PAUSES][reason]
                acc[1] += paused_s
                rec[PAUSED_SECONDS] += paused_s
                rec[PAUSE_REASON] = None
                if new_due != due and new_due > rec[APPOINTMENTS][-1][0]:
                    rec[APPOINTMENTS].append(
                        (new_due, t, "clock paused for the applicant", holder, "resumed")
                    )
                rec[DUE] = due = new_due
            if why is not None:
                acc = rec[PAUSES].get(why)
                if acc is None:
                    acc = rec[PAUSES][why] = [0, 0.0]
                acc[0] += 1
                rec[PAUSE_REASON] = why
                if supplement:
                    rec[SUPPLEMENTS] += 1
            if rec[ASSIGNEE] is not None:
                rec[ASSIGNEE] = None
            rec[STATE], rec[ENTERED], rec[STEP_DUE], rec[PAUSED_AT] = dest, t, next_due, paused_at
            rec[BY_DAY], rec[LAST_HASH], rec[VERSION], rec[UPDATED] = dest_by_day, h, seq, t
            alert = None
            if outcome is not None:
                rec[OUTCOME], rec[TIMELINESS], rec[CLOSED] = outcome, timeliness, t
            elif paused_at is None:
                if rec[ALERTS] or alerting:
                    pass  # the general rule: none here
                warn = warnings.get(due)
                if warn is None:
                    warn = warnings[due] = cal.subtract_working_seconds_ts(due, warn_s)
                alert = warn if next_due is None or warn <= next_due else next_due
            store.append(rec, body + h, version, alert)
        finally:
            lock.release()
        if listeners:
            pass
        return LeanDossier((store, code, seq))

    return receive, fire


def run_lean_full(
    n: int, logs_out: dict[str, list[bytes]] | None = None, script: Any = None
) -> dict[str, Any]:
    """(g) through (a)'s driver: the same receipts, clock steps and fires."""
    store = LeanStore()
    store.logs_out = logs_out
    clock = LeanClock(be.START)
    receive, fire = lean_full_engine(store, clock)
    actors = {
        "desk": ("lan", "desk", "officer", None),
        "land": ("minh", "land", "officer", None),
        "tax": ("thu", "tax", "officer", None),
    }
    return be.drive(receive, fire, clock, actors, n, be.Stopwatch(), script)
