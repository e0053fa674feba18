"""How stores are opened, and the storage contract they keep.

The contract (:class:`Store`, :class:`StoreBase`, :class:`Capability`) lives in
:mod:`procflow.model.storage`, below the engine and the stores, and is
re-exported here. How a durable store is opened is its :data:`StoreMode`:
commands that only read a database open it ``"read"``, commands that change an
existing one ``"write"``, and only the commands that may start a new database
``"create"``. The first two refuse a missing file or schema, and every mode
refuses what is not a procflow database, without changing it.
"""

from __future__ import annotations

from typing import Literal

from procflow.errors import StoreError
from procflow.model.storage import Capability, Store, StoreBase

__all__ = [
    "STORE_MODES",
    "Capability",
    "Store",
    "StoreBase",
    "StoreMode",
    "check_mode",
    "mode_flags",
]

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
