"""What every part of the engine shares: the store, catalogue, calendar and clock;
listeners; reading a dossier; who may act; writing one event; and when the
sweep should next look at a dossier.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from procflow.catalogue import Catalogue
from procflow.compiler import CompiledProcedure, StateInfo, compile_procedure
from procflow.definition.cases import case_key, resolve_durations
from procflow.definition.model import Escalation, WarningMargin
from procflow.engine.authority import Act, refusal
from procflow.engine.calendars import DEFAULT_CALENDAR_NAME, check_names, resolve
from procflow.engine.clock import Clock, SystemClock, VirtualClock, tells_seconds
from procflow.engine.plans import Plans
from procflow.errors import (
    ConflictError,
    DossierClosed,
    DossierNotFound,
    NotPermitted,
    RuleViolation,
)
from procflow.model.actor import Actor
from procflow.model.dossier import DOSSIER_FIELDS, Dossier
from procflow.model.entry import Entry, apply_entry
from procflow.model.events import Event, EventType, frozen_event, make_event
from procflow.model.instant import EPOCH_ORDINAL, Instant, dt_of, ts_of, wall_seconds
from procflow.model.record import Record
from procflow.model.reducer import replay
from procflow.model.timefmt import iso

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar
    from procflow.engine.calendars import ProcedureCalendars
    from procflow.model.storage import Store

log = logging.getLogger("procflow.engine")

_UNLOCKED: AbstractContextManager[Any] = nullcontext()
"""What :meth:`EngineCore._acting` gives for a store without an act lock."""

Listener = Callable[[Event, Dossier], None]


class EngineCore:
    """The engine's state and the steps every act shares (see :class:`Engine`).

    ``warning_hours`` is how many working hours before a deadline ``sweep``
    warns. ``agency_codes`` maps agency ids to the codes printed in dossier
    codes (agency code + date of receipt + sequence number), and
    ``sequence_digits`` is the sequence number's width (5: ``-00001``;
    Circular 01/2018/TT-VPCP, Art. 19 gives 4, see docs/engine.md).

    ``calendars`` are named calendars besides ``calendar`` (the default, named
    ``calendar_name``): a procedure names its desk's calendar and each agency
    its own (:mod:`procflow.engine.calendars`); one naming none runs on
    ``calendar``.
    """

    def __init__(
        self,
        store: Store,
        catalogue: Catalogue,
        calendar: WorkCalendar,
        clock: Clock | None = None,
        *,
        warning_hours: float = 8.0,
        agency_codes: dict[str, str] | None = None,
        calendars: Mapping[str, WorkCalendar] | None = None,
        calendar_name: str = DEFAULT_CALENDAR_NAME,
        sequence_digits: int = 5,
    ) -> None:
        if not 1 <= sequence_digits <= 9:
            raise ValueError(
                f"sequence_digits={sequence_digits}: a dossier code's sequence number has "
                "1 to 9 digits (5 by default, 4 in Circular 01/2018/TT-VPCP, Art. 19)"
            )
        self.sequence_digits = sequence_digits
        self.store = store
        self.catalogue = catalogue
        self.calendar = calendar
        self.calendar_name = calendar_name
        self.calendars: dict[str, WorkCalendar] = check_names(
            calendars or {}, calendar, calendar_name
        )
        self.clock: Clock = clock or SystemClock(calendar.tz)
        self.warning_seconds = warning_hours * 3600.0
        self._warn_cache: dict[
            Instant | tuple[Instant, float] | tuple[Instant, float, WorkCalendar], Instant
        ] = {}
        # The calendar's zone and fixed offset, read on first use (_read_zone):
        # a read-only command hands the engine a calendar built only if used.
        self._zone: tuple[tzinfo, int | None] | None = None
        # POSIX seconds [from, to) of the calendar's days when its zone has one
        # offset there (set with _zone; empty until then)
        self._span: tuple[int, int] = (0, 0)
        self._ts_clock: tuple[object, Callable[[], Instant] | None] = (None, None)
        self._plans: dict[tuple[str, str], tuple[CompiledProcedure, Plans]] = {}
        # Versions whose durations have cases: per (id, version, case_key).
        self._variants: dict[
            tuple[str, str, tuple[bool, ...]], tuple[CompiledProcedure, Plans]
        ] = {}
        self._resolved: dict[tuple[str, str, tuple[bool, ...]], CompiledProcedure] = {}
        self._scopes: dict[tuple[str, int], str] = {}
        # receipts' version in force, desk list and scope, by procedure and day
        # (Reception._desk_day), for the catalogue as it was at one generation
        self._desk_days: dict[tuple[str, int, str | None, str | None], Any] = {}
        self._desk_days_of: Catalogue | None = None
        self._desk_days_at = -1
        self._records_store: Store | None = None
        # the store moves reach as bytes (Capability.BODIES), or as entries,
        # once seen to be one
        self._bodies_store: Store | None = None
        self._entries_store: Store | None = None
        self.agency_codes = dict(agency_codes or {})
        self._listeners: list[tuple[Listener, frozenset[EventType] | None]] = []
        self.listener_errors = 0

    def subscribe(
        self, listener: Listener, types: Iterable[EventType | str] | None = None
    ) -> Callable[[], None]:
        """Call ``listener(event, dossier)`` after each stored event (of ``types``).

        Listeners run after the write, in the order they subscribed, and get
        their own copies: the event's data is read-only (a listener that tries
        to change it gets a TypeError, counted as below) and the dossier is a
        private copy, so no listener can change what is stored or what the next
        listener sees.

        A listener that raises an ``Exception`` is logged and counted in
        ``listener_errors``; the call that wrote the event returns normally.
        A listener that raises ``KeyboardInterrupt`` or ``SystemExit`` stops
        the remaining listeners and the exception reaches the caller, but the
        event *was* written: the exception carries it as ``procflow_event``
        (and a note says so), so a caller that catches it knows the
        transition happened. Returns a function that unsubscribes.
        """
        entry = (listener, frozenset(EventType(t) for t in types) if types else None)
        self._listeners.append(entry)
        return lambda: self._listeners.remove(entry)

    def _notify(self, event: Event | Entry, dossier: Dossier | Record) -> None:
        """Tell the listeners (the caller checked there are some)."""
        shown: Event | None = None
        for listener, types in list(self._listeners):
            if types is not None and event.type not in types:
                continue
            if shown is None:
                public = event.event(self._tz) if isinstance(event, Entry) else event
                shown = frozen_event(public)
                event = public
            try:
                listener(
                    shown,
                    dossier.to_dossier() if isinstance(dossier, Record) else dossier.clone(),
                )
            except Exception:
                self.listener_errors += 1
                log.exception("listener %r failed on %s #%d", listener, event.code, event.seq)
            except BaseException as exc:  # KeyboardInterrupt, SystemExit
                exc.procflow_event = event  # type: ignore[attr-defined]
                exc.add_note(
                    f"procflow: event {event.code} #{event.seq} ({event.type.value}) was "
                    "written before a listener raised this; the transition happened"
                )
                raise

    # --- the hot path's helpers: integers inside ---------------------------------------

    def _plans_of(self, procedure_id: str, version: str) -> tuple[CompiledProcedure, Plans]:
        """The procedure version and its compiled moves (made once per version),
        with the calendars it names resolved (UnknownCalendar: one the engine
        lacks)."""
        key = (procedure_id, version)
        hit = self._plans.get(key)
        if hit is None:
            proc = self.catalogue.get(procedure_id, version)
            cals = resolve(proc.procedure, self.calendar, self.calendar_name, self.calendars)
            hit = self._plans[key] = (proc, Plans(proc, cals))
        return hit

    def _variant(
        self, plans: tuple[CompiledProcedure, Plans], facts: Mapping[str, Any]
    ) -> tuple[CompiledProcedure, Plans]:
        """``plans`` (a version's, from :meth:`_plans_of`) for a dossier with
        ``facts``: the version with its durations resolved for them
        (:func:`procflow.definition.cases.resolve_durations`) and its moves,
        made once per combination of the facts its cases name. ``plans``
        itself when the version has no cases (``Plans.case_facts`` empty), so
        the hot path pays one attribute read for the procedures without."""
        if not plans[1].case_facts:
            return plans
        base = plans[0]
        key = (base.id, base.version, case_key(base.procedure, facts))
        hit = self._variants.get(key)
        if hit is None:
            proc = self._resolved_procedure(base, facts)
            hit = self._variants[key] = (proc, Plans(proc, plans[1].calendars))
        return hit

    def _plans_for(self, rec: Record | Dossier) -> tuple[CompiledProcedure, Plans]:
        """The compiled procedure and moves a dossier runs under now: its
        version's, resolved for its facts when the version's durations have
        cases (:meth:`_variant`)."""
        return self._variant(self._plans_of(rec.procedure_id, rec.procedure_version), rec.facts)

    def _resolved_procedure(
        self, proc: CompiledProcedure, facts: Mapping[str, Any]
    ) -> CompiledProcedure:
        """``proc`` compiled with its durations resolved for ``facts`` (once per
        combination); ``proc`` itself when it has no cases. No calendars are
        needed, so reading a dossier never needs the engine's calendars."""
        procedure = proc.procedure
        if not procedure.case_facts:
            return proc
        key = (proc.id, proc.version, case_key(procedure, facts))
        hit = self._resolved.get(key)
        if hit is None:
            # the version was checked (for every combination) when it was loaded
            resolved = resolve_durations(procedure, facts)
            hit = self._resolved[key] = compile_procedure(resolved, check=False)
        return hit

    def calendars_of(self, procedure_id: str, version: str) -> ProcedureCalendars:
        """The calendars a procedure version's figures are counted on: the
        procedure's (the statutory due date) and each agency's (its steps).
        Raises UnknownCalendar for a calendar the engine was not given."""
        return self._plans_of(procedure_id, version)[1].calendars

    def _read_zone(self) -> tuple[tzinfo, int | None]:
        """The calendar's zone and its one UTC offset (None for a zone with
        summer time), read from the calendar on first use and kept in
        ``_zone``: reading them in ``__init__`` built the national calendar
        (a sixth of a CPU second) for ``dossier history``, which never uses
        it. Moves read ``self._zone or self._read_zone()``: a plain attribute,
        which CPython reads with a specialised instruction; a property, a
        cached property or ``__getattr__`` on the engine's class (which turns
        off that for every attribute) cost the engine benchmark 5% and 11% of
        its machine instructions."""
        cal = self.calendar
        zone = self._zone = (cal.tz, cal.fixed_offset)
        off = zone[1]
        if off is not None:
            # the POSIX seconds of the calendar's days, where its zone has
            # that one offset: a wall clock less it is the instant (_instant)
            first = (cal.first_day.toordinal() - EPOCH_ORDINAL) * 86400
            after = (cal.last_day.toordinal() + 1 - EPOCH_ORDINAL) * 86400
            self._span = (first - off, after - off)
        return zone

    @property
    def _tz(self) -> tzinfo:
        """The calendar's zone (:meth:`_read_zone`), for the acts off the hot path."""
        return (self._zone or self._read_zone())[0]

    @property
    def _offset(self) -> int | None:
        """The calendar zone's one UTC offset, or None (:meth:`_read_zone`)."""
        return (self._zone or self._read_zone())[1]

    def _clock_ts(self) -> Callable[[], Instant] | None:
        """The clock's ``now_ts`` when it is a :class:`TimestampClock` and the
        calendar's zone has one offset (else None: moves convert ``now()``);
        looked up again only when ``self.clock`` is another object."""
        clock = self.clock
        seen, now_ts = self._ts_clock
        if seen is not clock:
            zone, off = self._zone or self._read_zone()
            ok = tells_seconds(clock) and off is not None
            if isinstance(clock, VirtualClock) and clock.zone is not zone:
                ok = False  # its events keep its zone's offsets: moves read now()
            now_ts = clock.now_ts if ok else None  # type: ignore[attr-defined]
            self._ts_clock = (clock, now_ts)
        return now_ts

    def _instant(self, now: datetime) -> tuple[Instant, int]:
        """POSIX seconds of ``now`` and its UTC offset in seconds."""
        zone, off = self._zone or self._read_zone()
        if now.tzinfo is zone and off is not None:
            # the wall clock less the zone's one offset, within the calendar's
            # days (Moves._fire writes this inline); ts_of's arithmetic for the
            # microseconds (over 10**6, one true division): the same number
            t = wall_seconds(now) - off
            lo, hi = self._span
            if lo <= t < hi:
                us = now.microsecond
                return (t if not us else (t * 1_000_000 + us) / 1_000_000), off
            return ts_of(now), off
        delta = now.utcoffset()
        if delta is None:
            raise RuleViolation(f"the clock gave {now.isoformat()}, with no time zone")
        return ts_of(now), int(delta.total_seconds())

    def _local_date(self, t: Instant, calendar: WorkCalendar) -> date:
        """The date in ``calendar``'s zone of POSIX seconds ``t``: by one
        division in the engine calendar's days when its zone keeps one offset
        (the version in force, on every receipt), else through the zone."""
        if calendar is self.calendar:
            off = (self._zone or self._read_zone())[1]
            lo, hi = self._span
            if off is not None and lo <= t < hi:
                day = (t + off) // 86400
                return date.fromordinal((day if type(day) is int else int(day)) + EPOCH_ORDINAL)
        return dt_of(t, calendar.tz).date()

    def get(self, code: str) -> Dossier:
        dossier = self.store.get(code)
        if dossier is None:
            raise DossierNotFound(f"no dossier with code {code!r}")
        return dossier

    def _current(self, code: str) -> Dossier:
        """The state to act on: the store's ``get_current`` (SQLite and PostgreSQL
        remember what they wrote; other stores read it as ``get`` does)."""
        dossier = self.store.get_current(code)
        if dossier is None:
            raise DossierNotFound(f"no dossier with code {code!r}")
        return dossier

    def history(self, code: str) -> list[Event]:
        """The dossier's events, oldest first, with read-only data (it is the log)."""
        events = self.store.events(code)
        if not events:
            raise DossierNotFound(f"no dossier with code {code!r}")
        return [frozen_event(e) for e in events]

    def procedure_of(self, dossier: Dossier) -> CompiledProcedure:
        """The procedure version ``dossier`` runs under, with the durations
        its facts choose (the time limit, allotments and shares of its
        ``cases``): what its control slip and its moves read."""
        proc = self.catalogue.get(dossier.procedure_id, dossier.procedure_version)
        return self._resolved_procedure(proc, dossier.facts)

    def _require_open(self, dossier: Dossier, action: str) -> None:
        if not dossier.is_open:
            raise DossierClosed(
                f"dossier {dossier.code} is closed ({dossier.outcome}); {action!r} is not possible"
            )

    def _require(
        self, proc: CompiledProcedure, dossier: Dossier, act: Act, actor: Actor
    ) -> StateInfo:
        info = proc.states[dossier.state]
        why = refusal(proc, info, dossier.desk_agency, dossier.code, act, actor)
        if why:
            raise NotPermitted(why)
        return info

    def _append(
        self,
        proc: CompiledProcedure,
        dossier: Dossier,
        type_: EventType,
        now: datetime,
        actor: Actor | None,
        data: dict[str, Any],
    ) -> Dossier:
        """Write an officer's or applicant's event (the sweep writes its own)."""
        early = dated_before_last(dossier, now)
        if early:
            raise RuleViolation(f"{early}; check the clock, or --at")
        return self.write_event(proc, dossier, type_, now, actor, data)[0]

    def write_event(
        self,
        proc: CompiledProcedure,
        dossier: Dossier,
        type_: EventType,
        now: datetime,
        actor: Actor | None,
        data: dict[str, Any],
    ) -> tuple[Dossier, Event]:
        """Append one event to ``dossier`` (as read): the one write path of every
        act built in the public form (facts, apologies, the sweep, migrations,
        recalculations; moves and receipts build their entries directly).

        One event and the new state in one atomic store call with the version
        read (ConflictError, nothing written, when the dossier changed
        meanwhile), the sweep's next look computed, listeners told afterwards.
        No checks of who acts or when: the acts (and migrations and
        recalculations, :mod:`procflow.versions`) make them first.
        ``proc`` is the version the dossier runs under after the event.
        """
        with self._acting():
            rec = self.store.record(dossier.code, self._tz)
            if rec is None:
                raise DossierNotFound(f"no dossier with code {dossier.code!r}")
            if rec.version != dossier.version:
                raise ConflictError(
                    f"dossier {dossier.code} changed since it was read (expected version "
                    f"{dossier.version}, stored version {rec.version}); read it again and retry"
                )
            event, new = self._write(proc, rec, type_, now, actor, data)
            return new.to_dossier(), event

    def _acting(self) -> AbstractContextManager[Any]:
        """The store's ``act_lock`` for an act that writes (threads sharing an
        in-memory store act one at a time), or a context that does nothing.
        Moves take the lock inline (:meth:`Moves.fire`), for their speed."""
        return self.store.act_lock or _UNLOCKED

    def _write(
        self,
        proc: CompiledProcedure,
        rec: Record,
        type_: EventType,
        now: datetime,
        actor: Actor | None,
        data: dict[str, Any],
    ) -> tuple[Event, Record]:
        """:meth:`write_event` on the record to act on."""
        version = rec.version
        event = make_event(rec.code, version + 1, type_, now, actor, data, rec.last_hash.hex())
        entry = Entry.of_event(event, rec.last_hash)
        # A copy moves, so that nothing is changed if the next alert cannot
        # be worked out (the store then keeps the copy: acts off the hot path).
        after = apply_entry(rec.copy(), entry, self._tz)
        return event, self._store_entry(after, entry, version, self._next_alert(after), event)

    def _store_entry(
        self,
        rec: Record,
        entry: Entry,
        version: int,
        next_alert: Instant | None,
        event: Event | None = None,
    ) -> Record:
        """Store an entry and the record it moved from ``version``, then tell
        the listeners (``event``: the public form, when the act already built it)."""
        new = self.store.append_record(rec, entry, version, next_alert)
        if self._listeners:
            self._notify(event or entry, new)
        return new

    def _alerts(self, rec: Record) -> list[tuple[Instant, str, str]]:
        """Pending (instant, key, scope) alerts of an open, running dossier.

        The deadlines' warnings and overdue alerts (scope ``dossier`` or
        ``step``), then the escalation rules owed on alerts already given
        (scope ``escalation``, key ``escalate:<rule>:<alert key>``, due at
        the alert's own instant). Each is recorded on the dossier by its key
        when carried out, so none is carried out twice.
        """
        if not rec.is_open or rec.paused is not None or rec.version == 0:
            return []
        proc, plans = self._plans_for(rec)
        due = rec.due
        due_key = dt_of(due, self._tz).isoformat()
        out: list[tuple[Instant, str, str]] = [
            (self._dossier_warning(rec, plans), f"warn:dossier:{due_key}", "dossier"),
            (due, f"overdue:dossier:{due_key}", "dossier"),
        ]
        step_due = rec.step_due
        if step_due is not None:
            where = f"{rec.state}:{rec.visit_count()}"
            margin = proc.states[rec.state].warning
            if margin is not None:
                # the step's warning, on its agency's calendar
                cal = plans.step_calendar.get(rec.state, plans.calendar)
                warn = self._warn_before(step_due, margin, rec.entered, 0.0, cal)
                out.append((warn, f"warn:step:{where}", "step"))
            out.append((step_due, f"overdue:step:{where}", "step"))
        done = set(rec.alerts)
        pending = [a for a in out if a[1] not in done]
        if plans.escalations:
            given = [a for a in out if a[1] in done]
            for i, rule in enumerate(plans.escalations):
                for at, key, scope in given:
                    esc = f"escalate:{i}:{key}"
                    if esc in done or not _rule_applies(rule, key, scope, rec.state):
                        continue
                    if rule.alert == "warned" and "overdue:" + key[5:] in done:
                        continue  # the deadline has passed: the overdue rules speak
                    pending.append((at, esc, "escalation"))
        return pending

    def _dossier_warning(self, rec: Record, plans: Plans) -> Instant:
        """When the sweep warns of the statutory due date (on the procedure's calendar)."""
        cal = plans.calendar
        if plans.warning is None:
            return self._warn_at(rec.due, None, cal)
        return self._warn_before(rec.due, plans.warning, rec.received, rec.paused_seconds, cal)

    def _warn_at(
        self, due: Instant, seconds: float | None = None, cal: WorkCalendar | None = None
    ) -> Instant:
        """``seconds`` of working time (default: the engine's warning_hours)
        before ``due``, on ``cal`` (default: the engine's calendar). Cached:
        most dossiers share their due instant (the close of office on some
        day), and this runs on every transition; the key names the calendar
        when it is not the default. ``Moves._fire`` reads the default key (the
        due instant alone) from the cache itself before calling this, and so
        does ``Reception._receive``: keep the three in step if the keys
        change."""
        if seconds is None:
            seconds = self.warning_seconds
        cache = self._warn_cache
        key: Instant | tuple[Instant, float] | tuple[Instant, float, WorkCalendar]
        if cal is None or cal is self.calendar:
            cal = self.calendar
            key = due if seconds == self.warning_seconds else (due, seconds)
        else:
            key = (due, seconds, cal)
        hit = cache.get(key)
        if hit is None:
            if len(cache) >= 4096:
                cache.clear()
            hit = cache[key] = cal.subtract_working_seconds_ts(due, seconds)
        return hit

    def _warn_before(
        self,
        due: Instant,
        margin: WarningMargin,
        start: Instant,
        paused: float,
        cal: WorkCalendar | None = None,
    ) -> Instant:
        """The warning instant of a deadline by a procedure's margin: working
        hours or days before it, or a share of the working time from ``start``
        to it (less ``paused``: the time allowed), on ``cal`` (default: the
        engine's calendar)."""
        if cal is None:
            cal = self.calendar
        if margin.unit == "working_hours":
            seconds = margin.value * 3600.0
        elif margin.unit == "working_days":
            seconds = margin.value * cal.day_seconds
        else:
            allowed = max(0.0, cal.working_seconds_between_ts(start, due) - paused)
            seconds = allowed * margin.value / 100.0
        return self._warn_at(due, seconds, cal)

    def _next_alert(self, rec: Record) -> Instant | None:
        """When ``sweep`` should next look at the dossier (an indexed column)."""
        if not rec.is_open or rec.paused is not None:
            return None
        plans = self._plans_for(rec)[1]
        if not rec.alerts and not plans.alerting:
            # the usual case: nothing emitted yet, the engine's margin
            warn, step = self._warn_at(rec.due, None, plans.calendar), rec.step_due
            return warn if step is None or warn <= step else step
        pending = self._alerts(rec)
        return min(a[0] for a in pending) if pending else None


def _rule_applies(rule: Escalation, key: str, scope: str, state: str) -> bool:
    """Whether escalation ``rule`` acts on the alert ``key`` given in ``state``."""
    if rule.alert != ("warned" if key.startswith("warn:") else "overdue"):
        return False
    if rule.scope != "any" and rule.scope != scope:
        return False
    return rule.steps is None or state in rule.steps


class Snapshot(Dossier):
    """A dossier as it stood after a write, built only when first read.

    ``fire`` and the other acts return one: most callers of a busy engine
    never look at what an act returns, and building a dossier (datetimes,
    visits) costs more than the act itself. It is a :class:`Dossier` in every
    way; reading any field builds the whole of it, from the store's record
    when the dossier has not moved since, else by replaying its log up to
    that version.
    """

    __slots__ = ("_of",)
    # store, code, version and the engine (its zone, read when a replay needs
    # it): one slot, one write
    _of: tuple[Store, str, int, EngineCore]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        store, code, version, engine = object.__getattribute__(self, "_of")
        dossier = store.get(code)
        if dossier is None or dossier.version != version:
            dossier = replay(store.events(code)[:version], engine._tz)
        for f in DOSSIER_FIELDS:
            object.__setattr__(self, f, getattr(dossier, f))
        return object.__getattribute__(self, name)

    def __eq__(self, other: object) -> bool:
        """Equal to any dossier with the same fields, plain or returned by an
        act: the dataclass's own ``==`` asks for the same class, and a
        snapshot would never equal what ``get`` gives for the same state."""
        if not isinstance(other, Dossier):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in DOSSIER_FIELDS)

    __hash__ = None  # type: ignore[assignment]  # as Dossier: mutable, compared by value

    def __reduce__(self) -> tuple[type[Dossier], tuple[Any, ...]]:
        """Pickled and copied as the plain :class:`Dossier` it stands for:
        the store and engine it reads from stay behind (they hold
        connections, locks and the calendar's functions, none of which
        pickle)."""
        return Dossier, tuple(getattr(self, f) for f in DOSSIER_FIELDS)


