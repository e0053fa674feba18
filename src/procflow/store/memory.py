"""A store in memory: for tests, the simulator and benchmarks.

It keeps the same contract as the durable stores (atomic create/append,
optimistic version check) but nothing survives the process.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from procflow.engine.dossier import Dossier
from procflow.engine.events import Event
from procflow.errors import ConflictError
from procflow.store.records import check_write


class MemoryStore:
    def __init__(self) -> None:
        self._dossiers: dict[str, Dossier] = {}
        self._events: dict[str, list[Event]] = {}
        self._alerts: dict[str, datetime] = {}
        self._sequences: dict[str, int] = {}

    def create(self, dossier: Dossier, event: Event, next_alert_at: datetime | None) -> None:
        check_write(dossier, event, None)
        if dossier.code in self._dossiers:
            raise ConflictError(f"dossier {dossier.code} already exists")
        # Keep a private copy: the caller may go on changing its object.
        self._dossiers[dossier.code] = dossier.clone()
        self._events[dossier.code] = [event]
        self._set_alert(dossier.code, next_alert_at)

    def append(
        self,
        dossier: Dossier,
        event: Event,
        expected_version: int,
        next_alert_at: datetime | None,
    ) -> None:
        check_write(dossier, event, expected_version)
        stored = self._dossiers.get(dossier.code)
        if stored is None or stored.version != expected_version:
            raise ConflictError(
                f"dossier {dossier.code} changed since it was read "
                f"(expected version {expected_version}); read it again and retry"
            )
        self._dossiers[dossier.code] = dossier.clone()
        self._events[dossier.code].append(event)
        self._set_alert(dossier.code, next_alert_at)

    def _set_alert(self, code: str, at: datetime | None) -> None:
        if at is None:
            self._alerts.pop(code, None)
        else:
            self._alerts[code] = at

    def get(self, code: str) -> Dossier | None:
        # Hand out a copy: callers must not change the stored state by accident.
        stored = self._dossiers.get(code)
        return stored.clone() if stored is not None else None

    def events(self, code: str) -> list[Event]:
        return list(self._events.get(code, ()))

    def codes(self, *, open_only: bool = False, procedure_id: str | None = None) -> Iterator[str]:
        for code, d in list(self._dossiers.items()):
            if open_only and not d.is_open:
                continue
            if procedure_id is not None and d.procedure_id != procedure_id:
                continue
            yield code

    def iter_dossier_dicts(
        self, *, open_only: bool = False, procedure_id: str | None = None
    ) -> Iterator[dict[str, Any]]:
        for code in self.codes(open_only=open_only, procedure_id=procedure_id):
            yield self._dossiers[code].to_dict()

    def due_for_alert(self, now: datetime, limit: int = 1000) -> list[str]:
        due = sorted(
            (at, code)
            for code, at in self._alerts.items()
            if at <= now and self._dossiers[code].is_open
        )
        return [code for _, code in due[:limit]]

    def next_sequence(self, scope: str) -> int:
        self._sequences[scope] = self._sequences.get(scope, 0) + 1
        return self._sequences[scope]

    def close(self) -> None:
        pass
