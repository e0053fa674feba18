"""A store in memory: for tests, the simulator and benchmarks.

It keeps the same contract as the durable stores (atomic create/append,
optimistic version check) but nothing survives the process.

Open dossiers are kept as objects. A closed dossier no longer changes, so it
is kept serialised and compressed, state and event log together (about 2 KB
instead of ~12 KB of Python objects): a year of simulated dossiers fits in
memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import orjson

from procflow.errors import ConflictError
from procflow.model.actor import Actor
from procflow.model.dossier import Dossier
from procflow.model.events import EVENT_TYPES, GENESIS, Event
from procflow.store.base import Capability, StoreBase
from procflow.store.records import check_write, numbering_failed


class HeldDossiers(StoreBase):
    """What a store that holds dossiers in memory answers the same way.

    A mixin: the store provides ``codes`` and ``get``.
    """

    def codes(self, *, open_only: bool = False, procedure_id: str | None = None) -> Iterator[str]:
        raise NotImplementedError  # pragma: no cover - provided by the store

    def get(self, code: str) -> Dossier | None:
        raise NotImplementedError  # pragma: no cover - provided by the store

    def iter_dossier_dicts(
        self,
        *,
        open_only: bool = False,
        procedure_id: str | None = None,
        shard: tuple[int, int] | None = None,
    ) -> Iterator[dict[str, Any]]:
        part, parts = shard or (0, 1)
        for i, code in enumerate(self.codes(open_only=open_only, procedure_id=procedure_id)):
            if i % parts != part:
                continue
            dossier = self.get(code)
            if dossier is not None:
                yield dossier.to_dict()


class MemoryStore(HeldDossiers):
    CAPABILITIES = frozenset({Capability.NUMBERED_RECEIPTS})

    def __init__(self, *, compress_closed: bool = True) -> None:
        self.compress_closed = compress_closed
        self._open: dict[str, Dossier] = {}
        self._events: dict[str, list[Event]] = {}
        self._closed: dict[str, bytes] = {}
        self._closed_version: dict[str, int] = {}
        self._procedure: dict[str, str] = {}  # every code, in receipt order
        self._alerts: dict[str, datetime] = {}
        self._sequences: dict[str, int] = {}

    # --- writing ----------------------------------------------------------------

    def create(self, dossier: Dossier, event: Event, next_alert_at: datetime | None) -> None:
        check_write(dossier, event, None)
        if dossier.code in self._procedure:
            raise ConflictError(f"dossier {dossier.code} already exists")
        self._procedure[dossier.code] = dossier.procedure_id
        self._events[dossier.code] = [event]
        self._keep(dossier, next_alert_at)

    def create_numbered(
        self,
        scope: str,
        make: Callable[[int], tuple[Dossier, Event, datetime | None]],
        *,
        attempts: int = 5,
    ) -> tuple[Dossier, Event]:
        """Take the next number of ``scope`` and store the dossier ``make(number)``
        builds; a number whose code is taken is skipped, up to ``attempts``
        times (then ConflictError, and the sequence is as it was)."""
        before = self._sequences.get(scope, 0)
        for i in range(1, attempts + 1):
            dossier, event, next_alert_at = make(before + i)
            if dossier.code not in self._procedure:
                self.create(dossier, event, next_alert_at)
                self._sequences[scope] = before + i
                return dossier, event
        raise numbering_failed(scope, attempts)

    def append(
        self,
        dossier: Dossier,
        event: Event,
        expected_version: int,
        next_alert_at: datetime | None,
    ) -> None:
        check_write(dossier, event, expected_version)
        code = dossier.code
        stored = self._open.get(code)
        version = stored.version if stored is not None else self._closed_version.get(code)
        if version != expected_version:
            raise ConflictError(
                f"dossier {code} changed since it was read "
                f"(expected version {expected_version}); read it again and retry"
            )
        if stored is None:  # closed, and the engine wrote to it anyway (e.g. a migration)
            self._events[code] = self._load_events(code)
            del self._closed[code], self._closed_version[code]
        self._events[code].append(event)
        self._keep(dossier, next_alert_at)

    def _keep(self, dossier: Dossier, next_alert_at: datetime | None) -> None:
        code = dossier.code
        if next_alert_at is None:
            self._alerts.pop(code, None)
        else:
            self._alerts[code] = next_alert_at
        if dossier.is_open or not self.compress_closed:
            # A private copy: the caller may go on changing its object.
            self._open[code] = dossier.clone()
            return
        events = self._events.pop(code)
        self._open.pop(code, None)
        # Compact: each event's code and prev_hash follow from its place in the
        # log, and orjson writes the dataclasses and datetimes itself.
        log = [(e.seq, e.type, e.at, e.actor, e.data, e.hash) for e in events]
        self._closed[code] = zlib.compress(orjson.dumps((dossier, log)), 1)
        self._closed_version[code] = dossier.version

    def _load(self, code: str) -> tuple[dict[str, Any], list[list[Any]]]:
        state, log = orjson.loads(zlib.decompress(self._closed[code]))
        return state, log

    def _load_events(self, code: str) -> list[Event]:
        events, prev = [], GENESIS
        for seq, type_, at, actor, data, hash_ in self._load(code)[1]:
            events.append(
                Event(
                    code,
                    seq,
                    EVENT_TYPES[type_],
                    datetime.fromisoformat(at),
                    Actor.from_dict(actor),
                    data,
                    prev,
                    hash_,
                )
            )
            prev = hash_
        return events

    # --- reading ----------------------------------------------------------------

    def get(self, code: str) -> Dossier | None:
        stored = self._open.get(code)
        if stored is not None:
            # Hand out a copy: callers must not change the stored state by accident.
            return stored.clone()
        if code in self._closed:
            return Dossier.from_dict(self._load(code)[0])
        return None

    def events(self, code: str) -> list[Event]:
        if code in self._closed:
            return self._load_events(code)
        return list(self._events.get(code, ()))

    def codes(self, *, open_only: bool = False, procedure_id: str | None = None) -> Iterator[str]:
        for code, proc in list(self._procedure.items()):
            if open_only and code not in self._open:
                continue
            if open_only and not self._open[code].is_open:
                continue
            if procedure_id is not None and proc != procedure_id:
                continue
            yield code

    def due_for_alert(self, now: datetime, limit: int = 1000) -> list[str]:
        due = sorted(
            (at, code)
            for code, at in self._alerts.items()
            if at <= now and code in self._open and self._open[code].is_open
        )
        return [code for _, code in due[:limit]]

    def next_sequence(self, scope: str) -> int:
        self._sequences[scope] = self._sequences.get(scope, 0) + 1
        return self._sequences[scope]

    def close(self) -> None:
        pass
