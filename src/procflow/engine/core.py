"""What every part of the engine shares: the store, catalogue, calendar and clock;
listeners; reading a dossier; who may act; writing one event; and when the
sweep should next look at a dossier.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from procflow.catalogue import Catalogue
from procflow.compiler import CompiledProcedure, StateInfo
from procflow.definition.model import Terminal
from procflow.engine.authority import Act, refusal
from procflow.engine.clock import Clock, SystemClock
from procflow.errors import DossierClosed, DossierNotFound, NotPermitted, RuleViolation
from procflow.model.actor import Actor
from procflow.model.dossier import Dossier
from procflow.model.events import Event, EventType, frozen_event, make_event
from procflow.model.reducer import apply
from procflow.model.timefmt import iso

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar
    from procflow.store.base import Store

log = logging.getLogger("procflow.engine")

Listener = Callable[[Event, Dossier], None]

#: Results that count as "resolved" and are classified early / on time / late.
RESOLVED = frozenset({Terminal.RETURNED.value, Terminal.REFUSED.value})


class EngineCore:
    """The engine's state and the steps every act shares (see :class:`Engine`).

    ``warning_hours`` is how many working hours before a deadline ``sweep``
    warns. ``agency_codes`` maps agency ids to the codes printed in dossier
    codes (agency code + date of receipt + sequence number).
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
    ) -> None:
        self.store = store
        self.catalogue = catalogue
        self.calendar = calendar
        self.clock: Clock = clock or SystemClock(calendar.tz)
        self.warning_seconds = warning_hours * 3600.0
        self._warn_cache: dict[datetime, datetime] = {}
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

    def _notify(self, event: Event, dossier: Dossier) -> None:
        if not self._listeners:
            return
        shown: Event | None = None
        for listener, types in list(self._listeners):
            if types is not None and event.type not in types:
                continue
            if shown is None:
                shown = frozen_event(event)
            try:
                listener(shown, dossier.clone())
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
        return self.catalogue.get(dossier.procedure_id, dossier.procedure_version)

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
        """Append one event to ``dossier`` (as read): the one write path of every act.

        One event and the new state in one atomic ``Store.append`` with the
        version read (ConflictError, nothing written, when the dossier changed
        meanwhile), the sweep's next look computed, listeners told afterwards.
        No checks of who acts or when: the acts (and migrations and
        recalculations, :mod:`procflow.versions`) make them first.
        ``proc`` is the version the dossier runs under after the event.
        """
        version = dossier.version
        event = make_event(dossier.code, version + 1, type_, now, actor, data, dossier.last_hash)
        new = apply(dossier, event)
        self.store.append(new, event, version, self._next_alert(proc, new))
        self._notify(event, new)
        return new, event

    def _alerts(self, proc: CompiledProcedure, d: Dossier) -> list[tuple[datetime, str, str]]:
        """Pending (instant, key, kind) alerts of an open, running dossier."""
        if not d.is_open or d.paused_at is not None or d.version == 0:
            return []
        out: list[tuple[datetime, str, str]] = []
        due_key = d.due_at.isoformat()
        warn_at = self._warn_at(d.due_at)
        out.append((warn_at, f"warn:dossier:{due_key}", "dossier"))
        out.append((d.due_at, f"overdue:dossier:{due_key}", "dossier"))
        if d.step_due_at is not None:
            out.append(
                (d.step_due_at, f"overdue:step:{d.state}:{len(d.visits)}", "step"),
            )
        done = set(d.alerts)
        return [a for a in out if a[1] not in done]

    def _warn_at(self, due: datetime) -> datetime:
        # Cached: most dossiers share their due instant (the close of office
        # on some day), and this runs on every transition.
        cache = self._warn_cache
        hit = cache.get(due)
        if hit is None:
            if len(cache) >= 4096:
                cache.clear()
            hit = cache[due] = self.calendar.subtract_working_seconds(due, self.warning_seconds)
        return hit

    def _next_alert(self, proc: CompiledProcedure, d: Dossier) -> datetime | None:
        """When ``sweep`` should next look at the dossier (an indexed column)."""
        if not d.is_open or d.paused_at is not None:
            return None
        if not d.alerts:  # the usual case: nothing emitted yet
            warn, step = self._warn_at(d.due_at), d.step_due_at
            return warn if step is None or warn <= step else step
        pending = self._alerts(proc, d)
        return min(a[0] for a in pending) if pending else None


def dated_before_last(dossier: Dossier, now: datetime) -> str | None:
    """Why an event at ``now`` would run the dossier's log backwards, or None.

    A clock set back (or a CLI ``--at`` in the past) would give negative
    working time and a log whose events are not in time order.
    """
    if now < dossier.state_entered_at:
        return (
            f"the clock reads {iso(now)}, before {dossier.code} entered step "
            f"{dossier.state!r} at {iso(dossier.state_entered_at)}; an event cannot be "
            "dated before the one it follows"
        )
    if dossier.updated_at is not None and now < dossier.updated_at:
        return (
            f"the clock reads {iso(now)}, before the last event of {dossier.code} "
            f"(#{dossier.version}, at {iso(dossier.updated_at)}); an event cannot be dated "
            "before the one it follows"
        )
    return None
