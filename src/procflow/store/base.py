"""The storage interface the engine writes through.

A store keeps two things: each dossier's current state (one row) and its
append-only event log. The engine calls :meth:`Store.create` and
:meth:`Store.append`, each of which must write the event and the new state in
one atomic step, or nothing. ``append`` carries the version the engine read:
when another writer got there first the store raises
:class:`~procflow.errors.ConflictError` and writes nothing (optimistic
concurrency), so no update is ever lost.

A store may offer more, and the engine uses it when it is there:

* ``create_numbered(scope, make)``: take the next dossier number and store
  the dossier built for it in one transaction (every built-in store: one
  durable commit per receipt instead of two).
* ``get_current(code)``: the state to act on, possibly from the store's
  memory of what it wrote itself, checked against the stored version and
  hash (SQLite and PostgreSQL: no reading and parsing of the JSON body on
  the next fire).
* ``claim_for_alert(now, limit)``: hand each due dossier to one sweeper only
  (PostgreSQL's ``SKIP LOCKED``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from procflow.engine.dossier import Dossier
from procflow.engine.events import Event


@runtime_checkable
class Store(Protocol):
    def create(self, dossier: Dossier, event: Event, next_alert_at: datetime | None) -> None:
        """Store a new dossier and its first event. ConflictError if the code exists."""
        ...

    def append(
        self,
        dossier: Dossier,
        event: Event,
        expected_version: int,
        next_alert_at: datetime | None,
    ) -> None:
        """Store ``event`` and the dossier's new state if its stored version is
        still ``expected_version``; otherwise raise ConflictError and write nothing."""
        ...

    def get(self, code: str) -> Dossier | None: ...

    def events(self, code: str) -> list[Event]: ...

    def codes(self, *, open_only: bool = False, procedure_id: str | None = None) -> Iterator[str]:
        """Dossier codes, in receipt order."""
        ...

    def iter_dossier_dicts(
        self, *, open_only: bool = False, procedure_id: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every dossier's state as ``Dossier.to_dict()`` data, in receipt order,
        streamed: reports aggregate over it in bounded memory."""
        ...

    def due_for_alert(self, now: datetime, limit: int = 1000) -> list[str]:
        """Open dossiers whose next warning or deadline is at or before ``now``."""
        ...

    def next_sequence(self, scope: str) -> int:
        """The next number (1, 2, ...) in ``scope``, e.g. one desk on one day."""
        ...

    def close(self) -> None: ...