new_snapshot = Snapshot.__new__
"""Make a :class:`Snapshot` with nothing set: its maker sets ``_of`` (one slot,
one write). Not ``Snapshot()``: with object's own ``__init__`` that would
cost less, and ``dataclasses.replace`` of a dossier ``fire`` returned (which
calls its class with every field) would fail."""


def dated_before_last(dossier: Dossier, now: datetime) -> str | None:
    """Why an event at ``now`` would run the dossier's log backwards, or None."""
    rec = Record.from_dossier(dossier, now.tzinfo)
    return dated_before(rec, ts_of(now), now.tzinfo or rec.tz)


def dated_before(rec: Record, t: Instant, tz: Any) -> str | None:
    """Why an event at ``t`` would run the record's log backwards, or None.

    A clock set back (or a CLI ``--at`` in the past) would give negative
    working time and a log whose events are not in time order.
    """
    if t < rec.entered:
        return (
            f"the clock reads {iso(dt_of(t, tz))}, before {rec.code} entered step "
            f"{rec.state!r} at {iso(dt_of(rec.entered, tz))}; an event cannot be "
            "dated before the one it follows"
        )
    if rec.updated is not None and t < rec.updated:
        return (
            f"the clock reads {iso(dt_of(t, tz))}, before the last event of {rec.code} "
            f"(#{rec.version}, at {iso(dt_of(rec.updated, tz))}); an event cannot be dated "
            "before the one it follows"
        )
    return None
