"""Open a store from one string, as the CLI and configuration files give it.

Accepted forms:

* ``sqlite:///relative/path.db`` and ``sqlite:////absolute/path.db`` (the
  path is everything after ``sqlite:///``, as in SQLAlchemy), and
  ``sqlite:///:memory:`` for a throwaway SQLite database;
* ``memory://``: the in-memory store (nothing survives the process);
* a bare path (``str`` or :class:`~pathlib.Path`): an SQLite file.

``postgresql://`` is recognised but not supported yet (a later release adds
it behind the same interface). Anything else is a StoreError saying which
forms are accepted.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from procflow.errors import StoreError
from procflow.store.base import Store
from procflow.store.memory import MemoryStore
from procflow.store.sqlite import SQLiteStore

_FORMS = "sqlite:///path.db, sqlite:////absolute/path.db, memory:// or a file path"


def open_store(target: str | Path, *, timeout: float = 30.0) -> Store:
    """The store ``target`` names; ``timeout`` is the SQLite write-lock wait in seconds."""
    if isinstance(target, Path):
        return SQLiteStore(target.expanduser(), timeout=timeout)
    text = target.strip()
    if not text:
        raise StoreError(f"no store given; expected one of: {_FORMS}")
    if "://" not in text:
        return SQLiteStore(Path(text).expanduser(), timeout=timeout)
    scheme, _, rest = text.partition("://")
    scheme = scheme.lower()
    if scheme == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise StoreError(
                f"{target!r}: an SQLite URL needs a path after 'sqlite:///' "
                "(three slashes; four for an absolute path, e.g. sqlite:////var/lib/procflow.db)"
            )
        path = unquote(rest[1:])
        return SQLiteStore(path if path == ":memory:" else Path(path).expanduser(), timeout=timeout)
    if scheme == "memory":
        if rest:
            raise StoreError(
                f"{target!r}: write the in-memory store as 'memory://', with nothing after it"
            )
        return MemoryStore()
    if scheme in {"postgresql", "postgres"} or scheme.startswith("postgresql+"):
        raise StoreError(
            f"{scheme}:// stores are not supported yet; use an SQLite file for now ({_FORMS})"
        )
    raise StoreError(f"unknown store scheme {scheme + '://'!r} in {target!r}; expected {_FORMS}")
