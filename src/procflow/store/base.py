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

How a durable store is opened is its :data:`StoreMode`: commands that only
read a database open it ``"read"``, commands that change an existing one
``"write"``, and only the commands that may start a new database
``"create"``. The first two refuse a missing file or schema, and every mode
refuses what is not a procflow database, without changing it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from procflow.engine.dossier import Dossier
from procflow.engine.events import Event
from procflow.errors import StoreError

StoreMode = Literal["read", "write", "create"]
"""How a store is opened.

* ``"read"``: the database must exist and be procflow's, at this release's
  schema; nothing is ever written (SQLite: a ``mode=ro`` connection;
  PostgreSQL: read-only transactions), and write calls raise StoreError.
* ``"write"``: the database must exist and be procflow's; an older schema is
  upgraded. For commands that change dossiers (fire, sweep, migrate).
* ``"create"``: as ``"write"``, and a missing SQLite file (created 0600),
  an empty one, or a missing or empty PostgreSQL schema gets procflow's
  tables. Only the commands that start a database (receive, simulate --out).

In every mode a file or schema that holds something else (another
application's tables, a newer procflow's schema, bytes that are not SQLite)
is refused with a StoreError and left exactly as it was.
"""

STORE_MODES: tuple[StoreMode, ...] = ("read", "write", "create")


def check_mode(mode: str) -> StoreMode:
    """``mode`` as a :data:`StoreMode`; StoreError naming the choices otherwise.

    The CLI and configuration files pass plain strings, so the literal type
    alone does not keep a typo out.
    """
    for known in STORE_MODES:
        if mode == known:
            return known
    raise StoreError(f"unknown store mode {mode!r}; expected one of: {', '.join(STORE_MODES)}")


def mode_flags(mode: StoreMode) -> tuple[bool, bool]:
    """``(read_only, create)`` for the stores' constructor flags."""
    return mode == "read", mode == "create"


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
