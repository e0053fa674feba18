"""Open a store from one string, as the CLI and configuration files give it.

Accepted forms:

* ``sqlite:///relative/path.db`` and ``sqlite:////absolute/path.db`` (the
  path is everything after ``sqlite:///``, as in SQLAlchemy), and
  ``sqlite:///:memory:`` for a throwaway SQLite database;
* ``memory://``: the in-memory store (nothing survives the process);
* a bare path (``str`` or :class:`~pathlib.Path`): an SQLite file;
* ``postgresql://user@host:5432/dbname`` (also ``postgres://`` and
  SQLAlchemy's ``postgresql+psycopg://``): a
  :class:`~procflow.store.postgres.PostgresStore`, with any libpq parameter in
  the query string (``?sslmode=require``) plus two of procflow's own:
  ``schema=NAME`` (keep the tables in that schema, created if missing) and
  ``pool_size=N`` (connections this process opens at most). It needs the
  ``postgres`` extra (``pip install "procflow[postgres]"``).

Anything else is a StoreError saying which forms are accepted.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode

from procflow.errors import StoreError
from procflow.store.base import Store
from procflow.store.memory import MemoryStore
from procflow.store.sqlite import SQLiteStore

_FORMS = (
    "sqlite:///path.db, sqlite:////absolute/path.db, postgresql://user@host/dbname, "
    "memory:// or a file path"
)


def open_store(target: str | Path, *, timeout: float = 30.0, must_exist: bool = False) -> Store:
    """The store ``target`` names; ``timeout`` is the SQLite write-lock wait in seconds.

    An SQLite file is created when missing, unless ``must_exist``: commands
    that only read or move existing dossiers refuse a mistyped path instead
    of leaving an empty database behind.
    """
    if isinstance(target, Path):
        return _sqlite(target.expanduser(), timeout, must_exist)
    text = target.strip()
    if not text:
        raise StoreError(f"no store given; expected one of: {_FORMS}")
    if "://" not in text:
        return _sqlite(Path(text).expanduser(), timeout, must_exist)
    scheme, _, rest = text.partition("://")
    scheme = scheme.lower()
    if scheme == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise StoreError(
                f"{target!r}: an SQLite URL needs a path after 'sqlite:///' "
                "(three slashes; four for an absolute path, e.g. sqlite:////var/lib/procflow.db)"
            )
        path = unquote(rest[1:])
        if path == ":memory:":
            return SQLiteStore(path, timeout=timeout)
        return _sqlite(Path(path).expanduser(), timeout, must_exist)
    if scheme == "memory":
        if rest:
            raise StoreError(
                f"{target!r}: write the in-memory store as 'memory://', with nothing after it"
            )
        return MemoryStore()
    if scheme in {"postgresql", "postgres", "postgresql+psycopg"}:
        return _open_postgres(rest, timeout)
    if scheme.startswith("postgresql+"):
        raise StoreError(
            f"{target!r}: procflow talks to PostgreSQL through psycopg 3; write the URL as "
            "postgresql://user@host/dbname"
        )
    raise StoreError(f"unknown store scheme {scheme + '://'!r} in {target!r}; expected {_FORMS}")


def sqlite_file(target: str | Path) -> Path | None:
    """The file an SQLite ``target`` names, as :func:`open_store` reads it;
    None for other stores and for ``sqlite:///:memory:``."""
    if isinstance(target, Path):
        return target.expanduser()
    text = target.strip()
    if not text:
        return None
    if "://" not in text:
        return Path(text).expanduser()
    scheme, _, rest = text.partition("://")
    if scheme.lower() != "sqlite" or not rest.startswith("/") or rest == "/":
        return None
    path = unquote(rest[1:])
    return None if path == ":memory:" else Path(path).expanduser()


def _sqlite(path: Path, timeout: float, must_exist: bool) -> SQLiteStore:
    if path.is_dir():
        raise StoreError(
            f"{path} is a folder, not a procflow database; give the path of the database "
            "file, e.g. desk.db"
        )
    if must_exist and not path.exists():
        raise StoreError(
            f"{path}: no such procflow database; check the path (receiving a first "
            "dossier, e.g. `procflow dossier receive`, creates one)"
        )
    return SQLiteStore(path, timeout=timeout)


def _open_postgres(rest: str, timeout: float) -> Store:
    """A PostgresStore for ``postgresql://{rest}``, procflow's own parameters taken out."""
    try:
        from procflow.store.postgres import PostgresStore
    except ImportError as exc:
        raise StoreError(
            f"postgresql:// stores need psycopg 3 and psycopg-pool ({exc}); install them "
            'with: pip install "procflow[postgres]"'
        ) from exc
    location, _, query = rest.partition("?")
    params = parse_qsl(query, keep_blank_values=True)
    schema: str | None = None
    pool_size = 4
    kept = []
    for key, value in params:
        if key == "schema":
            schema = value or None
        elif key == "pool_size":
            try:
                pool_size = int(value)
            except ValueError:
                raise StoreError(f"pool_size={value!r} in the store URL is not a number") from None
        else:
            kept.append((key, value))
    url = "postgresql://" + location + (f"?{urlencode(kept)}" if kept else "")
    return PostgresStore(url, schema=schema, pool_size=pool_size, timeout=timeout)
