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
  ``schema=NAME`` (keep the tables in that schema, created if missing when
  the store is opened to create) and
  ``pool_size=N`` (connections this process opens at most). It needs the
  ``postgres`` extra (``pip install "procflow[postgres]"``).

Anything else is a StoreError saying which forms are accepted.

``mode`` (:data:`~procflow.store.base.StoreMode`) says what the caller will do
with the store: ``"read"`` (verify, report, export, show, history),
``"write"`` (fire, sweep: the database must exist) or ``"create"`` (receive,
simulate --out: a new database may be started). ``memory://`` and
``sqlite:///:memory:`` are new and empty each time, so only ``"create"``
opens them.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode

from procflow.errors import StoreError
from procflow.store.base import Store, StoreMode, check_mode, mode_flags
from procflow.store.memory import MemoryStore
from procflow.store.sqlite import SQLiteStore

_FORMS = (
    "sqlite:///path.db, sqlite:////absolute/path.db, postgresql://user@host/dbname, "
    "memory:// or a file path"
)


def open_store(
    target: str | Path,
    *,
    mode: StoreMode | None = None,
    timeout: float = 30.0,
    must_exist: bool = False,
) -> Store:
    """The store ``target`` names, opened in ``mode``; ``timeout`` is how many
    seconds to wait for a lock (SQLite) or a connection (PostgreSQL).

    ``mode`` defaults to ``"create"``, or to ``"write"`` with ``must_exist``
    (the flag callers used before modes existed). Commands that only read
    should pass ``"read"``: a mistyped path or schema is then refused instead
    of becoming an empty database, and nothing is written. In every mode a
    database that is not procflow's is refused and left as it was.
    """
    if mode is None:
        mode = "write" if must_exist else "create"
    mode = check_mode(mode)
    if must_exist and mode == "create":
        raise StoreError("open_store: must_exist=True contradicts mode='create'")
    if isinstance(target, Path):
        return _sqlite(target.expanduser(), timeout, mode)
    text = target.strip()
    if not text:
        raise StoreError(f"no store given; expected one of: {_FORMS}")
    if "://" not in text:
        return _sqlite(Path(text).expanduser(), timeout, mode)
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
            _check_new_is_wanted(target, mode)
            return SQLiteStore(path, timeout=timeout)
        return _sqlite(Path(path).expanduser(), timeout, mode)
    if scheme == "memory":
        if rest:
            raise StoreError(
                f"{target!r}: write the in-memory store as 'memory://', with nothing after it"
            )
        _check_new_is_wanted(target, mode)
        return MemoryStore()
    if scheme in {"postgresql", "postgres", "postgresql+psycopg"}:
        return _open_postgres(rest, timeout, mode)
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


def _check_new_is_wanted(target: str, mode: StoreMode) -> None:
    """An in-memory store starts empty: reading or changing one finds nothing."""
    if mode != "create":
        raise StoreError(
            f"{target!r} is a new, empty store each time: there is nothing in it to "
            f"{'read' if mode == 'read' else 'change'}; give the database that holds the dossiers"
        )


def _sqlite(path: Path, timeout: float, mode: StoreMode) -> SQLiteStore:
    read_only, create = mode_flags(mode)
    return SQLiteStore(path, timeout=timeout, read_only=read_only, create=create)


def _open_postgres(rest: str, timeout: float, mode: StoreMode) -> Store:
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
    # quote, not urlencode's default quote_plus: libpq reads "+" as a plus sign,
    # so "options=-c statement_timeout=5s" must travel as "%20", not "+".
    url = "postgresql://" + location + (f"?{urlencode(kept, quote_via=quote)}" if kept else "")
    read_only, create = mode_flags(mode)
    return PostgresStore(
        url,
        schema=schema,
        pool_size=pool_size,
        timeout=timeout,
        read_only=read_only,
        create=create,
    )
